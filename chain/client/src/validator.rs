//! The pool's view of the chain: validation against the best state.
use crate::Client;
use hm_client_api::TransactionValidator;
use hm_primitives::{AccountId, BlockNumber, InvalidTransaction, Nonce, ValidTransaction};
use hm_runtime::TxContext;

impl TransactionValidator for Client {
    fn validate(&self, xt: &[u8]) -> Result<ValidTransaction, InvalidTransaction> {
        let info = self.chain_info();
        let ctx = TxContext {
            genesis_hash: info.genesis_hash,
            best_number: info.best_number,
        };
        hm_runtime::validate_transaction(&self.overlay(), &ctx, xt)
    }

    fn account_nonce(&self, who: &AccountId) -> Nonce {
        hm_runtime::account_summary(&self.overlay(), who).2
    }

    fn best_number(&self) -> BlockNumber {
        self.chain_info().best_number
    }
}
