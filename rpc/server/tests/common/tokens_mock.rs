//! The mock chain's runtime API: the real runtime's queries over a small in-memory
//! state holding one token and its pool with CAES, so the RPC layer's mapping, limits
//! and errors are tested against what the runtime answers.
use super::ALICE;
use hm_client_api::ClientError;
use hm_pallet_dex::{AssetKind, Call as DexCall};
use hm_pallet_tokens::{GenesisConfig, GenesisToken};
use hm_primitives::AccountId;
use hm_runtime::RuntimeApiError;
use hm_support::{MemoryExt, Origin};
use std::sync::OnceLock;

/// Holds 500 of token 0 ("Gold", GLD, 6 decimals, minimum balance 10).
pub const HOLDER: AccountId = AccountId([0x70; 32]);
/// The pool of CAES and token 0 holds these reserves (ALICE provided them).
pub const POOL_CAES: u128 = 1_000_000;
pub const POOL_GOLD: u128 = 2_000_000;

fn state() -> &'static MemoryExt {
    static STATE: OnceLock<MemoryExt> = OnceLock::new();
    STATE.get_or_init(|| {
        let mut ext = MemoryExt::default();
        hm_pallet_system::GenesisConfig::default()
            .build(&mut ext)
            .expect("mock system genesis");
        hm_pallet_caesar::GenesisConfig {
            existential_deposit: 1,
            balances: vec![(ALICE, 10 * POOL_CAES)],
        }
        .build(&mut ext)
        .expect("mock caesar genesis");
        GenesisConfig {
            tokens: vec![GenesisToken {
                owner: ALICE,
                min_balance: 10,
                name: b"Gold".to_vec(),
                symbol: b"GLD".to_vec(),
                decimals: 6,
                balances: vec![(HOLDER, 500), (ALICE, 10 * POOL_GOLD)],
            }],
        }
        .build(&mut ext)
        .expect("mock token genesis");
        hm_pallet_system::on_initialize(&mut ext, 1, &Default::default(), 0, &ALICE);
        let (caes, gold) = (AssetKind::Native, AssetKind::Token(0));
        let calls = [
            DexCall::CreatePool {
                asset0: caes,
                asset1: gold,
            },
            DexCall::AddLiquidity {
                asset0: caes,
                asset1: gold,
                amount0_desired: POOL_CAES,
                amount1_desired: POOL_GOLD,
                amount0_min: 0,
                amount1_min: 0,
                mint_to: ALICE,
            },
        ];
        for call in calls {
            hm_pallet_dex::dispatch(&mut ext, Origin::Signed(ALICE), call).expect("mock pool");
        }
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
