//! The example token through the pallet: balances, storage, events and deposits.
use crate::deposit::{contract_info_deposit, storage_entry_deposit};
use crate::mock::*;
use crate::{
    contract_info, contract_storage, gas_to_weight, total_deposits, weights, Call, Error, Event,
    StorageDeposit, MAX_SALT_BYTES,
};
use hm_primitives::{AccountId, Balance, H256};
use parity_scale_codec::Encode;

/// A balance entry: key `b"b" ‖ owner` (33 bytes), value a u128.
fn balance_entry() -> Balance {
    storage_entry_deposit(33, 16)
}

fn transfer_topic() -> H256 {
    H256(*blake3::hash(b"Transfer").as_bytes())
}

fn deploy_token(ext: &mut TestExt, supply: Balance) -> (H256, AccountId) {
    let hash = upload(ext, ALICE, &built("token"));
    let token = instantiate(ext, ALICE, hash, 0, supply.encode(), b"token");
    (hash, token)
}

fn balance_of(ext: &mut TestExt, token: AccountId, who: AccountId) -> Balance {
    query(ext, token, message("balance_of", (who,)))
}

#[test]
fn deploy_mints_to_the_deployer_with_events_and_deposits() {
    let mut ext = new_ext();
    let hash = upload(&mut ext, ALICE, &built("token"));
    let before = free(&ext, &ALICE);
    let held_before = total_deposits(&ext);
    let token = instantiate(&mut ext, ALICE, hash, 0, 1_000u128.encode(), b"token");

    assert_eq!(token, crate::contract_address(&ALICE, &hash, b"token"));
    // Supply (key "s") and the deployer's balance entry; the record's own deposit.
    let deposit = contract_info_deposit() + storage_entry_deposit(1, 16) + balance_entry();
    let info = contract_info(&ext, &token).unwrap();
    assert_eq!((info.code_hash, info.deployer), (hash, ALICE));
    assert_eq!(
        (info.storage_items, info.storage_bytes),
        (2, 1 + 16 + 33 + 16)
    );
    assert_eq!(info.storage_deposit, deposit);
    assert_eq!(free(&ext, &ALICE), before - deposit);
    assert_eq!(total_deposits(&ext), held_before + deposit);
    assert_eq!(
        contract_storage(&ext, &token, b"s"),
        Some(1_000u128.encode()),
        "the total supply, readable off-chain"
    );

    let evs = events(&ext);
    assert!(evs.contains(&Event::Instantiated {
        deployer: ALICE,
        contract: token,
        code_hash: hash
    }));
    let mint = (None::<AccountId>, Some(ALICE), 1_000u128).encode();
    let emitted = evs.iter().find_map(|e| match e {
        Event::ContractEmitted {
            contract,
            topics,
            data,
        } if *contract == token => Some((topics.clone(), data.clone())),
        _ => None,
    });
    let (topics, data) = emitted.expect("the mint's Transfer event");
    assert_eq!(topics[0], transfer_topic());
    assert_eq!(topics.len(), 3);
    assert_eq!(data, mint);
    assert!(evs.contains(&Event::StorageDepositSettled {
        who: ALICE,
        deposit: StorageDeposit::Charge(deposit)
    }));
    assert_eq!(balance_of(&mut ext, token, ALICE), 1_000);
    assert_invariants(&ext);
}

#[test]
fn transfer_approve_and_transfer_from_with_deposits_charged_and_refunded() {
    let mut ext = new_ext();
    let (_, token) = deploy_token(&mut ext, 1_000);

    // ALICE → BOB creates BOB's entry: ALICE pays its deposit.
    let alice = free(&ext, &ALICE);
    let call = call_msg(token, 0, message("transfer", (BOB, 300u128)));
    let declared = call.weight();
    let outcome = dispatch_as(&mut ext, ALICE, call);
    assert_eq!(outcome.result, Ok(()));
    let actual = outcome.actual_weight.unwrap();
    assert!(
        actual > weights::CALL && actual < declared,
        "pays for the gas used"
    );
    assert_eq!(free(&ext, &ALICE), alice - balance_entry());
    assert_eq!(balance_of(&mut ext, token, ALICE), 700);
    assert_eq!(balance_of(&mut ext, token, BOB), 300);
    assert!(events(&ext).contains(&Event::Called {
        caller: ALICE,
        contract: token
    }));

    // BOB sends everything back: his entry is removed and BOB, who freed it, is refunded.
    let bob = free(&ext, &BOB);
    let back = call_msg(token, 0, message("transfer", (ALICE, 300u128)));
    assert_eq!(dispatch_as(&mut ext, BOB, back).result, Ok(()));
    assert_eq!(free(&ext, &BOB), bob + balance_entry());
    assert!(events(&ext).contains(&Event::StorageDepositSettled {
        who: BOB,
        deposit: StorageDeposit::Refund(balance_entry())
    }));
    assert_eq!(balance_of(&mut ext, token, BOB), 0);
    assert_eq!(contract_info(&ext, &token).unwrap().storage_items, 2);

    // ALICE lets CHARLIE spend 100; CHARLIE moves 60 to BOB.
    let approve = call_msg(token, 0, message("approve", (CHARLIE, 100u128)));
    assert_eq!(dispatch_as(&mut ext, ALICE, approve).result, Ok(()));
    let spend = call_msg(token, 0, message("transfer_from", (ALICE, BOB, 60u128)));
    assert_eq!(dispatch_as(&mut ext, CHARLIE, spend).result, Ok(()));
    let allowance: Balance = query(&mut ext, token, message("allowance", (ALICE, CHARLIE)));
    assert_eq!(allowance, 40);
    assert_eq!(balance_of(&mut ext, token, ALICE), 940);
    assert_eq!(balance_of(&mut ext, token, BOB), 60);
    let supply: Balance = query(&mut ext, token, message("total_supply", ()));
    assert_eq!(supply, 1_000);
    assert_invariants(&ext);
}

#[test]
fn a_revert_rolls_back_the_call_and_charges_only_gas_used() {
    let mut ext = new_ext();
    let (_, token) = deploy_token(&mut ext, 1_000);
    let before = ext.state.state.clone();
    let call = call_msg(token, 0, message("transfer", (BOB, 5_000u128)));
    let declared = call.weight();
    let outcome = dispatch_as(&mut ext, ALICE, call);
    assert_eq!(outcome.result, Err(Error::ContractReverted.into()));
    assert_eq!(ext.state.state, before, "no state change, no event");
    let actual = outcome.actual_weight.unwrap();
    assert!(actual > weights::CALL && actual < declared);

    // The dry run shows the revert data: `Error::InsufficientBalance` (index 0).
    let dry = crate::dry_run_call(
        &mut ext,
        ALICE,
        token,
        0,
        GAS,
        None,
        message("transfer", (BOB, 5_000u128)),
        None,
    );
    assert!(dry.reverted);
    assert_eq!(dry.output, vec![0]);
    assert_eq!(dry.error.unwrap().error, Error::ContractReverted);
    assert!(dry.events.is_empty());
    assert_eq!(gas_to_weight(dry.gas_used) + weights::CALL, actual);
    assert_eq!(ext.state.state, before);
}

#[test]
fn instantiate_refuses_bad_salt_reused_address_and_missing_code() {
    let mut ext = new_ext();
    let (hash, _) = deploy_token(&mut ext, 1);
    let again = dispatch_as(
        &mut ext,
        ALICE,
        instantiate_call(hash, 0, 1u128.encode(), b"token"),
    );
    assert_eq!(again.result, Err(Error::AddressInUse.into()));
    let long_salt = vec![1; MAX_SALT_BYTES + 1];
    let salted = dispatch_as(
        &mut ext,
        ALICE,
        instantiate_call(hash, 0, 1u128.encode(), &long_salt),
    );
    assert_eq!(salted.result, Err(Error::SaltTooLarge.into()));
    let ok_salt = vec![1; MAX_SALT_BYTES];
    instantiate(&mut ext, ALICE, hash, 0, 1u128.encode(), &ok_salt);
    let missing = dispatch_as(
        &mut ext,
        ALICE,
        instantiate_call(H256([5; 32]), 0, vec![], b""),
    );
    assert_eq!(missing.result, Err(Error::CodeNotFound.into()));
    let nobody = dispatch_as(&mut ext, ALICE, call_msg(AccountId([5; 32]), 0, vec![]));
    assert_eq!(nobody.result, Err(Error::ContractNotFound.into()));
    let too_much_gas = Call::Call {
        dest: AccountId([5; 32]),
        value: 0,
        gas_limit: crate::MAX_GAS_PER_EXTRINSIC + 1,
        storage_deposit_limit: None,
        input: vec![],
    };
    assert_eq!(
        dispatch_as(&mut ext, ALICE, too_much_gas).result,
        Err(Error::GasLimitTooHigh.into())
    );
    assert_invariants(&ext);
}

#[test]
fn the_deposit_limit_bounds_what_an_execution_may_charge() {
    let mut ext = new_ext();
    let hash = upload(&mut ext, ALICE, &built("token"));
    let needed = contract_info_deposit() + storage_entry_deposit(1, 16) + balance_entry();
    let mut call = instantiate_call(hash, 0, 10u128.encode(), b"x");
    if let Call::Instantiate {
        storage_deposit_limit,
        ..
    } = &mut call
    {
        *storage_deposit_limit = Some(needed - 1);
    }
    let before = ext.state.state.clone();
    let outcome = dispatch_as(&mut ext, ALICE, call.clone());
    assert_eq!(outcome.result, Err(Error::DepositLimitExceeded.into()));
    assert_eq!(ext.state.state, before);
    if let Call::Instantiate {
        storage_deposit_limit,
        ..
    } = &mut call
    {
        *storage_deposit_limit = Some(needed);
    }
    assert_eq!(dispatch_as(&mut ext, ALICE, call).result, Ok(()));
}

#[test]
fn value_goes_to_the_contract_and_must_respect_the_existential_deposit() {
    let mut ext = new_ext();
    let hash = upload(&mut ext, ALICE, &built("multisig"));
    let input = (vec![ALICE, BOB], 2u32).encode();
    let below_ed = dispatch_as(
        &mut ext,
        ALICE,
        instantiate_call(hash, ED - 1, input.clone(), b""),
    );
    assert_eq!(below_ed.result, Err(Error::TransferFailed.into()));
    let too_much = dispatch_as(
        &mut ext,
        ALICE,
        instantiate_call(hash, FUNDS, input.clone(), b""),
    );
    assert_eq!(
        too_much.result,
        Err(Error::TransferFailed.into()),
        "the signer stays alive"
    );
    let wallet = instantiate(&mut ext, ALICE, hash, 5 * ED, input, b"");
    assert_eq!(free(&ext, &wallet), 5 * ED);
    assert_invariants(&ext);
}
