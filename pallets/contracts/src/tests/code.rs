//! `upload_code`, `remove_code` and hostile uploads.
use super::contract;
use crate::deposit::code_deposit;
use crate::mock::*;
use crate::{
    code, code_info, deposit_account, gas_to_weight, total_deposits, upload_base_weight, Call,
    Error, Event, MAX_CODE_BYTES,
};
use hm_executor::Executor;
use hm_primitives::blake3_256;
use hm_support::DispatchError;
use std::sync::Arc;

fn upload_call(code: Vec<u8>) -> Call {
    Call::UploadCode {
        code,
        storage_deposit_limit: None,
    }
}

fn err(e: Error) -> Result<(), DispatchError> {
    Err(e.into())
}

#[test]
fn upload_stores_code_and_holds_its_deposit() {
    let mut ext = new_ext();
    let token = built("token");
    let call = upload_call(token.clone());
    let declared = call.weight();
    let outcome = dispatch_as(&mut ext, ALICE, call);
    assert_eq!(outcome.result, Ok(()));
    let hash = blake3_256(&token);
    let deposit = code_deposit(token.len());
    assert_eq!(code(&ext, &hash), Some(token.clone()));
    let info = code_info(&ext, &hash).unwrap();
    assert_eq!(
        (info.owner, info.deposit, info.refcount),
        (ALICE, deposit, 0)
    );
    assert_eq!(free(&ext, &ALICE), FUNDS - deposit);
    assert_eq!(total_deposits(&ext), deposit);
    assert_eq!(
        free(&ext, &deposit_account()),
        deposit + ED,
        "deposit plus the floor"
    );
    assert!(events(&ext).contains(&Event::CodeStored {
        code_hash: hash,
        owner: ALICE,
        deposit
    }));
    // Charged for the compile it did, far below the declared bound.
    let actual = outcome.actual_weight.unwrap();
    assert!(actual > upload_base_weight(token.len()));
    assert!(actual < declared);
    assert_invariants(&ext);

    let again = dispatch_as(&mut ext, BOB, upload_call(token));
    assert_eq!(again.result, err(Error::CodeAlreadyExists));
}

#[test]
fn oversized_code_is_rejected_before_compilation() {
    let exec = Arc::new(Executor::new(test_config()).unwrap());
    let mut ext = new_ext_with(exec.clone());
    let mut code = contract("", "");
    code.resize(MAX_CODE_BYTES + 1, 0);
    let before = ext.state.state.clone();
    let outcome = dispatch_as(&mut ext, ALICE, upload_call(code.clone()));
    assert_eq!(outcome.result, err(Error::CodeTooLarge));
    assert_eq!(
        outcome.actual_weight,
        Some(upload_base_weight(code.len())),
        "no gas"
    );
    assert_eq!(exec.cache_stats().compiles, 0, "never compiled");
    assert_eq!(ext.state.state, before, "nothing changed");
}

#[test]
fn hostile_uploads_fail_with_clear_errors_and_pay_for_validation() {
    let cases: Vec<(&str, Vec<u8>, Error)> = vec![
        (
            "malformed",
            b"\0asm\x01\0\0\0\x01\xff\xff".to_vec(),
            Error::CodeMalformed,
        ),
        ("not wasm", b"hello, chain".to_vec(), Error::CodeMalformed),
        (
            "unknown import",
            contract(r#"(import "env" "open" (func (param i32)))"#, ""),
            Error::CodeUnknownImport,
        ),
        (
            "wrong host signature",
            contract(r#"(import "hm" "gas_left" (func (result i32)))"#, ""),
            Error::CodeUnknownImport,
        ),
        (
            "simd",
            contract("", "(drop (v128.const i64x2 0 0))"),
            Error::CodeUsesDisabledFeature,
        ),
        (
            "huge function count",
            binary_module(1_100, 0),
            Error::CodeExceedsLimits,
        ),
        (
            "huge local count",
            binary_module(1, 100_000),
            Error::CodeExceedsLimits,
        ),
        (
            "start function",
            wat(r#"(module (memory (export "memory") 1) (func $s) (start $s)
                   (func (export "deploy")) (func (export "call")))"#),
            Error::CodeInvalidExports,
        ),
        (
            "missing call",
            wat(r#"(module (memory (export "memory") 1) (func (export "deploy")))"#),
            Error::CodeInvalidExports,
        ),
    ];
    for (name, code, expected) in cases {
        let mut ext = new_ext();
        let before = ext.state.state.clone();
        let outcome = dispatch_as(&mut ext, ALICE, upload_call(code.clone()));
        assert_eq!(outcome.result, err(expected), "{name}");
        assert!(
            outcome.actual_weight.unwrap() > upload_base_weight(code.len()),
            "{name}: the validation is paid for"
        );
        assert_eq!(ext.state.state, before, "{name}: nothing stored");
        let dry = crate::dry_run_upload(&mut ext, ALICE, &code, None);
        let detail = dry.error.expect("refused").detail;
        assert!(!detail.is_empty(), "{name}: the dry run says why");
        assert_eq!(
            ext.state.state, before,
            "{name}: the dry run changed nothing"
        );
    }
}

/// A binary module with `count` empty functions, each with `locals` i32 locals.
fn binary_module(count: u32, locals: u32) -> Vec<u8> {
    fn leb(mut v: u64, out: &mut Vec<u8>) {
        loop {
            let byte = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                out.push(byte);
                return;
            }
            out.push(byte | 0x80);
        }
    }
    fn section(id: u8, body: &[u8], out: &mut Vec<u8>) {
        out.push(id);
        leb(body.len() as u64, out);
        out.extend_from_slice(body);
    }
    let mut out = b"\0asm\x01\0\0\0".to_vec();
    section(1, &[1, 0x60, 0, 0], &mut out);
    let mut funcs = Vec::new();
    leb(count.into(), &mut funcs);
    funcs.extend(std::iter::repeat_n(0u8, count as usize));
    section(3, &funcs, &mut out);
    section(5, &[1, 0, 1], &mut out);
    let mut exports = vec![3];
    for (name, kind) in [("memory", 2u8), ("deploy", 0), ("call", 0)] {
        exports.push(name.len() as u8);
        exports.extend_from_slice(name.as_bytes());
        exports.extend_from_slice(&[kind, 0]);
    }
    section(7, &exports, &mut out);
    let mut body = Vec::new();
    if locals > 0 {
        body.push(1);
        leb(locals.into(), &mut body);
        body.push(0x7f);
    } else {
        body.push(0);
    }
    body.push(0x0b);
    let mut code = Vec::new();
    leb(count.into(), &mut code);
    for _ in 0..count {
        leb(body.len() as u64, &mut code);
        code.extend_from_slice(&body);
    }
    section(10, &code, &mut out);
    out
}

#[test]
fn deposit_limit_and_funds_bound_the_upload() {
    let mut ext = new_ext();
    let token = built("token");
    let deposit = code_deposit(token.len());
    let limited = Call::UploadCode {
        code: token.clone(),
        storage_deposit_limit: Some(deposit - 1),
    };
    assert_eq!(
        dispatch_as(&mut ext, ALICE, limited).result,
        err(Error::DepositLimitExceeded)
    );
    let poor = hm_primitives::AccountId([0x77; 32]);
    hm_pallet_caesar::set_balance(&mut ext, &poor, deposit).unwrap();
    assert_eq!(
        dispatch_as(&mut ext, poor, upload_call(token.clone())).result,
        err(Error::InsufficientFundsForDeposit),
        "the uploader must stay above the existential deposit"
    );
    let exact = Call::UploadCode {
        code: token,
        storage_deposit_limit: Some(deposit),
    };
    assert_eq!(dispatch_as(&mut ext, ALICE, exact).result, Ok(()));
    assert_invariants(&ext);
}

#[test]
fn remove_code_only_by_its_owner_and_only_unused() {
    let mut ext = new_ext();
    let token = built("token");
    let hash = upload(&mut ext, ALICE, &token);
    let deposit = code_deposit(token.len());
    let remove = Call::RemoveCode { code_hash: hash };
    assert_eq!(
        dispatch_as(&mut ext, BOB, remove.clone()).result,
        err(Error::NotCodeOwner)
    );
    assert_eq!(
        dispatch_as(
            &mut ext,
            ALICE,
            Call::RemoveCode {
                code_hash: [7; 32].into()
            }
        )
        .result,
        err(Error::CodeNotFound)
    );
    assert_eq!(dispatch_as(&mut ext, ALICE, remove.clone()).result, Ok(()));
    assert_eq!(free(&ext, &ALICE), FUNDS, "deposit refunded");
    assert_eq!(total_deposits(&ext), 0);
    assert_eq!(code(&ext, &hash), None);
    assert!(events(&ext).contains(&Event::CodeRemoved {
        code_hash: hash,
        owner: ALICE,
        refund: deposit
    }));
    assert_invariants(&ext);

    // Code a contract uses stays.
    let hash = upload(&mut ext, ALICE, &token);
    instantiate(
        &mut ext,
        BOB,
        hash,
        0,
        1_000u128.to_le_bytes().to_vec(),
        b"",
    );
    assert_eq!(code_info(&ext, &hash).unwrap().refcount, 1);
    assert_eq!(
        dispatch_as(&mut ext, ALICE, remove).result,
        err(Error::CodeInUse)
    );
}

#[test]
fn without_an_engine_nothing_runs() {
    let mut ext = new_ext();
    ext.engine = None;
    let outcome = dispatch_as(&mut ext, ALICE, upload_call(contract("", "")));
    assert_eq!(outcome.result, err(Error::NoEngine));
    let call = call_msg(BOB, 0, vec![]);
    assert_eq!(
        dispatch_as(&mut ext, ALICE, call).result,
        err(Error::NoEngine)
    );
}

#[test]
fn upload_weight_is_bounded_and_refund_is_reported() {
    let small = upload_call(vec![0; 10]);
    let big = upload_call(vec![0; MAX_CODE_BYTES]);
    assert!(small.weight() < big.weight());
    assert!(
        big.weight() <= upload_base_weight(MAX_CODE_BYTES) + gas_to_weight(crate::MAX_UPLOAD_GAS)
    );
    // Signed origin is required.
    let mut ext = new_ext();
    let outcome = crate::dispatch(&mut ext, hm_pallet_system::Origin::Root, small, None);
    assert!(outcome.result.is_err());
}
