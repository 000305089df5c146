//! Caesar: CAES, the native token (12 decimals), with an existential deposit.
//!
//! Invariant: `TotalIssuance` equals the sum of `free + reserved` over all
//! accounts. Every function here either applies all of its writes or, on
//! error, none: conditions are checked before the first write.
//!
//! Fees are credited to the block author, so they conserve issuance. When the
//! author cannot receive them (no author yet, or the credit would leave a new
//! account below the existential deposit) the fee is burned instead, and
//! issuance falls by the same amount.
//!
//! Named locks (see [`locks`]) freeze part of an account's free balance: it stays in
//! the account and counts everywhere free balance does, but transfers, fees and
//! reserves may only take the usable part, `free - frozen`. Only root's `set_balance`,
//! a slash's [`burn_from`] and a fee's [`refund_fee`] ignore locks.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
pub mod benchmarking;
mod forced;
#[cfg(test)]
mod forced_tests;
#[cfg(test)]
mod issuance_tests;
pub mod locks;
#[cfg(test)]
mod locks_tests;
#[cfg(test)]
mod mock;
mod reserves;
#[cfg(test)]
mod reserves_tests;
#[cfg(test)]
mod tests;
mod types;
pub mod weights;

pub use forced::{burn_from, refund_fee};
pub use locks::{
    all_locks, extend_lock, frozen_balance, locks, remove_lock, set_lock, usable_balance,
};
pub use reserves::{reserve, reserved_balance, unreserve};
pub use types::*;

use alloc::{collections::BTreeSet, vec::Vec};
use hm_pallet_system::{self as system, Origin};
use hm_primitives::{
    storage_key::{map_key, value_key},
    AccountId, Balance, CAES_DECIMALS,
};
use hm_support::{get, put, DispatchResult, Externalities, Weight};
use parity_scale_codec::{Decode, Encode};
use scale_info::TypeInfo;

// ---------------------------------------------------------------------------
// Config and constants

/// Storage prefix of every item of this pallet.
pub const PALLET: &[u8] = b"Caesar";
/// Index of this pallet in the runtime's `Call` and event enums.
pub const PALLET_INDEX: u8 = 1;
/// CAES has 12 decimals: 1 CAES = 10^12 plancks.
pub const DECIMALS: u32 = CAES_DECIMALS;

// ---------------------------------------------------------------------------
// Storage items

/// Raw storage keys, one function per item.
pub mod storage {
    use super::*;

    /// `Account: AccountId -> AccountData`; absent for accounts that do not exist.
    pub fn account(who: &AccountId) -> Vec<u8> {
        map_key(PALLET, b"Account", &who.encode())
    }
    /// `TotalIssuance: Balance`.
    pub fn total_issuance() -> Vec<u8> {
        value_key(PALLET, b"TotalIssuance")
    }
    /// `ExistentialDeposit: Balance`, fixed at genesis.
    pub fn existential_deposit() -> Vec<u8> {
        value_key(PALLET, b"ExistentialDeposit")
    }
    /// `Locks: AccountId -> Vec<BalanceLock>`; absent for accounts without locks.
    pub fn locks(who: &AccountId) -> Vec<u8> {
        map_key(PALLET, b"Locks", &who.encode())
    }
}

/// `who`'s balances, or `None` when the account does not exist.
pub fn account(ext: &dyn Externalities, who: &AccountId) -> Option<AccountData> {
    get(ext, &storage::account(who))
}

pub fn free_balance(ext: &dyn Externalities, who: &AccountId) -> Balance {
    account(ext, who).map_or(0, |a| a.free)
}

pub fn total_issuance(ext: &dyn Externalities) -> Balance {
    get(ext, &storage::total_issuance()).unwrap_or(0)
}

/// Genesis always stores it; 1 plancks before that keeps empty accounts from existing.
pub fn existential_deposit(ext: &dyn Externalities) -> Balance {
    get(ext, &storage::existential_deposit()).unwrap_or(1)
}

// ---------------------------------------------------------------------------
// Events

#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum Event {
    /// An account was created with this free balance.
    #[codec(index = 0)]
    Endowed {
        account: AccountId,
        free_balance: Balance,
    },
    /// An account fell below the existential deposit and was removed; `amount` was burned.
    #[codec(index = 1)]
    DustLost { account: AccountId, amount: Balance },
    #[codec(index = 2)]
    Transfer {
        from: AccountId,
        to: AccountId,
        amount: Balance,
    },
    /// Root set an account's free balance.
    #[codec(index = 3)]
    BalanceSet { who: AccountId, free: Balance },
    /// A transaction fee was paid: credited to `author`, or burned when `author` is `None`.
    #[codec(index = 4)]
    FeePaid {
        who: AccountId,
        amount: Balance,
        author: Option<AccountId>,
    },
    /// New CAES were minted into an account.
    #[codec(index = 5)]
    Deposit { who: AccountId, amount: Balance },
    /// Free balance was reserved for a deposit.
    #[codec(index = 6)]
    Reserved { who: AccountId, amount: Balance },
    /// A reserved deposit was returned to the free balance.
    #[codec(index = 7)]
    Unreserved { who: AccountId, amount: Balance },
    /// A lock was set or changed; `amount` is its new amount.
    #[codec(index = 8)]
    Locked {
        who: AccountId,
        id: LockIdentifier,
        amount: Balance,
    },
    /// A lock was removed (by its owner pallet, as expired, or with its account).
    #[codec(index = 9)]
    Unlocked { who: AccountId, id: LockIdentifier },
    /// Free balance was burned by another pallet (a slash), locks notwithstanding.
    #[codec(index = 10)]
    Burned { who: AccountId, amount: Balance },
}

fn deposit_event(ext: &mut dyn Externalities, event: Event) {
    system::deposit_event(ext, PALLET_INDEX, &event);
}

// ---------------------------------------------------------------------------
// Errors

#[derive(Clone, Copy, PartialEq, Eq, Debug, TypeInfo)]
#[repr(u8)]
pub enum Error {
    /// Free balance is lower than the amount.
    InsufficientBalance = 0,
    /// The receiving account would be created below the existential deposit.
    ExistentialDeposit = 1,
    /// The sender would fall below the existential deposit and be removed.
    KeepAlive = 2,
    /// A balance or the total issuance would not fit in 128 bits.
    Overflow = 3,
    /// Reserved balance is lower than the deposit to return.
    InsufficientReserved = 4,
    /// The free balance would fall below the amount locked.
    LiquidityRestrictions = 5,
    /// The account already holds `MAX_LOCKS` locks.
    TooManyLocks = 6,
    /// The account does not exist.
    DeadAccount = 7,
}

impl Error {
    pub fn message(self) -> &'static str {
        match self {
            Error::InsufficientBalance => "insufficient free balance",
            Error::ExistentialDeposit => {
                "the new account would hold less than the existential deposit"
            }
            Error::KeepAlive => "the account would fall below the existential deposit",
            Error::Overflow => "balance overflow",
            Error::InsufficientReserved => "insufficient reserved balance",
            Error::LiquidityRestrictions => "the funds are locked",
            Error::TooManyLocks => "the account already holds the most locks allowed",
            Error::DeadAccount => "the account does not exist",
        }
    }
}

hm_support::impl_dispatch_error!(Error, PALLET_INDEX);

// ---------------------------------------------------------------------------
// Calls

#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum Call {
    /// Move `value` to `dest`. The sender is removed (its dust burned) if it falls below the ED.
    #[codec(index = 0)]
    Transfer {
        dest: AccountId,
        #[codec(compact)]
        value: Balance,
    },
    /// Like `Transfer`, but refuses to take the sender below the ED.
    #[codec(index = 1)]
    TransferKeepAlive {
        dest: AccountId,
        #[codec(compact)]
        value: Balance,
    },
    /// Root only: set `who`'s free balance, minting or burning the difference.
    #[codec(index = 2)]
    SetBalance {
        who: AccountId,
        #[codec(compact)]
        free: Balance,
    },
}

impl Call {
    pub fn weight(&self) -> Weight {
        match self {
            Call::Transfer { .. } => weights::TRANSFER,
            Call::TransferKeepAlive { .. } => weights::TRANSFER_KEEP_ALIVE,
            Call::SetBalance { .. } => weights::SET_BALANCE,
        }
    }
}

pub fn dispatch(ext: &mut dyn Externalities, origin: Origin, call: Call) -> DispatchResult {
    match call {
        Call::Transfer { dest, value } => {
            let from = system::ensure_signed(origin)?;
            transfer(ext, &from, &dest, value, Liveness::AllowDeath).map_err(Into::into)
        }
        Call::TransferKeepAlive { dest, value } => {
            let from = system::ensure_signed(origin)?;
            transfer(ext, &from, &dest, value, Liveness::KeepAlive).map_err(Into::into)
        }
        Call::SetBalance { who, free } => {
            system::ensure_root(origin)?;
            set_balance(ext, &who, free).map_err(Into::into)
        }
    }
}

/// Whether an operation may remove the account it debits.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Liveness {
    AllowDeath,
    KeepAlive,
}

/// Move `value` of free balance from `from` to `to`. Only the usable (unlocked) part
/// of the free balance may move, and a sender with an active lock is never reaped.
pub fn transfer(
    ext: &mut dyn Externalities,
    from: &AccountId,
    to: &AccountId,
    value: Balance,
    liveness: Liveness,
) -> Result<(), Error> {
    let frozen = frozen_balance(ext, from);
    move_free(ext, from, to, value, liveness, frozen)
}

/// [`transfer`] with `frozen` as the part of `from`'s free balance that may not move
/// (0 for a lock-ignoring move, see `forced`).
pub(crate) fn move_free(
    ext: &mut dyn Externalities,
    from: &AccountId,
    to: &AccountId,
    value: Balance,
    liveness: Liveness,
    frozen: Balance,
) -> Result<(), Error> {
    let ed = existential_deposit(ext);
    let sender = account(ext, from).unwrap_or_default();
    let sender_free = sender
        .free
        .checked_sub(value)
        .ok_or(Error::InsufficientBalance)?;
    if value > sender.free.saturating_sub(frozen) {
        return Err(Error::LiquidityRestrictions);
    }
    if from == to {
        deposit_event(
            ext,
            Event::Transfer {
                from: *from,
                to: *to,
                amount: value,
            },
        );
        return Ok(());
    }
    let receiver = account(ext, to);
    let receiver_data = receiver.unwrap_or_default();
    let receiver_free = receiver_data
        .free
        .checked_add(value)
        .ok_or(Error::Overflow)?;
    let receiver_total = receiver_free
        .checked_add(receiver_data.reserved)
        .ok_or(Error::Overflow)?;
    if receiver_total < ed {
        return Err(Error::ExistentialDeposit);
    }
    let sender_total = sender_free
        .checked_add(sender.reserved)
        .ok_or(Error::Overflow)?;
    let reap_sender = sender_total < ed;
    if reap_sender && liveness == Liveness::KeepAlive {
        return Err(Error::KeepAlive);
    }
    // Reaping would burn the locked funds with the dust.
    if reap_sender && frozen > 0 {
        return Err(Error::LiquidityRestrictions);
    }
    let issuance = if reap_sender {
        Some(
            total_issuance(ext)
                .checked_sub(sender_total)
                .ok_or(Error::Overflow)?,
        )
    } else {
        None
    };

    if let Some(issuance) = issuance {
        ext.storage_remove(&storage::account(from));
        put(ext, &storage::total_issuance(), &issuance);
        // Only expired locks can be left: remove them with the account.
        locks::remove_all_locks(ext, from);
    } else {
        put(
            ext,
            &storage::account(from),
            &AccountData {
                free: sender_free,
                ..sender
            },
        );
    }
    put(
        ext,
        &storage::account(to),
        &AccountData {
            free: receiver_free,
            ..receiver_data
        },
    );
    if receiver.is_none() {
        deposit_event(
            ext,
            Event::Endowed {
                account: *to,
                free_balance: receiver_free,
            },
        );
    }
    deposit_event(
        ext,
        Event::Transfer {
            from: *from,
            to: *to,
            amount: value,
        },
    );
    if reap_sender && sender_total > 0 {
        deposit_event(
            ext,
            Event::DustLost {
                account: *from,
                amount: sender_total,
            },
        );
    }
    Ok(())
}

/// Set `who`'s free balance, adjusting the issuance. Below the ED the account is
/// removed, with its locks. Locks do not restrict root: the free balance may be set
/// below the frozen amount.
pub fn set_balance(
    ext: &mut dyn Externalities,
    who: &AccountId,
    free: Balance,
) -> Result<(), Error> {
    let ed = existential_deposit(ext);
    let old = account(ext, who);
    let old_data = old.unwrap_or_default();
    let old_total = old_data.total().ok_or(Error::Overflow)?;
    let requested_total = free.checked_add(old_data.reserved).ok_or(Error::Overflow)?;
    let alive = requested_total >= ed;
    let new_total = if alive { requested_total } else { 0 };
    let issuance = total_issuance(ext)
        .checked_sub(old_total)
        .and_then(|rest| rest.checked_add(new_total))
        .ok_or(Error::Overflow)?;

    put(ext, &storage::total_issuance(), &issuance);
    let new_free = if alive {
        put(
            ext,
            &storage::account(who),
            &AccountData { free, ..old_data },
        );
        if old.is_none() {
            deposit_event(
                ext,
                Event::Endowed {
                    account: *who,
                    free_balance: free,
                },
            );
        }
        free
    } else {
        ext.storage_remove(&storage::account(who));
        locks::remove_all_locks(ext, who);
        0
    };
    deposit_event(
        ext,
        Event::BalanceSet {
            who: *who,
            free: new_free,
        },
    );
    Ok(())
}

// ---------------------------------------------------------------------------
// Functions for other pallets and the runtime

/// Check that `who` exists and can pay `amount` from the usable part of its free
/// balance (fees never dip into locked funds) and stay at or above the existential
/// deposit. Returns its balances after paying.
pub fn ensure_can_withdraw_fee(
    ext: &dyn Externalities,
    who: &AccountId,
    amount: Balance,
) -> Result<AccountData, Error> {
    let data = account(ext, who).ok_or(Error::InsufficientBalance)?;
    let free = data
        .free
        .checked_sub(amount)
        .ok_or(Error::InsufficientBalance)?;
    locks::ensure_liquid(ext, who, data.free, amount)?;
    let total = free.checked_add(data.reserved).ok_or(Error::Overflow)?;
    if total < existential_deposit(ext) {
        return Err(Error::KeepAlive);
    }
    Ok(AccountData { free, ..data })
}

/// Take a transaction fee from `who` (which must stay alive) and credit it to
/// the block author, or burn it when the author cannot receive it.
pub fn withdraw_fee(
    ext: &mut dyn Externalities,
    who: &AccountId,
    amount: Balance,
) -> Result<(), Error> {
    let payer = ensure_can_withdraw_fee(ext, who, amount)?;
    if amount == 0 {
        return Ok(());
    }
    let ed = existential_deposit(ext);
    let author = system::author(ext);
    // The author's balances as they will be after the payer's debit (the author may be the payer).
    let author_credit = author.and_then(|author| {
        let existing = if author == *who {
            Some(payer)
        } else {
            account(ext, &author)
        };
        let data = existing.unwrap_or_default();
        let free = data.free.checked_add(amount)?;
        let total = free.checked_add(data.reserved)?;
        (total >= ed).then_some((author, AccountData { free, ..data }, existing.is_none()))
    });
    let burned_issuance = match author_credit {
        Some(_) => None,
        None => Some(
            total_issuance(ext)
                .checked_sub(amount)
                .ok_or(Error::Overflow)?,
        ),
    };

    put(ext, &storage::account(who), &payer);
    let credited_to = match author_credit {
        Some((author, data, is_new)) => {
            put(ext, &storage::account(&author), &data);
            if is_new {
                deposit_event(
                    ext,
                    Event::Endowed {
                        account: author,
                        free_balance: data.free,
                    },
                );
            }
            Some(author)
        }
        None => None,
    };
    if let Some(issuance) = burned_issuance {
        put(ext, &storage::total_issuance(), &issuance);
    }
    deposit_event(
        ext,
        Event::FeePaid {
            who: *who,
            amount,
            author: credited_to,
        },
    );
    Ok(())
}

/// Mint `amount` into `who`'s free balance (rewards). A new account must receive at least the ED.
pub fn deposit(ext: &mut dyn Externalities, who: &AccountId, amount: Balance) -> Result<(), Error> {
    let existing = account(ext, who);
    let data = existing.unwrap_or_default();
    let free = data.free.checked_add(amount).ok_or(Error::Overflow)?;
    let total = free.checked_add(data.reserved).ok_or(Error::Overflow)?;
    if total < existential_deposit(ext) {
        return Err(Error::ExistentialDeposit);
    }
    let issuance = total_issuance(ext)
        .checked_add(amount)
        .ok_or(Error::Overflow)?;
    put(ext, &storage::total_issuance(), &issuance);
    put(ext, &storage::account(who), &AccountData { free, ..data });
    if existing.is_none() {
        deposit_event(
            ext,
            Event::Endowed {
                account: *who,
                free_balance: free,
            },
        );
    }
    deposit_event(ext, Event::Deposit { who: *who, amount });
    Ok(())
}

// ---------------------------------------------------------------------------
// Hooks: none. Caesar has no per-block work.

// ---------------------------------------------------------------------------
// Genesis

#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct GenesisConfig {
    /// Must be positive: a zero ED would let empty accounts fill the state for free.
    pub existential_deposit: Balance,
    pub balances: Vec<(AccountId, Balance)>,
}

impl GenesisConfig {
    pub fn build(&self, ext: &mut dyn Externalities) -> Result<(), &'static str> {
        if self.existential_deposit == 0 {
            return Err("existential deposit must be positive");
        }
        let mut seen = BTreeSet::new();
        let mut issuance: Balance = 0;
        for (who, balance) in &self.balances {
            if !seen.insert(*who) {
                return Err("an account appears twice in the genesis balances");
            }
            if *balance < self.existential_deposit {
                return Err("a genesis balance is below the existential deposit");
            }
            issuance = issuance
                .checked_add(*balance)
                .ok_or("genesis balances overflow the total issuance")?;
        }
        put(
            ext,
            &storage::existential_deposit(),
            &self.existential_deposit,
        );
        put(ext, &storage::total_issuance(), &issuance);
        for (who, balance) in &self.balances {
            put(
                ext,
                &storage::account(who),
                &AccountData {
                    free: *balance,
                    reserved: 0,
                },
            );
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// The pallet in the runtime's list

pub struct Pallet;

impl hm_support::Pallet for Pallet {
    const INDEX: u8 = PALLET_INDEX;
    const NAME: &'static str = "Caesar";
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
        hm_support::with_declared_weight(dispatch(ext, origin, call))
    }

    fn build_genesis(
        ext: &mut dyn Externalities,
        config: &GenesisConfig,
    ) -> Result<(), &'static str> {
        config.build(ext)
    }

    /// Total issuance equals the sum of `free + reserved` over all accounts,
    /// every stored account holds at least the existential deposit, and every
    /// `Locks` entry is well-formed and belongs to an existing account.
    fn try_state(ext: &dyn Externalities) -> Result<(), &'static str> {
        let ed = existential_deposit(ext);
        let prefix = value_key(PALLET, b"Account");
        let mut sum: Balance = 0;
        for (_, raw) in hm_support::iter_prefix(ext, &prefix) {
            let data = AccountData::decode(&mut &raw[..])
                .map_err(|_| "an account's balances do not decode")?;
            let total = data
                .total()
                .ok_or("an account's free + reserved overflows")?;
            if total < ed {
                return Err("an account exists below the existential deposit");
            }
            sum = sum
                .checked_add(total)
                .ok_or("the sum of balances overflows")?;
        }
        if sum != total_issuance(ext) {
            return Err("total issuance differs from the sum of balances");
        }
        check_locks(ext)
    }

    fn storage_metadata() -> Vec<frame_metadata::v15::StorageEntryMetadata> {
        use hm_support::metadata::{storage_map, storage_value};
        alloc::vec![
            storage_map::<AccountId, AccountData>("Account", &["Balances of an existing account."]),
            storage_value::<Balance>("TotalIssuance", &["Sum of all accounts' free + reserved."]),
            storage_value::<Balance>(
                "ExistentialDeposit",
                &["Smallest total an account may hold."]
            ),
            storage_map::<AccountId, Vec<BalanceLock>>(
                "Locks",
                &[
                    "Named locks on an account's free balance; the largest active one is frozen.",
                    "A lock counts while the block number is at most its `until` (`None`: always).",
                ]
            ),
        ]
    }

    fn constants_metadata() -> Vec<frame_metadata::v15::PalletConstantMetadata> {
        alloc::vec![
            hm_support::metadata::constant(
                "Decimals",
                &DECIMALS,
                &["CAES has 12 decimals: 1 CAES = 10^12 plancks."],
            ),
            hm_support::metadata::constant(
                "MaxLocks",
                &MAX_LOCKS,
                &["Most locks one account may hold at once."],
            ),
        ]
    }
}

/// Every `Locks` entry belongs to an existing account and holds 1 to `MAX_LOCKS`
/// locks, with distinct ids and no zero amount.
fn check_locks(ext: &dyn Externalities) -> Result<(), &'static str> {
    for (who, stored) in all_locks(ext)? {
        if account(ext, &who).is_none() {
            return Err("a lock belongs to an account that does not exist");
        }
        if stored.is_empty() {
            return Err("an empty list of locks is stored");
        }
        if stored.len() > MAX_LOCKS as usize {
            return Err("an account holds more than MaxLocks locks");
        }
        let mut ids = BTreeSet::new();
        for lock in &stored {
            if !ids.insert(lock.id) {
                return Err("an account holds two locks with the same id");
            }
            if lock.amount == 0 {
                return Err("a lock of zero is stored");
            }
        }
    }
    Ok(())
}
