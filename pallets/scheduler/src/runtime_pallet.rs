//! The scheduler in the runtime's list, configured by `C` (which decodes, weighs and
//! dispatches the runtime's calls): hooks, invariants, metadata.
use crate::*;
use frame_metadata::v15::{PalletConstantMetadata, StorageEntryMetadata};
use hm_support::metadata::{constant, storage_map, storage_value};
use hm_support::{EncodedCalls, Origin};

/// How the runtime configures the pallet (FRAME's `Config`, reduced to what varies).
pub trait Config: 'static {
    /// The runtime's calls as bytes: what tasks dispatch. `None` refuses every task's
    /// call (event `CallRefused`).
    fn calls() -> Option<&'static dyn EncodedCalls>;
}

/// No runtime calls: for tests and tools without a runtime.
impl Config for () {
    fn calls() -> Option<&'static dyn EncodedCalls> {
        None
    }
}

/// The pallet in the runtime's list, configured by `C`.
pub struct Pallet<C: Config = ()>(core::marker::PhantomData<C>);

impl<C: Config> hm_support::Pallet for Pallet<C> {
    const INDEX: u8 = PALLET_INDEX;
    const NAME: &'static str = "Scheduler";
    type Call = Call;
    type Event = Event;
    type Error = Error;
    type GenesisConfig = ();

    fn call_weight(call: &Call) -> Weight {
        call.weight()
    }

    fn dispatch(
        ext: &mut dyn Externalities,
        origin: Origin,
        call: Call,
    ) -> hm_support::DispatchResultWithPostInfo {
        hm_support::with_declared_weight(dispatch(ext, origin, call))
    }

    /// Runs the due tasks; the weight used, at most `max_scheduler_weight`.
    fn on_initialize(ext: &mut dyn Externalities, number: BlockNumber) -> Weight {
        service_agendas(ext, number, C::calls())
    }

    fn build_genesis(_ext: &mut dyn Externalities, _config: &()) -> Result<(), &'static str> {
        Ok(())
    }

    fn try_state(ext: &dyn Externalities) -> Result<(), &'static str> {
        invariants::check(ext)
    }

    fn storage_metadata() -> Vec<StorageEntryMetadata> {
        alloc::vec![
            storage_map::<BlockNumber, Vec<Option<Task>>>(
                "Agenda",
                &["The tasks of a block; `None` marks an emptied slot."]
            ),
            storage_map::<TaskName, TaskAddress>("Lookup", &["Where a named task is."]),
            storage_value::<BlockNumber>(
                "IncompleteSince",
                &["The oldest agenda not fully serviced."]
            ),
        ]
    }

    fn constants_metadata() -> Vec<PalletConstantMetadata> {
        alloc::vec![
            constant(
                "MaxScheduledPerBlock",
                &MAX_SCHEDULED_PER_BLOCK,
                &["Tasks one block's agenda holds."]
            ),
            constant(
                "MaxInlineCallBytes",
                &MAX_INLINE_CALL_BYTES,
                &["Longest inline call."]
            ),
            constant(
                "MaxAgendasPerBlock",
                &MAX_AGENDAS_PER_BLOCK,
                &["Agendas one block examines."]
            ),
            constant(
                "SchedulerWeightPercent",
                &SCHEDULER_WEIGHT_PERCENT,
                &["Share of the block weight scheduled calls may use."]
            ),
        ]
    }
}
