//! Governance in the runtime: conviction voting's polls are referenda, and which calls
//! each referendum track may enact.
//!
//! - `root` enacts any call (runtime upgrades and parameters).
//! - `canceller` enacts only `Referenda::cancel` or `kill`, given inline, so its fast
//!   track cannot carry anything else.
//! - `treasurer` enacts nothing yet: there is no treasury pallet to spend from, and a
//!   root-origin enactment of any other call would make it a faster `root`.
use crate::Call;
use hm_pallet_conviction_voting::{self as conviction_voting, PollIndex, PollStatus};
use hm_pallet_referenda::{self as referenda, TrackId};
use hm_pallet_scheduler::BoundedCall;
use hm_primitives::DECODE_DEPTH_LIMIT;
use hm_support::Externalities;
use parity_scale_codec::DecodeLimit;

/// The track ids of `referenda::TRACKS`.
const ROOT_TRACK: TrackId = 0;
const CANCELLER_TRACK: TrackId = 2;

/// Conviction voting's polls: the referenda.
pub struct RuntimePolls;

impl conviction_voting::Config for RuntimePolls {
    fn poll_status(ext: &dyn Externalities, poll: PollIndex) -> Option<PollStatus> {
        referenda::poll_status(ext, poll)
    }
}

/// Referenda with the live tracks (a chain's genesis may shorten their periods) and the
/// per-track call filter above.
pub struct RuntimeReferenda;

impl referenda::Config for RuntimeReferenda {
    fn may_submit(track: TrackId, proposal: &BoundedCall) -> bool {
        match track {
            ROOT_TRACK => true,
            CANCELLER_TRACK => match proposal {
                BoundedCall::Inline(bytes) => matches!(
                    Call::decode_all_with_depth_limit(DECODE_DEPTH_LIMIT, &mut &bytes[..]),
                    Ok(Call::Referenda(
                        referenda::Call::Cancel { .. } | referenda::Call::Kill { .. }
                    ))
                ),
                BoundedCall::Lookup { .. } => false,
            },
            _ => false,
        }
    }
}
