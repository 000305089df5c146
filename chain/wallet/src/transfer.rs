//! A transfer checked before it is submitted: the sender must cover the amount, the fee
//! and (with keep-alive) the existential deposit, and a new receiver must get at least
//! the existential deposit. A transfer that fails in dispatch is still charged its fee, so
//! refusing it here saves the sender money.
use crate::RpcWallet;
use anyhow::{bail, Context};
use hm_primitives::{format_caes, AccountId, Balance};
use hm_runtime::{Call, Parameters};

/// What the chain asks of a transfer, read at the best block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TransferCheck {
    pub sender_free: Balance,
    pub receiver_total: Balance,
    pub existential_deposit: Balance,
    pub fee: Balance,
}

impl TransferCheck {
    /// Why the transfer would fail, if it would.
    pub fn refusal(&self, value: Balance, keep_alive: bool) -> Option<String> {
        let ed = self.existential_deposit;
        let Some(mut needed) = value.checked_add(self.fee) else {
            return Some("the amount plus the fee does not fit in 128 bits".into());
        };
        if keep_alive {
            needed = needed.saturating_add(ed);
        }
        if self.sender_free < needed {
            let alive = if keep_alive {
                format!(" and keeping {} CAES (--keep-alive)", format_caes(ed))
            } else {
                String::new()
            };
            return Some(format!(
                "Caesar: InsufficientBalance: the sender has {} CAES free; sending {} CAES with a fee of {} CAES{alive} needs {} CAES",
                format_caes(self.sender_free),
                format_caes(value),
                format_caes(self.fee),
                format_caes(needed)
            ));
        }
        if self.receiver_total == 0 && value < ed {
            return Some(format!(
                "Caesar: ExistentialDeposit: the receiver has no account yet, and {} CAES is below the existential deposit of {} CAES",
                format_caes(value),
                format_caes(ed)
            ));
        }
        None
    }
}

impl RpcWallet {
    /// Balances, existential deposit and the fee of `call` encoded in `len` bytes with `tip`.
    pub async fn check_transfer(
        &self,
        from: &AccountId,
        to: &AccountId,
        call: &Call,
        len: usize,
        tip: Balance,
    ) -> anyhow::Result<TransferCheck> {
        let params: Parameters = self
            .decoded_storage(&hm_pallet_system::storage::parameters(), None)
            .await?
            .unwrap_or_default();
        let existential_deposit = self
            .decoded_storage(&hm_pallet_caesar::storage::existential_deposit(), None)
            .await?
            .unwrap_or(1);
        let weight = hm_runtime::weights::EXTRINSIC_BASE.saturating_add(call.weight());
        let fee = params
            .fees
            .fee(len, weight, tip)
            .context("the fee does not fit in 128 bits")?;
        let sender = self.balance(from).await?;
        let receiver = self.balance(to).await?;
        Ok(TransferCheck {
            // Locked funds cannot move: only the usable part can pay.
            sender_free: sender.free.saturating_sub(sender.locked),
            receiver_total: receiver.free.saturating_add(receiver.reserved),
            existential_deposit,
            fee,
        })
    }
}

/// Fails with the reason when `check` says the transfer would fail.
pub fn ensure_transfer_possible(
    check: &TransferCheck,
    value: Balance,
    keep_alive: bool,
) -> anyhow::Result<()> {
    match check.refusal(value, keep_alive) {
        Some(reason) => bail!("{reason}; nothing was submitted"),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hm_primitives::UNITS;

    fn check(free: Balance, receiver: Balance) -> TransferCheck {
        TransferCheck {
            sender_free: free,
            receiver_total: receiver,
            existential_deposit: UNITS,
            fee: UNITS / 100,
        }
    }

    #[test]
    fn more_than_the_balance_is_refused_by_name() {
        let c = check(11 * UNITS + UNITS / 2, 5 * UNITS);
        let why = c.refusal(100 * UNITS, false).unwrap();
        assert!(why.starts_with("Caesar: InsufficientBalance"), "{why}");
        assert!(why.contains("11.5 CAES free"), "{why}");
        assert!(c.refusal(u128::MAX, false).is_some());
        assert_eq!(c.refusal(11 * UNITS, false), None);
        // Keep-alive also needs the existential deposit left over.
        assert!(c.refusal(11 * UNITS, true).is_some());
        assert!(ensure_transfer_possible(&c, 100 * UNITS, false)
            .unwrap_err()
            .to_string()
            .ends_with("nothing was submitted"));
    }

    #[test]
    fn a_new_account_needs_the_existential_deposit() {
        let c = check(10 * UNITS, 0);
        let why = c.refusal(UNITS / 2, false).unwrap();
        assert!(why.starts_with("Caesar: ExistentialDeposit"), "{why}");
        assert_eq!(c.refusal(UNITS, false), None);
        assert_eq!(check(10 * UNITS, 1).refusal(UNITS / 2, false), None);
    }
}
