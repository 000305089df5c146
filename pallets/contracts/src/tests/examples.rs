//! The multisig wallet holding CAES and the caller that handles its callee's failures.
use crate::mock::*;
use crate::{contract_storage, Error};
use hm_pallet_caesar as caesar;
use hm_primitives::{AccountId, UNITS};
use parity_scale_codec::Encode;

#[test]
fn multisig_holds_and_pays_out_caes() {
    let mut ext = new_ext();
    let hash = upload(&mut ext, ALICE, &built("multisig"));
    let input = (vec![ALICE, BOB], 2u32).encode();
    let wallet = instantiate(&mut ext, ALICE, hash, 10 * UNITS, input, b"");
    assert_eq!(free(&ext, &wallet), 10 * UNITS);

    // Anyone may fund it later.
    let fund = call_msg(wallet, 5 * UNITS, message("deposit", ()));
    assert_eq!(dispatch_as(&mut ext, CHARLIE, fund).result, Ok(()));
    assert_eq!(free(&ext, &wallet), 15 * UNITS);

    let submit = call_msg(wallet, 0, message("submit", (CHARLIE, 4 * UNITS)));
    assert_eq!(dispatch_as(&mut ext, ALICE, submit).result, Ok(()));
    let execute = call_msg(wallet, 0, message("execute", (0u64,)));
    assert_eq!(
        dispatch_as(&mut ext, ALICE, execute.clone()).result,
        Err(Error::ContractReverted.into()),
        "one confirmation of two"
    );
    let outsider = call_msg(wallet, 0, message("confirm", (0u64,)));
    assert_eq!(
        dispatch_as(&mut ext, CHARLIE, outsider).result,
        Err(Error::ContractReverted.into())
    );
    let confirm = call_msg(wallet, 0, message("confirm", (0u64,)));
    assert_eq!(dispatch_as(&mut ext, BOB, confirm).result, Ok(()));

    let charlie = free(&ext, &CHARLIE);
    assert_eq!(dispatch_as(&mut ext, BOB, execute.clone()).result, Ok(()));
    assert_eq!(free(&ext, &CHARLIE), charlie + 4 * UNITS);
    assert_eq!(free(&ext, &wallet), 11 * UNITS);
    assert!(caesar_events(&ext).contains(&caesar::Event::Transfer {
        from: wallet,
        to: CHARLIE,
        amount: 4 * UNITS
    }));
    assert_eq!(
        dispatch_as(&mut ext, BOB, execute).result,
        Err(Error::ContractReverted.into()),
        "executed once only"
    );

    // Leaving dust below the existential deposit is refused and rolls back the proposal.
    let dust = call_msg(wallet, 0, message("submit", (CHARLIE, 11 * UNITS - ED / 2)));
    assert_eq!(dispatch_as(&mut ext, ALICE, dust).result, Ok(()));
    let confirm = call_msg(wallet, 0, message("confirm", (1u64,)));
    assert_eq!(dispatch_as(&mut ext, BOB, confirm).result, Ok(()));
    let execute = call_msg(wallet, 0, message("execute", (1u64,)));
    assert_eq!(
        dispatch_as(&mut ext, BOB, execute).result,
        Err(Error::ContractReverted.into())
    );
    assert_eq!(free(&ext, &wallet), 11 * UNITS);

    // Emptying it completely is fine.
    let all = call_msg(wallet, 0, message("submit", (BOB, 11 * UNITS)));
    assert_eq!(dispatch_as(&mut ext, ALICE, all).result, Ok(()));
    let confirm = call_msg(wallet, 0, message("confirm", (2u64,)));
    assert_eq!(dispatch_as(&mut ext, BOB, confirm).result, Ok(()));
    let execute = call_msg(wallet, 0, message("execute", (2u64,)));
    assert_eq!(dispatch_as(&mut ext, ALICE, execute).result, Ok(()));
    assert_eq!(free(&ext, &wallet), 0);
    assert!(
        crate::contract_info(&ext, &wallet).is_some(),
        "the contract lives on"
    );
    assert_invariants(&ext);
}

#[test]
fn caller_survives_its_callees_revert_and_out_of_gas() {
    let mut ext = new_ext();
    let token_hash = upload(&mut ext, ALICE, &built("token"));
    let token = instantiate(&mut ext, ALICE, token_hash, 0, 1_000u128.encode(), b"");
    let caller_hash = upload(&mut ext, ALICE, &built("caller"));
    let caller = instantiate(&mut ext, ALICE, caller_hash, 0, vec![], b"");

    // The caller holds no tokens: the token reverts with InsufficientBalance (index 0),
    // the caller records it and succeeds.
    let token_state: Vec<_> = token_entries(&ext, &token);
    let attempt = message("try_token_transfer", (token, BOB, 10u128, 0u64));
    let dry = crate::dry_run_call(&mut ext, ALICE, caller, 0, GAS, None, attempt.clone(), None);
    assert_eq!(dry.error, None);
    assert_eq!(
        dry.output,
        vec![1, 0, 4, 0],
        "Outcome::Failed(CallError::Reverted([0]))"
    );
    assert_eq!(
        dispatch_as(&mut ext, ALICE, call_msg(caller, 0, attempt)).result,
        Ok(())
    );
    assert_eq!(
        token_entries(&ext, &token),
        token_state,
        "the token is unchanged"
    );
    let stats: (u32, u32) = query(&mut ext, caller, message("stats", ()));
    assert_eq!(stats, (0, 1));

    // Funded, the same call moves tokens from the caller contract.
    let fund = call_msg(token, 0, message("transfer", (caller, 100u128)));
    assert_eq!(dispatch_as(&mut ext, ALICE, fund).result, Ok(()));
    let attempt = message("try_token_transfer", (token, BOB, 40u128, 0u64));
    assert_eq!(
        dispatch_as(&mut ext, ALICE, call_msg(caller, 0, attempt)).result,
        Ok(())
    );
    let bob: u128 = query(&mut ext, token, message("balance_of", (BOB,)));
    let held: u128 = query(&mut ext, token, message("balance_of", (caller,)));
    assert_eq!((bob, held), (40, 60));

    // Too little gas for the callee: it runs out, is rolled back, and the caller goes on.
    let starved = message("try_token_transfer", (token, BOB, 1u128, 20_000u64));
    let dry = crate::dry_run_call(&mut ext, ALICE, caller, 0, GAS, None, starved.clone(), None);
    assert_eq!(
        dry.output,
        vec![1, 1],
        "Outcome::Failed(CallError::Trapped)"
    );
    assert_eq!(
        dispatch_as(&mut ext, ALICE, call_msg(caller, 0, starved)).result,
        Ok(())
    );
    let bob: u128 = query(&mut ext, token, message("balance_of", (BOB,)));
    assert_eq!(bob, 40);
    let stats: (u32, u32) = query(&mut ext, caller, message("stats", ()));
    assert_eq!(stats, (1, 2));
    assert!(contract_storage(&ext, &caller, b"f").is_some());
    assert_invariants(&ext);
}

/// The token contract's raw storage.
fn token_entries(ext: &TestExt, token: &AccountId) -> Vec<(Vec<u8>, Vec<u8>)> {
    // Map key: item prefix (32) ‖ blake3_128 (16) ‖ contract ‖ compact length ‖ key.
    let prefix = crate::storage::contract_storage(token, &[]);
    ext.state
        .state
        .iter()
        .filter(|(k, _)| k.starts_with(&prefix[..32]) && k.get(48..80) == Some(&token.0[..]))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}
