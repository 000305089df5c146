//! Hostile contracts through the pallet: each fails with a clear error, state stays
//! consistent, and the signer is charged the gas it used.
use super::{contract, IMPORT_SET};
use crate::mock::*;
use crate::{gas_to_weight, weights, Call, Error};
use hm_contracts_api::{
    ContractEngine, ContractEnv, Entry, ExecError, ExecOutcome, PrepareOutcome,
};
use hm_executor::{Executor, ExecutorConfig};
use hm_primitives::{AccountId, H256};
use std::sync::Arc;

/// Upload `code`, instantiate it, and return its address.
fn deploy(ext: &mut TestExt, code: &[u8], salt: &[u8]) -> AccountId {
    let hash = upload_or_existing(ext, code);
    instantiate(ext, ALICE, hash, 0, vec![], salt)
}

fn upload_or_existing(ext: &mut TestExt, code: &[u8]) -> H256 {
    let hash = hm_primitives::blake3_256(code);
    if crate::code_info(ext, &hash).is_none() {
        upload(ext, ALICE, code);
    }
    hash
}

/// Call `dest` with `gas`, expecting `error`; state must not change and the weight used
/// must be the base plus the gas consumed.
fn assert_fails(ext: &mut TestExt, dest: AccountId, gas: u64, error: Error) -> u64 {
    let before = ext.state.state.clone();
    let call = Call::Call {
        dest,
        value: 0,
        gas_limit: gas,
        storage_deposit_limit: None,
        input: vec![],
    };
    let outcome = dispatch_as(ext, ALICE, call);
    assert_eq!(outcome.result, Err(error.into()));
    assert_eq!(ext.state.state, before, "state rolled back");
    let dry = crate::dry_run_call(ext, ALICE, dest, 0, gas, None, vec![], None);
    let found = dry.error.expect("the dry run fails too");
    assert_eq!(found.error, error, "{}", found.detail);
    assert_eq!(
        outcome.actual_weight,
        Some(weights::CALL + gas_to_weight(dry.gas_used))
    );
    dry.gas_used
}

#[test]
fn infinite_loop_runs_out_of_gas_and_pays_the_whole_limit() {
    let mut ext = new_ext();
    let looping = contract(
        IMPORT_SET,
        r#"
        (drop (call $set (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 1)))
        (loop $l (br $l))"#,
    );
    let c = deploy(&mut ext, &looping, b"");
    for gas in [100_000, 3_000_000] {
        assert_eq!(assert_fails(&mut ext, c, gas, Error::OutOfGas), gas);
    }
    assert_eq!(
        crate::contract_storage(&ext, &c, b"\0"),
        None,
        "its write rolled back"
    );
    assert_invariants(&ext);
}

#[test]
fn a_contract_that_stops_early_pays_only_what_it_used() {
    let mut ext = new_ext();
    let c = deploy(&mut ext, &contract("", ""), b"");
    let call = call_msg(c, 0, vec![]);
    let outcome = dispatch_as(&mut ext, ALICE, call.clone());
    assert_eq!(outcome.result, Ok(()));
    let used = outcome.actual_weight.unwrap() - weights::CALL;
    assert!(used > 0 && used < gas_to_weight(GAS) / 100, "{used}");
    assert_eq!(
        call.weight() - outcome.actual_weight.unwrap(),
        gas_to_weight(GAS) - used
    );
}

#[test]
fn memory_growth_past_the_limit_traps_on_use() {
    let mut ext = new_ext();
    let grower = contract(
        IMPORT_SET,
        r#"
        (drop (call $set (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 1)))
        (drop (memory.grow (i32.const 1000)))
        (i32.store (i32.const 1048576) (i32.const 1))"#,
    );
    let c = deploy(&mut ext, &grower, b"");
    assert_fails(&mut ext, c, GAS, Error::ContractTrapped);
}

#[test]
fn unbounded_recursion_traps_instead_of_crashing() {
    let mut ext = new_ext();
    let recursive = contract("(func $r (call $r))", "(call $r)");
    let c = deploy(&mut ext, &recursive, b"");
    assert_fails(&mut ext, c, GAS, Error::ContractTrapped);
    let dry = crate::dry_run_call(&mut ext, ALICE, c, 0, GAS, None, vec![], None);
    assert!(dry.error.unwrap().detail.contains("StackOverflow"));
}

#[test]
fn division_by_zero_and_unreachable_trap() {
    let mut ext = new_ext();
    let div = contract("", "(drop (i32.div_u (i32.const 1) (i32.const 0)))");
    let c = deploy(&mut ext, &div, b"div");
    assert_fails(&mut ext, c, GAS, Error::ContractTrapped);
    let c = deploy(&mut ext, &contract("", "unreachable"), b"u");
    assert_fails(&mut ext, c, GAS, Error::ContractTrapped);
}

#[test]
fn a_failing_deploy_leaves_no_contract() {
    let mut ext = new_ext();
    let code = wat(r#"(module (memory (export "memory") 1)
        (func (export "deploy") unreachable) (func (export "call")))"#);
    let hash = upload(&mut ext, ALICE, &code);
    let before = ext.state.state.clone();
    let outcome = dispatch_as(&mut ext, ALICE, instantiate_call(hash, 5 * ED, vec![], b""));
    assert_eq!(outcome.result, Err(Error::ContractTrapped.into()));
    assert_eq!(
        ext.state.state, before,
        "no record, no refcount, no value moved"
    );
}

#[test]
fn float_nans_give_identical_state_on_independent_nodes() {
    let nan = contract(
        IMPORT_SET,
        r#"
        (local $x f32) (local $y f64)
        (local.set $x (f32.reinterpret_i32 (i32.const 0x7fa00001)))
        (local.set $y (f64.reinterpret_i64 (i64.const 0x7ff4000000000001)))
        (i32.store (i32.const 0) (i32.reinterpret_f32 (f32.div (f32.const 0) (f32.const 0))))
        (i32.store (i32.const 4) (i32.reinterpret_f32 (f32.add (local.get $x) (f32.const 1))))
        (i32.store (i32.const 8) (i32.reinterpret_f32 (f32.sqrt (f32.const -1))))
        (i64.store (i32.const 16) (i64.reinterpret_f64 (f64.mul (local.get $y) (f64.const 2))))
        (i64.store (i32.const 24) (i64.reinterpret_f64 (f64.sub (f64.const inf) (f64.const inf))))
        (i32.store (i32.const 32) (i32.reinterpret_f32 (f32.demote_f64 (local.get $y))))
        (drop (call $set (i32.const 100) (i32.const 1) (i32.const 0) (i32.const 36)))
        (call $return_value (i32.const 0) (i32.const 0) (i32.const 36))"#,
    );
    let node = || {
        let engine = Arc::new(Executor::new(test_config()).unwrap());
        let mut ext = new_ext_with(engine);
        let c = deploy(&mut ext, &nan, b"nan");
        for _ in 0..3 {
            assert_eq!(
                dispatch_as(&mut ext, ALICE, call_msg(c, 0, vec![])).result,
                Ok(())
            );
        }
        (ext, c)
    };
    let (a, c) = node();
    let (b, _) = node();
    assert_eq!(
        a.state.state, b.state.state,
        "same state, so the same state root"
    );
    let stored = crate::contract_storage(&a, &c, &[0]).unwrap();
    let word = |i: usize| u32::from_le_bytes(stored[i..i + 4].try_into().unwrap());
    assert_eq!(
        [word(0), word(4), word(8)],
        [0x7fc0_0000; 3],
        "canonical f32 NaNs"
    );
}

#[test]
fn debug_log_is_collected_only_where_the_engine_prints_it() {
    let code = contract(
        r#"(import "hm" "debug_log" (func $log (param i32 i32))) (data (i32.const 0) "hello")"#,
        "(call $log (i32.const 0) (i32.const 5))",
    );
    let run = |log: bool| {
        let engine = Arc::new(
            Executor::new(ExecutorConfig {
                log_contract_debug: log,
                ..test_config()
            })
            .unwrap(),
        );
        let mut ext = new_ext_with(engine);
        let c = deploy(&mut ext, &code, b"");
        crate::dry_run_call(&mut ext, ALICE, c, 0, GAS, None, vec![], None)
    };
    let dev = run(true);
    let live = run(false);
    assert_eq!(dev.debug_messages, vec!["hello".to_string()]);
    assert!(live.debug_messages.is_empty());
    assert_eq!(dev.gas_used, live.gas_used, "logging never changes gas");
}

/// An engine that fails as a node would when its backstop fires.
struct FaultyEngine(Arc<dyn ContractEngine>);

impl ContractEngine for FaultyEngine {
    fn prepare(&self, code: &[u8], gas_limit: u64) -> PrepareOutcome {
        self.0.prepare(code, gas_limit)
    }
    fn execute(
        &self,
        _: &H256,
        _: Entry,
        _: &[u8],
        _: u64,
        _: &mut dyn ContractEnv,
    ) -> ExecOutcome {
        ExecOutcome::failed(ExecError::Timeout)
    }
}

#[test]
fn a_node_fault_is_reported_as_such() {
    let mut ext = new_ext();
    let c = deploy(&mut ext, &contract("", ""), b"");
    ext.engine = Some(Arc::new(FaultyEngine(engine())));
    let before = ext.state.state.clone();
    let outcome = dispatch_as(&mut ext, ALICE, call_msg(c, 0, vec![]));
    assert_eq!(outcome.result, Err(Error::NodeFault.into()));
    assert_eq!(ext.state.state, before);
}
