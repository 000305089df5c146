//! Data types of the Caesar pallet.
use hm_primitives::{Balance, BlockNumber};
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

/// Name of a balance lock, chosen by the pallet that sets it (e.g. `*b"staking "`).
pub type LockIdentifier = [u8; 8];

/// Most locks one account may hold at once.
pub const MAX_LOCKS: u32 = 16;

/// A named lock on part of an account's free balance (see `crate::locks`).
#[derive(
    Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, scale_info::TypeInfo,
)]
pub struct BalanceLock {
    pub id: LockIdentifier,
    /// Free balance that may not leave the account while the lock is active (never zero).
    pub amount: Balance,
    /// Last block at which the lock counts: active while `block_number <= until`,
    /// expired from block `until + 1` on. `None`: until removed.
    pub until: Option<BlockNumber>,
}

impl BalanceLock {
    /// Whether the lock counts at block `now`.
    pub fn is_active(&self, now: BlockNumber) -> bool {
        self.until.is_none_or(|until| now <= until)
    }
}
