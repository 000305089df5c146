//! Referenda in the runtime's list, configured by `C`: dispatch, hooks, invariants,
//! metadata.
use crate::*;
use frame_metadata::v15::{PalletConstantMetadata, StorageEntryMetadata};
use hm_support::metadata::{constant, storage_map, storage_value};
use hm_support::{Origin, Weight};

/// How the runtime configures the pallet: the tracks and their periods (a local
/// chainspec shortens them), and which calls a track may enact.
pub trait Config: 'static {
    fn tracks() -> &'static [Track] {
        TRACKS
    }
    fn undeciding_timeout() -> BlockNumber {
        UNDECIDING_TIMEOUT
    }
    fn check_interval() -> BlockNumber {
        CHECK_INTERVAL
    }
    /// Whether `proposal` may be submitted on `track` (all are enacted as Root). The
    /// runtime must restrict `treasurer` to treasury calls here.
    fn may_submit(_track: TrackId, _proposal: &BoundedCall) -> bool {
        true
    }
}

/// The live chain's tracks, every call allowed.
impl Config for () {}

/// The pallet in the runtime's list, configured by `C`.
pub struct Pallet<C: Config = ()>(core::marker::PhantomData<C>);

impl<C: Config> hm_support::Pallet for Pallet<C> {
    const INDEX: u8 = PALLET_INDEX;
    const NAME: &'static str = "Referenda";
    type Call = Call;
    type Event = Event;
    type Error = Error;
    type GenesisConfig = GenesisConfig;

    fn call_weight(call: &Call) -> Weight {
        call.weight()
    }

    fn dispatch(
        ext: &mut dyn Externalities,
        origin: Origin,
        call: Call,
    ) -> hm_support::DispatchResultWithPostInfo {
        hm_support::with_declared_weight(dispatch::<C>(ext, origin, call))
    }

    fn on_initialize(ext: &mut dyn Externalities, number: BlockNumber) -> Weight {
        service_alarms::<C>(ext, number)
    }

    fn build_genesis(
        ext: &mut dyn Externalities,
        config: &GenesisConfig,
    ) -> Result<(), &'static str> {
        // Written only when it changes something, so live chains' genesis is unchanged.
        if config.period_divisor > 1 {
            put(ext, &storage::period_divisor(), &config.period_divisor);
        }
        Ok(())
    }

    fn try_state(ext: &dyn Externalities) -> Result<(), &'static str> {
        invariants::check::<C>(ext)
    }

    fn storage_metadata() -> Vec<StorageEntryMetadata> {
        alloc::vec![
            storage_map::<ReferendumIndex, ReferendumInfo>(
                "ReferendumInfoFor",
                &["A referendum's record."]
            ),
            storage_map::<TrackId, u32>("DecidingCount", &["Referenda deciding per track."]),
            storage_value::<BlockNumber>(
                "PeriodDivisor",
                &["What this chain divides every track period by (absent: 1)."]
            ),
            storage_map::<TrackId, Vec<ReferendumIndex>>(
                "TrackQueue",
                &["Referenda waiting for a deciding slot."]
            ),
            storage_map::<BlockNumber, Vec<ReferendumIndex>>(
                "Alarms",
                &["Referenda to service at a block."]
            ),
        ]
    }

    fn constants_metadata() -> Vec<PalletConstantMetadata> {
        alloc::vec![
            constant(
                "SubmissionDeposit",
                &SUBMISSION_DEPOSIT,
                &["Reserved by the submitter."]
            ),
            constant(
                "UndecidingTimeout",
                &C::undeciding_timeout(),
                &["Blocks to place a decision deposit."]
            ),
        ]
    }
}
