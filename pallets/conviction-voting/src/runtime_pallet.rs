//! Conviction voting in the runtime's list, configured by `C` (which reports the polls):
//! dispatch, invariants, metadata.
use crate::*;
use frame_metadata::v15::{PalletConstantMetadata, StorageEntryMetadata};
use hm_support::metadata::{constant, storage_map};
use hm_support::{Origin, Weight};

/// How the runtime configures the pallet (FRAME's `Config`, reduced to what varies):
/// the polls. The referenda pallet implements it, reading its own records, so this
/// pallet does not depend on it; referenda in turn reads [`crate::tally`].
pub trait Config: 'static {
    /// `poll`'s status: `Ongoing` with its class while it takes votes, `Completed`
    /// with its end and outcome once decided, `None` when unknown (or forgotten).
    fn poll_status(ext: &dyn Externalities, poll: PollIndex) -> Option<PollStatus>;
}

/// No polls: every vote is refused (`UnknownPoll`). For tools without a runtime.
impl Config for () {
    fn poll_status(_ext: &dyn Externalities, _poll: PollIndex) -> Option<PollStatus> {
        None
    }
}

/// The pallet in the runtime's list, configured by `C`.
pub struct Pallet<C: Config = ()>(core::marker::PhantomData<C>);

impl<C: Config> hm_support::Pallet for Pallet<C> {
    const INDEX: u8 = PALLET_INDEX;
    const NAME: &'static str = "ConvictionVoting";
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
        hm_support::with_declared_weight(dispatch::<C>(ext, origin, call))
    }

    fn build_genesis(_ext: &mut dyn Externalities, _config: &()) -> Result<(), &'static str> {
        Ok(())
    }

    fn try_state(ext: &dyn Externalities) -> Result<(), &'static str> {
        invariants::check::<C>(ext)
    }

    fn storage_metadata() -> Vec<StorageEntryMetadata> {
        alloc::vec![
            storage_map::<(AccountId, Class), Voting>(
                "VotingFor",
                &["An account's votes or delegation in a class."]
            ),
            storage_map::<AccountId, Vec<(Class, Balance)>>(
                "ClassLocksFor",
                &["The lock each class needs of an account; Caesar's lock is their maximum."]
            ),
            storage_map::<PollIndex, Tally>("TallyOf", &["A poll's running tally."]),
        ]
    }

    fn constants_metadata() -> Vec<PalletConstantMetadata> {
        alloc::vec![
            constant(
                "MaxVotes",
                &MAX_VOTES,
                &["Votes one account may hold in one class."]
            ),
            constant(
                "VoteLockingPeriod",
                &VOTE_LOCKING_PERIOD,
                &["Blocks per lock period of a conviction."]
            ),
            constant(
                "MaxDelegationDepth",
                &MAX_DELEGATION_DEPTH,
                &["Hops of a delegation chain walked to refuse loops."]
            ),
        ]
    }
}
