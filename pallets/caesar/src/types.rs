//! Data types of the Caesar pallet.
use hm_primitives::Balance;
use parity_scale_codec::{Decode, Encode, MaxEncodedLen};

/// An account's CAES. The account exists while `free + reserved >= ExistentialDeposit`.
#[derive(
    Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, MaxEncodedLen, scale_info::TypeInfo,
)]
pub struct AccountData {
    /// Spendable balance.
    pub free: Balance,
    /// Held balance (no call reserves funds yet; counted in the total and in issuance).
    pub reserved: Balance,
}

impl AccountData {
    /// `free + reserved`, or `None` when it does not fit (never for data the pallet wrote).
    pub fn total(&self) -> Option<Balance> {
        self.free.checked_add(self.reserved)
    }
}
