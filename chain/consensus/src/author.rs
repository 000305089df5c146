//! Block production for a proposal: pool transactions, the block built on
//! the best state, PoTime and PoSpace from the parent, PoWork over the
//! pre-seal header, the proposer's seal. All of it blocks (hashing, disk,
//! execution): run it on a blocking thread.
use crate::chain_state::{HeightFacts, RegisteredPlot};
use crate::header_data::{pre_seal_hash, BftHeaderData};
use hm_client::{Client, ImportError};
use hm_crypto::Keypair;
use hm_primitives::{Block, H256};
use hm_proofs::{space, time, work, ConsensusProof, PlotError, PlotFile, PlotStore, ProofError};
use hm_txpool::TransactionPool;
use parity_scale_codec::Encode;
use parking_lot::Mutex;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// PoWork tries per unit of difficulty before giving up (failure odds e^-64).
const WORK_TRIES_PER_DIFFICULTY: u64 = 64;

#[derive(Debug, thiserror::Error)]
pub enum AuthorError {
    #[error("the best block moved on: asked for #{wanted}, best is #{best}")]
    Stale { wanted: u64, best: u64 },
    #[error("{0}")]
    Facts(#[from] crate::chain_state::FactsError),
    #[error("{0} is not a validator of this block")]
    NotValidator(hm_primitives::AccountId),
    #[error("plot {path}: {error}")]
    Plot { path: PathBuf, error: PlotError },
    #[error("plot {path} has root {file:?}, but the chain has {registered:?} registered")]
    PlotMismatch {
        path: PathBuf,
        file: H256,
        registered: H256,
    },
    #[error("the registered plot has 2^{registered} leaves; the chain's plot_k is {chain}")]
    PlotSize { registered: u8, chain: u8 },
    #[error("proof: {0}")]
    Proof(ProofError),
    #[error("opening the plot: {0}")]
    Open(String),
    #[error("no PoWork nonce in {0} tries")]
    WorkNotFound(u64),
    #[error("building the block: {0}")]
    Build(#[from] ImportError),
    #[error("a proof thread panicked")]
    Panicked,
}

/// What a validator needs to author blocks.
pub(crate) struct Author {
    client: Arc<Client>,
    pool: Arc<TransactionPool>,
    key: Keypair,
    plot_dir: PathBuf,
    max_block_txs: usize,
    max_block_bytes: usize,
    plot: Mutex<Option<(RegisteredPlot, Arc<PlotFile>)>>,
    #[cfg(feature = "byzantine")]
    misbehaviour: Option<crate::byzantine::Misbehaviour>,
}

impl Author {
    pub(crate) fn new(
        client: Arc<Client>,
        pool: Arc<TransactionPool>,
        key: Keypair,
        plot_dir: &Path,
        max_block_txs: usize,
        max_block_bytes: usize,
    ) -> Self {
        Author {
            client,
            pool,
            key,
            plot_dir: plot_dir.to_path_buf(),
            max_block_txs,
            max_block_bytes,
            plot: Mutex::new(None),
            #[cfg(feature = "byzantine")]
            misbehaviour: None,
        }
    }

    #[cfg(feature = "byzantine")]
    pub(crate) fn with_misbehaviour(
        mut self,
        misbehaviour: Option<crate::byzantine::Misbehaviour>,
    ) -> Self {
        self.misbehaviour = misbehaviour;
        self
    }

    /// Sign without the guard: only the `byzantine` test build does this.
    #[cfg(feature = "byzantine")]
    pub(crate) fn sign_raw(&self, message: &[u8]) -> hm_primitives::FalconSignature {
        self.key.sign(message)
    }

    pub(crate) fn account_id(&self) -> hm_primitives::AccountId {
        self.key.account_id()
    }

    /// The plot file of the registered commitment, opened once and checked against it.
    fn plot(&self, registered: &RegisteredPlot) -> Result<Arc<PlotFile>, AuthorError> {
        let mut cached = self.plot.lock();
        if let Some((known, file)) = cached.as_ref() {
            if known == registered {
                return Ok(file.clone());
            }
        }
        let path = hm_proofs::plot_file_path(&self.plot_dir, &registered.seed, registered.k);
        let file = PlotFile::open(&path).map_err(|error| AuthorError::Plot {
            path: path.clone(),
            error,
        })?;
        if file.root() != registered.root || file.k() != registered.k {
            return Err(AuthorError::PlotMismatch {
                path,
                file: file.root(),
                registered: registered.root,
            });
        }
        let file = Arc::new(file);
        *cached = Some((*registered, file.clone()));
        Ok(file)
    }

    /// Build, prove and seal block `height` for `round`. PoTime runs on its
    /// own thread while the block executes: the two are independent until PoWork.
    pub(crate) fn author(&self, height: u64, round: u32) -> Result<Block, AuthorError> {
        let parent = self.client.best_header().map_err(ImportError::from)?;
        if parent.number.checked_add(1) != Some(height) {
            return Err(AuthorError::Stale {
                wanted: height,
                best: parent.number,
            });
        }
        let parent_hash = parent.hash();
        let me = self.key.account_id();
        let facts = HeightFacts::read(&self.client.overlay(), height)?;
        let member = facts.member(&me).ok_or(AuthorError::NotValidator(me))?;
        let plot = self.plot(&member.plot)?;
        let params = facts.params;
        if member.plot.k != params.plot_k {
            return Err(AuthorError::PlotSize {
                registered: member.plot.k,
                chain: params.plot_k,
            });
        }
        let parent_time_output = BftHeaderData::time_output_of(&parent)
            .map_err(|e| AuthorError::Open(format!("parent consensus data: {e}")))?;
        let timestamp_ms = now_ms().max(parent.timestamp_ms.saturating_add(1));
        #[cfg(feature = "byzantine")]
        let timestamp_ms = crate::byzantine::timestamp(self.misbehaviour, timestamp_ms);
        let candidates = self
            .pool
            .ready_for_block(self.max_block_txs, self.max_block_bytes);

        let (time_and_space, built) = std::thread::scope(|scope| {
            let prover = scope.spawn(|| -> Result<_, AuthorError> {
                let seed = time::poh_seed(&parent_time_output, &parent_hash);
                let time = time::generate(&seed, params.poh_iterations, params.poh_checkpoints)
                    .map_err(AuthorError::Proof)?;
                let indices = space::challenge_indices(
                    &parent_hash,
                    &time.output,
                    &me,
                    params.plot_k,
                    params.openings,
                )
                .map_err(AuthorError::Proof)?;
                let space = space::open(plot.as_ref(), &indices)
                    .map_err(|e| AuthorError::Open(e.to_string()))?;
                Ok((time, space))
            });
            let built = self
                .client
                .build_block(me, timestamp_ms, candidates, Vec::new());
            (prover.join(), built)
        });
        #[allow(unused_mut)]
        let (mut time, mut space) = time_and_space.map_err(|_| AuthorError::Panicked)??;
        #[cfg(feature = "byzantine")]
        crate::byzantine::corrupt_proofs(self.misbehaviour, &mut time, &mut space);
        let built = built?;
        if !built.rejected.is_empty() {
            let hashes: Vec<H256> = built.rejected.iter().map(|(h, _)| *h).collect();
            tracing::debug!(
                count = hashes.len(),
                "dropping transactions that failed to apply"
            );
            self.pool.remove_invalid(&hashes);
        }
        let mut block = built.block;
        if block.header.parent_hash != parent_hash {
            return Err(AuthorError::Stale {
                wanted: height,
                best: block.header.number.saturating_sub(1),
            });
        }
        let pre_seal = pre_seal_hash(&block.header, round, &time, &space);
        let target = params.work_target().map_err(AuthorError::Proof)?;
        let tries = params
            .work_difficulty
            .saturating_mul(WORK_TRIES_PER_DIFFICULTY);
        let work =
            work::solve(&pre_seal, &target, tries).ok_or(AuthorError::WorkNotFound(tries))?;
        #[cfg(feature = "byzantine")]
        let work = crate::byzantine::corrupt_work(self.misbehaviour, &pre_seal, &target, work);
        block.header.consensus = BftHeaderData {
            round,
            proof: ConsensusProof { time, space, work },
        }
        .encode();
        block.header.seal = self.key.sign(block.header.hash().as_bytes()).0;
        #[cfg(feature = "byzantine")]
        crate::byzantine::corrupt_seal(self.misbehaviour, &mut block.header.seal);
        Ok(block)
    }
}

pub(crate) fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}
