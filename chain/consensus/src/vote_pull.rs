//! Votes pulled from peers: the round catch-up of a stalled height and Tendermint's
//! RequestPrevotes. A reply is one peer's unchecked claim, so it is bounded before any
//! work is spent on it:
//! - only votes for the (height, round, step) asked for count: a reply holding any other
//!   vote is ignored whole (an honest node serves exactly what was asked);
//! - at most [`REPLY_VOTES_PER_VALIDATOR`] entries per validator of the height are read,
//!   on serving and on accepting; the rest are dropped unread;
//! - Falcon signatures are checked on a small pool of dedicated threads, never on the
//!   async workers that carry gossip and RPC, and replies waiting for that pool are capped;
//! - each reply gets [`VERIFY_BUDGET`] of wall time from the moment it is queued: votes
//!   still unchecked when it runs out are dropped (not held against the sender, whose
//!   reply may simply have queued behind others);
//! - the first vote that fails (undecodable, not from a validator, bad signature) ends the
//!   reply, and its sender is reported to the network.
use crate::chain_state::HeightFacts;
use crate::gossip::{Core, Input, Position};
use crate::messages::decode_vote;
use crate::network::{PeerRef, VoteReply};
use hm_consensus_bft::{SignedVote, Vote, VoteStep};
use hm_primitives::{AccountId, H256};
use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// Votes one validator can add to a (height, round, step): its vote, and one conflicting
/// vote that proves it equivocated.
pub(crate) const REPLY_VOTES_PER_VALIDATOR: usize = 2;
/// Threads that check the signatures of pulled votes.
const VERIFY_THREADS: usize = 2;
/// Replies queued for or being checked at once; further replies are dropped unread. A
/// stalled height asks 6 questions of 8 peers every 2 s, so 64 is a burst and a half.
const MAX_REPLIES_IN_FLIGHT: usize = 64;
/// Wall time one reply may take, queueing included. A Falcon-1024 check takes well under
/// 0.1 ms, so an honest reply (two votes per validator) fits many times over.
pub(crate) const VERIFY_BUDGET: Duration = Duration::from_millis(250);

/// What a vote request asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct VoteQuery {
    pub height: u64,
    pub round: u32,
    pub step: VoteStep,
    /// Only votes for this block, if set; any vote of the step otherwise.
    pub block: Option<H256>,
}

impl VoteQuery {
    fn asks_for(&self, vote: &Vote) -> bool {
        vote.height == self.height
            && vote.round == self.round
            && vote.step == self.step
            && self.block.is_none_or(|wanted| vote.block == Some(wanted))
    }
}

/// What became of one reply.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct ReplyOutcome {
    /// Entries beyond the cap, dropped unread.
    pub over_cap: usize,
    /// The reply held a vote that was not asked for, so none of it was used.
    pub off_query: bool,
    /// Signatures checked.
    pub verified: usize,
    /// Votes left unchecked because the reply's time budget ran out.
    pub out_of_time: usize,
    /// Votes handed to the state machine.
    pub delivered: usize,
    /// Why the sender was reported, if it was.
    pub reported: Option<String>,
}

/// Counters of the vote-pull path since start, for metrics and tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VotePullStats {
    /// Signatures of pulled votes checked.
    pub signatures_checked: u64,
    /// Replies longer than the cap (their excess was dropped unread).
    pub replies_over_cap: u64,
    /// Replies ignored for holding a vote that was not asked for.
    pub replies_off_query: u64,
    /// Replies dropped because too many were waiting for the verification threads.
    pub replies_shed: u64,
    /// Replies whose time budget ran out before every vote was checked.
    pub replies_out_of_time: u64,
    /// Peers reported for a bad vote.
    pub peers_reported: u64,
}

#[derive(Default)]
struct Counters {
    signatures_checked: AtomicU64,
    replies_over_cap: AtomicU64,
    replies_off_query: AtomicU64,
    replies_shed: AtomicU64,
    replies_out_of_time: AtomicU64,
    peers_reported: AtomicU64,
}

fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

/// The dedicated signature-checking threads and the counters of the vote-pull path.
pub(crate) struct VotePulls {
    threads: rayon::ThreadPool,
    in_flight: AtomicUsize,
    counters: Arc<Counters>,
    /// [`VERIFY_BUDGET`], in nanoseconds; tests shrink it.
    budget_nanos: AtomicU64,
}

/// The signatures checked in order: the votes that passed, and the signer of the first
/// one that failed (checking stops there).
struct Checked {
    good: Vec<SignedVote>,
    failed: Option<AccountId>,
    /// Votes not reached before the budget ran out.
    out_of_time: usize,
}

impl VotePulls {
    pub(crate) fn new() -> Result<Self, rayon::ThreadPoolBuildError> {
        let threads = rayon::ThreadPoolBuilder::new()
            .num_threads(VERIFY_THREADS)
            .thread_name(|i| format!("hm-vote-verify-{i}"))
            .build()?;
        Ok(VotePulls {
            threads,
            in_flight: AtomicUsize::new(0),
            counters: Arc::default(),
            budget_nanos: AtomicU64::new(VERIFY_BUDGET.as_nanos() as u64),
        })
    }

    /// Change the time budget of the replies queued from now on.
    #[cfg(test)]
    pub(crate) fn set_budget(&self, budget: Duration) {
        self.budget_nanos
            .store(budget.as_nanos() as u64, Ordering::Relaxed);
    }

    pub(crate) fn stats(&self) -> VotePullStats {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let c = &self.counters;
        VotePullStats {
            signatures_checked: get(&c.signatures_checked),
            replies_over_cap: get(&c.replies_over_cap),
            replies_off_query: get(&c.replies_off_query),
            replies_shed: get(&c.replies_shed),
            replies_out_of_time: get(&c.replies_out_of_time),
            peers_reported: get(&c.peers_reported),
        }
    }

    /// Take a slot for one reply; `None` when too many replies are being checked.
    fn admit(&self) -> Option<InFlight<'_>> {
        let taken = self.in_flight.fetch_add(1, Ordering::AcqRel);
        let slot = InFlight(&self.in_flight);
        (taken < MAX_REPLIES_IN_FLIGHT).then_some(slot)
    }

    /// Check the signatures of `votes` (each with the message it signs) in order on the
    /// verification threads, stopping at the first that fails or when the budget, counted
    /// from now, runs out.
    async fn check_in_order(
        &self,
        facts: Arc<HeightFacts>,
        votes: Vec<(H256, SignedVote)>,
    ) -> Checked {
        let (done, result) = oneshot::channel();
        let counters = self.counters.clone();
        let deadline =
            Instant::now() + Duration::from_nanos(self.budget_nanos.load(Ordering::Relaxed));
        self.threads.spawn(move || {
            let total = votes.len();
            let mut good = Vec::with_capacity(total);
            let mut failed = None;
            let mut out_of_time = 0;
            for (position, (message, signed)) in votes.into_iter().enumerate() {
                if Instant::now() >= deadline {
                    out_of_time = total - position;
                    bump(&counters.replies_out_of_time);
                    break;
                }
                bump(&counters.signatures_checked);
                let validator = signed.vote.validator;
                let valid = facts.public_key(&validator).is_some_and(|key| {
                    hm_crypto::verify(key, message.as_bytes(), &signed.signature)
                });
                if !valid {
                    failed = Some(validator);
                    break;
                }
                good.push(signed);
            }
            let _ = done.send(Checked {
                good,
                failed,
                out_of_time,
            });
        });
        // The job cannot be lost unless its thread panicked; then nothing was checked.
        result.await.unwrap_or(Checked {
            good: Vec::new(),
            failed: None,
            out_of_time: 0,
        })
    }
}

/// The votes a reply may carry: at most [`REPLY_VOTES_PER_VALIDATOR`] of each validator,
/// in the order given. All it takes to prove an equivocation, and within
/// `Core::max_reply_votes` for votes from the set.
pub(crate) fn at_most_per_validator(votes: Vec<SignedVote>) -> Vec<SignedVote> {
    let mut per_validator: BTreeMap<AccountId, usize> = BTreeMap::new();
    votes
        .into_iter()
        .filter(|signed| {
            let held = per_validator.entry(signed.vote.validator).or_default();
            *held = held.saturating_add(1);
            *held <= REPLY_VOTES_PER_VALIDATOR
        })
        .collect()
}

/// A reply's place among those being checked; freed when dropped.
struct InFlight<'a>(&'a AtomicUsize);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Core {
    /// Most votes served or accepted for one (height, round, step) under `facts`' set.
    pub(crate) fn max_reply_votes(facts: &HeightFacts) -> usize {
        facts.set.len().saturating_mul(REPLY_VOTES_PER_VALIDATOR)
    }

    /// Ask peers for `query`'s votes and take each reply as it comes.
    pub(crate) fn pull_votes(self: &Arc<Self>, query: VoteQuery) {
        let request = self.network.request_votes(
            query.height,
            query.round,
            query.step.step().guard_code(),
            query.block,
        );
        let core = self.clone();
        tokio::spawn(async move {
            for reply in request.await {
                let outcome = core.take_vote_reply(query, reply).await;
                tracing::debug!(
                    height = query.height,
                    round = query.round,
                    delivered = outcome.delivered,
                    verified = outcome.verified,
                    over_cap = outcome.over_cap,
                    off_query = outcome.off_query,
                    reported = outcome.reported.is_some(),
                    "vote reply taken"
                );
            }
        });
    }

    /// Screen one peer's reply to `query`, check its signatures off the async workers,
    /// deliver the good votes, and report the peer at its first bad vote.
    pub(crate) async fn take_vote_reply(&self, query: VoteQuery, reply: VoteReply) -> ReplyOutcome {
        let mut outcome = ReplyOutcome::default();
        // Replies for a height we left are of no use; the facts of a future one may differ.
        let Position::Current(view) = self.position(query.height) else {
            return outcome;
        };
        let Some(_slot) = self.pulls.admit() else {
            bump(&self.pulls.counters.replies_shed);
            return outcome;
        };
        let VoteReply { peer, mut votes } = reply;
        let cap = Self::max_reply_votes(&view.facts);
        if votes.len() > cap {
            outcome.over_cap = votes.len() - cap;
            votes.truncate(cap);
            bump(&self.pulls.counters.replies_over_cap);
        }
        let mut to_check = Vec::with_capacity(votes.len());
        let mut in_reply = HashSet::with_capacity(votes.len());
        for encoded in &votes {
            let signed = match decode_vote(encoded) {
                Ok(signed) => signed,
                Err(e) => {
                    self.report(
                        &peer,
                        &mut outcome,
                        format!("sent an undecodable vote: {e}"),
                    );
                    return outcome;
                }
            };
            if !query.asks_for(&signed.vote) {
                outcome.off_query = true;
                bump(&self.pulls.counters.replies_off_query);
                return outcome;
            }
            let validator = signed.vote.validator;
            if view.facts.public_key(&validator).is_none() {
                let reason = format!(
                    "sent a vote of {validator}, not a validator at {}",
                    query.height
                );
                self.report(&peer, &mut outcome, reason);
                return outcome;
            }
            let message = signed.vote.signing_message(&self.genesis_hash);
            // Known votes cost nothing more: not even a signature check.
            if in_reply.insert(message) && !self.seen.lock().has_vote(query.height, &message) {
                to_check.push((message, signed));
            }
        }
        if to_check.is_empty() {
            return outcome;
        }
        let checked = self
            .pulls
            .check_in_order(view.facts.clone(), to_check)
            .await;
        outcome.verified = checked.good.len() + usize::from(checked.failed.is_some());
        outcome.out_of_time = checked.out_of_time;
        for signed in checked.good {
            let message = signed.vote.signing_message(&self.genesis_hash);
            self.seen.lock().add_vote(query.height, message);
            if self.deliver(Input::Vote(signed)).await {
                outcome.delivered += 1;
            }
        }
        if let Some(validator) = checked.failed {
            let reason = format!("sent a vote of {validator} whose signature does not verify");
            self.report(&peer, &mut outcome, reason);
        }
        outcome
    }

    fn report(&self, peer: &PeerRef, outcome: &mut ReplyOutcome, reason: String) {
        tracing::warn!("🚫 vote reply rejected: {reason}");
        bump(&self.pulls.counters.peers_reported);
        self.network.report_peer(peer, &reason);
        outcome.reported = Some(reason);
    }
}
