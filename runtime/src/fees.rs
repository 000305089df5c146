//! Fees after dispatch: every call reports the weight it actually used
//! ([`hm_support::PostDispatchInfo`], FRAME's post-dispatch info), and the fee of
//! the unused part goes back to the signer.
//!
//! An extrinsic pays for its declared weight up front (a contract call declares its
//! whole gas limit). When the call reports that it used less, the fee of the unused
//! weight goes back to the signer and the block's weight counter is lowered by it, so
//! the signer pays for what it used, on success and on failure. The up-front fee was
//! credited to the block author (or burned when the author could not receive it), so
//! the refund comes from the same place: the author sends it back, or, for a burned
//! fee, it is minted back. Issuance stays equal to the sum of balances.
//!
//! The author may be a stash whose bond locks all it held before this extrinsic. The
//! refund returns part of the fee just credited on top of that, so it ignores the
//! author's locks ([`caesar::refund_fee`]): a lock never makes the signer overpay.
use crate::{caesar, dispatch_call, system, weights, Call};
use hm_pallet_caesar::Liveness;
use hm_primitives::{AccountId, Balance};
use hm_support::{put, with_transaction, DispatchResult, Externalities, Origin, Weight};

/// Dispatch `call` in its own overlay (rolled back on `Err`) and return the call's weight
/// after execution, when the call reports one (contract calls do).
pub(crate) fn dispatch_with_weight(
    ext: &mut dyn Externalities,
    origin: Origin,
    call: Call,
) -> (DispatchResult, Option<Weight>) {
    let mut actual = None;
    let result = with_transaction(ext, |ext| match dispatch_call(ext, origin, call) {
        Ok(post) => {
            actual = post.actual_weight;
            Ok(())
        }
        Err(e) => {
            actual = e.post_info.actual_weight;
            Err(e.error)
        }
    });
    (result, actual)
}

/// Who received the fee just withdrawn from the signer: the block author when the credit
/// went through (its account exists after it), `None` when the fee was burned.
pub(crate) fn fee_recipient(ext: &dyn Externalities) -> Option<AccountId> {
    system::author(ext).filter(|author| caesar::account(ext, author).is_some())
}

/// What the signer is charged once the call reported `actual_call_weight`: the weight and
/// fee of the extrinsic, lowered (and the difference refunded) when less was used.
#[allow(clippy::too_many_arguments)] // the extrinsic's accounting, all of it needed
pub(crate) fn refund_unused_weight(
    ext: &mut dyn Externalities,
    who: &AccountId,
    fee_recipient: Option<AccountId>,
    declared: Weight,
    actual_call_weight: Option<Weight>,
    fee: Balance,
    len: usize,
    tip: Balance,
) -> (Weight, Balance) {
    let Some(call_weight) = actual_call_weight else {
        return (declared, fee);
    };
    let actual = weights::EXTRINSIC_BASE
        .saturating_add(call_weight)
        .min(declared);
    let Some(actual_fee) = system::parameters(ext).fees.fee(len, actual, tip) else {
        return (declared, fee);
    };
    let unused = declared - actual;
    let block_weight = system::block_weight(ext).saturating_sub(unused);
    put(ext, &system::storage::block_weight(), &block_weight);
    let refund = fee.saturating_sub(actual_fee);
    if refund == 0 {
        return (actual, fee);
    }
    let refunded = with_transaction(ext, |ext| match fee_recipient {
        // The signer authored the block: it paid the fee to itself.
        Some(author) if author == *who => Ok(()),
        // A fresh author account (no locks: it did not exist before the fee) may not keep
        // enough to stay alive; then it goes, as a fee too small to credit would have
        // been burned.
        Some(author) => caesar::refund_fee(ext, &author, who, refund)
            .or_else(|_| caesar::transfer(ext, &author, who, refund, Liveness::AllowDeath)),
        None => caesar::deposit(ext, who, refund),
    });
    match refunded {
        Ok(()) => (actual, actual_fee),
        Err(_) => (actual, fee),
    }
}
