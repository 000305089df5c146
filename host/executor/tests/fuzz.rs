//! Fuzz-style properties: `prepare` never panics on arbitrary bytes or on mutations of
//! valid modules, and anything it accepts runs without panicking.

mod common;

use common::*;
use hm_executor::{Entry, Executor};
use hm_primitives::AccountId;
use proptest::prelude::*;
use std::sync::OnceLock;

fn shared() -> &'static Executor {
    static EXEC: OnceLock<Executor> = OnceLock::new();
    EXEC.get_or_init(executor)
}

fn seed() -> Vec<u8> {
    contract(
        r#"(import "hm" "storage_set" (func $set (param i32 i32 i32 i32) (result i32)))
           (import "hm" "storage_get" (func $get (param i32 i32 i32 i32) (result i32)))
           (table 2 funcref) (elem (i32.const 0) $f)
           (global $g (mut i32) (i32.const 7))
           (func $f (param i32) (result i32) (i32.mul (local.get 0) (global.get $g)))
           (data (i32.const 16) "seed data")"#,
        r#"(local $i i32)
           (call $input_read (i32.const 64))
           (drop (call $set (i32.const 16) (i32.const 4) (i32.const 64) (call $input_len)))
           (drop (call $get (i32.const 16) (i32.const 4) (i32.const 128) (i32.const 64)))
           (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1)))
             (br_if $l (i32.lt_u (local.get $i) (i32.const 100))))
           (call $return_value (i32.const 0) (i32.const 64) (call $input_len))"#,
    )
}

/// Anything that validates must also instrument and compile: a node-fault error here
/// would mean the validator and the engine (or the stack instrumentation) disagree.
fn prepare_checked(code: &[u8]) -> bool {
    match shared().prepare(code) {
        Ok(_) => true,
        Err(e) => {
            assert!(!e.is_node_fault(), "{e}");
            false
        }
    }
}

fn run_if_accepted(code: &[u8], input: &[u8]) {
    if prepare_checked(code) {
        let mut world = World::default();
        let c = AccountId([1; 32]);
        install(shared(), &mut world, c, code);
        for entry in [Entry::Deploy, Entry::Call] {
            let out = run(shared(), &mut world, c, entry, input, 1_000_000);
            assert!(out.gas_used <= 1_000_000);
            if let Err(e) = &out.result {
                assert!(!e.is_node_fault(), "{e}");
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        prepare_checked(&bytes);
        let mut with_header = b"\0asm\x01\0\0\0".to_vec();
        with_header.extend_from_slice(&bytes);
        prepare_checked(&with_header);
    }

    #[test]
    fn mutated_modules_never_panic(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        input in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        let mut code = seed();
        for (index, byte) in flips {
            let i = index.index(code.len());
            code[i] = byte;
        }
        run_if_accepted(&code, &input);
    }

    #[test]
    fn call_input_never_panics(input in proptest::collection::vec(any::<u8>(), 0..4096)) {
        run_if_accepted(&seed(), &input);
    }
}
