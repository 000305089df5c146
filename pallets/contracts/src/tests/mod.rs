//! Pallet tests against the real executor: real wasm from `contracts/target-wasm` (built
//! by `scripts/build-contracts.sh`) and hand-written WAT.
mod code;
mod examples;
mod hostile;
mod nested;
mod token;

use crate::mock::wat;

/// A contract whose `call` body is `body` and whose `deploy` does nothing; `imports` are
/// extra `(import "hm" ...)` lines and data segments. One page of memory.
pub fn contract(imports: &str, body: &str) -> Vec<u8> {
    wat(&format!(
        r#"(module
            (import "hm" "return_value" (func $return_value (param i32 i32 i32)))
            (import "hm" "input_len" (func $input_len (result i32)))
            (import "hm" "input_read" (func $input_read (param i32)))
            {imports}
            (memory (export "memory") 1)
            (func (export "deploy"))
            (func (export "call") {body}))"#
    ))
}

/// `(import "hm" "storage_set" ...)` as `$set`.
pub const IMPORT_SET: &str =
    r#"(import "hm" "storage_set" (func $set (param i32 i32 i32 i32) (result i32)))"#;
/// `(import "hm" "call" ...)` as `$call`.
pub const IMPORT_CALL: &str =
    r#"(import "hm" "call" (func $call (param i32 i32 i64 i32 i32) (result i32)))"#;

/// Forwards its call: input is `next (32 bytes) ‖ rest`. With `next` all zero it writes
/// its own marker and returns; otherwise it writes the marker, calls `next` with `rest`
/// and all remaining gas, and traps unless the call succeeded. So a chain of forwarders
/// fails as a whole when any hop is refused.
pub fn forwarder() -> Vec<u8> {
    contract(
        &format!("{IMPORT_SET} {IMPORT_CALL}"),
        r#"(local $len i32)
           (local.set $len (call $input_len))
           (call $input_read (i32.const 1024))
           (drop (call $set (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 1)))
           (if (i32.lt_u (local.get $len) (i32.const 32)) (then (return)))
           (if (i64.eqz (i64.or (i64.or (i64.load (i32.const 1024)) (i64.load (i32.const 1032)))
                                (i64.or (i64.load (i32.const 1040)) (i64.load (i32.const 1048)))))
             (then (return)))
           (i32.store (i32.const 16) (call $call (i32.const 1024) (i32.const 2048) (i64.const 0)
                 (i32.const 1056) (i32.sub (local.get $len) (i32.const 32))))
           (if (i32.ne (i32.load (i32.const 16)) (i32.const 0)) (then unreachable))"#,
    )
}
