//! The calls of the DEX pallet, their weights and their dispatch.
use crate::{pool, swap, weights, AssetKind, MAX_PATH_LEN};
use alloc::vec::Vec;
use hm_pallet_system::{self as system, Origin};
use hm_primitives::{AccountId, Balance, BlockNumber};
use hm_support::{
    with_transaction, DispatchResultWithPostInfo, Externalities, PostDispatchInfo, Weight,
};
use parity_scale_codec::{Decode, Encode};
use scale_info::TypeInfo;

#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum Call {
    /// Create the pool of two assets (either order) and its LP token. For a CAES side
    /// the signer pays the existential deposit into the pool account.
    #[codec(index = 0)]
    CreatePool {
        asset0: AssetKind,
        asset1: AssetKind,
    },
    /// Deposit at the pool's ratio, up to the desired amounts and at least the
    /// minimums (in the order of `asset0`, `asset1` as given); shares go to `mint_to`.
    #[codec(index = 1)]
    AddLiquidity {
        asset0: AssetKind,
        asset1: AssetKind,
        #[codec(compact)]
        amount0_desired: Balance,
        #[codec(compact)]
        amount1_desired: Balance,
        #[codec(compact)]
        amount0_min: Balance,
        #[codec(compact)]
        amount1_min: Balance,
        mint_to: AccountId,
    },
    /// Burn `lp_amount` shares; their part of the reserves goes to `withdraw_to`.
    #[codec(index = 2)]
    RemoveLiquidity {
        asset0: AssetKind,
        asset1: AssetKind,
        #[codec(compact)]
        lp_amount: Balance,
        #[codec(compact)]
        amount0_min: Balance,
        #[codec(compact)]
        amount1_min: Balance,
        withdraw_to: AccountId,
    },
    /// Swap exactly `amount_in` of `path[0]` (protocol fee included) for at least
    /// `amount_out_min` of the last asset, no later than block `deadline`.
    #[codec(index = 3)]
    SwapExactIn {
        path: Vec<AssetKind>,
        #[codec(compact)]
        amount_in: Balance,
        #[codec(compact)]
        amount_out_min: Balance,
        send_to: AccountId,
        deadline: BlockNumber,
    },
    /// Swap at most `amount_in_max` of `path[0]` (protocol fee included) for exactly
    /// `amount_out` of the last asset, no later than block `deadline`.
    #[codec(index = 4)]
    SwapExactOut {
        path: Vec<AssetKind>,
        #[codec(compact)]
        amount_out: Balance,
        #[codec(compact)]
        amount_in_max: Balance,
        send_to: AccountId,
        deadline: BlockNumber,
    },
    /// Root only: the protocol fee, in basis points of a swap's input (at most
    /// `MaxProtocolFeeBps`).
    #[codec(index = 5)]
    SetProtocolFee { bps: u16 },
}

impl Call {
    pub fn weight(&self) -> Weight {
        match self {
            Call::CreatePool { .. } => weights::CREATE_POOL,
            Call::AddLiquidity { .. } => weights::ADD_LIQUIDITY,
            Call::RemoveLiquidity { .. } => weights::REMOVE_LIQUIDITY,
            Call::SwapExactIn { .. } => weights::SWAP_EXACT_IN,
            Call::SwapExactOut { .. } => weights::SWAP_EXACT_OUT,
            Call::SetProtocolFee { .. } => weights::SET_PROTOCOL_FEE,
        }
    }
}

/// The share of a swap's weight, measured over `MAX_PATH_LEN - 1` hops, that a path
/// of `len` assets uses: one share for the fixed part and one per hop.
fn swap_weight(full: Weight, len: usize) -> PostDispatchInfo {
    let hops = len.saturating_sub(1) as u128;
    let shares = MAX_PATH_LEN as u128;
    let used = (full as u128).saturating_mul(hops + 1) / shares;
    PostDispatchInfo {
        actual_weight: Some(used.min(full as u128) as Weight),
    }
}

/// Run `call` as `origin`. Atomic: a failing call leaves the state as it was.
pub fn dispatch(
    ext: &mut dyn Externalities,
    origin: Origin,
    call: Call,
) -> DispatchResultWithPostInfo {
    if let Call::SetProtocolFee { bps } = call {
        system::ensure_root(origin)?;
        return with_transaction(ext, |ext| pool::set_protocol_fee(ext, bps))
            .map(|()| PostDispatchInfo::default())
            .map_err(Into::into);
    }
    let who = system::ensure_signed(origin)?;
    with_transaction(ext, |ext| dispatch_signed(ext, &who, call))
}

fn dispatch_signed(
    ext: &mut dyn Externalities,
    who: &AccountId,
    call: Call,
) -> DispatchResultWithPostInfo {
    let declared = PostDispatchInfo::default();
    match call {
        Call::CreatePool { asset0, asset1 } => {
            pool::create_pool(ext, who, asset0, asset1)?;
            Ok(declared)
        }
        Call::AddLiquidity {
            asset0,
            asset1,
            amount0_desired,
            amount1_desired,
            amount0_min,
            amount1_min,
            mint_to,
        } => {
            pool::add_liquidity(
                ext,
                who,
                asset0,
                asset1,
                amount0_desired,
                amount1_desired,
                amount0_min,
                amount1_min,
                &mint_to,
            )?;
            Ok(declared)
        }
        Call::RemoveLiquidity {
            asset0,
            asset1,
            lp_amount,
            amount0_min,
            amount1_min,
            withdraw_to,
        } => {
            pool::remove_liquidity(
                ext,
                who,
                asset0,
                asset1,
                lp_amount,
                amount0_min,
                amount1_min,
                &withdraw_to,
            )?;
            Ok(declared)
        }
        Call::SwapExactIn {
            path,
            amount_in,
            amount_out_min,
            send_to,
            deadline,
        } => {
            let len = path.len();
            swap::swap_exact_in(
                ext,
                who,
                path,
                amount_in,
                amount_out_min,
                &send_to,
                deadline,
            )?;
            Ok(swap_weight(weights::SWAP_EXACT_IN, len))
        }
        Call::SwapExactOut {
            path,
            amount_out,
            amount_in_max,
            send_to,
            deadline,
        } => {
            let len = path.len();
            swap::swap_exact_out(
                ext,
                who,
                path,
                amount_out,
                amount_in_max,
                &send_to,
                deadline,
            )?;
            Ok(swap_weight(weights::SWAP_EXACT_OUT, len))
        }
        Call::SetProtocolFee { .. } => Err(hm_pallet_system::Error::BadOrigin.into()),
    }
}
