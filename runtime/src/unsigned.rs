//! Unsigned extrinsics. The only one is duplicate-vote evidence
//! (`Call::Staking(ReportEquivocation)`): it proves itself with the offender's
//! two signatures, so nobody pays a fee or uses a nonce for it.
//!
//! The pool orders transactions by (sender, nonce), so a report is given a
//! pseudo-sender derived from its offence (stash, height, round) and nonce 0:
//! two copies of one offence then compete for one pool slot, and once one is
//! included the pool's "nonce used" rule drops the other. No key hashes to a
//! pseudo-sender, so no signed transaction can collide with it.
use crate::{staking, system, BlockContext, Call, Extrinsic, TxContext};
use alloc::vec::Vec;
use hm_consensus_bft::MAX_EVIDENCE_BYTES;
use hm_primitives::{blake3_256, AccountId, BlockNumber, InvalidTransaction, ValidTransaction};
use hm_support::{with_transaction, DispatchError, Externalities, Weight};
use parity_scale_codec::Encode;
use staking::{DuplicateVoteEvidence, EvidenceRefusal, OffenceKey};

/// Blocks a report stays in the pool (sooner when its offence's set expires).
pub const EVIDENCE_LONGEVITY: BlockNumber = 64;
/// Largest unsigned extrinsic: the `None` signature tag, two call indices and
/// the largest evidence. Longer bytes are refused before any check.
pub const MAX_UNSIGNED_EXTRINSIC_BYTES: usize = 3 + MAX_EVIDENCE_BYTES;
/// Domain of the pseudo-sender of a report.
const EVIDENCE_SENDER_CONTEXT: &[u8] = b"hm/runtime/evidence-sender";

/// The encoded unsigned extrinsic reporting `evidence`, ready for the pool.
pub fn report_equivocation_extrinsic(evidence: &DuplicateVoteEvidence) -> Vec<u8> {
    Extrinsic {
        signed: None,
        call: Call::Staking(staking::Call::ReportEquivocation {
            evidence: evidence.clone(),
        }),
    }
    .encode()
}

/// The pool's sender of a report of `offence`.
pub fn evidence_sender(offence: &OffenceKey) -> AccountId {
    AccountId(blake3_256(&(EVIDENCE_SENDER_CONTEXT, offence).encode()).0)
}

fn evidence_of(xt_len: usize, call: Call) -> Result<DuplicateVoteEvidence, InvalidTransaction> {
    if xt_len > MAX_UNSIGNED_EXTRINSIC_BYTES {
        return Err(InvalidTransaction::Malformed);
    }
    match call {
        Call::Staking(staking::Call::ReportEquivocation { evidence }) => Ok(evidence),
        _ => Err(InvalidTransaction::UnsignedNotAllowed),
    }
}

/// The weight of applying a report now; refuses one no block could hold.
fn weight_of_report(ext: &dyn Externalities, xt_len: usize) -> Result<Weight, InvalidTransaction> {
    let prior = u32::try_from(staking::epoch_offenders(ext).len()).unwrap_or(u32::MAX);
    let weight = staking::evidence_weight(prior);
    let params = system::parameters(ext);
    let too_long = u32::try_from(xt_len).map_or(true, |len| len > params.max_block_length);
    if weight > params.max_block_weight || too_long {
        return Err(InvalidTransaction::ExhaustsResources);
    }
    Ok(weight)
}

/// The pool-facing reason. An offence above the state's block is not refused
/// for good (the pool bans every other reason): the engine sees equivocations
/// while their height is still being decided.
fn refusal(
    ext: &dyn Externalities,
    evidence: &DuplicateVoteEvidence,
    refused: EvidenceRefusal,
) -> InvalidTransaction {
    match refused {
        EvidenceRefusal::BadSignature => InvalidTransaction::BadSignature,
        EvidenceRefusal::Offence(e) if e == DispatchError::from(staking::Error::FutureOffence) => {
            // The pool keeps no ban for this one; resubmit once the height is imported.
            InvalidTransaction::FutureTooFar {
                expected: system::block_number(ext),
                got: evidence.height(),
            }
        }
        EvidenceRefusal::NotConflicting
        | EvidenceRefusal::UnknownOffender
        | EvidenceRefusal::Offence(_) => InvalidTransaction::BadCall,
    }
}

/// Pool-side check of an unsigned extrinsic against the best block's state.
pub(crate) fn validate(
    ext: &dyn Externalities,
    ctx: &TxContext,
    xt_len: usize,
    call: Call,
) -> Result<ValidTransaction, InvalidTransaction> {
    let evidence = evidence_of(xt_len, call)?;
    weight_of_report(ext, xt_len)?;
    let offence = staking::verify_evidence(ext, &ctx.genesis_hash, &evidence)
        .map_err(|refused| refusal(ext, &evidence, refused))?;
    let including_block = ctx.best_number.saturating_add(1);
    let deadline = staking::evidence_deadline(ext, offence.height);
    let valid_until = ctx
        .best_number
        .saturating_add(EVIDENCE_LONGEVITY)
        .min(deadline);
    if valid_until < including_block {
        return Err(InvalidTransaction::Expired {
            valid_until,
            current: including_block,
        });
    }
    Ok(ValidTransaction {
        sender: evidence_sender(&offence),
        nonce: 0,
        account_nonce: 0,
        // Ahead of every fee-paying transaction: an offender must not be able to outbid it.
        priority: u64::MAX,
        valid_until,
        fee: 0,
    })
}

/// Apply an unsigned extrinsic in block `ctx`: every check again (a block may
/// carry anything), then the slash. `Err` leaves the state untouched and means
/// the extrinsic may not be in the block.
pub(crate) fn apply(
    ext: &mut dyn Externalities,
    ctx: &BlockContext,
    xt_len: usize,
    call: Call,
) -> Result<crate::ApplyOutcome, InvalidTransaction> {
    let evidence = evidence_of(xt_len, call)?;
    let weight = weight_of_report(ext, xt_len)?;
    with_transaction(ext, |ext| {
        system::reserve_block_resources(ext, weight, xt_len)
            .map_err(|_| InvalidTransaction::ExhaustsResources)?;
        system::start_extrinsic(ext);
        if let Err(refused) = staking::report_evidence(ext, &ctx.genesis_hash, &evidence) {
            return Err(refusal(ext, &evidence, refused));
        }
        system::note_applied_extrinsic(ext, &Ok(()), weight);
        Ok(crate::ApplyOutcome {
            result: Ok(()),
            weight,
            fee: 0,
        })
    })
}
