//! Tokens that exist from genesis (dev and test chains): created without a deposit.
use crate::{admin, ledger, storage, TokenMetadata, MAX_DECIMALS, MAX_NAME_LEN, MAX_SYMBOL_LEN};
use alloc::vec::Vec;
use hm_primitives::{AccountId, Balance};
use hm_support::{put, Externalities};

/// One token at genesis; its id is its position in [`GenesisConfig::tokens`].
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct GenesisToken {
    pub owner: AccountId,
    pub min_balance: Balance,
    pub name: Vec<u8>,
    pub symbol: Vec<u8>,
    pub decimals: u8,
    pub balances: Vec<(AccountId, Balance)>,
}

#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct GenesisConfig {
    pub tokens: Vec<GenesisToken>,
}

impl GenesisConfig {
    pub fn build(&self, ext: &mut dyn Externalities) -> Result<(), &'static str> {
        for token in &self.tokens {
            if token.name.len() > MAX_NAME_LEN as usize
                || token.symbol.len() > MAX_SYMBOL_LEN as usize
                || token.decimals > MAX_DECIMALS
            {
                return Err("a genesis token's metadata is out of bounds");
            }
            let id =
                admin::create(ext, &token.owner, token.min_balance, 0).map_err(|e| e.message())?;
            let metadata = TokenMetadata {
                name: token.name.clone(),
                symbol: token.symbol.clone(),
                decimals: token.decimals,
                deposit: 0,
            };
            put(ext, &storage::metadata(id), &metadata);
            for (who, amount) in &token.balances {
                if ledger::token_account(ext, id, who).is_some() {
                    return Err("an account appears twice in a genesis token's balances");
                }
                ledger::mint_into(ext, id, who, *amount).map_err(|e| e.message())?;
            }
        }
        Ok(())
    }
}
