//! `call_runtime` with the real executor: a contract moves its CAES and tokens and swaps
//! on the DEX as its own signed origin; a failed call is rolled back and reports the
//! pallet's error; calls contracts may not make are refused before they run; the call's
//! weight is paid in gas; and a frame that reverts takes its runtime calls with it.
//!
//! The contract is a proxy written in WAT: its input is a flag byte (1: revert after
//! the call) and the SCALE runtime call; its output is the status byte and the return
//! data.
mod common;

use common::*;
use hm_executor::{Executor, ExecutorConfig};
use hm_pallet_contracts::{self as contracts, weight_to_gas};
use hm_pallet_dex::{self as dex, AssetKind};
use hm_pallet_tokens as tokens;
use hm_primitives::{AccountId, Balance, UNITS};
use hm_runtime::*;
use parity_scale_codec::Encode;
use std::sync::Arc;

const GAS: u64 = 200_000_000;
const TOKENS: Balance = 1_000_000_000;
const CONTRACT_CAES: Balance = 10 * UNITS;

const PROXY: &str = r#"(module
  (import "hm" "input_len" (func $input_len (result i32)))
  (import "hm" "input_read" (func $input_read (param i32)))
  (import "hm" "call_runtime" (func $call_runtime (param i32 i32) (result i32)))
  (import "hm" "return_data_len" (func $return_data_len (result i32)))
  (import "hm" "return_data_read" (func $return_data_read (param i32)))
  (import "hm" "return_value" (func $return_value (param i32 i32 i32)))
  (memory (export "memory") 1)
  (func (export "deploy"))
  (func (export "call")
    (local $len i32) (local $status i32) (local $data i32)
    (local.set $len (call $input_len))
    (call $input_read (i32.const 1024))
    (local.set $status
      (call $call_runtime (i32.const 1025) (i32.sub (local.get $len) (i32.const 1))))
    (i32.store8 (i32.const 0) (local.get $status))
    (local.set $data (call $return_data_len))
    (call $return_data_read (i32.const 1))
    (call $return_value
      (i32.load8_u (i32.const 1024)) (i32.const 0) (i32.add (local.get $data) (i32.const 1)))))"#;

const SWAP_PATH: [AssetKind; 2] = [AssetKind::Token(0), AssetKind::Native];

/// A chain with the executor, Alice's token 0, a CAES/token pool, and the proxy
/// contract holding `CONTRACT_CAES` and `TOKENS / 10` of token 0. Block 1 is open.
fn setup() -> (SigExt, AccountId) {
    let mut ext = chain();
    ext.engine = Some(Arc::new(
        Executor::new(ExecutorConfig {
            pool_instances: 4,
            ..ExecutorConfig::default()
        })
        .expect("executor"),
    ));
    let a = alice().account_id();
    let code = wat::parse_str(PROXY).expect("wat");
    let code_hash = hm_primitives::blake3_256(&code);
    let proxy = contract_address(&a, &code_hash, b"p");
    let calls = [
        Call::Contracts(contracts::Call::UploadCode {
            code,
            storage_deposit_limit: None,
        }),
        Call::Contracts(contracts::Call::Instantiate {
            code_hash,
            value: CONTRACT_CAES,
            gas_limit: GAS,
            storage_deposit_limit: None,
            input: vec![],
            salt: b"p".to_vec(),
        }),
        Call::Tokens(tokens::Call::Create { min_balance: 1 }),
        Call::Tokens(tokens::Call::Mint {
            token: 0,
            beneficiary: a,
            amount: TOKENS,
        }),
        Call::Tokens(tokens::Call::Transfer {
            token: 0,
            dest: proxy,
            amount: TOKENS / 10,
        }),
        Call::Dex(dex::Call::CreatePool {
            asset0: AssetKind::Native,
            asset1: AssetKind::Token(0),
        }),
        Call::Dex(dex::Call::AddLiquidity {
            asset0: AssetKind::Native,
            asset1: AssetKind::Token(0),
            amount0_desired: 100 * UNITS,
            amount1_desired: TOKENS / 2,
            amount0_min: 0,
            amount1_min: 0,
            mint_to: a,
        }),
    ];
    for (n, call) in calls.into_iter().enumerate() {
        // The full key on every transaction: genesis stores none.
        let xt = signed(alice(), nonce(&ext, &a), call);
        let outcome = apply_extrinsic(&mut ext, &block(1), &xt).expect("included");
        assert_eq!(outcome.result, Ok(()), "setup call {n}");
    }
    (ext, proxy)
}

fn input(revert: bool, call: &Call) -> Vec<u8> {
    let mut input = vec![u8::from(revert)];
    call.encode_to(&mut input);
    input
}

/// The proxy's output for `call` without keeping anything: (status, return data, gas).
fn dry_run(ext: &mut SigExt, proxy: AccountId, raw_call: Vec<u8>) -> (u8, Vec<u8>, u64) {
    let mut input = vec![0];
    input.extend(raw_call);
    let run = contracts_dry_run_call(ext, bob().account_id(), proxy, 0, GAS, None, input);
    assert_eq!(run.result.error, None, "{:?}", run.result.error);
    let (status, data) = run.result.output.split_first().expect("a status byte");
    (*status, data.to_vec(), run.result.gas_used)
}

/// Bob calls the proxy with `input` in block 1.
fn call_proxy(ext: &mut SigExt, proxy: AccountId, input: Vec<u8>, gas_limit: u64) -> ApplyOutcome {
    let call = Call::Contracts(contracts::Call::Call {
        dest: proxy,
        value: 0,
        gas_limit,
        storage_deposit_limit: None,
        input,
    });
    let xt = signed(bob(), nonce(ext, &bob().account_id()), call);
    apply_extrinsic(ext, &block(1), &xt).expect("included")
}

fn swap(amount_in: Balance, amount_out_min: Balance, send_to: AccountId) -> Call {
    Call::Dex(dex::Call::SwapExactIn {
        path: SWAP_PATH.to_vec(),
        amount_in,
        amount_out_min,
        send_to,
        deadline: 1,
    })
}

#[test]
fn a_contract_moves_caes_and_tokens_and_swaps_as_itself() {
    let (mut ext, proxy) = setup();
    let b = bob().account_id();

    // CAES from the contract's own balance.
    let pay = Call::Caesar(hm_pallet_caesar::Call::TransferKeepAlive {
        dest: AccountId([0xCC; 32]),
        value: UNITS,
    });
    let outcome = call_proxy(&mut ext, proxy, input(false, &pay), GAS);
    assert_eq!(outcome.result, Ok(()));
    assert_eq!(free(&ext, &proxy), CONTRACT_CAES - UNITS);
    assert_eq!(free(&ext, &AccountId([0xCC; 32])), UNITS);

    // A swap of the contract's tokens, paid to Bob: exactly the quote.
    let amount_in = TOKENS / 100;
    let quote = dex::quote_exact_in(&ext, &SWAP_PATH, amount_in).expect("a quote");
    let bob_before = free(&ext, &b);
    let outcome = call_proxy(
        &mut ext,
        proxy,
        input(false, &swap(amount_in, quote, b)),
        GAS,
    );
    assert_eq!(outcome.result, Ok(()));
    let bob_fee = outcome.fee;
    assert_eq!(free(&ext, &b), bob_before + quote - bob_fee);
    assert_eq!(tokens::balance(&ext, 0, &proxy), TOKENS / 10 - amount_in);
    assert!(events(&ext).iter().any(|r| matches!(
        &r.event,
        RuntimeEvent::Dex(dex::Event::SwapExecuted { who, .. }) if *who == proxy
    )));

    // A token transfer, through a dry run first: status 0 and nothing kept.
    let give = Call::Tokens(tokens::Call::Transfer {
        token: 0,
        dest: b,
        amount: 5,
    });
    assert_eq!(dry_run(&mut ext, proxy, give.encode()).0, 0);
    assert_eq!(tokens::balance(&ext, 0, &b), 0);
    assert_eq!(
        call_proxy(&mut ext, proxy, input(false, &give), GAS).result,
        Ok(())
    );
    assert_eq!(tokens::balance(&ext, 0, &b), 5);
    finalize_checked(&mut ext, &block(1));
}

#[test]
fn a_failed_call_rolls_back_and_names_the_error() {
    let (mut ext, proxy) = setup();
    let b = bob().account_id();
    let amount_in = TOKENS / 100;
    let quote = dex::quote_exact_in(&ext, &SWAP_PATH, amount_in).expect("a quote");

    // One unit more than the pool pays: status 8 and the DEX's `AmountOutTooLow`.
    let greedy = swap(amount_in, quote + 1, b);
    let (status, data, _) = dry_run(&mut ext, proxy, greedy.encode());
    assert_eq!(status, 8);
    assert_eq!(
        data,
        vec![dex::PALLET_INDEX, dex::Error::AmountOutTooLow as u8]
    );

    // Through an extrinsic: the contract goes on, nothing of the swap remains.
    let pool = dex::pool(&ext, AssetKind::Native, AssetKind::Token(0));
    let contract_tokens = tokens::balance(&ext, 0, &proxy);
    let outcome = call_proxy(&mut ext, proxy, input(false, &greedy), GAS);
    assert_eq!(outcome.result, Ok(()));
    assert_eq!(
        dex::pool(&ext, AssetKind::Native, AssetKind::Token(0)),
        pool
    );
    assert_eq!(tokens::balance(&ext, 0, &proxy), contract_tokens);

    // A root-only call of an allowed pallet runs and fails like any signer's.
    let mint = Call::Caesar(hm_pallet_caesar::Call::SetBalance {
        who: proxy,
        free: 1_000_000 * UNITS,
    });
    let (status, data, _) = dry_run(&mut ext, proxy, mint.encode());
    assert_eq!((status, data), (8, vec![0, 0]), "System's BadOrigin");

    // A successful call in a frame that then reverts is rolled back with the frame.
    let pay = Call::Caesar(hm_pallet_caesar::Call::TransferKeepAlive {
        dest: b,
        value: UNITS,
    });
    let bob_before = free(&ext, &b);
    let outcome = call_proxy(&mut ext, proxy, input(true, &pay), GAS);
    assert_eq!(
        outcome.result,
        Err(contracts::Error::ContractReverted.into())
    );
    assert_eq!(free(&ext, &b), bob_before - outcome.fee);
    assert_eq!(free(&ext, &proxy), CONTRACT_CAES);
    finalize_checked(&mut ext, &block(1));
}

#[test]
fn calls_contracts_may_not_make_are_refused_before_they_run() {
    let (mut ext, proxy) = setup();
    let pay = Call::Caesar(hm_pallet_caesar::Call::TransferKeepAlive {
        dest: bob().account_id(),
        value: UNITS,
    });
    let mut trailing = pay.encode();
    trailing.push(0);
    let refused = [
        (
            "staking",
            Call::Staking(hm_pallet_staking::Call::Chill).encode(),
        ),
        (
            "system",
            Call::System(hm_pallet_system::Call::Remark { data: vec![1] }).encode(),
        ),
        (
            "contracts",
            Call::Contracts(contracts::Call::RemoveCode {
                code_hash: hm_primitives::H256([1; 32]),
            })
            .encode(),
        ),
        ("root", Call::Root(Box::new(pay.clone())).encode()),
        ("trailing bytes", trailing),
        ("garbage", vec![0xFF; 40]),
        ("empty", vec![]),
    ];
    for (what, raw) in refused {
        let (status, data, _) = dry_run(&mut ext, proxy, raw);
        assert_eq!((status, data), (9, vec![]), "{what}");
    }
    assert_eq!(free(&ext, &proxy), CONTRACT_CAES);
}

#[test]
fn the_call_is_paid_in_gas_and_must_fit_the_gas_left() {
    let (mut ext, proxy) = setup();
    let pay = Call::Caesar(hm_pallet_caesar::Call::TransferKeepAlive {
        dest: bob().account_id(),
        value: UNITS,
    });
    let refused = Call::Staking(hm_pallet_staking::Call::Chill).encode();
    let (_, _, refused_gas) = dry_run(&mut ext, proxy, refused);
    let (status, _, paid_gas) = dry_run(&mut ext, proxy, pay.encode());
    assert_eq!(status, 0);
    // The refused call's bytes are one shorter than the transfer's 35: at most a few gas.
    let call_gas = weight_to_gas(pay.weight());
    assert!(
        paid_gas >= refused_gas + call_gas && paid_gas <= refused_gas + call_gas + 100,
        "{paid_gas} vs {refused_gas} + {call_gas}"
    );

    // Gas for everything but the call's weight: out of gas, and nothing moved.
    let outcome = call_proxy(&mut ext, proxy, input(false, &pay), paid_gas - call_gas / 2);
    assert_eq!(outcome.result, Err(contracts::Error::OutOfGas.into()));
    assert_eq!(free(&ext, &proxy), CONTRACT_CAES);
    finalize_checked(&mut ext, &block(1));
}

#[test]
fn the_dry_run_asks_for_the_declared_weight_not_only_the_used() {
    let (mut ext, proxy) = setup();
    // Declared for four hops, charged for one: the gas used alone would not let the
    // call start; the dry run's `gas_required` does.
    let amount_in = TOKENS / 100;
    let quote = dex::quote_exact_in(&ext, &SWAP_PATH, amount_in).expect("a quote");
    let input = input(false, &swap(amount_in, quote, bob().account_id()));
    let run = contracts_dry_run_call(
        &mut ext,
        bob().account_id(),
        proxy,
        0,
        GAS,
        None,
        input.clone(),
    );
    assert_eq!(run.result.output, vec![0]);
    let call_gas = weight_to_gas(swap(amount_in, quote, proxy).weight());
    let headroom = run.result.gas_required - run.result.gas_used;
    assert!(
        headroom > call_gas / 2 && headroom < call_gas,
        "{headroom} of {call_gas}"
    );

    let starved = call_proxy(&mut ext, proxy, input.clone(), run.result.gas_used);
    assert_eq!(starved.result, Err(contracts::Error::OutOfGas.into()));
    let enough = call_proxy(&mut ext, proxy, input, run.result.gas_required);
    assert_eq!(enough.result, Ok(()));
    assert_eq!(tokens::balance(&ext, 0, &proxy), TOKENS / 10 - amount_in);
    finalize_checked(&mut ext, &block(1));
}
