//! The deterministic stack limit: recursion traps at a depth fixed by the code and
//! `max_stack_slots`, never by native frame sizes.

mod common;

use common::*;
use hm_executor::{Entry, ExecError, ExecOutcome, Executor, ExecutorConfig, TrapKind, UploadError};
use hm_primitives::AccountId;

const C: AccountId = AccountId([0xC0; 32]);

fn exec_call(exec: &Executor, code: &[u8]) -> ExecOutcome {
    let mut world = World::default();
    install(exec, &mut world, C, code);
    run(exec, &mut world, C, Entry::Call, b"", 10_000_000_000)
}

fn assert_deterministic_overflow(out: &ExecOutcome, what: &str) {
    match &out.result {
        Err(ExecError::Trap(t)) => {
            assert_eq!(t.kind, TrapKind::StackOverflow, "{what}");
            assert!(t.message.contains("deterministic"), "{what}: {}", t.message);
        }
        other => panic!("{what}: expected a stack overflow, got {other:?}"),
    }
}

/// `call` recurses `n` levels into `$f`. Logical frame sizes (8 + params + locals +
/// max operand stack): `call` = 8 + 1 = 9, `$f` = 8 + 1 + 2 = 11.
fn countdown(n: u32) -> Vec<u8> {
    wasm(&format!(
        r#"(module
            (memory (export "memory") 1)
            (func $f (param i32)
                (if (local.get 0) (then (call $f (i32.sub (local.get 0) (i32.const 1))))))
            (func (export "deploy"))
            (func (export "call") (call $f (i32.const {n}))))"#
    ))
}

#[test]
fn limit_is_exact_and_deterministic() {
    let exec = executor();
    let limit = exec.config().max_stack_slots;
    // 9 + 11 * frames <= limit, with frames = n + 1.
    let max_n = (limit - 9) / 11 - 1;
    for _ in 0..2 {
        assert!(exec_call(&exec, &countdown(max_n)).result.is_ok());
        assert_deterministic_overflow(&exec_call(&exec, &countdown(max_n + 1)), "one deeper");
    }
}

#[test]
fn counter_is_restored_on_every_exit() {
    // Returns through `return`, through `br` to the function label and by falling off the
    // end, 100 times 1000 levels deep: any missing decrement would overflow the limit.
    let exec = executor();
    let code = wasm(
        r#"(module
            (memory (export "memory") 1)
            (func $ret (param i32) (result i32)
                (if (i32.eqz (local.get 0)) (then (return (i32.const 7))))
                (return (call $ret (i32.sub (local.get 0) (i32.const 1)))))
            (func $brk (param i32) (result i64)
                (i64.const 9)
                (br_if 0 (i32.eqz (local.get 0)))
                drop
                (call $brk (i32.sub (local.get 0) (i32.const 1))))
            (func $multi (param i32) (result i32 i64)
                (if (result i32 i64) (local.get 0)
                    (then (call $multi (i32.sub (local.get 0) (i32.const 1))))
                    (else (i32.const 1) (i64.const 2))))
            (func (export "deploy"))
            (func (export "call") (local $i i32)
                (loop $l
                    (drop (call $ret (i32.const 1000)))
                    (drop (call $brk (i32.const 1000)))
                    (drop (drop (call $multi (i32.const 500))))
                    (local.set $i (i32.add (local.get $i) (i32.const 1)))
                    (br_if $l (i32.lt_u (local.get $i) (i32.const 100))))))"#,
    );
    let out = exec_call(&exec, &code);
    assert!(out.result.is_ok(), "{:?}", out.result);
}

#[test]
fn heavy_frames_hit_the_deterministic_limit_before_the_native_one() {
    let exec = executor();
    let locals = "i64 ".repeat(1000);
    let params = "i64 ".repeat(100);
    let args = "(i64.const 1) ".repeat(100);
    let shapes = [
        (
            "small frames",
            "(func $f (param i64) (result i64) (i64.add (call $f (local.get 0)) (i64.const 1)))
             (func $go (drop (call $f (i64.const 0))))"
                .to_string(),
        ),
        (
            "many live locals",
            format!(
                "(func $f (local {locals}) (local.set 999 (i64.const 5)) (call $f)
                   (drop (i64.add (local.get 999) (local.get 0))))
                 (func $go (call $f))"
            ),
        ),
        (
            "deep operand stack",
            format!(
                "(func $f (result i64) {pushes} (call $f) {adds})
                 (func $go (drop (call $f)))",
                pushes = "(i64.const 3) ".repeat(200),
                adds = "i64.add ".repeat(200)
            ),
        ),
        (
            "many params",
            format!(
                "(func $f (param {params}) (call $f {args}))
                 (func $go (call $f {args}))"
            ),
        ),
        (
            "indirect mutual recursion",
            "(type $t (func (param i32) (result i32)))
             (table 2 funcref) (elem (i32.const 0) $a $b)
             (func $a (param i32) (result i32)
                (i32.add (call_indirect (type $t) (local.get 0) (i32.const 1)) (i32.const 1)))
             (func $b (param i32) (result i32)
                (i32.add (call_indirect (type $t) (local.get 0) (i32.const 0)) (i32.const 2)))
             (func $go (drop (call $a (i32.const 0))))"
                .to_string(),
        ),
    ];
    for (name, funcs) in shapes {
        let code = wasm(&format!(
            r#"(module (memory (export "memory") 1) {funcs}
                (func (export "deploy")) (func (export "call") (call $go)))"#
        ));
        assert_deterministic_overflow(&exec_call(&exec, &code), name);
    }
}

#[test]
fn instrumentation_only_inserts_and_adds_one_global_and_export() {
    let exec = executor();
    let code = countdown(3);
    let compiled = exec.compiled_form(&code).unwrap();
    assert!(compiled.len() > code.len());
    let text = wasmparser::validate(&compiled);
    assert!(text.is_ok(), "instrumented code is valid wasm");
    // Compiling the instrumented form again is rejected: it exports the reserved name.
    match exec.prepare(&compiled) {
        Err(UploadError::Limit(msg)) => assert!(msg.contains("reserved"), "{msg}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn native_stack_exhaustion_is_a_node_fault_not_a_trap() {
    // A logical limit far beyond what 64 KiB of native stack holds: wasmtime's own limit
    // fires first, at a depth that depends on the machine, so no result may be recorded.
    let exec = Executor::new(ExecutorConfig {
        max_wasm_stack: 64 * 1024,
        max_stack_slots: 1 << 30,
        ..test_config()
    })
    .expect("executor");
    let out = exec_call(&exec, &countdown(1_000_000));
    match &out.result {
        Err(e @ ExecError::NodeFault(msg)) => {
            assert!(e.is_node_fault());
            assert!(msg.contains("max_wasm_stack"), "{msg}");
        }
        other => panic!("expected a node fault, got {other:?}"),
    }
    // The executor stays usable.
    assert!(exec_call(&exec, &countdown(3)).result.is_ok());
}
