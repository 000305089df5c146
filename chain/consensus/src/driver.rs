//! The engine task: owns the Tendermint machine, carries out its actions in
//! order, keeps the timers, and moves from height to height.
use crate::author::Author;
use crate::chain_state::HeightFacts;
use crate::config::BftConfig;
use crate::gossip::{Core, EngineHandle, HeightView, Input};
use crate::messages::{encode_vote, ProposalMessage};
use crate::network::{ConsensusNetwork, GossipVerdict};
use crate::persist::{PersistError, StateFile};
use crate::proposer::ProposerSchedules;
use crate::signer::GuardedSigner;
use crate::vote_pull::{VotePulls, VoteQuery};
use hm_client::{Client, ImportOutcome};
use hm_client_api::ChainApi;
use hm_consensus_bft::{
    Action, Config, DuplicateVoteEvidence, Event, Justification, Proposal, RecoveryState, Step,
    Tendermint, Vote, VoteStep,
};
use hm_crypto::Keypair;
use hm_primitives::{Block, SignedBlock, H256};
use hm_signer_guard::GuardError;
use hm_txpool::TransactionPool;
use parking_lot::{Mutex, RwLock};
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::Instant;

#[cfg(feature = "byzantine")]
#[path = "byzantine_engine.rs"]
mod byzantine_engine;
mod evidence_reports;
mod round_catch_up;

/// Inputs queued from the network before the engine applies back-pressure.
const INPUT_QUEUE: usize = 4096;
/// Blocks kept for the current height (one per round that got a proposal).
const MAX_BLOCKS_PER_HEIGHT: usize = 64;
/// Equivocation reports held until their height is imported.
const MAX_PENDING_EVIDENCE: usize = 256;
/// Wait before retrying a height whose facts could not be read.
const RETRY_DELAY: Duration = Duration::from_secs(1);

type ImportHook = Box<dyn Fn(&ImportOutcome) + Send + Sync>;

/// What the engine works with; the node creates these before the engine.
pub struct EngineDeps {
    pub client: Arc<Client>,
    pub pool: Arc<TransactionPool>,
    pub network: Arc<dyn ConsensusNetwork>,
    /// Shared with the `BftVerifier` the client was opened with.
    pub schedules: Arc<ProposerSchedules>,
}

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Guard(#[from] GuardError),
    #[error(transparent)]
    Persist(#[from] PersistError),
    #[error("cannot start the vote verification threads: {0}")]
    VerifyThreads(#[from] rayon::ThreadPoolBuildError),
}

/// The validator-only parts: key, guard, recovery state, plot.
struct ValidatorParts {
    signer: Arc<Mutex<GuardedSigner>>,
    state_file: Arc<StateFile>,
    author: Arc<Author>,
    recovered: Option<RecoveryState>,
}

enum Wake {
    Input(Option<Input>),
    Imported,
    Timer,
    Start,
    StallCheck,
}

/// The four-proof BFT engine. Create with [`BftEngine::new`], give the
/// returned [`EngineHandle`] to the network, then spawn [`BftEngine::run`].
pub struct BftEngine {
    core: Arc<Core>,
    inputs: mpsc::Receiver<Input>,
    pool: Arc<TransactionPool>,
    config: BftConfig,
    validator: Option<ValidatorParts>,
    on_import: Option<ImportHook>,
    height: u64,
    height_started: Instant,
    blocks: BTreeMap<H256, Block>,
    timers: BTreeMap<(Instant, u64), (u64, u32, Step)>,
    timer_seq: u64,
    next_start: Option<(u64, Instant)>,
    persist_failed: bool,
    pending_evidence: Vec<DuplicateVoteEvidence>,
}

impl BftEngine {
    /// `key` makes this node a validator (it votes while its key is in the
    /// set); without one it follows and imports commits. Opens the signer
    /// guard and reads the recovery state: a damaged file is an error.
    pub fn new(
        deps: EngineDeps,
        key: Option<Keypair>,
        config: BftConfig,
    ) -> Result<(BftEngine, EngineHandle), EngineError> {
        let genesis_hash = deps.client.chain_info().genesis_hash;
        let me = key.as_ref().map(Keypair::account_id);
        let validator = match key {
            Some(key) => {
                let signer = GuardedSigner::open(key.clone(), &config.guard_path, genesis_hash)?;
                let state_file = StateFile::new(&config.state_path)?;
                let recovered = state_file.load()?;
                let author = Author::new(
                    deps.client.clone(),
                    deps.pool.clone(),
                    key,
                    &config.plot_dir,
                    config.max_block_txs,
                    config.max_block_bytes,
                );
                #[cfg(feature = "byzantine")]
                let author = author.with_misbehaviour(config.misbehaviour);
                Some(ValidatorParts {
                    signer: Arc::new(Mutex::new(signer)),
                    state_file: Arc::new(state_file),
                    author: Arc::new(author),
                    recovered,
                })
            }
            None => None,
        };
        let (tx, rx) = mpsc::channel(INPUT_QUEUE);
        let core = Arc::new(Core {
            client: deps.client,
            network: deps.network,
            schedules: deps.schedules,
            genesis_hash,
            machine: Mutex::new(Tendermint::new(Config {
                me,
                timeouts: config.timeouts,
            })),
            view: RwLock::new(None),
            seen: Mutex::default(),
            buffer: Mutex::default(),
            inputs: tx,
            pulls: VotePulls::new()?,
        });
        let handle = EngineHandle { core: core.clone() };
        let engine = BftEngine {
            core,
            inputs: rx,
            pool: deps.pool,
            config,
            validator,
            on_import: None,
            height: 0,
            height_started: Instant::now(),
            blocks: BTreeMap::new(),
            timers: BTreeMap::new(),
            timer_seq: 0,
            next_start: None,
            persist_failed: false,
            pending_evidence: Vec::new(),
        };
        Ok((engine, handle))
    }

    /// Called after each block this engine commits is imported (metrics, logs).
    pub fn with_import_hook(
        mut self,
        hook: impl Fn(&ImportOutcome) + Send + Sync + 'static,
    ) -> Self {
        self.on_import = Some(Box::new(hook));
        self
    }

    /// Run until the task is dropped. Errors are logged and consensus goes on.
    pub async fn run(mut self) {
        let mut imported = self.core.client.import_notifications();
        let mut stall_check = tokio::time::interval(round_catch_up::STALL_PULL_INTERVAL);
        self.next_start = Some((self.best_number() + 1, Instant::now()));
        loop {
            let timer = self.timers.keys().next().map(|(at, _)| *at);
            let start = self.next_start.map(|(_, at)| at);
            let wake = tokio::select! {
                input = self.inputs.recv() => Wake::Input(input),
                _ = imported.recv() => Wake::Imported,
                _ = sleep_until(timer) => Wake::Timer,
                _ = sleep_until(start) => Wake::Start,
                _ = stall_check.tick() => Wake::StallCheck,
            };
            match wake {
                Wake::Input(None) => return,
                Wake::Input(Some(input)) => self.on_input(input).await,
                Wake::Imported => self.on_chain_moved().await,
                Wake::Timer => self.fire_timers().await,
                Wake::StallCheck => self.pull_votes_if_stalled(),
                Wake::Start => {
                    if let Some((height, _)) = self.next_start.take() {
                        self.start_height(height).await;
                    }
                }
            }
        }
    }

    fn best_number(&self) -> u64 {
        self.core.client.chain_info().best_number
    }

    /// A block was imported (by us or by sync): restart if the chain passed us.
    async fn on_chain_moved(&mut self) {
        let next = self.best_number().saturating_add(1);
        let pending = self.next_start.map(|(h, _)| h);
        if next > self.height && pending != Some(next) {
            tracing::info!(height = next, "chain advanced under the engine; restarting");
            self.start_height(next).await;
        }
    }

    async fn start_height(&mut self, height: u64) {
        let facts = match HeightFacts::read(&self.core.client.overlay(), height) {
            Ok(facts) => Arc::new(facts),
            Err(e) => {
                tracing::error!(height, "cannot start height: {e}");
                self.next_start = Some((height, Instant::now() + RETRY_DELAY));
                return;
            }
        };
        let schedule = self.core.schedules.schedule(&facts);
        *self.core.view.write() = Some(HeightView {
            height,
            facts: facts.clone(),
        });
        self.height = height;
        self.height_started = Instant::now();
        self.blocks.clear();
        self.timers.clear();
        self.next_start = None;
        let recovered = self
            .validator
            .as_mut()
            .and_then(|v| v.recovered.take())
            .filter(|r| r.height == height);
        self.feed(Event::StartHeight {
            height,
            validators: schedule,
            recovered,
        })
        .await;
        self.replay_buffered(height).await;
        self.retry_reports().await;
        #[cfg(feature = "byzantine")]
        self.propose_out_of_turn(height);
    }

    /// Messages that arrived while we were below `height`.
    async fn replay_buffered(&mut self, height: u64) {
        let (votes, proposals) = self.core.buffer.lock().take(height);
        for vote in votes {
            let message = vote.vote.signing_message(&self.core.genesis_hash);
            self.core.seen.lock().add_vote(height, message);
            self.feed(Event::Vote(vote)).await;
        }
        let view = self.core.view.read().clone();
        for message in proposals {
            let (core, view) = (self.core.clone(), view.clone());
            if let Some(view) = view {
                tokio::spawn(async move {
                    // Gossip already had its verdict while this waited for its height; a
                    // proposal that turns out bad now is dropped, with its reason logged.
                    if let GossipVerdict::Reject(reason) =
                        core.judge_current_proposal(view, message).await
                    {
                        tracing::warn!("🚫 rejected proposal (held for its height): {reason}");
                    }
                });
            }
        }
    }

    async fn on_input(&mut self, input: Input) {
        match input {
            Input::Vote(vote) if vote.vote.height == self.height => {
                self.feed(Event::Vote(vote)).await;
            }
            Input::Vote(_) => {}
            Input::Proposal {
                proposal,
                from,
                block,
                valid,
            } if proposal.height == self.height => {
                if valid {
                    if self.blocks.len() >= MAX_BLOCKS_PER_HEIGHT {
                        tracing::warn!(height = self.height, "too many blocks at one height");
                        return;
                    }
                    self.blocks.insert(proposal.block_hash, *block);
                }
                self.feed(Event::Proposal {
                    proposal,
                    from,
                    block_valid: valid,
                })
                .await;
            }
            Input::Proposal { .. } => {}
            Input::Built {
                height,
                round,
                result,
            } => match result {
                Ok(block) if height == self.height => {
                    let block_hash = block.hash();
                    self.blocks.insert(block_hash, *block);
                    self.feed(Event::BlockBuilt {
                        height,
                        round,
                        block_hash,
                    })
                    .await;
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(height, round, "could not author a block: {e}"),
            },
        }
    }

    async fn fire_timers(&mut self) {
        let now = Instant::now();
        while let Some(entry) = self.timers.first_entry() {
            if entry.key().0 > now {
                break;
            }
            let (height, round, step) = entry.remove();
            self.feed(Event::Timeout {
                height,
                round,
                step,
            })
            .await;
        }
    }

    /// Hand `event` to the machine and carry out what follows, our own votes included.
    async fn feed(&mut self, event: Event) {
        let mut queue = VecDeque::from([event]);
        while let Some(event) = queue.pop_front() {
            let actions = self.core.machine.lock().handle(event);
            for action in actions {
                self.execute(action, &mut queue).await;
            }
        }
    }

    async fn execute(&mut self, action: Action, queue: &mut VecDeque<Event>) {
        match action {
            Action::PersistState(state) => self.persist(state).await,
            Action::ProposeBlock { height, round } => self.propose_block(height, round),
            Action::BroadcastProposal(proposal) => self.broadcast_proposal(proposal).await,
            Action::BroadcastVote(vote) => {
                if let Some(signed) = self.sign_vote(vote).await {
                    self.core.network.broadcast_vote(encode_vote(&signed));
                    let message = signed.vote.signing_message(&self.core.genesis_hash);
                    self.core.seen.lock().add_vote(signed.vote.height, message);
                    #[cfg(feature = "byzantine")]
                    self.equivocate(&signed.vote);
                    queue.push_back(Event::Vote(signed));
                }
            }
            Action::ScheduleTimeout {
                height,
                round,
                step,
                duration_ms,
            } => {
                let at = Instant::now() + Duration::from_millis(duration_ms);
                self.timer_seq = self.timer_seq.wrapping_add(1);
                self.timers
                    .insert((at, self.timer_seq), (height, round, step));
            }
            Action::Commit(justification) => self.commit(justification).await,
            Action::Evidence(evidence) => self.report(evidence).await,
            Action::RequestPrevotes {
                height,
                round,
                block_hash,
            } => self.core.pull_votes(VoteQuery {
                height,
                round,
                step: VoteStep::Prevote,
                block: Some(block_hash),
            }),
        }
    }

    /// Store the recovery state before anything after it runs. If that fails,
    /// nothing is signed until a later store succeeds (the actions that sign
    /// nothing still run, so timers keep the machine moving).
    async fn persist(&mut self, state: RecoveryState) {
        let Some(file) = self.validator.as_ref().map(|v| v.state_file.clone()) else {
            return;
        };
        let stored = tokio::task::spawn_blocking(move || file.store(&state)).await;
        self.persist_failed = match stored {
            Ok(Ok(())) => false,
            Ok(Err(e)) => {
                tracing::error!("not signing until the consensus state can be stored: {e}");
                true
            }
            Err(join) => {
                tracing::error!("storing the consensus state panicked: {join}");
                true
            }
        };
    }

    fn propose_block(&self, height: u64, round: u32) {
        let Some(author) = self.validator.as_ref().map(|v| v.author.clone()) else {
            return;
        };
        let inputs = self.core.inputs.clone();
        tokio::spawn(async move {
            let result =
                match tokio::task::spawn_blocking(move || author.author(height, round)).await {
                    Ok(result) => result.map(Box::new),
                    Err(_) => Err(crate::author::AuthorError::Panicked),
                };
            let _ = inputs
                .send(Input::Built {
                    height,
                    round,
                    result,
                })
                .await;
        });
    }

    async fn broadcast_proposal(&mut self, proposal: Proposal) {
        let Some(block) = self.blocks.get(&proposal.block_hash).cloned() else {
            tracing::warn!(
                height = proposal.height,
                round = proposal.round,
                "no block to propose"
            );
            return;
        };
        let Some(signer) = self.signer() else {
            return;
        };
        let signed =
            tokio::task::spawn_blocking(move || signer.lock().sign_proposal(proposal)).await;
        match signed {
            Ok(Ok(signed)) => {
                self.core
                    .seen
                    .lock()
                    .claim_proposal(proposal.height, proposal.round);
                let own = proposal.pol_round.is_none()
                    && self
                        .validator
                        .as_ref()
                        .is_some_and(|v| block.header.proposer == v.author_id());
                let message = ProposalMessage {
                    proposal: signed,
                    block,
                };
                self.core
                    .network
                    .broadcast_proposal(message.encode_message());
                tracing::info!(
                    height = proposal.height,
                    round = proposal.round,
                    hash = %proposal.block_hash,
                    "📣 proposed"
                );
                if own {
                    self.precheck_own(message.block);
                }
            }
            Ok(Err(e)) => tracing::warn!("signer guard refused a proposal: {e}"),
            Err(join) => tracing::error!("signing a proposal panicked: {join}"),
        }
    }

    /// Check our own block in the background, so its import after the commit
    /// does not execute it again (and a bug in authoring shows up in the log).
    fn precheck_own(&self, block: Block) {
        let client = self.core.client.clone();
        tokio::task::spawn_blocking(move || {
            if let Err(e) = client.check_block(&block) {
                if !matches!(e, hm_client::ImportError::NotNext { .. }) {
                    tracing::error!("own block #{} fails its checks: {e}", block.header.number);
                }
            }
        });
    }

    fn signer(&self) -> Option<Arc<Mutex<GuardedSigner>>> {
        if self.persist_failed {
            return None;
        }
        self.validator.as_ref().map(|v| v.signer.clone())
    }

    async fn sign_vote(&self, vote: Vote) -> Option<hm_consensus_bft::SignedVote> {
        let signer = self.signer()?;
        match tokio::task::spawn_blocking(move || signer.lock().sign_vote(vote)).await {
            Ok(Ok(signed)) => Some(signed),
            Ok(Err(e)) => {
                tracing::warn!("signer guard refused a vote: {e}");
                None
            }
            Err(join) => {
                tracing::error!("signing a vote panicked: {join}");
                None
            }
        }
    }

    async fn commit(&mut self, justification: Justification) {
        let height = justification.height;
        match self.blocks.get(&justification.block_hash).cloned() {
            Some(block) => {
                let signed = SignedBlock {
                    block,
                    justification: Some(justification.to_primitive()),
                };
                let client = self.core.client.clone();
                let imported =
                    tokio::task::spawn_blocking(move || client.import_block(signed, true)).await;
                match imported {
                    Ok(Ok(outcome)) => self.after_import(&outcome, justification.round),
                    Ok(Err(e)) => {
                        tracing::error!(height, "importing the committed block failed: {e}")
                    }
                    Err(join) => tracing::error!(height, "import panicked: {join}"),
                }
            }
            None => tracing::error!(height, "committed block is not held"),
        }
        let next = self.best_number().saturating_add(1);
        let at = (self.height_started + self.config.block_time).max(Instant::now());
        self.timers.clear();
        self.next_start = Some((next, at));
    }

    fn after_import(&self, outcome: &ImportOutcome, round: u32) {
        self.pool
            .on_block_imported(outcome.hash, &outcome.extrinsic_hashes);
        self.pool
            .on_block_finalized(outcome.hash, &outcome.extrinsic_hashes);
        if let Some(hook) = &self.on_import {
            hook(outcome);
        }
        tracing::info!(
            "✨ finalized #{} ({}) in round {round} with {} extrinsics, imported in {:?}",
            outcome.number,
            outcome.hash,
            outcome.extrinsic_hashes.len(),
            outcome.elapsed
        );
    }
}

impl ValidatorParts {
    fn author_id(&self) -> hm_primitives::AccountId {
        self.author.account_id()
    }
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}
