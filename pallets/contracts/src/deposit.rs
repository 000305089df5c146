//! Deposits: where they are held, what they cost, and the meter of one execution.
//!
//! Held deposits sit in the pot account [`deposit_account`] (no key hashes to it), and
//! `TotalDeposits` records what the pot owes. The pot also keeps a floor of at least the
//! existential deposit, minted once the first time anything is held (Caesar would reap
//! an account below the ED, so paying out the last deposit must not empty it). Minting
//! keeps `TotalIssuance == Σ(free + reserved)`. (Caesar's reserves came later; moving
//! these deposits onto them is a storage migration not yet written.)
//!
//! Storage deposits of an execution are metered in memory ([`DepositMeter`], rolled back
//! with each failed frame) and settled once, when the execution succeeds: the signer pays
//! the net charge into the pot or receives the net refund from it.
use crate::{types::ContractInfo, CodeInfo, Error, DEPOSIT_PER_BYTE, DEPOSIT_PER_ITEM};
use hm_pallet_caesar::{self as caesar, Liveness};
use hm_primitives::{blake3_256, AccountId, Balance};
use hm_support::{put, Externalities};
use parity_scale_codec::MaxEncodedLen;

/// Preimage of the pot account's id.
pub const DEPOSIT_POT_SEED: &[u8] = b"hm/contracts/deposits";

/// The account holding every code and storage deposit.
pub fn deposit_account() -> AccountId {
    AccountId(blake3_256(DEPOSIT_POT_SEED).0)
}

/// `DEPOSIT_PER_ITEM × items + DEPOSIT_PER_BYTE × bytes`, saturating (an absurd size
/// simply cannot be paid).
pub fn deposit_for(items: u64, bytes: u64) -> Balance {
    DEPOSIT_PER_ITEM
        .saturating_mul(Balance::from(items))
        .saturating_add(DEPOSIT_PER_BYTE.saturating_mul(Balance::from(bytes)))
}

/// Deposit of uploaded code: the wasm and its `CodeInfo` record.
pub fn code_deposit(code_len: usize) -> Balance {
    let bytes = u64::try_from(code_len)
        .unwrap_or(u64::MAX)
        .saturating_add(CodeInfo::max_encoded_len() as u64);
    deposit_for(2, bytes)
}

/// Deposit of a contract's `ContractInfo` record, charged at instantiation.
pub fn contract_info_deposit() -> Balance {
    deposit_for(1, ContractInfo::max_encoded_len() as u64)
}

/// Deposit of one storage entry with a `key_len`-byte key and a `value_len`-byte value.
pub fn storage_entry_deposit(key_len: usize, value_len: usize) -> Balance {
    let bytes = key_len.saturating_add(value_len);
    deposit_for(1, u64::try_from(bytes).unwrap_or(u64::MAX))
}

fn add_total(ext: &mut dyn Externalities, amount: Balance) -> Result<(), Error> {
    let total = crate::total_deposits(ext)
        .checked_add(amount)
        .ok_or(Error::Overflow)?;
    put(ext, &crate::storage::total_deposits(), &total);
    Ok(())
}

fn sub_total(ext: &mut dyn Externalities, amount: Balance) -> Result<(), Error> {
    let total = crate::total_deposits(ext)
        .checked_sub(amount)
        .ok_or(Error::Overflow)?;
    put(ext, &crate::storage::total_deposits(), &total);
    Ok(())
}

/// Mint the pot's floor if the pot does not exist yet.
fn ensure_pot(ext: &mut dyn Externalities) -> Result<(), Error> {
    let pot = deposit_account();
    if caesar::account(ext, &pot).is_none() {
        let floor = caesar::existential_deposit(ext);
        caesar::deposit(ext, &pot, floor).map_err(|_| Error::Overflow)?;
    }
    Ok(())
}

/// Move `amount` from `from` (which must stay alive) into the pot.
pub(crate) fn hold(
    ext: &mut dyn Externalities,
    from: &AccountId,
    amount: Balance,
) -> Result<(), Error> {
    if amount == 0 {
        return Ok(());
    }
    ensure_pot(ext)?;
    caesar::transfer(ext, from, &deposit_account(), amount, Liveness::KeepAlive).map_err(|e| {
        match e {
            caesar::Error::Overflow => Error::Overflow,
            _ => Error::InsufficientFundsForDeposit,
        }
    })?;
    add_total(ext, amount)
}

/// Pay `amount` of held deposits out of the pot to `to`.
pub(crate) fn release(
    ext: &mut dyn Externalities,
    to: &AccountId,
    amount: Balance,
) -> Result<(), Error> {
    if amount == 0 {
        return Ok(());
    }
    sub_total(ext, amount)?;
    // The pot holds `TotalDeposits` plus its floor, so this never reaps it.
    caesar::transfer(ext, &deposit_account(), to, amount, Liveness::KeepAlive).map_err(
        |e| match e {
            caesar::Error::Overflow => Error::Overflow,
            _ => Error::TransferFailed,
        },
    )
}

/// Storage deposits of one execution, charged to or refunded to its signer.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct DepositMeter {
    /// Largest net charge the signer allowed.
    limit: Balance,
    /// Largest net charge the signer can pay and stay alive.
    funds: Balance,
    charged: Balance,
    refunded: Balance,
}

impl DepositMeter {
    pub fn new(limit: Balance, funds: Balance) -> Self {
        Self {
            limit,
            funds,
            charged: 0,
            refunded: 0,
        }
    }

    /// Add a charge, refusing (and changing nothing) when the net charge would pass the
    /// signer's limit or funds.
    pub fn charge(&mut self, amount: Balance) -> Result<(), Error> {
        let charged = self.charged.checked_add(amount).ok_or(Error::Overflow)?;
        let net = charged.saturating_sub(self.refunded);
        if net > self.limit {
            return Err(Error::DepositLimitExceeded);
        }
        if net > self.funds {
            return Err(Error::InsufficientFundsForDeposit);
        }
        self.charged = charged;
        Ok(())
    }

    pub fn refund(&mut self, amount: Balance) {
        self.refunded = self.refunded.saturating_add(amount);
    }

    pub fn net(&self) -> crate::StorageDeposit {
        if self.charged >= self.refunded {
            crate::StorageDeposit::Charge(self.charged - self.refunded)
        } else {
            crate::StorageDeposit::Refund(self.refunded - self.charged)
        }
    }

    /// Move the net deposit between `signer` and the pot.
    pub(crate) fn settle(
        &self,
        ext: &mut dyn Externalities,
        signer: &AccountId,
    ) -> Result<(), Error> {
        match self.net() {
            crate::StorageDeposit::Charge(amount) => hold(ext, signer, amount),
            crate::StorageDeposit::Refund(amount) => release(ext, signer, amount),
        }
    }
}

/// How much `who` can spend on deposits after sending `value`, staying alive.
pub(crate) fn spendable(ext: &dyn Externalities, who: &AccountId, value: Balance) -> Balance {
    let ed = caesar::existential_deposit(ext);
    caesar::account(ext, who).map_or(0, |a| {
        a.free
            .saturating_add(a.reserved)
            .saturating_sub(value)
            .saturating_sub(ed)
            .min(a.free.saturating_sub(value))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meter_limits_the_net_charge() {
        let mut m = DepositMeter::new(100, 1_000);
        m.charge(60).unwrap();
        m.refund(30);
        m.charge(70).unwrap();
        assert_eq!(m.net(), crate::StorageDeposit::Charge(100));
        assert_eq!(m.charge(1), Err(Error::DepositLimitExceeded));
        assert_eq!(m.net(), crate::StorageDeposit::Charge(100));
        m.refund(150);
        assert_eq!(m.net(), crate::StorageDeposit::Refund(50));
        assert_eq!(m.charge(Balance::MAX), Err(Error::Overflow));
        let mut poor = DepositMeter::new(Balance::MAX, 10);
        assert_eq!(poor.charge(11), Err(Error::InsufficientFundsForDeposit));
        poor.charge(10).unwrap();
    }

    #[test]
    fn prices_saturate() {
        let huge = deposit_for(u64::MAX, u64::MAX);
        assert_eq!(
            huge,
            DEPOSIT_PER_ITEM * Balance::from(u64::MAX) + DEPOSIT_PER_BYTE * Balance::from(u64::MAX)
        );
        assert_eq!(
            storage_entry_deposit(3, 5),
            DEPOSIT_PER_ITEM + 8 * DEPOSIT_PER_BYTE
        );
        assert!(code_deposit(1000) > 1000 * DEPOSIT_PER_BYTE);
    }
}
