//! The runtime's view of state during execution: pending writes over the latest committed state.
use hm_crypto::VerifyCache;
use hm_storage::{ChainDb, StateChanges};
use hm_support::Externalities;
use std::{cell::RefCell, collections::BTreeMap};

/// Writes go to an in-memory map; reads fall through to the database's latest
/// state. A database read error cannot cross the `Externalities` boundary, so it
/// is recorded and the whole execution is refused afterwards.
pub struct StateOverlay<'a> {
    db: &'a ChainDb,
    verify_cache: &'a VerifyCache,
    changes: BTreeMap<Vec<u8>, Option<Vec<u8>>>,
    read_error: RefCell<Option<String>>,
}

impl<'a> StateOverlay<'a> {
    pub fn new(db: &'a ChainDb, verify_cache: &'a VerifyCache) -> Self {
        StateOverlay {
            db,
            verify_cache,
            changes: BTreeMap::new(),
            read_error: RefCell::new(None),
        }
    }

    /// The accumulated changes, in key order, or the first read error.
    pub fn into_changes(self) -> Result<StateChanges, String> {
        if let Some(e) = self.read_error.into_inner() {
            return Err(e);
        }
        Ok(self.changes.into_iter().collect())
    }

    pub fn read_error(&self) -> Option<String> {
        self.read_error.borrow().clone()
    }
}

impl Externalities for StateOverlay<'_> {
    fn storage_get(&self, key: &[u8]) -> Option<Vec<u8>> {
        if let Some(v) = self.changes.get(key) {
            return v.clone();
        }
        match self.db.state_get(key) {
            Ok(v) => v,
            Err(e) => {
                self.read_error
                    .borrow_mut()
                    .get_or_insert_with(|| format!("state read failed: {e}"));
                None
            }
        }
    }

    fn storage_set(&mut self, key: &[u8], value: &[u8]) {
        self.changes.insert(key.to_vec(), Some(value.to_vec()));
    }

    fn storage_remove(&mut self, key: &[u8]) {
        self.changes.insert(key.to_vec(), None);
    }

    fn falcon_verify(&self, public_key: &[u8], message: &[u8], signature: &[u8]) -> bool {
        self.verify_cache.verify(public_key, message, signature)
    }
}
