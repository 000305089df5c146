//! The seam between block import and whichever engine authors and finalizes blocks.
//!
//! Import, storage and RPC depend only on these traits. The dev engine
//! (`hm-consensus-dev`) and the four-proof BFT engine implement them, so one
//! replaces the other without touching the rest of the node.
use hm_primitives::{AccountId, FalconPublicKey, Header, Justification};

/// Why a header or justification was refused. The message is logged and the
/// sending peer penalised.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("proposer {0} is not an authority for this block")]
    UnknownProposer(AccountId),
    #[error("header seal does not verify")]
    BadSeal,
    #[error("consensus proof is invalid: {0}")]
    BadProof(String),
    #[error("timestamp {got} ms is not after the parent's {parent} ms")]
    TimestampNotIncreasing { parent: u64, got: u64 },
    #[error("timestamp {got} ms is more than {drift_ms} ms ahead of local time {now} ms")]
    TimestampTooFarAhead { got: u64, now: u64, drift_ms: u64 },
    #[error("justification is invalid: {0}")]
    BadJustification(String),
}

/// Chain facts a verifier may need, supplied by the importer.
pub struct VerifyContext<'a> {
    /// Public key stored on-chain for an account (state of the parent block).
    pub public_key_of: &'a dyn Fn(&AccountId) -> Option<FalconPublicKey>,
    /// State after the parent block (read-only use): validator sets, proof parameters.
    pub parent_state: &'a dyn hm_support::Externalities,
    /// Local wall-clock time in ms, for the future-drift rule only.
    pub now_ms: u64,
}

/// Checks consensus data on import. Authored blocks pass through it too.
pub trait BlockVerifier: Send + Sync {
    /// Seal, proposer eligibility, consensus proof and timestamp rules of `header` on top of `parent`.
    fn verify_header(
        &self,
        header: &Header,
        parent: &Header,
        ctx: &VerifyContext,
    ) -> Result<(), VerifyError>;
    /// Whether `justification` proves `header` final.
    fn verify_justification(
        &self,
        header: &Header,
        justification: &Justification,
        ctx: &VerifyContext,
    ) -> Result<(), VerifyError>;
}

/// Timestamp rules shared by engines: strictly increasing, bounded future drift.
pub fn check_timestamp(
    header: &Header,
    parent: &Header,
    now_ms: u64,
    drift_ms: u64,
) -> Result<(), VerifyError> {
    if header.timestamp_ms <= parent.timestamp_ms {
        return Err(VerifyError::TimestampNotIncreasing {
            parent: parent.timestamp_ms,
            got: header.timestamp_ms,
        });
    }
    if header.timestamp_ms > now_ms.saturating_add(drift_ms) {
        return Err(VerifyError::TimestampTooFarAhead {
            got: header.timestamp_ms,
            now: now_ms,
            drift_ms,
        });
    }
    Ok(())
}
