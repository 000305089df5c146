//! Nested frames: rollback of a failed callee only, the depth limit, reentrancy, and
//! deep nesting on a thread with a small native stack.
use super::{contract, forwarder, IMPORT_CALL, IMPORT_SET};
use crate::deposit::storage_entry_deposit;
use crate::mock::*;
use crate::{contract_storage, Error, Event, StorageDeposit, MAX_CALL_DEPTH};
use hm_primitives::{AccountId, H256};

fn deploy(ext: &mut TestExt, code: &[u8], value: u128, salt: &[u8]) -> AccountId {
    let hash = hm_primitives::blake3_256(code);
    if crate::code_info(ext, &hash).is_none() {
        upload(ext, ALICE, code);
    }
    instantiate(ext, ALICE, hash, value, vec![], salt)
}

/// Writes `c` = 7 bytes, emits an event, sends 1 ED to CHARLIE, then reverts with "no".
fn reverting_callee() -> Vec<u8> {
    contract(
        &format!(
            r#"{IMPORT_SET}
            (import "hm" "deposit_event" (func $event (param i32 i32 i32 i32)))
            (import "hm" "transfer" (func $transfer (param i32 i32) (result i32)))
            (data (i32.const 0) "c")
            (data (i32.const 16) "callee!")
            (data (i32.const 32) "no")
            (data (i32.const 64) "\03\03\03\03\03\03\03\03\03\03\03\03\03\03\03\03\03\03\03\03\03\03\03\03\03\03\03\03\03\03\03\03")
            (data (i32.const 96) "{ed}")"#,
            ed = ed_bytes()
        ),
        r#"(drop (call $set (i32.const 0) (i32.const 1) (i32.const 16) (i32.const 7)))
           (call $event (i32.const 0) (i32.const 0) (i32.const 16) (i32.const 7))
           (if (i32.ne (call $transfer (i32.const 64) (i32.const 96)) (i32.const 0)) (then unreachable))
           (call $return_value (i32.const 1) (i32.const 32) (i32.const 2))"#,
    )
}

/// ED as a 16-byte little-endian u128 in WAT string escapes.
fn ed_bytes() -> String {
    ED.to_le_bytes()
        .iter()
        .map(|b| format!("\\{b:02x}"))
        .collect()
}

/// Writes `p` = 1 byte, emits an event, calls the contract given as input with all gas,
/// stores the status under `s` and returns it.
fn parent() -> Vec<u8> {
    contract(
        &format!(
            r#"{IMPORT_SET} {IMPORT_CALL}
            (import "hm" "deposit_event" (func $event (param i32 i32 i32 i32)))
            (data (i32.const 0) "p")
            (data (i32.const 8) "s")"#
        ),
        r#"(call $input_read (i32.const 512))
           (drop (call $set (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 1)))
           (call $event (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 1))
           (i32.store (i32.const 256) (call $call (i32.const 512) (i32.const 600) (i64.const 0)
                (i32.const 0) (i32.const 0)))
           (drop (call $set (i32.const 8) (i32.const 1) (i32.const 256) (i32.const 4)))
           (call $return_value (i32.const 0) (i32.const 256) (i32.const 4))"#,
    )
}

#[test]
fn a_reverting_callee_is_rolled_back_but_its_caller_is_not() {
    let mut ext = new_ext();
    let callee = deploy(&mut ext, &reverting_callee(), 10 * ED, b"callee");
    let caller = deploy(&mut ext, &parent(), 0, b"parent");
    let charlie = free(&ext, &CHARLIE);
    let alice = free(&ext, &ALICE);
    let outcome = dispatch_as(&mut ext, ALICE, call_msg(caller, 0, callee.0.to_vec()));
    assert_eq!(outcome.result, Ok(()));

    assert_eq!(
        contract_storage(&ext, &caller, b"s"),
        Some(1i32.to_le_bytes().to_vec())
    );
    assert_eq!(contract_storage(&ext, &caller, b"p"), Some(b"p".to_vec()));
    assert_eq!(
        contract_storage(&ext, &callee, b"c"),
        None,
        "callee write rolled back"
    );
    assert_eq!(free(&ext, &CHARLIE), charlie, "callee transfer rolled back");
    assert_eq!(free(&ext, &callee), 10 * ED);
    let evs = events(&ext);
    let emitted: Vec<AccountId> = evs
        .iter()
        .filter_map(|e| match e {
            Event::ContractEmitted { contract, .. } => Some(*contract),
            _ => None,
        })
        .collect();
    assert_eq!(emitted, vec![caller], "only the caller's event stands");
    assert!(!evs.contains(&Event::Called {
        caller,
        contract: callee
    }));
    // Only the caller's two entries are charged: the callee's deposit went with it.
    let charged = storage_entry_deposit(1, 1) + storage_entry_deposit(1, 4);
    assert!(evs.contains(&Event::StorageDepositSettled {
        who: ALICE,
        deposit: StorageDeposit::Charge(charged)
    }));
    assert_eq!(free(&ext, &ALICE), alice - charged);
    assert_invariants(&ext);
}

/// `F0 → F1 → … → Fn` where `n = hops`; returns the root and the input that drives it.
fn chain(ext: &mut TestExt, hops: usize) -> (AccountId, Vec<u8>, Vec<AccountId>) {
    let code = forwarder();
    let contracts: Vec<AccountId> = (0..=hops)
        .map(|i| deploy(ext, &code, 0, &[i as u8]))
        .collect();
    let input = contracts[1..].iter().flat_map(|c| c.0).collect();
    (contracts[0], input, contracts)
}

#[test]
fn nesting_up_to_the_depth_limit_works_and_one_more_fails() {
    let mut ext = new_ext();
    let depth = MAX_CALL_DEPTH as usize;
    let (root, input, contracts) = chain(&mut ext, depth);
    let outcome = dispatch_as(&mut ext, ALICE, call_msg(root, 0, input));
    assert_eq!(outcome.result, Ok(()));
    for c in &contracts {
        assert_eq!(
            contract_storage(&ext, c, &[0]),
            Some(vec![0]),
            "every hop ran"
        );
    }

    let mut ext = new_ext();
    let (root, input, contracts) = chain(&mut ext, depth + 1);
    let before = ext.state.state.clone();
    let outcome = dispatch_as(&mut ext, ALICE, call_msg(root, 0, input.clone()));
    assert_eq!(outcome.result, Err(Error::DepthLimit.into()));
    assert_eq!(ext.state.state, before);
    assert_eq!(contract_storage(&ext, &contracts[0], &[0]), None);
    let dry = crate::dry_run_call(&mut ext, ALICE, root, 0, GAS, None, input, None);
    assert_eq!(dry.error.unwrap().error, Error::DepthLimit);
}

#[test]
fn reentrancy_is_refused() {
    let mut ext = new_ext();
    let code = forwarder();
    let a = deploy(&mut ext, &code, 0, b"a");
    let b = deploy(&mut ext, &code, 0, b"b");
    let before = ext.state.state.clone();
    let input = [b.0, a.0].concat();
    let outcome = dispatch_as(&mut ext, ALICE, call_msg(a, 0, input));
    assert_eq!(outcome.result, Err(Error::Reentrancy.into()));
    assert_eq!(ext.state.state, before);
    // Calling itself is reentrancy too.
    let outcome = dispatch_as(&mut ext, ALICE, call_msg(a, 0, a.0.to_vec()));
    assert_eq!(outcome.result, Err(Error::Reentrancy.into()));
}

#[test]
fn full_depth_with_deep_recursion_on_a_small_thread_stack_does_not_crash() {
    let mut ext = new_ext();
    let depth = MAX_CALL_DEPTH as usize;
    let (root, mut input, _) = chain(&mut ext, depth - 1);
    // The last hop recurses until the stack limit traps it.
    let recursive = contract("(func $r (call $r))", "(call $r)");
    let last = deploy(&mut ext, &recursive, 0, b"deep");
    input.extend_from_slice(&last.0);
    let handle = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            let outcome = dispatch_as(&mut ext, ALICE, call_msg(root, 0, input));
            outcome.result
        })
        .unwrap();
    assert_eq!(handle.join().unwrap(), Err(Error::ContractTrapped.into()));
}

#[test]
fn nested_instantiate_counts_code_and_refuses_reuse() {
    let mut ext = new_ext();
    let caller = deploy(&mut ext, &built("caller"), 0, b"c");
    let token_hash = upload(&mut ext, ALICE, &built("token"));
    let salt = b"child".to_vec();
    let deploy_input = parity_scale_codec::Encode::encode(&500u128);
    let args = (
        H256(token_hash.0),
        salt.clone(),
        deploy_input.clone(),
        0u128,
        0u64,
    );
    let outcome = dispatch_as(
        &mut ext,
        ALICE,
        call_msg(caller, 0, message("deploy_child", args.clone())),
    );
    assert_eq!(outcome.result, Ok(()));
    let child = crate::contract_address(&caller, &token_hash, &salt);
    let info = crate::contract_info(&ext, &child).unwrap();
    assert_eq!(info.deployer, caller);
    assert_eq!(crate::code_info(&ext, &token_hash).unwrap().refcount, 1);
    assert!(events(&ext).contains(&Event::Instantiated {
        deployer: caller,
        contract: child,
        code_hash: token_hash
    }));
    let minted: u128 = query(&mut ext, child, message("balance_of", (caller,)));
    assert_eq!(minted, 500, "the child's deployer is the calling contract");
    // Same salt again: the callee reports AddressInUse and the caller reverts.
    let again = dispatch_as(
        &mut ext,
        ALICE,
        call_msg(caller, 0, message("deploy_child", args)),
    );
    assert_eq!(again.result, Err(Error::ContractReverted.into()));
    assert_invariants(&ext);
}
