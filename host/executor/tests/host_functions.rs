//! Happy path of every `hm` host function.

mod common;

use common::*;
use hm_executor::{contract_address, Entry, ExecError, TrapKind};
use hm_primitives::{AccountId, H256};

const C: AccountId = AccountId([0xC0; 32]);
const D: AccountId = AccountId([0xD0; 32]);
const BOB: AccountId = AccountId([0xB0; 32]);

fn i32s(bytes: &[u8]) -> Vec<i32> {
    bytes
        .chunks_exact(4)
        .map(|c| i32::from_le_bytes(c.try_into().unwrap()))
        .collect()
}

const ECHO: &str = r#"
    (local $n i32)
    (local.set $n (call $input_len))
    (call $input_read (i32.const 0))
    (call $return_value (i32.const 0) (i32.const 0) (local.get $n))"#;

#[test]
fn input_and_return_value() {
    let exec = executor();
    let mut world = World::default();
    install(&exec, &mut world, C, &contract("", ECHO));
    let out = run(&exec, &mut world, C, Entry::Call, b"hello contract", GAS);
    assert_eq!(ok_output(&out), b"hello contract");
    assert!(out.gas_used > 0 && out.gas_used < GAS);

    // Empty input, empty output.
    let out = run(&exec, &mut world, C, Entry::Call, b"", GAS);
    assert_eq!(ok_output(&out), b"");
}

#[test]
fn revert_flag_and_implicit_return() {
    let exec = executor();
    let mut world = World::default();
    let code = contract(
        r#"(data (i32.const 0) "nope")"#,
        r#"(if (i32.eqz (call $input_len)) (then (return)))
           (call $return_value (i32.const 1) (i32.const 0) (i32.const 4))
           unreachable"#,
    );
    install(&exec, &mut world, C, &code);
    let out = run(&exec, &mut world, C, Entry::Call, b"x", GAS);
    let r = out.result.unwrap();
    assert!(r.reverted);
    assert_eq!(r.output, b"nope");
    // Falling off the end of `call` is success with empty output.
    let out = run(&exec, &mut world, C, Entry::Call, b"", GAS);
    assert_eq!(ok_output(&out), b"");
    // `deploy` runs too.
    assert_eq!(
        ok_output(&run(&exec, &mut world, C, Entry::Deploy, b"", GAS)),
        b""
    );
}

#[test]
fn storage_functions() {
    let exec = executor();
    let mut world = World::default();
    let imports = r#"
        (import "hm" "storage_get" (func $get (param i32 i32 i32 i32) (result i32)))
        (import "hm" "storage_set" (func $set (param i32 i32 i32 i32) (result i32)))
        (import "hm" "storage_remove" (func $remove (param i32 i32) (result i32)))
        (import "hm" "storage_contains" (func $contains (param i32 i32) (result i32)))
        (data (i32.const 0) "key")
        (data (i32.const 16) "value1")
        (data (i32.const 32) "value22")"#;
    // Results are stored as i32s from offset 512; the buffer for reads is at 256.
    let body = r#"
        (i32.store (i32.const 512) (call $set (i32.const 0) (i32.const 3) (i32.const 16) (i32.const 6)))
        (i32.store (i32.const 516) (call $set (i32.const 0) (i32.const 3) (i32.const 32) (i32.const 7)))
        (i32.store (i32.const 520) (call $contains (i32.const 0) (i32.const 3)))
        (i32.store (i32.const 524) (call $get (i32.const 0) (i32.const 3) (i32.const 256) (i32.const 100)))
        (i32.store (i32.const 528) (call $get (i32.const 0) (i32.const 3) (i32.const 300) (i32.const 3)))
        (i32.store (i32.const 532) (call $get (i32.const 0) (i32.const 2) (i32.const 300) (i32.const 100)))
        (i32.store (i32.const 536) (call $set (i32.const 0) (i32.const 1) (i32.const 16) (i32.const 0)))
        (call $return_value (i32.const 0) (i32.const 256) (i32.const 7))"#;
    let summary = format!(
        "{body_without_return}
        (i32.store (i32.const 540) (call $remove (i32.const 0) (i32.const 3)))
        (i32.store (i32.const 544) (call $contains (i32.const 0) (i32.const 3)))
        (i32.store (i32.const 548) (call $remove (i32.const 0) (i32.const 3)))
        (call $return_value (i32.const 0) (i32.const 512) (i32.const 40))",
        body_without_return = body.rsplit_once("(call $return_value").unwrap().0
    );
    install(&exec, &mut world, C, &contract(imports, body));
    install(&exec, &mut world, D, &contract(imports, &summary));

    let out = run(&exec, &mut world, C, Entry::Call, b"", GAS);
    assert_eq!(ok_output(&out), b"value22");
    assert_eq!(world.get(C, b"key"), Some(&b"value22".to_vec()));
    assert_eq!(world.get(C, b"k"), Some(&Vec::new()));

    let out = run(&exec, &mut world, D, Entry::Call, b"", GAS);
    // set→-1 (absent), set→6, contains→7, get→7 (copied), get cap 3→7 (not copied),
    // get absent→-1, set empty→-1, remove→7, contains→-1, remove→-1.
    assert_eq!(
        i32s(&ok_output(&out)),
        vec![-1, 6, 7, 7, 7, -1, -1, 7, -1, -1]
    );
    assert_eq!(world.get(D, b"key"), None);
    // Storage is per contract.
    assert_eq!(world.get(C, b"key"), Some(&b"value22".to_vec()));
}

#[test]
fn context_functions() {
    let exec = executor();
    let mut world = World {
        block_number: 42,
        timestamp: 1_700_000_000_123,
        ..World::default()
    };
    world.balances.insert(C, 5_000);
    let imports = r#"
        (import "hm" "caller" (func $caller (param i32)))
        (import "hm" "address" (func $address (param i32)))
        (import "hm" "value_transferred" (func $value (param i32)))
        (import "hm" "balance" (func $balance (param i32)))
        (import "hm" "block_number" (func $block (result i64)))
        (import "hm" "timestamp" (func $time (result i64)))
        (import "hm" "gas_left" (func $gas (result i64)))"#;
    let body = r#"
        (call $caller (i32.const 0))
        (call $address (i32.const 32))
        (call $value (i32.const 64))
        (call $balance (i32.const 80))
        (i64.store (i32.const 96) (call $block))
        (i64.store (i32.const 104) (call $time))
        (i64.store (i32.const 112) (call $gas))
        (call $return_value (i32.const 0) (i32.const 0) (i32.const 120))"#;
    install(&exec, &mut world, C, &contract(imports, body));
    let out = run_with_value(&exec, &mut world, C, Entry::Call, b"", GAS, 777);
    let o = ok_output(&out);
    assert_eq!(&o[0..32], &ALICE.0);
    assert_eq!(&o[32..64], &C.0);
    assert_eq!(u128::from_le_bytes(o[64..80].try_into().unwrap()), 777);
    assert_eq!(u128::from_le_bytes(o[80..96].try_into().unwrap()), 5_000);
    assert_eq!(u64::from_le_bytes(o[96..104].try_into().unwrap()), 42);
    assert_eq!(
        u64::from_le_bytes(o[104..112].try_into().unwrap()),
        1_700_000_000_123
    );
    let gas_left = u64::from_le_bytes(o[112..120].try_into().unwrap());
    assert!(gas_left < GAS && gas_left > GAS - out.gas_used - 1000);
    assert!(GAS - gas_left <= out.gas_used);
}

#[test]
fn transfer_statuses() {
    let exec = executor();
    let mut world = World::default();
    world.balances.insert(C, 1_000);
    let imports = format!(
        r#"(import "hm" "transfer" (func $transfer (param i32 i32) (result i32)))
           (data (i32.const 0) "{bob}")
           (data (i32.const 32) "\2c\01")
           (data (i32.const 48) "\40\42\0f")"#,
        bob = BOB
            .0
            .iter()
            .map(|b| format!("\\{b:02x}"))
            .collect::<String>()
    );
    let body = r#"
        (i32.store (i32.const 128) (call $transfer (i32.const 0) (i32.const 32)))
        (i32.store (i32.const 132) (call $transfer (i32.const 0) (i32.const 48)))
        (call $return_value (i32.const 0) (i32.const 128) (i32.const 8))"#;
    install(&exec, &mut world, C, &contract(&imports, body));
    let out = run(&exec, &mut world, C, Entry::Call, b"", GAS);
    assert_eq!(i32s(&ok_output(&out)), vec![0, 3]);
    assert_eq!(world.balance(&BOB), 300);
    assert_eq!(world.balance(&C), 700);
}

#[test]
fn deposit_event_with_topics() {
    let exec = executor();
    let mut world = World::default();
    let imports = r#"
        (import "hm" "deposit_event" (func $event (param i32 i32 i32 i32)))
        (data (i32.const 0) "TTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUU")
        (data (i32.const 64) "payload")"#;
    let body = r#"
        (call $event (i32.const 0) (i32.const 2) (i32.const 64) (i32.const 7))
        (call $event (i32.const 0) (i32.const 0) (i32.const 64) (i32.const 0))"#;
    install(&exec, &mut world, C, &contract(imports, body));
    ok_output(&run(&exec, &mut world, C, Entry::Call, b"", GAS));
    assert_eq!(
        world.events,
        vec![
            (
                C,
                vec![H256([b'T'; 32]), H256([b'U'; 32])],
                b"payload".to_vec()
            ),
            (C, vec![], vec![]),
        ]
    );
}

/// `call` forwards its input to the address in the first 32 input bytes and returns
/// `status ‖ callee output`.
pub const CALLER_IMPORTS: &str = r#"
    (import "hm" "call" (func $call (param i32 i32 i64 i32 i32) (result i32)))
    (import "hm" "return_data_len" (func $rd_len (result i32)))
    (import "hm" "return_data_read" (func $rd_read (param i32)))"#;
pub const CALLER_BODY: &str = r#"
    (local $n i32) (local $status i32) (local $out i32)
    (local.set $n (call $input_len))
    (call $input_read (i32.const 1024))
    ;; value 0 at 0..16 (memory starts zeroed)
    (local.set $status (call $call (i32.const 1024) (i32.const 0) (i64.const 0)
        (i32.const 1056) (i32.sub (local.get $n) (i32.const 32))))
    (i32.store (i32.const 4096) (local.get $status))
    (local.set $out (call $rd_len))
    (call $rd_read (i32.const 4100))
    (call $return_value (i32.const 0) (i32.const 4096) (i32.add (i32.const 4) (local.get $out)))"#;

#[test]
fn nested_call_and_return_data() {
    let exec = executor();
    let mut world = World::default();
    install(&exec, &mut world, C, &contract(CALLER_IMPORTS, CALLER_BODY));
    install(&exec, &mut world, D, &contract("", ECHO));
    let mut input = D.0.to_vec();
    input.extend_from_slice(b"ping");
    let out = run(&exec, &mut world, C, Entry::Call, &input, GAS);
    let o = ok_output(&out);
    assert_eq!(i32::from_le_bytes(o[..4].try_into().unwrap()), 0);
    assert_eq!(&o[4..], b"ping");

    // Unknown callee: status 4, no return data.
    let mut input = BOB.0.to_vec();
    input.extend_from_slice(b"ping");
    let o = ok_output(&run(&exec, &mut world, C, Entry::Call, &input, GAS));
    assert_eq!(o, 4i32.to_le_bytes());
}

#[test]
fn nested_call_gas_is_charged_to_the_caller() {
    let exec = executor();
    let mut world = World::default();
    install(&exec, &mut world, C, &contract(CALLER_IMPORTS, CALLER_BODY));
    install(&exec, &mut world, D, &contract("", ECHO));
    let mut input = D.0.to_vec();
    input.extend_from_slice(b"ping");
    let with_callee = run(&exec, &mut world, C, Entry::Call, &input, GAS).gas_used;
    let mut input = BOB.0.to_vec();
    input.extend_from_slice(b"ping");
    let without = run(&exec, &mut world, C, Entry::Call, &input, GAS).gas_used;
    // The callee's execution base alone exceeds the difference in copied bytes.
    let base = exec.config().schedule.execute_base;
    assert!(with_callee > without + base, "{with_callee} vs {without}");
}

#[test]
fn instantiate_deploys_at_the_derived_address() {
    let exec = executor();
    let mut world = World::default();
    // The child's deploy stores its input under "init".
    let child = wasm(
        r#"(module
            (import "hm" "input_len" (func $input_len (result i32)))
            (import "hm" "input_read" (func $input_read (param i32)))
            (import "hm" "storage_set" (func $set (param i32 i32 i32 i32) (result i32)))
            (memory (export "memory") 1)
            (data (i32.const 0) "init")
            (func (export "deploy")
                (call $input_read (i32.const 64))
                (drop (call $set (i32.const 0) (i32.const 4) (i32.const 64) (call $input_len))))
            (func (export "call")))"#,
    );
    let child_hash = exec.prepare(&child).unwrap().code_hash;
    world.codes.insert(child_hash, child);
    let imports = format!(
        r#"(import "hm" "instantiate" (func $inst (param i32 i32 i64 i32 i32 i32 i32 i32) (result i32)))
           (data (i32.const 0) "{hash}")
           (data (i32.const 64) "hello")
           (data (i32.const 80) "salt")"#,
        hash = child_hash
            .0
            .iter()
            .map(|b| format!("\\{b:02x}"))
            .collect::<String>()
    );
    let body = r#"
        (i32.store (i32.const 200) (call $inst (i32.const 0) (i32.const 32) (i64.const 0)
            (i32.const 64) (i32.const 5) (i32.const 80) (i32.const 4) (i32.const 204)))
        (i32.store (i32.const 236) (call $inst (i32.const 0) (i32.const 32) (i64.const 0)
            (i32.const 64) (i32.const 5) (i32.const 80) (i32.const 4) (i32.const 300)))
        (call $return_value (i32.const 0) (i32.const 200) (i32.const 40))"#;
    install(&exec, &mut world, C, &contract(&imports, body));
    let o = ok_output(&run(&exec, &mut world, C, Entry::Call, b"", GAS));
    let expected = contract_address(&C, &child_hash, b"salt");
    assert_eq!(i32::from_le_bytes(o[..4].try_into().unwrap()), 0);
    assert_eq!(&o[4..36], &expected.0);
    assert_eq!(
        i32::from_le_bytes(o[36..40].try_into().unwrap()),
        7,
        "address in use"
    );
    assert_eq!(world.contracts.get(&expected), Some(&child_hash));
    assert_eq!(world.get(expected, b"init"), Some(&b"hello".to_vec()));
}

#[test]
fn blake3_digest() {
    let exec = executor();
    let mut world = World::default();
    let imports = r#"
        (import "hm" "blake3" (func $blake3 (param i32 i32 i32)))
        (data (i32.const 0) "abc")"#;
    let body = r#"
        (call $blake3 (i32.const 0) (i32.const 3) (i32.const 64))
        (call $return_value (i32.const 0) (i32.const 64) (i32.const 32))"#;
    install(&exec, &mut world, C, &contract(imports, body));
    let o = ok_output(&run(&exec, &mut world, C, Entry::Call, b"", GAS));
    assert_eq!(o, blake3::hash(b"abc").as_bytes());
}

#[test]
fn falcon_verify_accepts_valid_and_rejects_tampered() {
    let exec = executor();
    let mut world = World::default();
    let imports = r#"
        (import "hm" "falcon_verify" (func $verify (param i32 i32 i32 i32 i32 i32) (result i32)))"#;
    // Input: pk_len u32 ‖ sig_len u32 ‖ pk ‖ sig ‖ msg.
    let body = r#"
        (local $pk i32) (local $sig i32) (local $n i32)
        (local.set $n (call $input_len))
        (call $input_read (i32.const 0))
        (local.set $pk (i32.load (i32.const 0)))
        (local.set $sig (i32.load (i32.const 4)))
        (i32.store (i32.const 60000)
            (call $verify
                (i32.const 8) (local.get $pk)
                (i32.add (i32.const 8) (i32.add (local.get $pk) (local.get $sig)))
                (i32.sub (local.get $n) (i32.add (i32.const 8) (i32.add (local.get $pk) (local.get $sig))))
                (i32.add (i32.const 8) (local.get $pk)) (local.get $sig)))
        (call $return_value (i32.const 0) (i32.const 60000) (i32.const 4))"#;
    install(&exec, &mut world, C, &contract(imports, body));
    let key = hm_crypto::dev_keypair("alice").unwrap();
    let msg = b"contract message";
    let sig = key.sign(msg);
    let input = |msg: &[u8]| {
        let pk = key.public().as_bytes();
        let mut v = (pk.len() as u32).to_le_bytes().to_vec();
        v.extend_from_slice(&(sig.0.len() as u32).to_le_bytes());
        v.extend_from_slice(pk);
        v.extend_from_slice(&sig.0);
        v.extend_from_slice(msg);
        v
    };
    let gas = 100_000_000;
    let o = ok_output(&run(&exec, &mut world, C, Entry::Call, &input(msg), gas));
    assert_eq!(o, 1i32.to_le_bytes());
    let o = ok_output(&run(
        &exec,
        &mut world,
        C,
        Entry::Call,
        &input(b"other"),
        gas,
    ));
    assert_eq!(o, 0i32.to_le_bytes());
}

#[test]
fn debug_log_reaches_the_environment() {
    let exec = executor();
    let mut world = World::default();
    let imports = r#"
        (import "hm" "debug_log" (func $log (param i32 i32)))
        (data (i32.const 0) "hello \ff log")"#;
    let body = r#"(call $log (i32.const 0) (i32.const 11))"#;
    install(&exec, &mut world, C, &contract(imports, body));
    ok_output(&run(&exec, &mut world, C, Entry::Call, b"", GAS));
    assert_eq!(world.logs, vec!["hello \u{fffd} log".to_string()]);
}

#[test]
fn environment_refusal_traps_the_frame() {
    let exec = executor();
    let mut world = World::default();
    let imports = r#"
        (import "hm" "storage_set" (func $set (param i32 i32 i32 i32) (result i32)))
        (data (i32.const 0) "forbidden")"#;
    let body = r#"(drop (call $set (i32.const 0) (i32.const 9) (i32.const 0) (i32.const 1)))"#;
    install(&exec, &mut world, C, &contract(imports, body));
    let out = run(&exec, &mut world, C, Entry::Call, b"", GAS);
    match out.result {
        Err(ExecError::Trap(t)) => {
            assert_eq!(t.kind, TrapKind::Environment);
            assert!(t.message.contains("deposit"), "{}", t.message);
        }
        other => panic!("expected environment trap, got {other:?}"),
    }
}

#[test]
fn call_runtime_without_a_runtime_refuses_and_checks_its_bounds() {
    let exec = executor();
    let mut world = World::default();
    let imports = r#"
        (import "hm" "call_runtime" (func $call_runtime (param i32 i32) (result i32)))
        (import "hm" "return_data_len" (func $rdl (result i32)))"#;
    // The input is the call's pointer and length, little-endian i32s.
    let body = r#"
        (call $input_read (i32.const 0))
        (i32.store (i32.const 16)
          (call $call_runtime (i32.load (i32.const 0)) (i32.load (i32.const 4))))
        (i32.store (i32.const 20) (call $rdl))
        (call $return_value (i32.const 0) (i32.const 16) (i32.const 8))"#;
    install(&exec, &mut world, C, &contract(imports, body));
    let mut call = |ptr: i32, len: i32| {
        let input = [ptr.to_le_bytes(), len.to_le_bytes()].concat();
        run(&exec, &mut world, C, Entry::Call, &input, GAS)
    };

    // A test environment has no runtime: status 9 (refused), no return data.
    assert_eq!(i32s(&ok_output(&call(64, 35))), vec![9, 0]);
    let trap = |out: hm_executor::ExecOutcome, expect: &str| match out.result {
        Err(ExecError::Trap(t)) => assert!(t.message.contains(expect), "{}", t.message),
        other => panic!("expected a trap, got {other:?}"),
    };
    // Past the 2 KiB cap (a negative length reads as huge): a limit trap.
    trap(call(64, 2 * 1024 + 1), "exceeds 2048");
    trap(call(64, -1), "exceeds 2048");
    // Within the cap but past the end of memory (one page): a bad pointer.
    trap(call(65_536 - 10, 35), "outside linear memory");
}
