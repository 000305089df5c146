//! Data types of the referenda pallet: tracks and their curves, and each referendum's
//! record.
use hm_pallet_scheduler::BoundedCall;
use hm_primitives::{AccountId, Balance, BlockNumber, UNITS};
use parity_scale_codec::{Decode, Encode};
use scale_info::TypeInfo;

/// A referendum's number.
pub type ReferendumIndex = u32;
/// A track's id: conviction voting's class.
pub type TrackId = u16;
/// Parts per billion (a `Perbill`'s inner value).
pub type Parts = u32;
/// One whole, in [`Parts`].
pub const BILLION: Parts = 1_000_000_000;

/// A threshold over the decision period, `x` being the elapsed fraction in [`Parts`].
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum Curve {
    /// `begin` at `x = 0`, falling linearly to `end` at `x = length`, flat after.
    LinearDecreasing {
        begin: Parts,
        end: Parts,
        length: Parts,
    },
}

impl Curve {
    /// The threshold at `x`, in integer math; the fall is rounded down, so the
    /// threshold never undershoots the line.
    pub fn threshold(&self, x: Parts) -> Parts {
        let Curve::LinearDecreasing { begin, end, length } = *self;
        if length == 0 || x >= length {
            return end;
        }
        let drop = u64::from(begin.saturating_sub(end));
        let fall = drop.saturating_mul(u64::from(x)) / u64::from(length);
        let fall = Parts::try_from(fall).unwrap_or(Parts::MAX);
        begin.saturating_sub(fall)
    }
}

/// A track: a class of referenda sharing deposits, periods and thresholds.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Track {
    pub id: TrackId,
    pub name: &'static str,
    /// Referenda deciding at once; later ones wait in `TrackQueue`.
    pub max_deciding: u32,
    pub decision_deposit: Balance,
    /// Blocks after submission before deciding may start (time to vote before the clock).
    pub prepare_period: BlockNumber,
    /// Blocks of deciding before a referendum not confirming is rejected.
    pub decision_period: BlockNumber,
    /// Blocks a referendum must keep passing to be approved.
    pub confirm_period: BlockNumber,
    /// Least delay between approval and enactment.
    pub min_enactment_period: BlockNumber,
    /// Share of ayes among ayes and nays needed.
    pub min_approval: Curve,
    /// Share of the total issuance that must have voted (aye, nay or abstain).
    pub min_support: Curve,
}

/// Blocks per hour and day at HyperMesh's ~1 s block. A local chainspec shortens the
/// periods through the runtime's [`crate::Config::tracks`].
pub const HOURS: BlockNumber = 60 * 60;
pub const DAYS: BlockNumber = 24 * HOURS;

const fn linear(begin: Parts, end: Parts) -> Curve {
    Curve::LinearDecreasing {
        begin,
        end,
        length: BILLION,
    }
}

/// The live chain's tracks, after Polkadot's (linear curves instead of reciprocal ones).
pub const TRACKS: &[Track] = &[
    Track {
        id: 0,
        name: "root",
        max_deciding: 1,
        decision_deposit: 10_000 * UNITS,
        prepare_period: 2 * HOURS,
        decision_period: 28 * DAYS,
        confirm_period: DAYS,
        min_enactment_period: DAYS,
        min_approval: linear(BILLION, BILLION / 2),
        min_support: linear(BILLION / 2, BILLION / 200),
    },
    Track {
        id: 1,
        name: "treasurer",
        max_deciding: 10,
        decision_deposit: 1_000 * UNITS,
        prepare_period: 2 * HOURS,
        decision_period: 28 * DAYS,
        confirm_period: 7 * DAYS,
        min_enactment_period: DAYS,
        min_approval: linear(BILLION, BILLION / 2),
        min_support: linear(BILLION / 10, BILLION / 1_000),
    },
    Track {
        id: 2,
        name: "canceller",
        max_deciding: 1_000,
        decision_deposit: 100 * UNITS,
        prepare_period: 2 * HOURS,
        decision_period: 7 * DAYS,
        confirm_period: 3 * HOURS,
        min_enactment_period: 10 * 60,
        min_approval: linear(BILLION, BILLION / 2),
        min_support: linear(BILLION / 10, BILLION / 100),
    },
];

/// The track `id` in `tracks`.
pub fn track_of(tracks: &[Track], id: TrackId) -> Option<&Track> {
    tracks.iter().find(|t| t.id == id)
}

/// A deciding referendum: since when, and the end of its confirmation if passing.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct DecidingStatus {
    pub since: BlockNumber,
    pub confirming: Option<BlockNumber>,
}

/// A deposit and who placed it.
pub type Deposit = (AccountId, Balance);

/// An ongoing referendum.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct ReferendumStatus {
    pub track: TrackId,
    pub proposal: BoundedCall,
    /// Blocks from approval to enactment (at least the track's `min_enactment_period`).
    pub enactment_after: BlockNumber,
    pub submitted: BlockNumber,
    pub submission_deposit: Deposit,
    pub decision_deposit: Option<Deposit>,
    pub deciding: Option<DecidingStatus>,
    /// Waiting in `TrackQueue` for a deciding slot.
    pub queued: bool,
    /// The block whose `Alarms` holds this referendum.
    pub alarm: Option<BlockNumber>,
}

/// A referendum's record: ongoing, or how (and when) it ended, with the deposits still
/// to refund (`None` once refunded).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum ReferendumInfo {
    #[codec(index = 0)]
    Ongoing(ReferendumStatus),
    #[codec(index = 1)]
    Approved(BlockNumber, Option<Deposit>, Option<Deposit>),
    #[codec(index = 2)]
    Rejected(BlockNumber, Option<Deposit>, Option<Deposit>),
    #[codec(index = 3)]
    Cancelled(BlockNumber, Option<Deposit>, Option<Deposit>),
    #[codec(index = 4)]
    TimedOut(BlockNumber, Option<Deposit>, Option<Deposit>),
    /// Deposits burned.
    #[codec(index = 5)]
    Killed(BlockNumber),
}

impl ReferendumInfo {
    /// The deposits of an ended, not killed referendum, with a rebuild function.
    pub fn ended_deposits(&self) -> Option<(BlockNumber, Option<Deposit>, Option<Deposit>)> {
        match self {
            ReferendumInfo::Approved(e, s, d)
            | ReferendumInfo::Rejected(e, s, d)
            | ReferendumInfo::Cancelled(e, s, d)
            | ReferendumInfo::TimedOut(e, s, d) => Some((*e, *s, *d)),
            _ => None,
        }
    }

    /// The same outcome with other deposits.
    pub fn with_deposits(&self, s: Option<Deposit>, d: Option<Deposit>) -> ReferendumInfo {
        match self {
            ReferendumInfo::Approved(e, ..) => ReferendumInfo::Approved(*e, s, d),
            ReferendumInfo::Rejected(e, ..) => ReferendumInfo::Rejected(*e, s, d),
            ReferendumInfo::Cancelled(e, ..) => ReferendumInfo::Cancelled(*e, s, d),
            ReferendumInfo::TimedOut(e, ..) => ReferendumInfo::TimedOut(*e, s, d),
            other => other.clone(),
        }
    }
}
