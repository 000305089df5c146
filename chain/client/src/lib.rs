//! The client: executes blocks with the runtime, imports them into storage, and
//! serves the chain to RPC, the pool and consensus engines.
//!
//! The chain is linear: a block is committed only once it is final (dev: at
//! once; BFT: on a >2/3 justification), so execution always runs on top of the
//! best block and block N's state is state version N.
mod build;
mod chain_api;
mod contracts;
mod dry_run;
mod dry_run_engine;
mod events;
mod import;
mod overlay;
mod runtime_api;
mod validator;

pub use build::{BuiltBlock, Rejection};
pub use import::{ImportError, ImportOutcome};
pub use overlay::{StateOverlay, TxFailure};

use hm_client_api::ChainInfo;
use hm_consensus_api::BlockVerifier;
use hm_crypto::VerifyCache;
use hm_primitives::{AccountId, Block, FalconPublicKey, Header, SignedBlock, H256};
use hm_storage::ChainDb;
use parking_lot::{Mutex, RwLock};
use std::sync::Arc;
use tokio::sync::broadcast;

/// Raw genesis storage: key/value pairs (from a chain spec, patch or raw).
pub type GenesisStorage = Vec<(Vec<u8>, Vec<u8>)>;

const NOTIFICATION_BUFFER: usize = 1024;
const VERIFY_CACHE_ENTRIES: usize = 65_536;

pub struct Client {
    db: Arc<ChainDb>,
    verifier: Arc<dyn BlockVerifier>,
    verify_cache: VerifyCache,
    info: RwLock<ChainInfo>,
    /// Serialises imports: the chain is linear and each import builds on the best block.
    import_lock: Mutex<()>,
    /// The last block `check_block` executed, kept for its import.
    checked: Mutex<Option<(H256, hm_storage::PreparedState)>>,
    /// The node's contract executor, handed to every overlay (`None`: contract calls
    /// are node faults, so such a node neither builds nor imports blocks that have them).
    contract_engine: Option<Arc<dyn hm_contracts_api::ContractEngine>>,
    imported_tx: broadcast::Sender<Header>,
    finalized_tx: broadcast::Sender<Header>,
}

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(transparent)]
    Storage(#[from] hm_storage::StorageError),
    #[error("the database holds chain with genesis {found:?}, but the chain spec gives genesis {expected:?}; use another --base-path or purge-chain")]
    GenesisMismatch { found: H256, expected: H256 },
    #[error("genesis state could not be built: {0}")]
    Genesis(String),
    #[error("database has a genesis hash but no best block")]
    Incomplete,
}

impl Client {
    /// Open the chain in `db`, writing the genesis block first if the database is empty.
    pub fn open(
        db: Arc<ChainDb>,
        genesis: &GenesisStorage,
        verifier: Arc<dyn BlockVerifier>,
    ) -> Result<Self, OpenError> {
        let (genesis_block, genesis_changes) = genesis_block(&db, genesis)?;
        let genesis_hash = genesis_block.hash();
        match db.genesis_hash()? {
            Some(found) if found != genesis_hash => {
                return Err(OpenError::GenesisMismatch {
                    found,
                    expected: genesis_hash,
                })
            }
            Some(_) => {}
            None => {
                let prepared = db.prepare_state(0, &genesis_changes)?;
                let signed = SignedBlock {
                    block: genesis_block,
                    justification: None,
                };
                db.commit_block(&signed, prepared, true)?;
                tracing::info!(%genesis_hash, "initialised genesis block");
            }
        }
        let (best_number, best_hash) = db.best()?.ok_or(OpenError::Incomplete)?;
        let (finalized_number, finalized_hash) = db.finalized()?.ok_or(OpenError::Incomplete)?;
        let info = ChainInfo {
            genesis_hash,
            best_hash,
            best_number,
            finalized_hash,
            finalized_number,
        };
        Ok(Client {
            db,
            verifier,
            verify_cache: VerifyCache::new(VERIFY_CACHE_ENTRIES),
            info: RwLock::new(info),
            import_lock: Mutex::new(()),
            checked: Mutex::new(None),
            contract_engine: None,
            imported_tx: broadcast::channel(NOTIFICATION_BUFFER).0,
            finalized_tx: broadcast::channel(NOTIFICATION_BUFFER).0,
        })
    }

    /// Run contracts on `engine` (set once, before the client is shared).
    pub fn with_contract_engine(
        mut self,
        engine: Arc<dyn hm_contracts_api::ContractEngine>,
    ) -> Self {
        self.contract_engine = Some(engine);
        self
    }

    pub fn chain_info(&self) -> ChainInfo {
        *self.info.read()
    }

    pub fn db(&self) -> &Arc<ChainDb> {
        &self.db
    }

    pub fn best_header(&self) -> Result<Header, hm_storage::StorageError> {
        let hash = self.info.read().best_hash;
        self.db.header(&hash)?.ok_or_else(|| {
            hm_storage::StorageError::Corrupt(format!("best header {hash:?} missing"))
        })
    }

    /// A fresh overlay on the latest state (for read-only runtime queries too).
    pub fn overlay(&self) -> StateOverlay<'_> {
        StateOverlay::new(&self.db, &self.verify_cache)
            .with_contract_engine(self.contract_engine.clone())
    }

    /// The public key stored on-chain for `who`, at the best block.
    pub fn public_key_of(&self, who: &AccountId) -> Option<FalconPublicKey> {
        hm_runtime::public_key_of(&self.overlay(), who)
    }
}

/// The genesis block: number 0, zero parent, state from the chain spec.
fn genesis_block(
    db: &ChainDb,
    genesis: &GenesisStorage,
) -> Result<(Block, hm_storage::StateChanges), OpenError> {
    let mut changes: hm_storage::StateChanges = genesis
        .iter()
        .map(|(k, v)| (k.clone(), Some(v.clone())))
        .collect();
    changes.sort_by(|a, b| a.0.cmp(&b.0));
    changes.dedup_by(|a, b| a.0 == b.0);
    let prepared = db.prepare_state(0, &changes)?;
    let header = Header {
        parent_hash: H256::ZERO,
        number: 0,
        state_root: prepared.root,
        extrinsics_root: Block::compute_extrinsics_root(&[]),
        timestamp_ms: 0,
        proposer: AccountId::default(),
        consensus: Vec::new(),
        seal: Vec::new(),
    };
    Ok((
        Block {
            header,
            extrinsics: Vec::new(),
        },
        changes,
    ))
}
