//! The simulated network, nodes and Byzantine behaviour.
use crate::common::*;
use hm_consensus_bft::{
    Action, Config, DuplicateVoteEvidence, Event, Justification, Proposal, ProposerPriority,
    RecoveryState, SignedVote, Step, Tendermint, ValidatorSet, Vote, VoteStep,
};
use hm_primitives::{blake3_256, AccountId, H256};
use parity_scale_codec::Encode;
use std::collections::BTreeMap;

/// SplitMix64: small, seedable, good enough to schedule a simulation.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub(crate) fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Params {
    pub(crate) seed: u64,
    pub(crate) powers: Vec<u64>,
    /// Indices of the equivocating validators (together under 1/3 of the power).
    pub(crate) byzantine: Vec<usize>,
    /// Chance per message (per mille) of being lost before GST.
    pub(crate) drop_per_mille: u64,
    /// Chance per delivered event (per 10 000) that an honest node crashes and restarts before GST.
    pub(crate) crash_per_myriad: u64,
    pub(crate) pre_gst_delay_ms: u64,
    pub(crate) post_gst_delay_ms: u64,
    pub(crate) gst_ms: u64,
    /// Longest wait before block sync catches a lagging node up.
    pub(crate) sync_delay_ms: u64,
    pub(crate) target_height: u64,
    pub(crate) horizon_ms: u64,
}

/// The slashing-protection rule, in memory: no regression, no conflicting payload.
#[derive(Default)]
pub(crate) struct Guard {
    last: Option<(u64, u32, u8, H256)>,
}

impl Guard {
    fn allow(&mut self, height: u64, round: u32, step: u8, payload: H256) -> bool {
        match self.last {
            Some((h, r, s, p)) if (height, round, step) == (h, r, s) => p == payload,
            Some((h, r, s, _)) if (height, round, step) < (h, r, s) => false,
            _ => {
                self.last = Some((height, round, step, payload));
                true
            }
        }
    }
}

pub(crate) struct Node {
    id: AccountId,
    byzantine: bool,
    machine: Tendermint,
    pub(crate) height: u64,
    buffered: BTreeMap<u64, Vec<Event>>,
    /// A block-sync attempt is scheduled.
    sync_pending: bool,
    persisted: Option<RecoveryState>,
    guard: Guard,
    /// Blocks seen in proposals at the current height (Byzantine vote material).
    seen_blocks: Vec<H256>,
}

#[derive(Default, Debug)]
pub(crate) struct Stats {
    pub(crate) evidence: usize,
    pub(crate) restarts: usize,
    pub(crate) syncs: usize,
    pub(crate) late_round_commits: usize,
    pub(crate) machine_commits: usize,
    pub(crate) pol_requests_served: usize,
}

/// What the simulated network delivers to a node.
pub(crate) enum Delivery {
    Machine(Event),
    /// A peer asks this node for its prevotes for (height, round, block).
    ServePrevotes {
        requester: usize,
        height: u64,
        round: u32,
        block_hash: H256,
    },
    /// Block sync runs some time after a node first hears of a later height,
    /// so consensus at the old height keeps running meanwhile.
    Sync,
}

pub(crate) struct Sim {
    pub(crate) p: Params,
    rng: Rng,
    now: u64,
    seq: u64,
    queue: BTreeMap<(u64, u64), (usize, Delivery)>,
    pub(crate) nodes: Vec<Node>,
    set: ValidatorSet,
    schedules: Vec<ProposerPriority>,
    /// First honest machine commit per height.
    finalized: BTreeMap<u64, Justification>,
    pub(crate) stats: Stats,
}

pub(crate) fn is_valid_block(hash: &H256) -> bool {
    hash.0[0] != 0xFF
}

pub(crate) fn config(id: AccountId) -> Config {
    Config {
        me: Some(id),
        timeouts: timeouts(),
    }
}

impl Sim {
    pub(crate) fn new(p: Params) -> Self {
        let set = set(&p.powers);
        let nodes = (0..p.powers.len())
            .map(|i| Node {
                id: id(i),
                byzantine: p.byzantine.contains(&i),
                machine: Tendermint::new(config(id(i))),
                height: 0,
                buffered: BTreeMap::new(),
                persisted: None,
                guard: Guard::default(),
                seen_blocks: Vec::new(),
                sync_pending: false,
            })
            .collect();
        Sim {
            rng: Rng(p.seed),
            schedules: vec![ProposerPriority::new(set.clone())],
            p,
            now: 0,
            seq: 0,
            queue: BTreeMap::new(),
            nodes,
            set,
            finalized: BTreeMap::new(),
            stats: Stats::default(),
        }
    }

    fn schedule_for(&mut self, height: u64) -> ProposerPriority {
        let index = (height - 1) as usize;
        while self.schedules.len() <= index {
            let next = self.schedules.last().unwrap().next_height();
            self.schedules.push(next);
        }
        self.schedules[index].clone()
    }

    fn push(&mut self, at: u64, to: usize, event: Event) {
        self.seq += 1;
        self.queue
            .insert((at, self.seq), (to, Delivery::Machine(event)));
    }

    fn send(&mut self, to: usize, event: Event) {
        self.send_delivery(to, Delivery::Machine(event));
    }

    fn send_delivery(&mut self, to: usize, delivery: Delivery) {
        let before_gst = self.now < self.p.gst_ms;
        if before_gst && self.rng.below(1000) < self.p.drop_per_mille {
            return;
        }
        let max = if before_gst {
            self.p.pre_gst_delay_ms
        } else {
            self.p.post_gst_delay_ms
        };
        let delay = self.rng.below(max + 1);
        self.seq += 1;
        self.queue
            .insert((self.now + delay, self.seq), (to, delivery));
    }

    pub(crate) fn honest_done(&self) -> bool {
        self.nodes
            .iter()
            .filter(|n| !n.byzantine)
            .all(|n| n.height > self.p.target_height)
    }

    pub(crate) fn run(&mut self) {
        for i in 0..self.nodes.len() {
            self.start_height(i, 1);
        }
        let mut processed = 0u64;
        while let Some(((at, _), (to, delivery))) = self.queue.pop_first() {
            if at > self.p.horizon_ms || processed > 2_000_000 || self.honest_done() {
                break;
            }
            processed += 1;
            self.now = at;
            if self.now < self.p.gst_ms
                && !self.nodes[to].byzantine
                && self.rng.below(10_000) < self.p.crash_per_myriad
            {
                self.restart(to);
            }
            match delivery {
                Delivery::Machine(event) => self.deliver(to, event),
                Delivery::ServePrevotes {
                    requester,
                    height,
                    round,
                    block_hash,
                } => self.serve_prevotes(to, requester, height, round, block_hash),
                Delivery::Sync => {
                    self.nodes[to].sync_pending = false;
                    self.sync(to);
                }
            }
        }
    }

    /// An honest peer answers a proof-of-lock request from what it holds.
    fn serve_prevotes(
        &mut self,
        i: usize,
        requester: usize,
        height: u64,
        round: u32,
        block_hash: H256,
    ) {
        if self.nodes[i].byzantine || self.nodes[i].height != height {
            return;
        }
        self.stats.pol_requests_served += 1;
        let votes = self.nodes[i]
            .machine
            .votes_for(round, VoteStep::Prevote, Some(block_hash));
        for vote in votes {
            self.send(requester, Event::Vote(vote));
        }
    }

    /// Crash and come back: a new machine from the persisted state; the signer guard survives.
    fn restart(&mut self, i: usize) {
        self.stats.restarts += 1;
        self.nodes[i].machine = Tendermint::new(config(self.nodes[i].id));
        let height = self.nodes[i].height;
        self.start_height(i, height);
    }

    fn start_height(&mut self, i: usize, height: u64) {
        let schedule = self.schedule_for(height);
        let node = &mut self.nodes[i];
        if node.height != height {
            node.seen_blocks.clear();
        }
        node.height = height;
        let recovered = node.persisted.filter(|r| r.height == height);
        let actions = node.machine.handle(Event::StartHeight {
            height,
            validators: schedule,
            recovered,
        });
        let keep = node.buffered.split_off(&height);
        node.buffered = keep;
        let replay = node.buffered.remove(&height).unwrap_or_default();
        self.execute(i, actions);
        for event in replay {
            self.deliver(i, event);
        }
    }

    fn deliver(&mut self, i: usize, event: Event) {
        let message_height = match &event {
            Event::Vote(v) => Some(v.vote.height),
            Event::Proposal { proposal, .. } => Some(proposal.height),
            _ => None,
        };
        if let Some(h) = message_height {
            let at = self.nodes[i].height;
            if h > at {
                self.nodes[i].buffered.entry(h).or_default().push(event);
                if !self.nodes[i].sync_pending {
                    self.nodes[i].sync_pending = true;
                    let delay = self.rng.below(self.p.sync_delay_ms + 1);
                    self.seq += 1;
                    self.queue
                        .insert((self.now + delay, self.seq), (i, Delivery::Sync));
                }
                return;
            }
            if h < at {
                return;
            }
        }
        if let Event::Proposal { proposal, .. } = &event {
            self.nodes[i].seen_blocks.push(proposal.block_hash);
        }
        let actions = self.nodes[i].machine.handle(event);
        self.execute(i, actions);
    }

    /// A node that hears of a later height catches up from finalized blocks
    /// and their justifications, as block sync does.
    fn sync(&mut self, i: usize) {
        while let Some(j) = self.finalized.get(&self.nodes[i].height).cloned() {
            if self.nodes[i].buffered.is_empty() {
                return;
            }
            assert_eq!(j.verify(&self.set, &GENESIS, test_verify), Ok(()));
            self.stats.syncs += 1;
            self.start_height(i, j.height + 1);
        }
    }

    fn build_block(&mut self, i: usize, height: u64, round: u32, valid: bool) -> H256 {
        let mut nonce = self.rng.next();
        loop {
            let hash = blake3_256(&(b"block", height, round, i as u32, nonce).encode());
            if is_valid_block(&hash) == valid {
                return hash;
            }
            nonce = nonce.wrapping_add(1);
        }
    }

    fn execute(&mut self, i: usize, actions: Vec<Action>) {
        for action in actions {
            match action {
                Action::PersistState(state) => self.nodes[i].persisted = Some(state),
                Action::ProposeBlock { height, round } => {
                    let block_hash = self.build_block(i, height, round, true);
                    let delay = self.rng.below(50);
                    self.push(
                        self.now + delay,
                        i,
                        Event::BlockBuilt {
                            height,
                            round,
                            block_hash,
                        },
                    );
                }
                Action::BroadcastProposal(p) => self.broadcast_proposal(i, p),
                Action::BroadcastVote(v) => self.broadcast_vote(i, v),
                Action::ScheduleTimeout {
                    height,
                    round,
                    step,
                    duration_ms,
                } => self.push(
                    self.now + duration_ms,
                    i,
                    Event::Timeout {
                        height,
                        round,
                        step,
                    },
                ),
                Action::Commit(j) => self.on_commit(i, j),
                Action::Evidence(e) => self.on_evidence(i, e),
                Action::RequestPrevotes {
                    height,
                    round,
                    block_hash,
                } => {
                    for j in (0..self.nodes.len()).filter(|j| *j != i) {
                        self.send_delivery(
                            j,
                            Delivery::ServePrevotes {
                                requester: i,
                                height,
                                round,
                                block_hash,
                            },
                        );
                    }
                }
            }
        }
    }

    fn proposal_event(&self, i: usize, proposal: Proposal) -> Event {
        Event::Proposal {
            proposal,
            from: self.nodes[i].id,
            block_valid: is_valid_block(&proposal.block_hash),
        }
    }

    fn broadcast_proposal(&mut self, i: usize, p: Proposal) {
        let n = self.nodes.len();
        if self.nodes[i].byzantine {
            // Different blocks to different peers, sometimes an invalid one.
            let valid = self.rng.below(2) == 0;
            let alt = Proposal {
                block_hash: self.build_block(i, p.height, p.round, valid),
                ..p
            };
            for j in (0..n).filter(|j| *j != i) {
                let chosen = if self.rng.below(2) == 0 { p } else { alt };
                let event = self.proposal_event(i, chosen);
                self.send(j, event);
            }
            return;
        }
        let message = p.signing_message(&GENESIS);
        if !self.nodes[i]
            .guard
            .allow(p.height, p.round, Step::Propose.guard_code(), message)
        {
            return;
        }
        for j in (0..n).filter(|j| *j != i) {
            let event = self.proposal_event(i, p);
            self.send(j, event);
        }
    }

    fn broadcast_vote(&mut self, i: usize, v: Vote) {
        let n = self.nodes.len();
        let signed = sign_vote(v);
        if self.nodes[i].byzantine {
            let alt_block = match v.block {
                Some(_) if self.rng.below(2) == 0 => None,
                _ => {
                    let seen = &self.nodes[i].seen_blocks;
                    let pick = self.rng.below(seen.len() as u64 + 1) as usize;
                    Some(seen.get(pick).copied().unwrap_or(H256([0x42; 32])))
                }
            };
            let alt = sign_vote(Vote {
                block: alt_block,
                ..v
            });
            self.push(self.now, i, Event::Vote(signed.clone()));
            for j in (0..n).filter(|j| *j != i) {
                let order: &[&SignedVote] = match self.rng.below(4) {
                    0 => &[&signed],
                    1 => &[&alt],
                    2 => &[&signed, &alt],
                    _ => &[&alt, &signed],
                };
                for vote in order {
                    self.send(j, Event::Vote((*vote).clone()));
                }
            }
            return;
        }
        let message = v.signing_message(&GENESIS);
        if !self.nodes[i]
            .guard
            .allow(v.height, v.round, v.step.step().guard_code(), message)
        {
            return;
        }
        self.push(self.now, i, Event::Vote(signed.clone()));
        for j in (0..n).filter(|j| *j != i) {
            self.send(j, Event::Vote(signed.clone()));
        }
    }

    fn on_commit(&mut self, i: usize, j: Justification) {
        if !self.nodes[i].byzantine {
            assert_eq!(
                j.verify(&self.set, &GENESIS, test_verify),
                Ok(()),
                "seed {}",
                self.p.seed
            );
            assert!(is_valid_block(&j.block_hash), "seed {}", self.p.seed);
            match self.finalized.get(&j.height) {
                Some(first) => assert_eq!(
                    first.block_hash, j.block_hash,
                    "SAFETY VIOLATION at height {} (seed {}, params {:?})",
                    j.height, self.p.seed, self.p
                ),
                None => {
                    self.finalized.insert(j.height, j.clone());
                }
            }
            self.stats.machine_commits += 1;
            if j.round > 0 {
                self.stats.late_round_commits += 1;
            }
        }
        self.start_height(i, j.height + 1);
    }

    fn on_evidence(&mut self, i: usize, e: DuplicateVoteEvidence) {
        if self.nodes[i].byzantine {
            return;
        }
        assert!(
            self.p.byzantine.iter().any(|b| id(*b) == e.offender()),
            "an honest validator was accused (seed {})",
            self.p.seed
        );
        assert_eq!(e.check(&self.set, &GENESIS, test_verify), Ok(()));
        self.stats.evidence += 1;
    }
}
