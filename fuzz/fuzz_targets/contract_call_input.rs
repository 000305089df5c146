//! The example token contract (`contracts/examples/token`, built to wasm32 by
//! `scripts/build-contracts.sh`; see build.rs) called through the real executor with
//! arbitrary input bytes, in sequences of calls from a few callers: never a panic or a
//! node fault, always a result or a clean trap; a replay gives the same outcome and
//! state; and the token's supply invariant holds after every call.
//!
//! Input layout, repeated: `[caller, message, gas, len, args[len]]`. `message` picks a
//! selector to prepend to `args` (or none, for raw input); `gas` sometimes picks a small
//! limit so out-of-gas strikes inside host functions.
#![no_main]
mod common;

use common::{Contract, World};
use hm_executor::{Entry, Executor};
use hm_primitives::{blake3_256, AccountId};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

static TOKEN_WASM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/token.wasm"));

const SUPPLY: u128 = 1_000_000_000;
const CALLERS: [AccountId; 4] = [
    AccountId([0xA1; 32]),
    AccountId([0xB2; 32]),
    AccountId([0xC3; 32]),
    AccountId([0xD4; 32]),
];
const TOKEN: AccountId = AccountId([0x70; 32]);
/// What a real call would be given: ample for any token message.
const FULL_GAS: u64 = 50_000_000;
const MAX_CALLS: usize = 16;
const MESSAGES: [&str; 6] = [
    "total_supply",
    "balance_of",
    "allowance",
    "transfer",
    "approve",
    "transfer_from",
];

struct Deployed {
    exec: Executor,
    contract: Contract,
    world: World,
}

fn deployed() -> &'static Deployed {
    static DEPLOYED: OnceLock<Deployed> = OnceLock::new();
    DEPLOYED.get_or_init(|| {
        let exec = common::executor();
        let prepared = exec
            .prepare(TOKEN_WASM)
            .expect("the example token is valid");
        let contract = Contract {
            code_hash: prepared.code_hash,
            address: TOKEN,
        };
        let mut world = World::default();
        world.codes.insert(prepared.code_hash, TOKEN_WASM.to_vec());
        let out = common::run_frame(
            &exec,
            &mut world,
            contract,
            Entry::Deploy,
            CALLERS[0],
            &SUPPLY.to_le_bytes(),
            FULL_GAS,
        );
        assert!(
            matches!(out.result, Ok(ref r) if !r.reverted),
            "deploy: {out:?}"
        );
        Deployed {
            exec,
            contract,
            world,
        }
    })
}

fn selector(name: &str) -> [u8; 4] {
    let hash = blake3_256(name.as_bytes());
    [hash.0[0], hash.0[1], hash.0[2], hash.0[3]]
}

/// The token's storage: `s` → supply, `b ‖ account` → non-zero balance (SCALE u128).
fn assert_supply_invariant(world: &World) {
    let mut supply = None;
    let mut sum: u128 = 0;
    for (key, value) in world.entries_of(TOKEN) {
        let amount = || u128::from_le_bytes(value.try_into().expect("a u128 value"));
        match key.first() {
            Some(b's') if key.len() == 1 => supply = Some(amount()),
            Some(b'b') if key.len() == 33 => {
                assert_ne!(amount(), 0, "zero balances are removed");
                sum = sum.checked_add(amount()).expect("balances overflow");
            }
            _ => {}
        }
    }
    assert_eq!(supply, Some(SUPPLY), "no message mints or burns");
    assert_eq!(sum, SUPPLY, "balances add up to the supply");
}

fuzz_target!(|data: &[u8]| {
    let d = deployed();
    let mut world = d.world.clone();
    let mut rest = data;
    for _ in 0..MAX_CALLS {
        let [caller, message, gas, len, tail @ ..] = rest else {
            break;
        };
        let args_len = usize::from(*len).min(tail.len());
        let (args, tail) = tail.split_at(args_len);
        rest = tail;
        let caller = CALLERS[usize::from(*caller) % CALLERS.len()];
        let mut input = Vec::with_capacity(4 + args.len());
        if let Some(name) = MESSAGES.get(usize::from(*message & 0x7f)) {
            input.extend_from_slice(&selector(name));
        }
        input.extend_from_slice(args);
        let gas_limit = if *message & 0x80 != 0 {
            // From below the execution base up to a few host calls' worth.
            u64::from(*gas) * 2_000
        } else {
            FULL_GAS
        };
        let mut replay = world.clone();
        let out = common::run_frame(
            &d.exec,
            &mut world,
            d.contract,
            Entry::Call,
            caller,
            &input,
            gas_limit,
        );
        let again = common::run_frame(
            &d.exec,
            &mut replay,
            d.contract,
            Entry::Call,
            caller,
            &input,
            gas_limit,
        );
        assert_eq!(out, again, "execution is deterministic");
        assert_eq!(world, replay);
        assert_supply_invariant(&world);
    }
});
