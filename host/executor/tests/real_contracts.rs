//! The SDK's example token, built to wasm32 by Debian's toolchain (rustc 1.96, LLVM's
//! default wasm features), runs under the executor. The wasm is a build output
//! (`scripts/build-contracts.sh` → `contracts/target-wasm/`); without it this test only
//! reports that it was skipped.

mod common;

use common::*;
use hm_executor::Entry;
use hm_primitives::AccountId;
use std::path::PathBuf;

const TOKEN: AccountId = AccountId([0x70; 32]);
const BOB: AccountId = AccountId([0xB0; 32]);

fn built(name: &str) -> Option<Vec<u8>> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../contracts/target-wasm")
        .join(format!("{name}.wasm"));
    let code = std::fs::read(&path).ok();
    if code.is_none() {
        eprintln!("skipped: {} not built", path.display());
    }
    code
}

fn selector(name: &str) -> Vec<u8> {
    blake3::hash(name.as_bytes()).as_bytes()[..4].to_vec()
}

#[test]
fn every_built_example_contract_is_accepted() {
    let exec = executor();
    for name in ["token", "voting", "caller", "multisig"] {
        if let Some(code) = built(name) {
            let prepared = exec
                .prepare(&code)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(prepared.upload_gas > exec.config().schedule.upload_cost(code.len()));
        }
    }
}

#[test]
fn token_deploy_transfer_and_query() {
    let Some(code) = built("token") else { return };
    let exec = executor();
    let mut world = World::default();
    install(&exec, &mut world, TOKEN, &code);

    let out = run(
        &exec,
        &mut world,
        TOKEN,
        Entry::Deploy,
        &1000u128.to_le_bytes(),
        GAS,
    );
    ok_output(&out);
    assert_eq!(world.events.len(), 1, "Transfer event on mint");

    let mut transfer = selector("transfer");
    transfer.extend_from_slice(&BOB.0);
    transfer.extend_from_slice(&300u128.to_le_bytes());
    let out = run(&exec, &mut world, TOKEN, Entry::Call, &transfer, GAS);
    assert_eq!(
        ok_output(&out),
        Vec::<u8>::new(),
        "Ok(()) encodes to nothing"
    );
    assert_eq!(world.events.len(), 2);

    let mut balance_of = selector("balance_of");
    balance_of.extend_from_slice(&BOB.0);
    let out = run(&exec, &mut world, TOKEN, Entry::Call, &balance_of, GAS);
    assert_eq!(ok_output(&out), 300u128.to_le_bytes());

    // Overspending reverts with `Error::InsufficientBalance` (index 0).
    let mut too_much = selector("transfer");
    too_much.extend_from_slice(&BOB.0);
    too_much.extend_from_slice(&5000u128.to_le_bytes());
    let r = run(&exec, &mut world, TOKEN, Entry::Call, &too_much, GAS)
        .result
        .unwrap();
    assert!(r.reverted);
    assert_eq!(r.output, vec![0]);
}
