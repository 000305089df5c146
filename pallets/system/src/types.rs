//! Data types of the system pallet.
use hm_primitives::{Balance, MAX_BLOCK_BYTES, MAX_EXTRINSIC_BYTES};
use hm_support::{DispatchError, Weight};
use parity_scale_codec::{Decode, Encode};
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};

pub use hm_support::Origin;

/// Part of the block during which an event was deposited.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum Phase {
    Initialization,
    ApplyExtrinsic(u32),
    Finalization,
}

/// Transaction fee schedule. `fee = length_fee_per_byte * encoded_len + weight_fee_per_unit * weight + tip`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FeeParams {
    /// Plancks per byte of the encoded extrinsic.
    pub length_fee_per_byte: Balance,
    /// Plancks per unit of weight (one picosecond of reference execution time).
    pub weight_fee_per_unit: Balance,
}

impl FeeParams {
    /// The fee for an extrinsic, or `None` when it does not fit in a `Balance`.
    pub fn fee(&self, encoded_len: usize, weight: Weight, tip: Balance) -> Option<Balance> {
        let length_fee = self
            .length_fee_per_byte
            .checked_mul(Balance::try_from(encoded_len).ok()?)?;
        let weight_fee = self
            .weight_fee_per_unit
            .checked_mul(Balance::from(weight))?;
        length_fee.checked_add(weight_fee)?.checked_add(tip)
    }
}

impl Default for FeeParams {
    /// 1 µCAES per byte and 1 planck per picosecond: a ~3 KiB transfer costs a few mCAES.
    fn default() -> Self {
        FeeParams {
            length_fee_per_byte: 1_000_000,
            weight_fee_per_unit: 1,
        }
    }
}

/// Chain parameters the root key may change.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct Parameters {
    pub fees: FeeParams,
    /// Sum of extrinsic weights a block may hold (picoseconds).
    pub max_block_weight: Weight,
    /// Sum of encoded extrinsic lengths a block may hold (bytes).
    pub max_block_length: u32,
}

/// Half of a 1 s block spent executing extrinsics; the rest is import, voting and networking.
pub const DEFAULT_MAX_BLOCK_WEIGHT: Weight = 500_000_000_000;
/// Substrate's default block length.
pub const DEFAULT_MAX_BLOCK_LENGTH: u32 = 5 * 1024 * 1024;
/// A block must be able to hold at least 10 ms of execution, so a parameter change
/// can never leave the chain unable to include the call that repairs it.
pub const MIN_MAX_BLOCK_WEIGHT: Weight = 10_000_000_000;

impl Default for Parameters {
    fn default() -> Self {
        Parameters {
            fees: FeeParams::default(),
            max_block_weight: DEFAULT_MAX_BLOCK_WEIGHT,
            max_block_length: DEFAULT_MAX_BLOCK_LENGTH,
        }
    }
}

impl Parameters {
    /// Refuse parameters under which some valid extrinsic could never be included
    /// or its fee could not be computed.
    pub fn is_sane(&self) -> bool {
        let length_ok = usize::try_from(self.max_block_length)
            .is_ok_and(|len| (MAX_EXTRINSIC_BYTES..=MAX_BLOCK_BYTES).contains(&len));
        let weight_ok = self.max_block_weight >= MIN_MAX_BLOCK_WEIGHT;
        let fee_ok = self
            .fees
            .fee(MAX_EXTRINSIC_BYTES, self.max_block_weight, 0)
            .is_some();
        length_ok && weight_ok && fee_ok
    }
}

/// A dispatch error as it is stored in events: `(pallet, error)` without the log message.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct DispatchErrorInfo {
    pub pallet: u8,
    pub error: u8,
}

impl From<DispatchError> for DispatchErrorInfo {
    fn from(e: DispatchError) -> Self {
        DispatchErrorInfo {
            pallet: e.pallet,
            error: e.error,
        }
    }
}
