//! The executor as the runtime sees it: `ContractEngine` (metered upload, execution
//! through a trait object) and execution on threads with little native stack.

mod common;

use common::*;
use hm_executor::{
    ContractEngine, Entry, ExecError, Executor, ExecutorConfig, TrapKind, UploadError,
};
use hm_primitives::AccountId;
use std::sync::Arc;

const C: AccountId = AccountId([0xC0; 32]);

#[test]
fn metered_upload_refuses_before_compiling_what_it_cannot_pay_for() {
    let exec = executor();
    let code = contract("", "(drop (call $input_len))");
    let check = exec.config().schedule.upload_cost(code.len());
    let full = exec
        .prepare_metered(&code, u64::MAX)
        .result
        .unwrap()
        .upload_gas;
    assert_eq!(exec.cache_stats().compiles, 1);
    exec.forget(&hm_primitives::blake3_256(&code));

    let broke = exec.prepare_metered(&code, check - 1);
    assert!(matches!(broke.result, Err(UploadError::OutOfGas { .. })));
    assert_eq!(broke.gas_used, check - 1, "the whole limit goes");

    let short = exec.prepare_metered(&code, full - 1);
    assert_eq!(
        short.result,
        Err(UploadError::OutOfGas {
            required: full,
            limit: full - 1
        })
    );
    assert_eq!(short.gas_used, check, "validation is paid for");
    assert_eq!(exec.cache_stats().compiles, 1, "not compiled");

    let paid = exec.prepare_metered(&code, full);
    assert_eq!(paid.result.unwrap().upload_gas, full);
    assert_eq!(paid.gas_used, full);
    assert_eq!(exec.cache_stats().compiles, 2);
}

#[test]
fn refused_and_oversized_code() {
    let exec = executor();
    let junk = b"\0asm\x01\0\0\0\x05\xff".to_vec();
    let refused = exec.prepare_metered(&junk, u64::MAX);
    assert!(matches!(refused.result, Err(UploadError::Malformed(_))));
    assert_eq!(
        refused.gas_used,
        exec.config().schedule.upload_cost(junk.len())
    );

    let huge = vec![0u8; exec.config().max_code_bytes + 1];
    let out = exec.prepare_metered(&huge, u64::MAX);
    assert!(matches!(out.result, Err(UploadError::CodeTooLarge { .. })));
    assert_eq!(out.gas_used, 0);
    assert_eq!(exec.cache_stats().compiles, 0);
}

#[test]
fn runs_through_the_engine_trait_object() {
    let exec: Arc<dyn ContractEngine> = Arc::new(executor());
    let echo = contract(
        "",
        r#"(call $input_read (i32.const 0))
           (call $return_value (i32.const 0) (i32.const 0) (call $input_len))"#,
    );
    let prepared = exec.prepare(&echo, u64::MAX).result.unwrap();
    let mut world = World::default();
    world.codes.insert(prepared.code_hash, echo);
    world.contracts.insert(C, prepared.code_hash);
    let concrete = Executor::new(test_config()).unwrap();
    let mut stack = hm_executor::CallStack::new(C, 5);
    let mut env = TestEnv {
        exec: &concrete,
        world: &mut world,
        stack: &mut stack,
        caller: ALICE,
        address: C,
        value: 0,
    };
    let out = exec.execute(&prepared.code_hash, Entry::Call, b"via dyn", GAS, &mut env);
    assert_eq!(ok_output(&out), b"via dyn");
    assert!(!exec.debug_log_enabled());
    let logging = Executor::new(ExecutorConfig {
        log_contract_debug: true,
        ..test_config()
    })
    .unwrap();
    assert!(ContractEngine::debug_log_enabled(&logging));
}

#[test]
fn deep_recursion_on_a_tiny_thread_stack_traps_instead_of_crashing() {
    let exec = Arc::new(executor());
    let code = contract("(func $r (call $r))", "(call $r)");
    let mut world = World::default();
    install(&exec, &mut world, C, &code);
    let handle = std::thread::Builder::new()
        .stack_size(64 * 1024)
        .spawn(move || run(&exec, &mut world, C, Entry::Call, b"", GAS))
        .unwrap();
    let out = handle.join().expect("no crash");
    match out.result {
        Err(ExecError::Trap(t)) => assert_eq!(t.kind, TrapKind::StackOverflow),
        other => panic!("expected a stack overflow trap, got {other:?}"),
    }
}
