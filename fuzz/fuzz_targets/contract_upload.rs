//! Any bytes through the contract upload path (validation, instrumentation, Cranelift)
//! with the chain's consensus limits and the upload gas the contracts pallet allows, as
//! they are, behind a wasm header, and as byte flips of a valid contract:
//! never a panic or a node fault, the charge stays within the limit, the answer does not
//! depend on the compile cache, and accepted code runs deploy and call without panics,
//! with the same outcome from a cold cache as from a warm one.
#![no_main]
mod common;

use common::{Contract, World};
use hm_executor::{Entry, Executor, UploadError};
use hm_primitives::{blake3_256, AccountId};
use hm_runtime::pallet_contracts::upload_gas_limit;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

/// A few milliseconds of wasm at most: enough to run real code, small enough to fuzz fast.
const RUN_GAS: u64 = 2_000_000;
const DEPLOYER: AccountId = AccountId([0xD1; 32]);
const ADDRESS: AccountId = AccountId([0xC1; 32]);

fn shared() -> &'static Executor {
    static EXEC: OnceLock<Executor> = OnceLock::new();
    EXEC.get_or_init(common::executor)
}

fn check_upload(exec: &Executor, code: &[u8]) {
    let limit = upload_gas_limit(code.len());
    let first = exec.prepare_metered(code, limit);
    assert!(
        first.gas_used <= limit,
        "charged {} over {limit}",
        first.gas_used
    );
    let prepared = match &first.result {
        Ok(prepared) => *prepared,
        Err(UploadError::CodeTooLarge { .. }) => {
            assert_eq!(
                first.gas_used, 0,
                "oversized code is refused before it is paid for"
            );
            return;
        }
        Err(e) => {
            assert!(!e.is_node_fault(), "validated code failed to compile: {e}");
            return;
        }
    };
    assert_eq!(prepared.code_hash, blake3_256(code));
    assert_eq!(first.gas_used, prepared.upload_gas);
    // A cache hit must answer (and charge) exactly as the compile did.
    assert_eq!(exec.prepare_metered(code, limit), first);
    let contract = Contract {
        code_hash: prepared.code_hash,
        address: ADDRESS,
    };
    let mut world = World::default();
    world.codes.insert(prepared.code_hash, code.to_vec());
    let input = &code[code.len().saturating_sub(64)..];
    let mut warm = world.clone();
    let deploy = common::run_frame(
        exec,
        &mut warm,
        contract,
        Entry::Deploy,
        DEPLOYER,
        input,
        RUN_GAS,
    );
    let call = common::run_frame(
        exec,
        &mut warm,
        contract,
        Entry::Call,
        DEPLOYER,
        input,
        RUN_GAS,
    );
    // A node without the artifact recompiles from the stored code: same results, same gas.
    exec.forget(&prepared.code_hash);
    let mut cold = world;
    let deploy_cold = common::run_frame(
        exec,
        &mut cold,
        contract,
        Entry::Deploy,
        DEPLOYER,
        input,
        RUN_GAS,
    );
    let call_cold = common::run_frame(
        exec,
        &mut cold,
        contract,
        Entry::Call,
        DEPLOYER,
        input,
        RUN_GAS,
    );
    assert_eq!(deploy, deploy_cold);
    assert_eq!(call, call_cold);
    assert_eq!(warm, cold);
    // Keep the in-memory cache from filling with fuzzed modules.
    exec.forget(&prepared.code_hash);
}

/// A valid contract using most of what the ABI allows (host imports, a table with
/// `call_indirect`, mutable globals, data, loops, floats, bulk memory), so byte flips
/// land in every section and most mutants still parse deep into validation and compile.
fn seed() -> &'static [u8] {
    static SEED: OnceLock<Vec<u8>> = OnceLock::new();
    SEED.get_or_init(|| {
        wat::parse_str(
            r#"(module
              (import "hm" "input_len" (func $input_len (result i32)))
              (import "hm" "input_read" (func $input_read (param i32)))
              (import "hm" "return_value" (func $return_value (param i32 i32 i32)))
              (import "hm" "storage_set" (func $set (param i32 i32 i32 i32) (result i32)))
              (import "hm" "storage_get" (func $get (param i32 i32 i32 i32) (result i32)))
              (import "hm" "gas_left" (func $gas (result i64)))
              (type $unary (func (param i32) (result i32)))
              (table 2 funcref)
              (elem (i32.const 0) $double $square)
              (global $g (mut i32) (i32.const 7))
              (memory (export "memory") 1 16)
              (data (i32.const 16) "seed data")
              (func $double (param i32) (result i32) (i32.shl (local.get 0) (i32.const 1)))
              (func $square (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
              (func (export "deploy") (global.set $g (i32.const 9)))
              (func (export "call") (local $i i32) (local $f f64)
                (call $input_read (i32.const 64))
                (drop (call $set (i32.const 16) (i32.const 4) (i32.const 64) (call $input_len)))
                (drop (call $get (i32.const 16) (i32.const 4) (i32.const 128) (i32.const 64)))
                (memory.copy (i32.const 256) (i32.const 64) (i32.const 32))
                (loop $l
                  (local.set $i (i32.add (local.get $i)
                    (call_indirect (type $unary) (global.get $g)
                      (i32.and (local.get $i) (i32.const 1)))))
                  (local.set $f (f64.sqrt (f64.convert_i32_u (local.get $i))))
                  (br_if $l (i32.and (i32.lt_u (local.get $i) (i32.const 1000))
                                     (i64.gt_s (call $gas) (i64.const 1000)))))
                (f64.store (i32.const 8) (local.get $f))
                (call $return_value (i32.const 0) (i32.const 64) (call $input_len))))"#,
        )
        .expect("the seed module is valid WAT")
    })
}

/// The seed with up to eight bytes overwritten: `data` is `(offset: u16, byte)` triples.
fn mutant(data: &[u8]) -> Vec<u8> {
    let mut code = seed().to_vec();
    for flip in data.chunks_exact(3).take(8) {
        let offset = usize::from(u16::from_le_bytes([flip[0], flip[1]])) % code.len();
        code[offset] = flip[2];
    }
    code
}

fuzz_target!(|data: &[u8]| {
    let exec = shared();
    check_upload(exec, data);
    // Random bytes rarely start with the wasm header; also try them as a module body.
    if !data.starts_with(b"\0asm") {
        let mut module = b"\0asm\x01\0\0\0".to_vec();
        module.extend_from_slice(data);
        check_upload(exec, &module);
    }
    // And as byte flips of a valid contract, which reach the compiler and the runtime.
    check_upload(exec, &mutant(data));
});
