//! Same code, same input → same output, gas and storage, across runs and executors,
//! including float NaNs (canonicalised).

mod common;

use common::*;
use hm_executor::Entry;
use hm_primitives::AccountId;

const C: AccountId = AccountId([0xC0; 32]);

/// Float-heavy contract: produces NaNs from several operations (including one fed a
/// non-canonical NaN payload), stores their raw bits and returns them.
const NAN_BODY: &str = r#"
    (local $x f32) (local $y f64)
    (local.set $x (f32.reinterpret_i32 (i32.const 0x7fa00001)))
    (local.set $y (f64.reinterpret_i64 (i64.const 0x7ff4000000000001)))
    (i32.store (i32.const 0) (i32.reinterpret_f32 (f32.div (f32.const 0) (f32.const 0))))
    (i32.store (i32.const 4) (i32.reinterpret_f32 (f32.add (local.get $x) (f32.const 1))))
    (i32.store (i32.const 8) (i32.reinterpret_f32 (f32.sqrt (f32.const -1))))
    (i32.store (i32.const 12) (i32.reinterpret_f32 (f32.min (local.get $x) (f32.const 0))))
    (i64.store (i32.const 16) (i64.reinterpret_f64 (f64.mul (local.get $y) (f64.const 2))))
    (i64.store (i32.const 24) (i64.reinterpret_f64 (f64.sub (f64.const inf) (f64.const inf))))
    (i64.store (i32.const 32) (i64.reinterpret_f64 (f64.promote_f32 (local.get $x))))
    (i32.store (i32.const 40) (i32.reinterpret_f32 (f32.demote_f64 (local.get $y))))
    (drop (call $set (i32.const 100) (i32.const 3) (i32.const 0) (i32.const 44)))
    (call $return_value (i32.const 0) (i32.const 0) (i32.const 44))"#;

fn nan_contract() -> Vec<u8> {
    contract(
        r#"(import "hm" "storage_set" (func $set (param i32 i32 i32 i32) (result i32)))
           (data (i32.const 100) "nan")"#,
        NAN_BODY,
    )
}

#[test]
fn nans_are_canonical() {
    let exec = executor();
    let mut world = World::default();
    install(&exec, &mut world, C, &nan_contract());
    let o = ok_output(&run(&exec, &mut world, C, Entry::Call, b"", GAS));
    let f32_bits = |i: usize| u32::from_le_bytes(o[i..i + 4].try_into().unwrap());
    let f64_bits = |i: usize| u64::from_le_bytes(o[i..i + 8].try_into().unwrap());
    for off in [0, 4, 8, 12, 40] {
        assert_eq!(f32_bits(off), 0x7fc0_0000, "f32 at {off}");
    }
    for off in [16, 24, 32] {
        assert_eq!(f64_bits(off), 0x7ff8_0000_0000_0000, "f64 at {off}");
    }
}

/// A contract exercising memory, storage, hashing and events with data from its input.
fn busy_contract() -> Vec<u8> {
    contract(
        r#"(import "hm" "storage_set" (func $set (param i32 i32 i32 i32) (result i32)))
           (import "hm" "blake3" (func $blake3 (param i32 i32 i32)))
           (import "hm" "deposit_event" (func $event (param i32 i32 i32 i32)))
           (import "hm" "gas_left" (func $gas (result i64)))"#,
        r#"(local $i i32) (local $n i32) (local $acc i64)
           (local.set $n (call $input_len))
           (call $input_read (i32.const 1024))
           (loop $l
             (local.set $acc (i64.add (i64.mul (local.get $acc) (i64.const 31))
                 (i64.load8_u (i32.add (i32.const 1024) (i32.rem_u (local.get $i) (local.get $n))))))
             (local.set $i (i32.add (local.get $i) (i32.const 1)))
             (br_if $l (i32.lt_u (local.get $i) (i32.const 5000))))
           (i64.store (i32.const 0) (local.get $acc))
           (i64.store (i32.const 8) (call $gas))
           (call $blake3 (i32.const 0) (i32.const 16) (i32.const 32))
           (drop (call $set (i32.const 32) (i32.const 32) (i32.const 0) (i32.const 16)))
           (call $event (i32.const 32) (i32.const 1) (i32.const 0) (i32.const 16))
           (call $return_value (i32.const 0) (i32.const 0) (i32.const 64))"#,
    )
}

#[test]
fn repeated_runs_are_identical() {
    for code in [busy_contract(), nan_contract()] {
        let mut results = Vec::new();
        for _ in 0..2 {
            // A fresh executor each time, and a second run on the same one.
            let exec = executor();
            for _ in 0..2 {
                let mut world = World::default();
                install(&exec, &mut world, C, &code);
                let out = run(&exec, &mut world, C, Entry::Call, b"determinism input", GAS);
                results.push((out, world));
            }
        }
        assert!(results[0].0.result.is_ok());
        for r in &results[1..] {
            assert_eq!(r, &results[0]);
        }
    }
}

#[test]
fn gas_is_exactly_reproducible_for_every_limit() {
    // Out-of-gas boundaries are deterministic: the smallest limit that succeeds is the
    // gas used, and one less fails with gas_used == limit.
    let exec = executor();
    let mut world = World::default();
    install(&exec, &mut world, C, &busy_contract());
    let used = run(&exec, &mut world, C, Entry::Call, b"x", GAS).gas_used;
    let mut w = World::default();
    install(&exec, &mut w, C, &busy_contract());
    let exact = run(&exec, &mut w, C, Entry::Call, b"x", used);
    assert!(exact.result.is_ok());
    assert_eq!(exact.gas_used, used);
    let short = run(&exec, &mut w, C, Entry::Call, b"x", used - 1);
    assert!(short.result.is_err());
    assert_eq!(short.gas_used, used - 1);
}
