//! Proving a far claim: the peer serves the block at the height it claims, and its
//! justification must carry precommits of more than 2/3 of our current validator set (the
//! light-client trust rule). A set that changed since may not be able to judge it; the
//! claim then stays unproven, without blame.
use crate::machine::ProbeOutcome;
use hm_client::Client;
use hm_consensus::HeightFacts;
use hm_consensus_bft::{Justification, JustificationError};
use hm_primitives::SignedBlock;

/// Judge the block a peer served for its claimed finalized `height`.
pub fn check_claimed_tip(client: &Client, block: &SignedBlock, height: u64) -> ProbeOutcome {
    let header = &block.block.header;
    if header.number != height {
        tracing::debug!(
            height,
            got = header.number,
            "probe answered with another height"
        );
        return ProbeOutcome::Invalid;
    }
    let Some(justification) = block.justification.as_ref() else {
        return ProbeOutcome::Invalid;
    };
    let justification = match Justification::from_primitive(justification) {
        Ok(j) => j,
        Err(e) => {
            tracing::debug!(height, "probe: undecodable justification: {e}");
            return ProbeOutcome::Invalid;
        }
    };
    let info = client.chain_info();
    let overlay = client.overlay();
    let facts = match HeightFacts::read(&overlay, info.best_number.saturating_add(1)) {
        Ok(facts) => facts,
        Err(e) => {
            tracing::debug!("probe: no validator set to judge by: {e}");
            return ProbeOutcome::Undecided;
        }
    };
    let verdict = justification.verify_for_block(
        height,
        &header.hash(),
        &facts.set,
        &info.genesis_hash,
        |id, message, signature| facts.verify_signature(id, message, &signature.0),
    );
    match verdict {
        Ok(()) => ProbeOutcome::Proven { height },
        // A later set may be larger or hold other validators.
        Err(JustificationError::InsufficientPower { .. })
        | Err(JustificationError::TooManyPrecommits { .. }) => ProbeOutcome::Undecided,
        Err(e) => {
            tracing::debug!(height, "probe: {e}");
            ProbeOutcome::Invalid
        }
    }
}
