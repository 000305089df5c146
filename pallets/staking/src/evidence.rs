//! Duplicate-vote evidence: from two signed votes to a slash.
//!
//! Votes name their validator by consensus key (the id the engine's validator
//! set uses). The offence is mapped to a stash through the set of the
//! offence's epoch, which must be the current or the previous one (the only
//! sets the state keeps); both signatures are verified against the consensus
//! key's public key stored on-chain, over the chain-bound vote message. The
//! cheap state checks (age, dedup, bond) run before the two Falcon checks, so
//! stale or repeated evidence costs little to refuse.
use crate::*;
use hm_consensus_bft::{Validator, ValidatorSet};

/// Why evidence is refused. Changes nothing.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum EvidenceRefusal {
    /// Not two different votes of one validator for one (height, round, step).
    NotConflicting,
    /// The voter is not in the validator set of the offence's epoch.
    UnknownOffender,
    /// A vote signature does not verify against the offender's consensus key.
    BadSignature,
    /// Refused by [`check_equivocation`] or the slash itself: the offence is in
    /// the future, too old, reported already, or has nothing to slash.
    Offence(DispatchError),
}

/// Check `evidence` against the state and return the offence it proves, as
/// (stash, height, round). `genesis_hash` binds the votes to this chain.
pub fn verify_evidence(
    ext: &dyn Externalities,
    genesis_hash: &H256,
    evidence: &DuplicateVoteEvidence,
) -> Result<OffenceKey, EvidenceRefusal> {
    let (a, b) = (&evidence.a.vote, &evidence.b.vote);
    let same_slot =
        (a.validator, a.height, a.round, a.step) == (b.validator, b.height, b.round, b.step);
    if !same_slot || a.block == b.block {
        return Err(EvidenceRefusal::NotConflicting);
    }
    let height = evidence.height();
    if height > system::block_number(ext) {
        return Err(EvidenceRefusal::Offence(Error::FutureOffence.into()));
    }
    let set = validator_set_of_epoch(ext, epoch_of(ext, height))
        .ok_or(EvidenceRefusal::Offence(Error::EvidenceTooOld.into()))?;
    let consensus_key = evidence.offender();
    let stash = set
        .iter()
        .find(|v| v.consensus_key == consensus_key)
        .map(|v| v.stash)
        .ok_or(EvidenceRefusal::UnknownOffender)?;
    check_equivocation(ext, &stash, height, a.round).map_err(EvidenceRefusal::Offence)?;

    let voters = set
        .iter()
        .map(|v| Validator {
            id: v.consensus_key,
            power: v.power,
        })
        .collect();
    let voters = ValidatorSet::new(voters).map_err(|_| EvidenceRefusal::UnknownOffender)?;
    let public_key =
        system::public_key(ext, &consensus_key).ok_or(EvidenceRefusal::BadSignature)?;
    evidence
        .check(&voters, genesis_hash, |_, message, signature| {
            ext.falcon_verify(public_key.as_bytes(), message, &signature.0)
        })
        .map_err(|e| match e {
            hm_consensus_bft::EvidenceError::BadSignature => EvidenceRefusal::BadSignature,
            hm_consensus_bft::EvidenceError::UnknownValidator(_) => {
                EvidenceRefusal::UnknownOffender
            }
            _ => EvidenceRefusal::NotConflicting,
        })?;
    Ok(OffenceKey {
        offender: stash,
        height,
        round: a.round,
    })
}

/// Verify `evidence` and slash the offender. Returns the offence and the
/// fraction applied. All or nothing.
pub fn report_evidence(
    ext: &mut dyn Externalities,
    genesis_hash: &H256,
    evidence: &DuplicateVoteEvidence,
) -> Result<(OffenceKey, Ppm), EvidenceRefusal> {
    let offence = verify_evidence(ext, genesis_hash, evidence)?;
    let fraction = report_equivocation(ext, &offence.offender, offence.height, offence.round)
        .map_err(EvidenceRefusal::Offence)?;
    Ok((offence, fraction))
}

/// Last block that may include a report of an offence at `height`: after
/// that, the offence's epoch is neither the current nor the previous one and
/// its validator set is gone.
pub fn evidence_deadline(ext: &dyn Externalities, height: BlockNumber) -> BlockNumber {
    let epoch_length = config(ext).epoch_length.max(1);
    epoch_of(ext, height)
        .checked_add(2)
        .and_then(|epoch| epoch.checked_mul(epoch_length))
        .map_or(BlockNumber::MAX, |first_too_late| {
            first_too_late.saturating_sub(1)
        })
}

/// Weight of checking and applying a report when `prior_offenders` were
/// punished earlier in the epoch.
pub fn evidence_weight(prior_offenders: u32) -> Weight {
    weights::VERIFY_EVIDENCE.saturating_add(report_equivocation_weight(prior_offenders))
}
