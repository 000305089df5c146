//! Run a closure on a write overlay; keep its changes only if it returns `Ok`.
use crate::{ContractEngine, Externalities};
use alloc::{collections::BTreeMap, sync::Arc, vec::Vec};

struct Overlay<'a> {
    inner: &'a mut dyn Externalities,
    changes: BTreeMap<Vec<u8>, Option<Vec<u8>>>,
}

impl Externalities for Overlay<'_> {
    fn storage_get(&self, key: &[u8]) -> Option<Vec<u8>> {
        match self.changes.get(key) {
            Some(v) => v.clone(),
            None => self.inner.storage_get(key),
        }
    }
    fn storage_set(&mut self, key: &[u8], value: &[u8]) {
        self.changes.insert(key.to_vec(), Some(value.to_vec()));
    }
    fn storage_remove(&mut self, key: &[u8]) {
        self.changes.insert(key.to_vec(), None);
    }
    fn falcon_verify(&self, pk: &[u8], msg: &[u8], sig: &[u8]) -> bool {
        self.inner.falcon_verify(pk, msg, sig)
    }
    fn contract_engine(&self) -> Option<Arc<dyn ContractEngine>> {
        self.inner.contract_engine()
    }
    /// The nearer of the inner state's next key and this overlay's next change,
    /// skipping keys this overlay removed.
    fn storage_next_key(&self, key: &[u8]) -> Option<Vec<u8>> {
        use core::ops::Bound;
        let mut cursor = key.to_vec();
        loop {
            let inner = self.inner.storage_next_key(&cursor);
            let changed = self
                .changes
                .range::<[u8], _>((Bound::Excluded(&cursor[..]), Bound::Unbounded))
                .next()
                .map(|(k, _)| k.clone());
            let next = match (inner, changed) {
                (Some(a), Some(b)) => a.min(b),
                (a, b) => a.or(b)?,
            };
            if self.storage_get(&next).is_some() {
                return Some(next);
            }
            cursor = next;
        }
    }
}

/// Changes made by `f` reach `ext` only when `f` returns `Ok`.
pub fn with_transaction<R, E>(
    ext: &mut dyn Externalities,
    f: impl FnOnce(&mut dyn Externalities) -> Result<R, E>,
) -> Result<R, E> {
    let mut overlay = Overlay {
        inner: ext,
        changes: BTreeMap::new(),
    };
    let result = f(&mut overlay);
    if result.is_ok() {
        let Overlay { inner, changes } = overlay;
        for (k, v) in changes {
            match v {
                Some(v) => inner.storage_set(&k, &v),
                None => inner.storage_remove(&k),
            }
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MemoryExt;

    #[test]
    fn rolls_back_on_error_and_commits_on_ok() {
        let mut ext = MemoryExt::default();
        ext.storage_set(b"a", b"1");
        let r: Result<(), ()> = with_transaction(&mut ext, |e| {
            e.storage_set(b"a", b"2");
            e.storage_remove(b"a");
            assert_eq!(e.storage_get(b"a"), None);
            Err(())
        });
        assert!(r.is_err());
        assert_eq!(ext.storage_get(b"a"), Some(b"1".to_vec()));
        let r: Result<(), ()> = with_transaction(&mut ext, |e| {
            e.storage_set(b"b", b"3");
            e.storage_remove(b"a");
            Ok(())
        });
        assert!(r.is_ok());
        assert_eq!(ext.storage_get(b"a"), None);
        assert_eq!(ext.storage_get(b"b"), Some(b"3".to_vec()));
    }
}
