//! The engine's gossip verdicts, its evidence reports, and its durable state,
//! with one real engine and a network that only records what it is asked to send.
use super::fixture::{self, PARAMS};
use crate::author::Author;
use crate::chain_state::HeightFacts;
use crate::config::BftConfig;
use crate::driver::{BftEngine, EngineDeps};
use crate::gossip::EngineHandle;
use crate::header_data::BftHeaderData;
use crate::messages::{decode_vote, encode_vote, ProposalMessage};
use crate::network::{ConsensusNetwork, GossipVerdict, PeerRef, VoteReply};
use crate::persist::StateFile;
use crate::proposer::ProposerSchedules;
use crate::signer::GuardedSigner;
use crate::verifier::BftVerifier;
use futures::future::BoxFuture;
use hm_client::Client;
use hm_client_api::TransactionPoolApi;
use hm_consensus_bft::{Proposal, SignedProposal, SignedVote, TimeoutConfig, Vote, VoteStep};
use hm_crypto::Keypair;
use hm_primitives::{Block, H256};
use hm_signer_guard::GuardError;
use hm_txpool::TransactionPool;
use parity_scale_codec::Encode;
use parking_lot::Mutex;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tempfile::TempDir;

#[derive(Default)]
pub(super) struct Recorder {
    proposals: Mutex<Vec<Vec<u8>>>,
    votes: Mutex<Vec<Vec<u8>>>,
    transactions: Mutex<Vec<Vec<u8>>>,
    /// Peers reported through `report_peer`, with the reason.
    pub(super) reports: Mutex<Vec<(PeerRef, String)>>,
}

impl ConsensusNetwork for Arc<Recorder> {
    fn broadcast_proposal(&self, encoded: Vec<u8>) {
        self.proposals.lock().push(encoded);
    }
    fn broadcast_vote(&self, encoded: Vec<u8>) {
        self.votes.lock().push(encoded);
    }
    fn broadcast_transaction(&self, encoded: Vec<u8>) {
        self.transactions.lock().push(encoded);
    }
    fn request_votes(
        &self,
        _height: u64,
        _round: u32,
        _step: u8,
        _block: Option<H256>,
    ) -> BoxFuture<'static, Vec<VoteReply>> {
        Box::pin(async { Vec::new() })
    }
    fn report_peer(&self, peer: &PeerRef, reason: &str) {
        self.reports.lock().push((peer.clone(), reason.to_string()));
    }
}

pub(super) struct Node {
    dir: TempDir,
    plot_dir: PathBuf,
    client: Arc<Client>,
    pool: Arc<TransactionPool>,
    schedules: Arc<ProposerSchedules>,
    pub(super) network: Arc<Recorder>,
}

impl Node {
    pub(super) fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let plot_dir = dir.path().join("plots");
        let genesis = fixture::genesis(&fixture::create_plots(&plot_dir), 600);
        let schedules = Arc::new(ProposerSchedules::new());
        let verifier = Arc::new(BftVerifier::new(2_000, schedules.clone()));
        let client = fixture::open_client(dir.path(), &genesis, verifier.clone());
        verifier
            .set_genesis_hash(client.chain_info().genesis_hash)
            .unwrap();
        let pool = fixture::pool(&client);
        Node {
            dir,
            plot_dir,
            client,
            pool,
            schedules,
            network: Arc::new(Recorder::default()),
        }
    }

    fn config(&self, round_ms: u64) -> BftConfig {
        let mut config = BftConfig::under(self.dir.path());
        config.plot_dir = self.plot_dir.clone();
        config.timeouts = TimeoutConfig {
            propose_ms: round_ms,
            propose_delta_ms: 0,
            prevote_ms: round_ms,
            prevote_delta_ms: 0,
            precommit_ms: round_ms,
            precommit_delta_ms: 0,
        };
        config
    }

    /// Start an engine and wait until it is at height 1.
    pub(super) async fn start(
        &self,
        key: Option<Keypair>,
        round_ms: u64,
    ) -> (EngineHandle, tokio::task::JoinHandle<()>) {
        let deps = EngineDeps {
            client: self.client.clone(),
            pool: self.pool.clone(),
            network: Arc::new(self.network.clone()),
            schedules: self.schedules.clone(),
        };
        let (engine, handle) = BftEngine::new(deps, key, self.config(round_ms)).unwrap();
        let task = tokio::spawn(engine.run());
        wait_for(|| handle.height() == Some(1)).await;
        (handle, task)
    }

    fn genesis_hash(&self) -> H256 {
        self.client.chain_info().genesis_hash
    }

    fn proposer(&self, round: u32) -> Keypair {
        let facts = HeightFacts::read(&self.client.overlay(), 1).unwrap();
        let id = self.schedules.proposer(&facts, round).unwrap();
        fixture::validator_keys()
            .into_iter()
            .find(|k| k.account_id() == id)
            .unwrap()
    }

    fn block(&self, key: &Keypair, round: u32) -> Block {
        Author::new(
            self.client.clone(),
            self.pool.clone(),
            key.clone(),
            &self.plot_dir,
            10,
            1 << 20,
        )
        .author(1, round)
        .unwrap()
    }

    fn vote(&self, key: &Keypair, height: u64, round: u32, block: Option<H256>) -> SignedVote {
        self.signed(key, height, round, VoteStep::Prevote, block)
    }

    pub(super) fn signed(
        &self,
        key: &Keypair,
        height: u64,
        round: u32,
        step: VoteStep,
        block: Option<H256>,
    ) -> SignedVote {
        let vote = Vote {
            height,
            round,
            step,
            block,
            validator: key.account_id(),
        };
        SignedVote {
            signature: key.sign(vote.signing_message(&self.genesis_hash()).as_bytes()),
            vote,
        }
    }

    fn proposal(&self, key: &Keypair, round: u32, block: Block) -> Vec<u8> {
        let proposal = Proposal {
            height: 1,
            round,
            block_hash: block.hash(),
            pol_round: None,
        };
        ProposalMessage {
            proposal: SignedProposal {
                signature: key.sign(proposal.signing_message(&self.genesis_hash()).as_bytes()),
                proposal,
            },
            block,
        }
        .encode_message()
    }
}

async fn wait_for(mut condition: impl FnMut() -> bool) {
    let started = Instant::now();
    while !condition() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "condition never held"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn rejected(verdict: GossipVerdict) -> String {
    match verdict {
        GossipVerdict::Reject(reason) => reason,
        other => panic!("expected a rejection, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vote_verdicts() {
    let node = Node::new();
    // A follower with rounds long enough that nothing moves during the test.
    let (handle, _task) = node.start(None, 600_000).await;
    let bob = fixture::key("bob");
    let eve = fixture::key("eve");

    rejected(handle.on_vote(vec![0xff; 10]).await);
    rejected(handle.on_vote(vec![0; 5_000]).await);
    let reason = rejected(
        handle
            .on_vote(encode_vote(&node.vote(&eve, 1, 0, None)))
            .await,
    );
    assert!(reason.contains("not a validator"), "{reason}");
    let mut forged = node.vote(&bob, 1, 0, None);
    forged.signature = node.vote(&bob, 1, 1, None).signature;
    let reason = rejected(handle.on_vote(encode_vote(&forged)).await);
    assert!(reason.contains("signature"), "{reason}");

    let good = encode_vote(&node.vote(&bob, 1, 0, None));
    assert_eq!(handle.on_vote(good.clone()).await, GossipVerdict::Accept);
    assert_eq!(handle.on_vote(good).await, GossipVerdict::Ignore);
    assert_eq!(
        handle
            .on_vote(encode_vote(&node.vote(&bob, 0, 0, None)))
            .await,
        GossipVerdict::Ignore
    );
    assert_eq!(
        handle
            .on_vote(encode_vote(&node.vote(&bob, 9, 0, None)))
            .await,
        GossipVerdict::Ignore
    );
    // The next height: checked against the keys we know, and kept for later.
    assert_eq!(
        handle
            .on_vote(encode_vote(&node.vote(&bob, 2, 0, None)))
            .await,
        GossipVerdict::Accept
    );
    let mut forged_next = node.vote(&bob, 2, 1, None);
    forged_next.signature.0[40] ^= 1;
    rejected(handle.on_vote(encode_vote(&forged_next)).await);

    // The accepted vote is served to peers that ask for it.
    wait_for(|| !handle.votes_for(1, 0, 2, None).is_empty()).await;
    let served = handle.votes_for(1, 0, 2, None);
    assert_eq!(
        decode_vote(&served[0]).unwrap().vote,
        node.vote(&bob, 1, 0, None).vote
    );
    assert!(handle.votes_for(1, 0, 3, None).is_empty());
    assert!(handle.votes_for(1, 0, 7, None).is_empty());
    assert!(handle.votes_for(2, 0, 2, None).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proposal_verdicts() {
    let node = Node::new();
    let (handle, _task) = node.start(None, 600_000).await;
    let proposer = node.proposer(0);
    let other = node.proposer(1);
    let block = node.block(&proposer, 0);

    rejected(handle.on_proposal(vec![1, 2, 3]).await);
    // Signed by a validator whose turn it is not.
    let reason = rejected(
        handle
            .on_proposal(node.proposal(&other, 0, block.clone()))
            .await,
    );
    assert!(reason.contains("not signed by its proposer"), "{reason}");
    // A block that is not the one the proposal names.
    let mut message =
        ProposalMessage::decode_message(&node.proposal(&proposer, 0, block.clone())).unwrap();
    message.block.header.timestamp_ms += 1;
    rejected(handle.on_proposal(message.encode_message()).await);
    // A properly signed proposal of a block with a bad PoWork nonce.
    let mut bad = block.clone();
    let mut data = BftHeaderData::from_header(&bad.header).unwrap();
    let pre_seal =
        crate::header_data::pre_seal_hash(&bad.header, 0, &data.proof.time, &data.proof.space);
    let target = PARAMS.work_target().unwrap();
    data.proof.work.nonce = (0..)
        .find(|n| !target.is_met_by(&hm_proofs::work::work_hash(&pre_seal, *n)))
        .unwrap();
    bad.header.consensus = data.encode();
    bad.header.seal = proposer.sign(bad.header.hash().as_bytes()).0;
    let reason = rejected(handle.on_proposal(node.proposal(&proposer, 0, bad)).await);
    assert!(reason.contains("PoWork"), "{reason}");
    // Round 0 has had its proposal (an invalid one): a second is ignored.
    assert_eq!(
        handle
            .on_proposal(node.proposal(&proposer, 0, block.clone()))
            .await,
        GossipVerdict::Ignore
    );
    // Round 1's proposer with a valid block for round 1 is accepted, once.
    let next = node.block(&other, 1);
    let encoded = node.proposal(&other, 1, next);
    assert_eq!(
        handle.on_proposal(encoded.clone()).await,
        GossipVerdict::Accept
    );
    assert_eq!(handle.on_proposal(encoded).await, GossipVerdict::Ignore);
    // Rounds far ahead are not worth a proposer lookup.
    let far = node.proposal(&other, 500, node.block(&other, 1));
    assert_eq!(handle.on_proposal(far).await, GossipVerdict::Ignore);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn equivocation_is_reported_once_its_height_is_in_the_chain() {
    let node = Node::new();
    let (handle, _task) = node.start(None, 600_000).await;
    let keys = fixture::validator_keys();
    let bob = fixture::key("bob");
    let nil = node.vote(&bob, 1, 0, None);
    let for_block = node.vote(&bob, 1, 0, Some(H256([7; 32])));
    assert_eq!(
        handle.on_vote(encode_vote(&nil)).await,
        GossipVerdict::Accept
    );
    assert_eq!(
        handle.on_vote(encode_vote(&for_block)).await,
        GossipVerdict::Accept
    );
    // Evidence for the height being decided waits: the runtime takes it once height 1 is in.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(node.network.transactions.lock().is_empty());
    // Height 1 is decided by a proposal and three precommits.
    let proposer = node.proposer(0);
    let block = node.block(&proposer, 0);
    let hash = block.hash();
    let proposal = node.proposal(&proposer, 0, block);
    assert_eq!(handle.on_proposal(proposal).await, GossipVerdict::Accept);
    for key in &keys[..3] {
        let precommit = node.signed(key, 1, 0, VoteStep::Precommit, Some(hash));
        assert_eq!(
            handle.on_vote(encode_vote(&precommit)).await,
            GossipVerdict::Accept
        );
    }
    wait_for(|| node.client.chain_info().finalized_number == 1).await;
    wait_for(|| !node.network.transactions.lock().is_empty()).await;
    let report = node.network.transactions.lock()[0].clone();
    assert_eq!(
        report,
        hm_runtime::report_equivocation_extrinsic(
            &hm_consensus_bft::DuplicateVoteEvidence::new(nil, for_block).unwrap()
        )
    );
    assert_eq!(node.pool.pending(), vec![report]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validator_persists_state_and_signs_through_its_guard() {
    let node = Node::new();
    // Alice alone (three of four validators silent): short rounds, so she soon prevotes.
    let alice = fixture::key("alice");
    let (handle, task) = node.start(Some(alice.clone()), 100).await;
    wait_for(|| !node.network.votes.lock().is_empty()).await;
    task.abort();
    let _ = task.await;
    drop(handle);

    let config = node.config(100);
    let stored = StateFile::new(&config.state_path)
        .unwrap()
        .load()
        .unwrap()
        .unwrap();
    assert_eq!(stored.height, 1);
    let sent = decode_vote(&node.network.votes.lock()[0]).unwrap();
    assert_eq!(sent.vote.validator, alice.account_id());
    let message = sent.vote.signing_message(&node.genesis_hash());
    assert!(hm_crypto::verify(
        alice.public(),
        message.as_bytes(),
        &sent.signature
    ));
    // The guard remembers it: a conflicting vote for that slot is refused after the restart.
    let mut signer = loop {
        match GuardedSigner::open(alice.clone(), &config.guard_path, node.genesis_hash()) {
            Ok(s) => break s,
            Err(GuardError::InUse(_)) => tokio::time::sleep(Duration::from_millis(10)).await,
            Err(e) => panic!("{e}"),
        }
    };
    let conflicting = Vote {
        block: match sent.vote.block {
            Some(_) => None,
            None => Some(H256([9; 32])),
        },
        ..sent.vote
    };
    assert!(matches!(
        signer.sign_vote(conflicting),
        Err(GuardError::Conflict { .. } | GuardError::Regression { .. })
    ));
}
