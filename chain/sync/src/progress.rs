//! Sync progress for `system_syncState` and `system_health`, shared with RPC.
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

#[derive(Default)]
pub struct SyncProgress {
    starting: AtomicU64,
    highest_proven: AtomicU64,
    syncing: AtomicBool,
}

impl SyncProgress {
    pub fn is_syncing(&self) -> bool {
        self.syncing.load(Ordering::Relaxed)
    }

    pub fn starting_block(&self) -> u64 {
        self.starting.load(Ordering::Relaxed)
    }

    /// The highest finalized block a connected peer proved (at least our own). A height a
    /// peer merely claims never shows here.
    pub fn highest_block(&self, ours: u64) -> u64 {
        self.highest_proven.load(Ordering::Relaxed).max(ours)
    }

    pub(crate) fn set_starting(&self, number: u64) {
        self.starting.store(number, Ordering::Relaxed);
    }

    pub(crate) fn update(&self, syncing: bool, highest_proven: u64) {
        self.syncing.store(syncing, Ordering::Relaxed);
        self.highest_proven.store(highest_proven, Ordering::Relaxed);
    }
}
