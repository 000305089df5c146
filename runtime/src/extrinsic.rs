//! Checking, applying and validating extrinsics.
//!
//! The same checks run in the pool (`validate_transaction`, against the best
//! state, allowing future nonces) and in a block (`apply_extrinsic`, nonce
//! exact). Cheap state checks run before the Falcon signature check, so junk
//! costs little to refuse.
use crate::{
    caesar, fees, system, unsigned, weights, BlockContext, Call, Extrinsic, TxContext, VERSION,
};
use hm_primitives::{
    decode_untrusted, signing_message, AccountId, Balance, BlockNumber, FalconPublicKey,
    InvalidTransaction, Nonce, SignedPart, Signer, ValidTransaction, H256, MAX_EXTRINSIC_BYTES,
};
use hm_support::Origin;
use hm_support::{with_transaction, DispatchError, Externalities, Weight};

/// How far ahead of the account's next nonce the pool accepts a transaction.
pub const MAX_FUTURE_NONCES: Nonce = 64;

/// The result of including an extrinsic in a block.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ApplyOutcome {
    /// What the call itself did. On `Err` its state changes were rolled back;
    /// the fee and the nonce bump were kept.
    pub result: Result<(), DispatchError>,
    /// Weight charged: the per-extrinsic base plus the call's weight (for contract
    /// calls, the weight they used rather than their gas limit).
    pub weight: Weight,
    /// Fee paid: length fee + weight fee + tip, after the refund of unused weight.
    pub fee: Balance,
}

/// Weight and fee an extrinsic would be charged (for `payment_queryInfo`-style RPC).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct FeeInfo {
    pub weight: Weight,
    /// Length fee + weight fee, without the tip.
    pub partial_fee: Balance,
    pub tip: Balance,
}

/// Whether the nonce must be the next one (in a block) or may be ahead (in the pool).
#[derive(Clone, Copy, PartialEq, Eq)]
enum NonceRule {
    Exact,
    AllowFuture,
}

/// An extrinsic that passed every check against some state.
struct Checked {
    who: AccountId,
    /// The carried key when it is not stored yet.
    key_to_register: Option<FalconPublicKey>,
    nonce: Nonce,
    account_nonce: Nonce,
    tip: Balance,
    valid_until: BlockNumber,
    call: Call,
    weight: Weight,
    fee: Balance,
}

fn decode(xt: &[u8]) -> Result<Extrinsic, InvalidTransaction> {
    decode_untrusted::<Extrinsic>(xt, MAX_EXTRINSIC_BYTES)
        .map_err(|_| InvalidTransaction::Malformed)
}

/// Check a signed extrinsic: `xt` is its encoding, `signed` and `call` its parts.
fn check(
    ext: &dyn Externalities,
    genesis_hash: &H256,
    including_block: BlockNumber,
    xt: &[u8],
    (signed, call): (SignedPart, Call),
    rule: NonceRule,
) -> Result<Checked, InvalidTransaction> {
    let SignedPart {
        signer,
        extra,
        signature,
    } = signed;
    let who = signer.account_id();
    let stored_key = system::public_key(ext, &who);
    let (key, key_to_register) = match signer {
        Signer::FullKey(key) if stored_key.is_none() => (key.clone(), Some(key)),
        // A carried key hashes to `who`, so it is the stored key.
        Signer::FullKey(key) => (key, None),
        Signer::Id(_) => (stored_key.ok_or(InvalidTransaction::UnknownSigner)?, None),
    };

    if extra.valid_until < including_block {
        return Err(InvalidTransaction::Expired {
            valid_until: extra.valid_until,
            current: including_block,
        });
    }
    let account_nonce = system::account_nonce(ext, &who);
    if extra.nonce < account_nonce {
        return Err(InvalidTransaction::Stale {
            expected: account_nonce,
            got: extra.nonce,
        });
    }
    let highest = match rule {
        NonceRule::Exact => account_nonce,
        NonceRule::AllowFuture => account_nonce.saturating_add(MAX_FUTURE_NONCES),
    };
    if extra.nonce > highest {
        return Err(InvalidTransaction::FutureTooFar {
            expected: account_nonce,
            got: extra.nonce,
        });
    }

    let params = system::parameters(ext);
    let weight = weights::EXTRINSIC_BASE.saturating_add(call.weight());
    let too_long = u32::try_from(xt.len()).map_or(true, |len| len > params.max_block_length);
    if weight > params.max_block_weight || too_long {
        return Err(InvalidTransaction::ExhaustsResources);
    }
    let free = caesar::free_balance(ext, &who);
    let fee =
        params
            .fees
            .fee(xt.len(), weight, extra.tip)
            .ok_or(InvalidTransaction::CannotPayFees {
                fee: Balance::MAX,
                free,
            })?;
    caesar::ensure_can_withdraw_fee(ext, &who, fee)
        .map_err(|_| InvalidTransaction::CannotPayFees { fee, free })?;

    let message = signing_message(genesis_hash, VERSION.spec_version, &who, &extra, &call);
    if !ext.falcon_verify(key.as_bytes(), message.as_bytes(), &signature.0) {
        return Err(InvalidTransaction::BadSignature);
    }
    Ok(Checked {
        who,
        key_to_register,
        nonce: extra.nonce,
        account_nonce,
        tip: extra.tip,
        valid_until: extra.valid_until,
        call,
        weight,
        fee,
    })
}

/// Apply one extrinsic of block `ctx`.
///
/// `Ok`: the extrinsic is included: the fee is paid and the nonce bumped
/// whether or not the call succeeded (`outcome.result` says). `Err`: the
/// extrinsic may not be in this block at all, and nothing was changed.
/// Unsigned extrinsics (only equivocation evidence) pay nothing and must
/// succeed to be included.
pub fn apply_extrinsic(
    ext: &mut dyn Externalities,
    ctx: &BlockContext,
    xt: &[u8],
) -> Result<ApplyOutcome, InvalidTransaction> {
    let Extrinsic { signed, call } = decode(xt)?;
    let Some(signed) = signed else {
        return unsigned::apply(ext, ctx, xt.len(), call);
    };
    let checked = check(
        ext,
        &ctx.genesis_hash,
        ctx.number,
        xt,
        (signed, call),
        NonceRule::Exact,
    )?;
    let Checked {
        who,
        key_to_register,
        weight,
        fee,
        tip,
        call,
        ..
    } = checked;
    with_transaction(ext, |ext| {
        system::reserve_block_resources(ext, weight, xt.len())
            .map_err(|_| InvalidTransaction::ExhaustsResources)?;
        system::start_extrinsic(ext);
        if let Some(key) = &key_to_register {
            system::register_public_key(ext, key);
        }
        caesar::withdraw_fee(ext, &who, fee).map_err(|_| InvalidTransaction::CannotPayFees {
            fee,
            free: caesar::free_balance(ext, &who),
        })?;
        // 2^64 transactions from one account cannot happen; refuse rather than wrap.
        system::inc_account_nonce(ext, &who).ok_or(InvalidTransaction::ExhaustsResources)?;
        Ok(())
    })?;
    // Contract calls report the weight they used; the rest of their fee goes back.
    let fee_recipient = fees::fee_recipient(ext);
    let (result, used) = fees::dispatch_with_weight(ext, Origin::Signed(who), call);
    let (weight, fee) =
        fees::refund_unused_weight(ext, &who, fee_recipient, weight, used, fee, xt.len(), tip);
    system::note_applied_extrinsic(ext, &result, weight);
    Ok(ApplyOutcome {
        result,
        weight,
        fee,
    })
}

/// Pool-side check of a transaction against the best block's state.
pub fn validate_transaction(
    ext: &dyn Externalities,
    ctx: &TxContext,
    xt: &[u8],
) -> Result<ValidTransaction, InvalidTransaction> {
    let Extrinsic { signed, call } = decode(xt)?;
    let Some(signed) = signed else {
        return unsigned::validate(ext, ctx, xt.len(), call);
    };
    let including_block = ctx.best_number.saturating_add(1);
    let checked = check(
        ext,
        &ctx.genesis_hash,
        including_block,
        xt,
        (signed, call),
        NonceRule::AllowFuture,
    )?;
    Ok(ValidTransaction {
        sender: checked.who,
        nonce: checked.nonce,
        account_nonce: checked.account_nonce,
        priority: u64::try_from(checked.tip).unwrap_or(u64::MAX),
        valid_until: checked.valid_until,
        fee: checked.fee,
    })
}

/// The weight and fee `xt` would be charged under the current parameters. The
/// signature and nonce are not checked. Unsigned extrinsics pay no fee.
pub fn fee_info(ext: &dyn Externalities, xt: &[u8]) -> Result<FeeInfo, InvalidTransaction> {
    let decoded = decode(xt)?;
    if decoded.signed.is_none() {
        return Ok(FeeInfo {
            weight: decoded.call.weight(),
            partial_fee: 0,
            tip: 0,
        });
    }
    let tip = decoded.signed.as_ref().map_or(0, |s| s.extra.tip);
    let weight = weights::EXTRINSIC_BASE.saturating_add(decoded.call.weight());
    let partial_fee = system::parameters(ext)
        .fees
        .fee(xt.len(), weight, 0)
        .ok_or(InvalidTransaction::ExhaustsResources)?;
    Ok(FeeInfo {
        weight,
        partial_fee,
        tip,
    })
}
