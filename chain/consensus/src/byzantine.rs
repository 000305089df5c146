//! Test-only misbehaviour, compiled only with the `byzantine` feature: a validator that
//! breaks the protocol on purpose, so end-to-end tests can show that honest nodes reject
//! its blocks with a reason, penalise it, slash it for equivocating, and never fork.
//! A node built without the feature has none of this code.
use hm_primitives::H256;
use hm_proofs::{work, PoSpace, PoTime, PoWork, WorkTarget};

/// One way to break the protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Misbehaviour {
    /// Sign a second, conflicting vote for every vote (bypassing the signer guard).
    DoubleVote,
    /// Propose with a PoWork nonce that misses the target.
    BadWork,
    /// Propose with a wrong PoH checkpoint.
    BadTime,
    /// Propose with a wrong leaf in a plot opening's Merkle path.
    BadSpace,
    /// Propose a header whose seal does not verify.
    BadSeal,
    /// Propose a block at round 0 of every height, whether or not it is our turn.
    OutOfTurn,
    /// Propose a block stamped a minute ahead of the clock.
    FutureTimestamp,
    /// Serve synced blocks whose justification holds a single precommit.
    WeakJustification,
    /// Claim a huge finalized height in sync status and serve no blocks.
    LyingSync,
}

impl std::str::FromStr for Misbehaviour {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "double-vote" => Misbehaviour::DoubleVote,
            "bad-work" => Misbehaviour::BadWork,
            "bad-time" => Misbehaviour::BadTime,
            "bad-space" => Misbehaviour::BadSpace,
            "bad-seal" => Misbehaviour::BadSeal,
            "out-of-turn" => Misbehaviour::OutOfTurn,
            "future-timestamp" => Misbehaviour::FutureTimestamp,
            "weak-justification" => Misbehaviour::WeakJustification,
            "lying-sync" => Misbehaviour::LyingSync,
            other => return Err(format!("unknown misbehaviour {other:?}")),
        })
    }
}

/// How far ahead `FutureTimestamp` stamps its blocks.
const FUTURE_MS: u64 = 60_000;

pub(crate) fn timestamp(m: Option<Misbehaviour>, honest_ms: u64) -> u64 {
    match m {
        Some(Misbehaviour::FutureTimestamp) => honest_ms.saturating_add(FUTURE_MS),
        _ => honest_ms,
    }
}

/// Break PoTime or PoSpace before PoWork is solved, so the work (and the seal) stay
/// valid and the importer's check reaches the broken proof.
pub(crate) fn corrupt_proofs(m: Option<Misbehaviour>, time: &mut PoTime, space: &mut PoSpace) {
    match m {
        Some(Misbehaviour::BadTime) => {
            if let Some(first) = time.checkpoints.first_mut() {
                first.0[0] ^= 1;
            }
        }
        Some(Misbehaviour::BadSpace) => {
            if let Some(node) = space.openings.first_mut().and_then(|o| o.path.first_mut()) {
                node.0[0] ^= 1;
            }
        }
        _ => {}
    }
}

/// Replace a solved nonce by one that misses the target.
pub(crate) fn corrupt_work(
    m: Option<Misbehaviour>,
    pre_seal: &H256,
    target: &WorkTarget,
    solved: PoWork,
) -> PoWork {
    if m != Some(Misbehaviour::BadWork) {
        return solved;
    }
    let mut nonce = solved.nonce.wrapping_add(1);
    while work::verify(pre_seal, target, &PoWork { nonce }).is_ok() {
        nonce = nonce.wrapping_add(1);
    }
    PoWork { nonce }
}

/// Flip a bit of the seal.
pub(crate) fn corrupt_seal(m: Option<Misbehaviour>, seal: &mut [u8]) {
    if m == Some(Misbehaviour::BadSeal) {
        if let Some(last) = seal.last_mut() {
            *last ^= 1;
        }
    }
}

/// The conflicting twin of a vote: the same slot for another block.
pub(crate) fn conflicting_block(block: Option<H256>) -> Option<H256> {
    match block {
        Some(_) => None,
        None => Some(H256([0xEE; 32])),
    }
}
