//! Status channels of watched transactions.
use hm_client_api::TxStatus;
use hm_primitives::H256;
use std::collections::{BTreeMap, HashMap};
use tokio::sync::mpsc::UnboundedSender;

pub(crate) type Watcher = UnboundedSender<TxStatus>;

/// Send a non-final status. A closed receiver just means nobody listens any more.
pub(crate) fn notify(watcher: &Option<Watcher>, status: TxStatus) {
    if let Some(w) = watcher {
        let _ = w.send(status);
    }
}

/// Send a final status and drop the sender, which closes the channel.
pub(crate) fn finish(watcher: Option<Watcher>, status: TxStatus) {
    if let Some(w) = watcher {
        let _ = w.send(status);
    }
}

/// Watchers of transactions that left the pool in a block and wait for its finality.
///
/// Bounded: when more are waiting than `capacity` (finality stalled), the oldest
/// channels are closed without a final status rather than kept forever.
pub(crate) struct InBlockWatchers {
    capacity: usize,
    by_tx: HashMap<H256, (u64, Watcher)>,
    by_age: BTreeMap<u64, H256>,
    next_age: u64,
}

impl InBlockWatchers {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            by_tx: HashMap::new(),
            by_age: BTreeMap::new(),
            next_age: 0,
        }
    }

    pub(crate) fn insert(&mut self, tx: H256, watcher: Watcher) {
        if watcher.is_closed() {
            return;
        }
        let age = self.next_age;
        self.next_age = self.next_age.wrapping_add(1);
        if let Some((old_age, _)) = self.by_tx.insert(tx, (age, watcher)) {
            self.by_age.remove(&old_age);
        }
        self.by_age.insert(age, tx);
        while self.by_tx.len() > self.capacity {
            let Some((_, oldest)) = self.by_age.pop_first() else {
                break;
            };
            self.by_tx.remove(&oldest);
        }
    }

    /// Report `Finalized(block)` to the watcher of `tx`, if any, and close it.
    pub(crate) fn finalize(&mut self, tx: &H256, block: H256) {
        if let Some((age, watcher)) = self.by_tx.remove(tx) {
            self.by_age.remove(&age);
            finish(Some(watcher), TxStatus::Finalized(block));
        }
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.by_tx.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::sync::mpsc::unbounded_channel;

    #[test]
    fn finalize_sends_final_status_and_closes() {
        let mut w = InBlockWatchers::new(4);
        let (tx, mut rx) = unbounded_channel();
        w.insert(H256([1; 32]), tx);
        w.finalize(&H256([1; 32]), H256([9; 32]));
        assert_eq!(rx.try_recv(), Ok(TxStatus::Finalized(H256([9; 32]))));
        assert!(rx.try_recv().is_err());
        assert!(rx.is_closed());
        assert_eq!(w.len(), 0);
    }

    #[test]
    fn capacity_closes_the_oldest() {
        let mut w = InBlockWatchers::new(2);
        let mut receivers = Vec::new();
        for i in 0..3u8 {
            let (tx, rx) = unbounded_channel();
            w.insert(H256([i; 32]), tx);
            receivers.push(rx);
        }
        assert_eq!(w.len(), 2);
        assert!(receivers[0].is_closed());
        assert!(!receivers[2].is_closed());
    }

    #[test]
    fn closed_receivers_are_not_kept() {
        let mut w = InBlockWatchers::new(2);
        let (tx, rx) = unbounded_channel();
        drop(rx);
        w.insert(H256([1; 32]), tx);
        assert_eq!(w.len(), 0);
    }
}
