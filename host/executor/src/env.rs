//! What a running contract can touch. The types live in `hm-contracts-api` (no_std, so
//! the runtime can implement [`ContractEnv`]); this module re-exports them for the
//! executor's own paths and for existing users of `hm_executor`.

pub use hm_contracts_api::{
    contract_address, CallResult, CallStack, CallStatus, ContractEnv, EnvError, RuntimeCallOutcome,
};
