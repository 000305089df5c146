//! A small runtime for the tests: system + caesar + contracts over a `BTreeMap`, with the
//! real executor (hm-executor, wasmtime) as the contract engine.
use crate::{deposit_account, dispatch, Call, DispatchOutcome, Event, PALLET_INDEX};
use hm_executor::{Executor, ExecutorConfig};
use hm_pallet_caesar as caesar;
use hm_pallet_system::{self as system, Origin};
use hm_primitives::{AccountId, Balance, H256, UNITS};
use hm_support::{ContractEngine, Externalities, MemoryExt};
use parity_scale_codec::{Decode, Encode};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

pub const ALICE: AccountId = AccountId([1; 32]);
pub const BOB: AccountId = AccountId([2; 32]);
pub const CHARLIE: AccountId = AccountId([3; 32]);
pub const AUTHOR: AccountId = AccountId([9; 32]);
pub const ED: Balance = UNITS / 1_000;
pub const FUNDS: Balance = 1_000_000 * UNITS;
pub const GAS: u64 = 50_000_000;
pub const BLOCK: u64 = 7;
pub const NOW_MS: u64 = 1_700_000_000_000;

/// State plus an optional engine.
#[derive(Clone)]
pub struct TestExt {
    pub state: MemoryExt,
    pub engine: Option<Arc<dyn ContractEngine>>,
}

impl Externalities for TestExt {
    fn storage_get(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.state.storage_get(key)
    }
    fn storage_set(&mut self, key: &[u8], value: &[u8]) {
        self.state.storage_set(key, value)
    }
    fn storage_remove(&mut self, key: &[u8]) {
        self.state.storage_remove(key)
    }
    fn falcon_verify(&self, public_key: &[u8], message: &[u8], signature: &[u8]) -> bool {
        hm_crypto::falcon::verify_raw(public_key, message, signature)
    }
    fn contract_engine(&self) -> Option<Arc<dyn ContractEngine>> {
        self.engine.clone()
    }
}

pub fn test_config() -> ExecutorConfig {
    ExecutorConfig {
        pool_instances: 32,
        ..ExecutorConfig::default()
    }
}

/// One executor shared by the tests (as a node shares one).
pub fn engine() -> Arc<dyn ContractEngine> {
    static ENGINE: OnceLock<Arc<Executor>> = OnceLock::new();
    ENGINE
        .get_or_init(|| Arc::new(Executor::new(test_config()).expect("executor")))
        .clone()
}

/// Genesis with ALICE, BOB and CHARLIE funded, then block `BLOCK` started.
pub fn new_ext() -> TestExt {
    new_ext_with(engine())
}

pub fn new_ext_with(engine: Arc<dyn ContractEngine>) -> TestExt {
    let mut ext = TestExt {
        state: MemoryExt::default(),
        engine: Some(engine),
    };
    system::GenesisConfig::default().build(&mut ext).unwrap();
    caesar::GenesisConfig {
        existential_deposit: ED,
        balances: vec![(ALICE, FUNDS), (BOB, FUNDS), (CHARLIE, FUNDS)],
    }
    .build(&mut ext)
    .unwrap();
    system::on_initialize(&mut ext, BLOCK, &H256::ZERO, NOW_MS, &AUTHOR);
    ext
}

/// Dispatch as the runtime does: roll the call's changes back when it fails.
pub fn dispatch_as(ext: &mut TestExt, who: AccountId, call: Call) -> DispatchOutcome {
    let mut outcome = None;
    let _ = hm_support::with_transaction(ext, |ext| {
        let o = dispatch(ext, Origin::Signed(who), call, None);
        let result = o.result;
        outcome = Some(o);
        result
    });
    outcome.expect("dispatch ran")
}

/// A contract built by `scripts/build-contracts.sh`.
pub fn built(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../contracts/target-wasm")
        .join(format!("{name}.wasm"));
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; build the example contracts with scripts/build-contracts.sh",
            path.display()
        )
    })
}

pub fn wat(source: &str) -> Vec<u8> {
    wat::parse_str(source).expect("valid wat")
}

/// `blake3(name)[..4]`, the SDK's message selector.
pub fn selector(name: &str) -> Vec<u8> {
    blake3::hash(name.as_bytes()).as_bytes()[..4].to_vec()
}

/// Selector followed by SCALE-encoded arguments.
pub fn message<A: Encode>(name: &str, args: A) -> Vec<u8> {
    let mut input = selector(name);
    args.encode_to(&mut input);
    input
}

pub fn upload(ext: &mut TestExt, who: AccountId, code: &[u8]) -> H256 {
    let call = Call::UploadCode {
        code: code.to_vec(),
        storage_deposit_limit: None,
    };
    let outcome = dispatch_as(ext, who, call);
    assert_eq!(outcome.result, Ok(()), "upload");
    hm_primitives::blake3_256(code)
}

pub fn instantiate_call(code_hash: H256, value: Balance, input: Vec<u8>, salt: &[u8]) -> Call {
    Call::Instantiate {
        code_hash,
        value,
        gas_limit: GAS,
        storage_deposit_limit: None,
        input,
        salt: salt.to_vec(),
    }
}

/// Instantiate and return the new contract's address.
pub fn instantiate(
    ext: &mut TestExt,
    who: AccountId,
    code_hash: H256,
    value: Balance,
    input: Vec<u8>,
    salt: &[u8],
) -> AccountId {
    let outcome = dispatch_as(ext, who, instantiate_call(code_hash, value, input, salt));
    assert_eq!(outcome.result, Ok(()), "instantiate");
    crate::contract_address(&who, &code_hash, salt)
}

pub fn call_msg(dest: AccountId, value: Balance, input: Vec<u8>) -> Call {
    Call::Call {
        dest,
        value,
        gas_limit: GAS,
        storage_deposit_limit: None,
        input,
    }
}

/// Dry-run a call and decode its output as `T`; panics unless it succeeded.
pub fn query<T: Decode>(ext: &mut TestExt, dest: AccountId, input: Vec<u8>) -> T {
    let r = crate::dry_run_call(ext, ALICE, dest, 0, GAS, None, input, None);
    assert_eq!(r.error, None, "query failed: {r:?}");
    T::decode(&mut &r.output[..]).expect("output decodes")
}

pub fn free(ext: &TestExt, who: &AccountId) -> Balance {
    caesar::free_balance(ext, who)
}

pub fn events(ext: &TestExt) -> Vec<Event> {
    system::pallet_events(ext, PALLET_INDEX)
}

pub fn caesar_events(ext: &TestExt) -> Vec<caesar::Event> {
    system::pallet_events(ext, caesar::PALLET_INDEX)
}

/// `TotalIssuance == Σ(free + reserved)` over all accounts, and the pot holds at least
/// what the pallet owes (plus a floor).
pub fn assert_invariants(ext: &TestExt) {
    let prefix = &caesar::storage::account(&AccountId::default())[..32];
    let mut sum: Balance = 0;
    for (k, v) in ext
        .state
        .state
        .iter()
        .filter(|(k, _)| k.starts_with(prefix))
    {
        let data = caesar::AccountData::decode(&mut &v[..]).expect("account data");
        assert!(data.total().unwrap() >= ED, "account {k:?} below the ED");
        sum += data.total().unwrap();
    }
    assert_eq!(caesar::total_issuance(ext), sum, "issuance == Σ balances");
    let owed = crate::total_deposits(ext);
    if owed > 0 {
        assert!(
            free(ext, &deposit_account()) >= owed + ED,
            "the pot covers its debts"
        );
    }
}
