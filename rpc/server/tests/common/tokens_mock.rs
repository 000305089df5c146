//! The mock chain's runtime API: the real runtime's queries over a small in-memory
//! state holding one token, so the RPC layer's mapping, limits and errors are tested
//! against what the runtime answers.
use super::ALICE;
use hm_client_api::ClientError;
use hm_pallet_tokens::{GenesisConfig, GenesisToken};
use hm_primitives::AccountId;
use hm_runtime::RuntimeApiError;
use hm_support::MemoryExt;
use std::sync::OnceLock;

/// Holds 500 of token 0 ("Gold", GLD, 6 decimals, minimum balance 10).
pub const HOLDER: AccountId = AccountId([0x70; 32]);

fn state() -> &'static MemoryExt {
    static STATE: OnceLock<MemoryExt> = OnceLock::new();
    STATE.get_or_init(|| {
        let mut ext = MemoryExt::default();
        GenesisConfig {
            tokens: vec![GenesisToken {
                owner: ALICE,
                min_balance: 10,
                name: b"Gold".to_vec(),
                symbol: b"GLD".to_vec(),
                decimals: 6,
                balances: vec![(HOLDER, 500)],
            }],
        }
        .build(&mut ext)
        .expect("mock token genesis");
        ext
    })
}

pub fn call(method: &str, args: &[u8]) -> Result<Vec<u8>, ClientError> {
    hm_runtime::call_runtime_api(state(), method, args).map_err(|e| match e {
        RuntimeApiError::UnknownMethod => {
            ClientError::BadQuery(format!("no runtime API `{method}`"))
        }
        RuntimeApiError::BadArguments(takes) => ClientError::BadQuery(format!(
            "the arguments of `{method}` do not decode: it takes SCALE {takes}"
        )),
    })
}
