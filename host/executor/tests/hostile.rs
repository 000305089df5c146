//! Hostile contracts: each fails with a clear, deterministic error and the executor
//! stays usable.

mod common;

use common::*;
use hm_executor::{Entry, ExecError, Executor, ExecutorConfig, TrapKind};
use hm_primitives::AccountId;
use std::time::Duration;

const C: AccountId = AccountId([0xC0; 32]);
const ECHO_ADDR: AccountId = AccountId([0xEC; 32]);

fn trap_kind(out: &hm_executor::ExecOutcome) -> TrapKind {
    match &out.result {
        Err(ExecError::Trap(t)) => t.kind,
        other => panic!("expected a trap, got {other:?}"),
    }
}

/// Still works: an echo contract runs normally.
fn assert_usable(exec: &Executor, world: &mut World) {
    if !world.contracts.contains_key(&ECHO_ADDR) {
        let echo = contract(
            "",
            r#"(call $input_read (i32.const 0))
               (call $return_value (i32.const 0) (i32.const 0) (call $input_len))"#,
        );
        install(exec, world, ECHO_ADDR, &echo);
    }
    let out = run(exec, world, ECHO_ADDR, Entry::Call, b"alive", GAS);
    assert_eq!(ok_output(&out), b"alive");
}

fn single(
    exec: &Executor,
    code: &[u8],
    input: &[u8],
    gas: u64,
) -> (World, hm_executor::ExecOutcome) {
    let mut world = World::default();
    install(exec, &mut world, C, code);
    let out = run(exec, &mut world, C, Entry::Call, input, gas);
    (world, out)
}

#[test]
fn infinite_loop_runs_out_of_gas() {
    let exec = executor();
    let code = contract("", "(loop $l (br $l))");
    for gas in [30_000, 1_000_000, 5_000_000] {
        let (mut world, out) = single(&exec, &code, b"", gas);
        assert_eq!(trap_kind(&out), TrapKind::OutOfGas);
        assert_eq!(out.gas_used, gas);
        assert_usable(&exec, &mut world);
    }
}

#[test]
fn infinite_loop_after_storage_write_is_rolled_back_by_the_caller() {
    // The executor reports the trap; the environment (pallet) discards the frame's
    // writes. Here the test env's nested-call snapshot does it.
    let exec = executor();
    let mut world = World::default();
    let looping = contract(
        r#"(import "hm" "storage_set" (func $set (param i32 i32 i32 i32) (result i32)))"#,
        r#"(drop (call $set (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 1)))
           (loop $l (br $l))"#,
    );
    let looper = AccountId([0x11; 32]);
    install(&exec, &mut world, looper, &looping);
    // Caller forwards to `looper` with an explicit gas limit of 200k.
    let caller = contract(
        r#"(import "hm" "call" (func $call (param i32 i32 i64 i32 i32) (result i32)))"#,
        r#"(call $input_read (i32.const 64))
           (i32.store (i32.const 128) (call $call (i32.const 64) (i32.const 0) (i64.const 200000) (i32.const 0) (i32.const 0)))
           (call $return_value (i32.const 0) (i32.const 128) (i32.const 4))"#,
    );
    install(&exec, &mut world, C, &caller);
    let out = run(&exec, &mut world, C, Entry::Call, &looper.0, GAS);
    assert_eq!(ok_output(&out), 2i32.to_le_bytes(), "callee trapped");
    assert!(out.gas_used > 200_000 && out.gas_used < GAS);
    assert!(world.storage.is_empty(), "callee writes rolled back");
}

#[test]
fn memory_growth_is_capped() {
    let exec = executor();
    // Declared maximum (100 pages) above the cap: growth still stops at 16 pages.
    let code = wasm(
        r#"(module
            (import "hm" "return_value" (func $ret (param i32 i32 i32)))
            (memory (export "memory") 1 100)
            (func (export "deploy"))
            (func (export "call")
                (i32.store (i32.const 0) (memory.grow (i32.const 100)))
                (i32.store (i32.const 4) (memory.grow (i32.const 15)))
                (i32.store (i32.const 8) (memory.grow (i32.const 1)))
                (i32.store (i32.const 12) (memory.size))
                (call $ret (i32.const 0) (i32.const 0) (i32.const 16))))"#,
    );
    let (mut world, out) = single(&exec, &code, b"", GAS);
    let o = ok_output(&out);
    let words: Vec<i32> = o
        .chunks(4)
        .map(|c| i32::from_le_bytes(c.try_into().unwrap()))
        .collect();
    assert_eq!(words, vec![-1, 1, -1, 16]);

    // Writing past the capped memory traps.
    let code = contract(
        "",
        r#"(drop (memory.grow (i32.const 100)))
           (i32.store (i32.const 65536) (i32.const 1))"#,
    );
    let (_, out) = single(&exec, &code, b"", GAS);
    assert_eq!(trap_kind(&out), TrapKind::MemoryOutOfBounds);
    assert_usable(&exec, &mut world);
}

#[test]
fn unbounded_recursion_is_a_stack_overflow_trap() {
    let exec = executor();
    let code = wasm(
        r#"(module
            (memory (export "memory") 1)
            (func $f (param i64) (result i64)
                (i64.add (call $f (i64.add (local.get 0) (i64.const 1))) (i64.const 1)))
            (func (export "deploy"))
            (func (export "call") (drop (call $f (i64.const 0)))))"#,
    );
    for _ in 0..3 {
        let (mut world, out) = single(&exec, &code, b"", 1_000_000_000);
        assert_eq!(trap_kind(&out), TrapKind::StackOverflow);
        if let Err(ExecError::Trap(t)) = &out.result {
            assert!(t.message.contains("deterministic"), "{}", t.message);
        }
        assert!(out.gas_used < 1_000_000_000);
        assert_usable(&exec, &mut world);
    }
}

#[test]
fn arithmetic_and_control_traps() {
    let exec = executor();
    let cases = [
        (
            "(drop (i32.div_u (i32.const 1) (i32.const 0)))",
            TrapKind::DivisionByZero,
        ),
        (
            "(drop (i32.div_s (i32.const -2147483648) (i32.const -1)))",
            TrapKind::IntegerOverflow,
        ),
        (
            "(drop (i32.trunc_f32_s (f32.const nan)))",
            TrapKind::BadConversion,
        ),
        ("unreachable", TrapKind::Unreachable),
        (
            "(drop (i32.load (i32.const 65535)))",
            TrapKind::MemoryOutOfBounds,
        ),
    ];
    for (body, kind) in cases {
        let (_, out) = single(&exec, &contract("", body), b"", GAS);
        assert_eq!(trap_kind(&out), kind, "{body}");
        assert!(out.gas_used < GAS);
    }
    let indirect = wasm(
        r#"(module
            (type $t (func))
            (table 2 funcref)
            (memory (export "memory") 1)
            (func (export "deploy"))
            (func (export "call") (call_indirect (type $t) (i32.const 1))))"#,
    );
    let (mut world, out) = single(&exec, &indirect, b"", GAS);
    assert_eq!(trap_kind(&out), TrapKind::IndirectCall);
    assert_usable(&exec, &mut world);
}

#[test]
fn bad_pointers_in_host_calls_trap() {
    let exec = executor();
    let imports = r#"
        (import "hm" "caller" (func $caller (param i32)))
        (import "hm" "storage_get" (func $get (param i32 i32 i32 i32) (result i32)))
        (import "hm" "storage_set" (func $set (param i32 i32 i32 i32) (result i32)))
        (import "hm" "blake3" (func $blake3 (param i32 i32 i32)))
        (import "hm" "call" (func $call (param i32 i32 i64 i32 i32) (result i32)))"#;
    let cases = [
        "(call $input_read (i32.const -1))",
        "(call $input_read (i32.const 65534))",
        "(call $return_value (i32.const 0) (i32.const 65530) (i32.const 7))",
        "(call $return_value (i32.const 0) (i32.const 0) (i32.const -1))",
        "(call $caller (i32.const 65505))",
        "(drop (call $get (i32.const 0) (i32.const 4) (i32.const 65000) (i32.const 1000)))",
        "(drop (call $set (i32.const 0) (i32.const 4) (i32.const -16) (i32.const 16)))",
        "(call $blake3 (i32.const 0) (i32.const 3) (i32.const 65534))",
        "(call $blake3 (i32.const 70000) (i32.const 0) (i32.const 0))",
        "(drop (call $call (i32.const 65530) (i32.const 0) (i64.const 0) (i32.const 0) (i32.const 0)))",
    ];
    let mut world = World::default();
    for body in cases {
        let (_, out) = single(&exec, &contract(imports, body), b"some input", GAS);
        assert_eq!(trap_kind(&out), TrapKind::BadPointer, "{body}");
        if let Err(ExecError::Trap(t)) = &out.result {
            assert!(t.message.contains("outside linear memory"), "{}", t.message);
        }
    }
    assert_usable(&exec, &mut world);
}

#[test]
fn host_size_caps_trap() {
    let exec = executor();
    let imports = r#"
        (import "hm" "storage_set" (func $set (param i32 i32 i32 i32) (result i32)))
        (import "hm" "storage_get" (func $get (param i32 i32 i32 i32) (result i32)))
        (import "hm" "deposit_event" (func $event (param i32 i32 i32 i32)))"#;
    let cases = [
        "(drop (call $set (i32.const 0) (i32.const 129) (i32.const 0) (i32.const 1)))",
        "(drop (call $get (i32.const 0) (i32.const 129) (i32.const 0) (i32.const 0)))",
        "(drop (call $set (i32.const 0) (i32.const 8) (i32.const 0) (i32.const 16385)))",
        "(call $event (i32.const 0) (i32.const 5) (i32.const 0) (i32.const 0))",
        "(call $event (i32.const 0) (i32.const -1) (i32.const 0) (i32.const 0))",
        "(call $event (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 16385))",
    ];
    for body in cases {
        let (world, out) = single(&exec, &contract(imports, body), b"", GAS);
        assert_eq!(trap_kind(&out), TrapKind::HostLimit, "{body}");
        assert!(world.storage.is_empty() && world.events.is_empty());
    }
    // Exactly at the caps is fine.
    let at_cap = contract(
        imports,
        r#"(drop (call $set (i32.const 0) (i32.const 128) (i32.const 0) (i32.const 16384)))
           (call $event (i32.const 0) (i32.const 4) (i32.const 0) (i32.const 16384))"#,
    );
    let (world, out) = single(&exec, &at_cap, b"", GAS);
    ok_output(&out);
    assert_eq!(world.storage.len(), 1);
    assert_eq!(world.events[0].1.len(), 4);
}

#[test]
fn out_of_gas_inside_host_functions_and_before_start() {
    let exec = executor();
    let base = exec.config().schedule.execute_base;
    let code = contract(
        r#"(import "hm" "storage_set" (func $set (param i32 i32 i32 i32) (result i32)))"#,
        "(drop (call $set (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 1)))",
    );
    let (world, out) = single(&exec, &code, b"", base + 500);
    assert_eq!(trap_kind(&out), TrapKind::OutOfGas);
    assert_eq!(out.gas_used, base + 500);
    assert!(
        world.storage.is_empty(),
        "nothing written: gas is charged before the work"
    );

    let (_, out) = single(&exec, &code, b"", base - 1);
    assert_eq!(trap_kind(&out), TrapKind::OutOfGas);
    assert_eq!(out.gas_used, base - 1);

    let (_, out) = single(&exec, &code, b"", 0);
    assert_eq!(out.gas_used, 0);
}

const FORWARDER_IMPORTS: &str = r#"
    (import "hm" "call" (func $call (param i32 i32 i64 i32 i32) (result i32)))
    (import "hm" "return_data_len" (func $rd_len (result i32)))
    (import "hm" "return_data_read" (func $rd_read (param i32)))"#;
/// Calls the address in the first 32 input bytes with the rest of the input and returns
/// `status ‖ callee output`.
const FORWARDER_BODY: &str = r#"
    (local $n i32) (local $out i32)
    (local.set $n (call $input_len))
    (if (i32.lt_u (local.get $n) (i32.const 32)) (then (return)))
    (call $input_read (i32.const 1024))
    (i32.store (i32.const 4096) (call $call (i32.const 1024) (i32.const 0) (i64.const 0)
        (i32.const 1056) (i32.sub (local.get $n) (i32.const 32))))
    (local.set $out (call $rd_len))
    (call $rd_read (i32.const 4100))
    (call $return_value (i32.const 0) (i32.const 4096) (i32.add (i32.const 4) (local.get $out)))"#;

fn statuses(o: &[u8]) -> Vec<i32> {
    o.chunks(4)
        .map(|c| i32::from_le_bytes(c.try_into().unwrap()))
        .collect()
}

#[test]
fn call_depth_limit_returns_status_5() {
    let exec = executor();
    let mut world = World::default();
    let code = contract(FORWARDER_IMPORTS, FORWARDER_BODY);
    let chain: Vec<AccountId> = (0..8u8).map(|i| AccountId([0x50 + i; 32])).collect();
    for a in &chain {
        install(&exec, &mut world, *a, &code);
    }
    // Root chain[0] forwards through chain[1..]: the sixth nested call is refused.
    let input: Vec<u8> = chain[1..].iter().flat_map(|a| a.0).collect();
    let out = run(
        &exec,
        &mut world,
        chain[0],
        Entry::Call,
        &input,
        100_000_000,
    );
    assert_eq!(statuses(&ok_output(&out)), vec![0, 0, 0, 0, 0, 5]);

    // Four nested calls fit.
    let input: Vec<u8> = chain[1..5].iter().flat_map(|a| a.0).collect();
    let out = run(
        &exec,
        &mut world,
        chain[0],
        Entry::Call,
        &input,
        100_000_000,
    );
    // The last contract gets an empty input and returns without calling.
    assert_eq!(statuses(&ok_output(&out)), vec![0, 0, 0, 0]);
}

#[test]
fn reentrancy_returns_status_6() {
    let exec = executor();
    let mut world = World::default();
    let code = contract(FORWARDER_IMPORTS, FORWARDER_BODY);
    let (a, b) = (AccountId([0x61; 32]), AccountId([0x62; 32]));
    install(&exec, &mut world, a, &code);
    install(&exec, &mut world, b, &code);
    let input: Vec<u8> = [b.0, a.0].concat();
    let out = run(&exec, &mut world, a, Entry::Call, &input, 100_000_000);
    assert_eq!(statuses(&ok_output(&out)), vec![0, 6]);
}

#[test]
fn wall_clock_backstop_is_a_node_fault() {
    let exec = Executor::new(ExecutorConfig {
        wall_clock_backstop: Duration::from_millis(50),
        epoch_tick: Duration::from_millis(10),
        pool_instances: 4,
        ..ExecutorConfig::default()
    })
    .unwrap();
    let code = contract("", "(loop $l (br $l))");
    let (mut world, out) = single(&exec, &code, b"", u64::MAX);
    assert_eq!(out.result, Err(ExecError::Timeout));
    assert!(out.result.unwrap_err().is_node_fault());
    assert_usable(&exec, &mut world);
}
