//! The runtime's view of state during execution: pending writes over the latest committed state.
use hm_contracts_api::{
    ContractEngine, ContractEnv, Entry, ExecError, ExecOutcome, PrepareOutcome, UploadError,
};
use hm_crypto::VerifyCache;
use hm_primitives::{AccountId, H256};
use hm_storage::{ChainDb, StateChanges};
use hm_support::{with_transaction, Externalities};
use parking_lot::Mutex;
use std::{cell::RefCell, collections::BTreeMap, sync::Arc};

/// Writes go to an in-memory map; reads fall through to the database's latest
/// state. A database read error cannot cross the `Externalities` boundary, so it
/// is recorded and the whole execution is refused afterwards; so is a contract
/// executor's node fault (a wall-clock backstop, a compiler or pool failure, or no
/// executor at all), which must never become a transaction's recorded result.
pub struct StateOverlay<'a> {
    db: &'a ChainDb,
    verify_cache: &'a VerifyCache,
    changes: BTreeMap<Vec<u8>, Option<Vec<u8>>>,
    read_error: RefCell<Option<String>>,
    engine: Arc<FaultRecordingEngine>,
    /// Read this committed state version instead of the latest (queries at a block).
    version: Option<u64>,
}

impl<'a> StateOverlay<'a> {
    /// An overlay without a contract executor: any contract execution on it is a node
    /// fault (see [`StateOverlay::with_contract_engine`]).
    pub fn new(db: &'a ChainDb, verify_cache: &'a VerifyCache) -> Self {
        StateOverlay {
            db,
            verify_cache,
            changes: BTreeMap::new(),
            read_error: RefCell::new(None),
            engine: Arc::new(FaultRecordingEngine {
                inner: None,
                fault: Mutex::new(None),
            }),
            version: None,
        }
    }

    /// Read state version `version` (block number `version`) rather than the latest;
    /// for read-only queries at an older block.
    pub fn at_version(mut self, version: u64) -> Self {
        self.version = Some(version);
        self
    }

    /// Run contracts on `engine` (the node's executor).
    pub fn with_contract_engine(mut self, engine: Option<Arc<dyn ContractEngine>>) -> Self {
        self.engine = Arc::new(FaultRecordingEngine {
            inner: engine,
            fault: Mutex::new(None),
        });
        self
    }

    /// The accumulated changes, in key order, or the first read error or node fault.
    pub fn into_changes(self) -> Result<StateChanges, String> {
        if let Some(e) = self.read_error() {
            return Err(e);
        }
        Ok(self.changes.into_iter().collect())
    }

    /// Run `f` (one transaction) on a nested write layer over this overlay. Its changes
    /// are kept only when it returns `Ok` and the contract executor had no node fault
    /// meanwhile; such a fault is handed back (and not kept against this overlay), so the
    /// caller can drop that one transaction and go on. A fault recorded before `f` ran
    /// is not `f`'s: it stays, and `f` runs as if isolated only by its result.
    pub fn transactional<R, E>(
        &mut self,
        f: impl FnOnce(&mut dyn Externalities) -> Result<R, E>,
    ) -> Result<R, TxFailure<E>> {
        let engine = self.engine.clone();
        if engine.fault.lock().is_some() {
            return with_transaction(self, f).map_err(TxFailure::Failed);
        }
        with_transaction(self, |ext| {
            let result = f(ext);
            match engine.fault.lock().take() {
                Some(fault) => Err(TxFailure::NodeFault(fault)),
                None => result.map_err(TxFailure::Failed),
            }
        })
    }

    /// The first state read error or contract-executor node fault, if any. Results
    /// computed on an overlay that has one must be discarded.
    pub fn read_error(&self) -> Option<String> {
        self.read_error
            .borrow()
            .clone()
            .or_else(|| self.engine.fault.lock().clone())
    }
}

impl Externalities for StateOverlay<'_> {
    fn storage_get(&self, key: &[u8]) -> Option<Vec<u8>> {
        if let Some(v) = self.changes.get(key) {
            return v.clone();
        }
        let read = match self.version {
            Some(version) => self.db.state_get_at(key, version),
            None => self.db.state_get(key),
        };
        match read {
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

    fn contract_engine(&self) -> Option<Arc<dyn ContractEngine>> {
        Some(self.engine.clone())
    }
}

/// Why [`StateOverlay::transactional`] rolled a transaction back.
#[derive(Debug, PartialEq, Eq)]
pub enum TxFailure<E> {
    /// `f` returned this error.
    Failed(E),
    /// The contract executor had this node fault while `f` ran.
    NodeFault(String),
}

const NO_ENGINE: &str = "this node has no contract executor";

/// The node's executor as one overlay sees it: node faults are remembered so the
/// overlay refuses its changes (the runtime only sees them as failed calls).
struct FaultRecordingEngine {
    inner: Option<Arc<dyn ContractEngine>>,
    fault: Mutex<Option<String>>,
}

impl FaultRecordingEngine {
    fn record(&self, fault: String) {
        tracing::warn!(%fault, "contract executor node fault: refusing this execution");
        self.fault.lock().get_or_insert(fault);
    }
}

impl ContractEngine for FaultRecordingEngine {
    fn prepare(&self, code: &[u8], gas_limit: u64) -> PrepareOutcome {
        let outcome = match &self.inner {
            Some(engine) => engine.prepare(code, gas_limit),
            None => PrepareOutcome {
                result: Err(UploadError::Compile(NO_ENGINE.into())),
                gas_used: 0,
            },
        };
        if let Err(e) = &outcome.result {
            if e.is_node_fault() {
                self.record(e.to_string());
            }
        }
        outcome
    }

    fn execute(
        &self,
        code_hash: &H256,
        entry: Entry,
        input: &[u8],
        gas_limit: u64,
        env: &mut dyn ContractEnv,
    ) -> ExecOutcome {
        let outcome = match &self.inner {
            Some(engine) => engine.execute(code_hash, entry, input, gas_limit, env),
            None => ExecOutcome::failed(ExecError::NodeFault(NO_ENGINE.into())),
        };
        if let Err(e) = &outcome.result {
            if e.is_node_fault() {
                self.record(e.to_string());
            }
        }
        outcome
    }

    fn debug_log_enabled(&self) -> bool {
        self.inner.as_ref().is_some_and(|e| e.debug_log_enabled())
    }

    fn debug_log(&self, contract: &AccountId, message: &str) {
        if let Some(engine) = &self.inner {
            engine.debug_log(contract, message);
        }
    }

    fn code_removed(&self, code_hash: &H256) {
        if let Some(engine) = &self.inner {
            engine.code_removed(code_hash);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Refuses every upload as malformed (deterministic) or as a compiler failure (node fault).
    struct Refusing {
        node_fault: bool,
    }

    impl ContractEngine for Refusing {
        fn prepare(&self, _: &[u8], _: u64) -> PrepareOutcome {
            let error = if self.node_fault {
                UploadError::Compile("cranelift failed".into())
            } else {
                UploadError::Malformed("bad magic".into())
            };
            PrepareOutcome {
                result: Err(error),
                gas_used: 7,
            }
        }
        fn execute(
            &self,
            _: &H256,
            _: Entry,
            _: &[u8],
            _: u64,
            _: &mut dyn ContractEnv,
        ) -> ExecOutcome {
            ExecOutcome::failed(ExecError::Timeout)
        }
    }

    fn overlay_with<'a>(
        db: &'a ChainDb,
        cache: &'a VerifyCache,
        engine: Option<Arc<dyn ContractEngine>>,
    ) -> StateOverlay<'a> {
        StateOverlay::new(db, cache).with_contract_engine(engine)
    }

    #[test]
    fn node_faults_refuse_the_overlay_and_deterministic_errors_do_not() {
        let dir = tempfile::tempdir().unwrap();
        let db = ChainDb::open(dir.path()).unwrap();
        let cache = VerifyCache::new(16);

        let deterministic =
            overlay_with(&db, &cache, Some(Arc::new(Refusing { node_fault: false })));
        let outcome = deterministic.contract_engine().unwrap().prepare(b"x", 100);
        assert_eq!(outcome.gas_used, 7);
        assert_eq!(deterministic.read_error(), None);
        assert!(deterministic.into_changes().is_ok());

        let faulty = overlay_with(&db, &cache, Some(Arc::new(Refusing { node_fault: true })));
        faulty.contract_engine().unwrap().prepare(b"x", 100);
        assert!(faulty.read_error().unwrap().contains("cranelift failed"));
        assert!(faulty.into_changes().is_err());

        // No executor at all: running code is a node fault too.
        let none = overlay_with(&db, &cache, None);
        let engine = none.contract_engine().expect("always offered");
        assert!(engine.prepare(b"x", 100).result.is_err());
        assert!(!engine.debug_log_enabled());
        assert!(none.read_error().unwrap().contains("no contract executor"));
    }
}
