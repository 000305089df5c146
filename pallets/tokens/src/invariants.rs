//! `try_state` of the tokens pallet, walked through the holder and approval lists
//! (so it needs no storage iteration): for every token, the supply equals the sum
//! of its balances, each list matches its count and its entries, and every account
//! that is not sticky holds at least the minimum balance.
use crate::{admin, details, holder, ledger, next_token_id, storage, TokenId};
use hm_primitives::{AccountId, Balance};
use hm_support::{get, Externalities};

pub(crate) fn check(ext: &dyn Externalities) -> Result<(), &'static str> {
    for id in 0..next_token_id(ext) {
        check_token(ext, id)?;
    }
    Ok(())
}

fn check_token(ext: &dyn Externalities, id: TokenId) -> Result<(), &'static str> {
    let Some(details) = details(ext, id) else {
        return Ok(());
    };
    if details.min_balance == 0 {
        return Err("a token has a zero minimum balance");
    }
    let mut sum: Balance = 0;
    let mut sticky = 0u32;
    for index in 0..details.accounts {
        let who = holder(ext, id, index).ok_or("a holder list has a gap")?;
        let account =
            ledger::token_account(ext, id, &who).ok_or("a listed holder has no account")?;
        if account.index != index {
            return Err("a holder's index differs from its place in the list");
        }
        if !account.sticky && account.balance < details.min_balance {
            return Err("an account holds less than the minimum balance");
        }
        sticky += u32::from(account.sticky);
        sum = sum
            .checked_add(account.balance)
            .ok_or("the sum of balances overflows")?;
    }
    if holder(ext, id, details.accounts).is_some() {
        return Err("the holder list is longer than the account count");
    }
    if sticky != details.pallet_accounts {
        return Err("a token's pallet-account count differs from its sticky accounts");
    }
    if sum != details.supply {
        return Err("a token's supply differs from the sum of its balances");
    }
    for index in 0..details.approvals {
        let (owner, delegate): (AccountId, AccountId) =
            get(ext, &storage::approval_entry(id, index)).ok_or("an approval list has a gap")?;
        let approval = admin::approval(ext, id, &owner, &delegate)
            .ok_or("a listed approval does not exist")?;
        if approval.index != index || approval.amount == 0 {
            return Err("an approval's index or amount is wrong");
        }
    }
    if ext
        .storage_get(&storage::approval_entry(id, details.approvals))
        .is_some()
    {
        return Err("the approval list is longer than the approval count");
    }
    Ok(())
}
