//! The calls of the conviction-voting pallet (signed), their weights and their dispatch.
use crate::{
    delegation, voting, weights, AccountVote, Class, Config, Conviction, PollIndex, UnlockScope,
};
use hm_pallet_system::{self as system, Origin};
use hm_primitives::{AccountId, Balance};
use hm_support::{with_transaction, DispatchResult, Externalities, Weight};
use parity_scale_codec::{Decode, Encode};
use scale_info::TypeInfo;

#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum Call {
    /// Vote on an ongoing poll, or change one's vote there.
    #[codec(index = 0)]
    Vote { poll: PollIndex, vote: AccountVote },
    /// Delegate `balance` with `conviction` to `to` for the polls of `class`.
    #[codec(index = 1)]
    Delegate {
        class: Class,
        to: AccountId,
        conviction: Conviction,
        balance: Balance,
    },
    /// Stop delegating in `class`.
    #[codec(index = 2)]
    Undelegate { class: Class },
    /// Release what `target`'s lock in `class` no longer needs (anyone may call).
    #[codec(index = 3)]
    Unlock { class: Class, target: AccountId },
    /// Remove one's vote on `poll`; `class` is needed once the poll is over.
    #[codec(index = 4)]
    RemoveVote {
        class: Option<Class>,
        poll: PollIndex,
    },
    /// Remove `target`'s vote on a poll that is over, once its lock has expired.
    #[codec(index = 5)]
    RemoveOtherVote {
        target: AccountId,
        class: Class,
        poll: PollIndex,
    },
}

impl Call {
    /// Worst cases: full vote records; a delegation updating `MAX_VOTES` tallies.
    pub fn weight(&self) -> Weight {
        match self {
            Call::Vote { .. } => weights::VOTE,
            Call::Delegate { .. } => weights::DELEGATE,
            Call::Undelegate { .. } => weights::UNDELEGATE,
            Call::Unlock { .. } => weights::UNLOCK,
            Call::RemoveVote { .. } => weights::REMOVE_VOTE,
            // One's own vote on an ongoing poll takes `remove_vote`'s path.
            Call::RemoveOtherVote { .. } => weights::REMOVE_OTHER_VOTE.max(weights::REMOVE_VOTE),
        }
    }
}

/// Run `call` as `origin` (signed only), with the polls `C` reports. Atomic: a failing
/// call leaves the state as it was.
pub fn dispatch<C: Config>(
    ext: &mut dyn Externalities,
    origin: Origin,
    call: Call,
) -> DispatchResult {
    let who = system::ensure_signed(origin)?;
    with_transaction(ext, |ext| match call {
        Call::Vote { poll, vote } => voting::vote::<C>(ext, &who, poll, vote),
        Call::Delegate {
            class,
            to,
            conviction,
            balance,
        } => delegation::delegate::<C>(ext, &who, class, &to, conviction, balance),
        Call::Undelegate { class } => delegation::undelegate::<C>(ext, &who, class),
        Call::Unlock { class, target } => voting::unlock(ext, &target, class),
        Call::RemoveVote { class, poll } => {
            voting::remove_vote::<C>(ext, &who, class, poll, UnlockScope::Any)
        }
        Call::RemoveOtherVote {
            target,
            class,
            poll,
        } => {
            let scope = if target == who {
                UnlockScope::Any
            } else {
                UnlockScope::OnlyExpired
            };
            voting::remove_vote::<C>(ext, &target, Some(class), poll, scope)
        }
    })
}
