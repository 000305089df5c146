//! [`ContractEngine`] for [`Executor`]: how the runtime reaches wasmtime.

use crate::executor::Executor;
use hm_contracts_api::{ContractEngine, ContractEnv, Entry, ExecOutcome, PrepareOutcome};
use hm_primitives::{AccountId, H256};

impl ContractEngine for Executor {
    fn prepare(&self, code: &[u8], gas_limit: u64) -> PrepareOutcome {
        self.prepare_metered(code, gas_limit)
    }

    fn execute(
        &self,
        code_hash: &H256,
        entry: Entry,
        input: &[u8],
        gas_limit: u64,
        env: &mut dyn ContractEnv,
    ) -> ExecOutcome {
        Executor::execute(self, code_hash, entry, env, input, gas_limit)
    }

    fn debug_log_enabled(&self) -> bool {
        self.config().log_contract_debug
    }

    fn debug_log(&self, contract: &AccountId, message: &str) {
        if self.config().log_contract_debug {
            tracing::info!(target: "contracts", %contract, "{message}");
        }
    }

    fn code_removed(&self, code_hash: &H256) {
        self.forget(code_hash);
    }
}
