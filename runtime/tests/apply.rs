//! `apply_extrinsic` with real Falcon signatures: inclusion, fees, nonces and refusals.
mod common;

use common::*;
use hm_pallet_caesar::{Error as CaesarError, Event as CaesarEvent};
use hm_pallet_system::{Error as SystemError, Event as SystemEvent};
use hm_primitives::{InvalidTransaction, UNITS};
use hm_runtime::*;
use hm_support::DispatchError;

fn system_event(e: SystemEvent) -> RuntimeEvent {
    RuntimeEvent::System(e)
}

#[test]
fn transfer_happy_path_charges_fee_to_author_and_registers_key() {
    let mut ext = chain();
    let (a, b) = (alice().account_id(), bob().account_id());
    let xt = signed(alice(), 0, transfer(b, 10 * UNITS));
    let outcome = apply_extrinsic(&mut ext, &block(1), &xt).unwrap();
    assert_eq!(outcome.result, Ok(()));
    let expected_fee = fees().length_fee_per_byte * xt.len() as u128 + u128::from(outcome.weight);
    assert_eq!(outcome.fee, expected_fee);
    assert_eq!(
        outcome.weight,
        weights::EXTRINSIC_BASE + hm_pallet_caesar::weights::TRANSFER
    );
    assert_eq!(free(&ext, &a), 990 * UNITS - outcome.fee);
    assert_eq!(free(&ext, &b), 1_010 * UNITS);
    assert_eq!(free(&ext, &AUTHOR), outcome.fee);
    assert_eq!(nonce(&ext, &a), 1);
    assert_eq!(public_key_of(&ext, &a).as_ref(), Some(alice().public()));
    // Alice's and Bob's funds: nothing else exists.
    assert_eq!(total_issuance(&ext), 2_000 * UNITS);
    let events: Vec<_> = events(&ext)
        .into_iter()
        .map(|r| (r.phase, r.event))
        .collect();
    let phase = Phase::ApplyExtrinsic(0);
    assert_eq!(
        events,
        vec![
            (phase, system_event(SystemEvent::KeyRegistered { who: a })),
            (
                phase,
                RuntimeEvent::Caesar(CaesarEvent::Endowed {
                    account: AUTHOR,
                    free_balance: outcome.fee
                })
            ),
            (
                phase,
                RuntimeEvent::Caesar(CaesarEvent::FeePaid {
                    who: a,
                    amount: outcome.fee,
                    author: Some(AUTHOR)
                })
            ),
            (
                phase,
                RuntimeEvent::Caesar(CaesarEvent::Transfer {
                    from: a,
                    to: b,
                    amount: 10 * UNITS
                })
            ),
            (
                phase,
                system_event(SystemEvent::ExtrinsicSuccess {
                    weight: outcome.weight
                })
            ),
        ]
    );
    assert_issuance_matches(&ext.inner);
}

#[test]
fn later_transactions_sign_with_the_account_id() {
    let mut ext = chain();
    let b = bob().account_id();
    apply_extrinsic(&mut ext, &block(1), &signed(alice(), 0, transfer(b, UNITS))).unwrap();
    let by_id = signed_with(
        alice(),
        &TxSpec {
            full_key: false,
            nonce: 1,
            ..Default::default()
        },
        transfer(b, UNITS),
    );
    let outcome = apply_extrinsic(&mut ext, &block(1), &by_id).unwrap();
    assert_eq!(outcome.result, Ok(()));
    // The short form is ~1.8 KB smaller, and so cheaper.
    assert!(by_id.len() + 1_700 < signed(alice(), 1, transfer(b, UNITS)).len());
    assert_eq!(nonce(&ext, &alice().account_id()), 2);
    // The event log numbers the extrinsics.
    let last = events(&ext).pop().unwrap();
    assert_eq!(last.phase, Phase::ApplyExtrinsic(1));
}

#[test]
fn failed_call_keeps_fee_and_nonce_and_rolls_back_the_call() {
    let mut ext = chain();
    let (a, b) = (alice().account_id(), bob().account_id());
    let xt = signed(alice(), 0, transfer(b, 5_000 * UNITS));
    let outcome = apply_extrinsic(&mut ext, &block(1), &xt).unwrap();
    assert_eq!(outcome.result, Err(CaesarError::InsufficientBalance.into()));
    assert_eq!(free(&ext, &a), 1_000 * UNITS - outcome.fee);
    assert_eq!(free(&ext, &b), 1_000 * UNITS);
    assert_eq!(free(&ext, &AUTHOR), outcome.fee);
    assert_eq!(nonce(&ext, &a), 1);
    let last = events(&ext).pop().unwrap().event;
    let info = hm_pallet_system::DispatchErrorInfo {
        pallet: 1,
        error: CaesarError::InsufficientBalance as u8,
    };
    assert_eq!(
        last,
        system_event(SystemEvent::ExtrinsicFailed {
            error: info,
            weight: outcome.weight
        })
    );
    assert_issuance_matches(&ext.inner);
}

#[test]
fn replayed_transaction_is_stale() {
    let mut ext = chain();
    let xt = signed(alice(), 0, transfer(bob().account_id(), UNITS));
    assert!(validate_transaction(&ext, &tx_ctx(0), &xt).is_ok());
    apply_extrinsic(&mut ext, &block(1), &xt).unwrap();
    let before = ext.inner.state.clone();
    assert_eq!(
        apply_extrinsic(&mut ext, &block(1), &xt),
        Err(InvalidTransaction::Stale {
            expected: 1,
            got: 0
        })
    );
    assert!(
        ext.inner.state == before,
        "a refused extrinsic changes nothing"
    );
    finalize_checked(&mut ext, &block(1));
    assert_eq!(
        validate_transaction(&ext, &tx_ctx(1), &xt),
        Err(InvalidTransaction::Stale {
            expected: 1,
            got: 0
        })
    );
}

#[test]
fn signature_for_another_chain_or_runtime_is_bad() {
    let mut ext = chain();
    let call = transfer(bob().account_id(), UNITS);
    let other_chain = signed_with(
        alice(),
        &TxSpec {
            genesis_hash: hm_primitives::H256([8; 32]),
            ..Default::default()
        },
        call.clone(),
    );
    let other_spec = signed_with(
        alice(),
        &TxSpec {
            spec_version: VERSION.spec_version + 1,
            ..Default::default()
        },
        call,
    );
    for xt in [other_chain, other_spec] {
        assert_eq!(
            validate_transaction(&ext, &tx_ctx(0), &xt),
            Err(InvalidTransaction::BadSignature)
        );
        assert_eq!(
            apply_extrinsic(&mut ext, &block(1), &xt),
            Err(InvalidTransaction::BadSignature)
        );
    }
    assert!(
        public_key_of(&ext, &alice().account_id()).is_none(),
        "nothing stored for a refused extrinsic"
    );
}

#[test]
fn full_key_must_verify() {
    let mut ext = chain();
    let xt = signed(alice(), 0, transfer(bob().account_id(), UNITS));
    let mut decoded: Extrinsic = parity_scale_codec::Decode::decode(&mut &xt[..]).unwrap();
    // Bob signs the message that Alice's full key claims.
    let message = decoded
        .signing_message(&GENESIS_HASH, VERSION.spec_version)
        .unwrap();
    decoded.signed.as_mut().unwrap().signature = bob().sign(message.as_bytes());
    let forged = parity_scale_codec::Encode::encode(&decoded);
    assert_eq!(
        validate_transaction(&ext, &tx_ctx(0), &forged),
        Err(InvalidTransaction::BadSignature)
    );
    assert_eq!(
        apply_extrinsic(&mut ext, &block(1), &forged),
        Err(InvalidTransaction::BadSignature)
    );
    assert!(public_key_of(&ext, &alice().account_id()).is_none());
}

#[test]
fn account_id_signer_without_stored_key_is_unknown() {
    let mut ext = chain();
    let xt = signed_with(
        alice(),
        &TxSpec {
            full_key: false,
            ..Default::default()
        },
        transfer(bob().account_id(), UNITS),
    );
    assert_eq!(
        validate_transaction(&ext, &tx_ctx(0), &xt),
        Err(InvalidTransaction::UnknownSigner)
    );
    assert_eq!(
        apply_extrinsic(&mut ext, &block(1), &xt),
        Err(InvalidTransaction::UnknownSigner)
    );
}

#[test]
fn expired_transaction_is_refused() {
    let mut ext = chain();
    let call = transfer(bob().account_id(), UNITS);
    let mortal = signed_with(
        alice(),
        &TxSpec {
            valid_until: 1,
            ..Default::default()
        },
        call,
    );
    // Valid for block 1 (best 0), expired for block 2 (best 1).
    assert!(validate_transaction(&ext, &tx_ctx(0), &mortal).is_ok());
    assert_eq!(
        validate_transaction(&ext, &tx_ctx(1), &mortal),
        Err(InvalidTransaction::Expired {
            valid_until: 1,
            current: 2
        })
    );
    initialize_block(&mut ext, &block(2));
    assert_eq!(
        apply_extrinsic(&mut ext, &block(2), &mortal),
        Err(InvalidTransaction::Expired {
            valid_until: 1,
            current: 2
        })
    );
}

#[test]
fn future_nonces_wait_in_the_pool_but_not_in_a_block() {
    let mut ext = chain();
    let call = transfer(bob().account_id(), UNITS);
    let edge = signed(alice(), MAX_FUTURE_NONCES, call.clone());
    let valid = validate_transaction(&ext, &tx_ctx(0), &edge).unwrap();
    assert_eq!((valid.nonce, valid.account_nonce), (MAX_FUTURE_NONCES, 0));
    let beyond = signed(alice(), MAX_FUTURE_NONCES + 1, call.clone());
    assert_eq!(
        validate_transaction(&ext, &tx_ctx(0), &beyond),
        Err(InvalidTransaction::FutureTooFar {
            expected: 0,
            got: MAX_FUTURE_NONCES + 1
        })
    );
    let next = signed(alice(), 1, call);
    assert_eq!(
        apply_extrinsic(&mut ext, &block(1), &next),
        Err(InvalidTransaction::FutureTooFar {
            expected: 0,
            got: 1
        })
    );
}

#[test]
fn fee_must_be_payable_keeping_the_account_alive() {
    let mut config = genesis();
    config.accounts.push(GenesisAccount {
        account: charlie().account_id(),
        public_key: None,
        balance: ED,
    });
    let mut ext = chain_with(&config);
    let c = charlie().account_id();
    // Charlie holds exactly the ED: any fee would reap it.
    let xt = signed(charlie(), 0, transfer(bob().account_id(), 1));
    let refused = validate_transaction(&ext, &tx_ctx(0), &xt).unwrap_err();
    assert!(matches!(refused, InvalidTransaction::CannotPayFees { free, .. } if free == ED));
    assert!(matches!(
        apply_extrinsic(&mut ext, &block(1), &xt),
        Err(InvalidTransaction::CannotPayFees { .. })
    ));
    // An account that does not exist cannot pay, even a zero-value call.
    let ghost = hm_crypto::dev_keypair("dave").unwrap();
    let xt = signed(&ghost, 0, transfer(c, 0));
    assert!(matches!(
        validate_transaction(&ext, &tx_ctx(0), &xt),
        Err(InvalidTransaction::CannotPayFees { free: 0, .. })
    ));
    // A tip that overflows the fee.
    let greedy = signed_with(
        alice(),
        &TxSpec {
            tip: u128::MAX,
            ..Default::default()
        },
        transfer(c, 1),
    );
    assert!(matches!(
        validate_transaction(&ext, &tx_ctx(0), &greedy),
        Err(InvalidTransaction::CannotPayFees { .. })
    ));
    assert_eq!(nonce(&ext, &c), 0);
}

#[test]
fn tip_sets_priority_and_is_part_of_the_fee() {
    let ext = chain();
    let call = transfer(bob().account_id(), UNITS);
    let plain = validate_transaction(&ext, &tx_ctx(0), &signed(alice(), 0, call.clone())).unwrap();
    let tipped_xt = signed_with(
        alice(),
        &TxSpec {
            tip: 12_345,
            ..Default::default()
        },
        call,
    );
    let tipped = validate_transaction(&ext, &tx_ctx(0), &tipped_xt).unwrap();
    assert_eq!(plain.priority, 0);
    assert_eq!(tipped.priority, 12_345);
    let expected = fees().fee(
        tipped_xt.len(),
        weights::EXTRINSIC_BASE + hm_pallet_caesar::weights::TRANSFER,
        12_345,
    );
    assert_eq!(Some(tipped.fee), expected);
    assert_eq!(tipped.sender, alice().account_id());
    let info = fee_info(&ext, &tipped_xt).unwrap();
    assert_eq!(
        (info.partial_fee + info.tip, info.tip),
        (tipped.fee, 12_345)
    );
}

fn root_set_balance(who: hm_primitives::AccountId, free: u128) -> Call {
    Call::Root(Box::new(Call::Caesar(hm_pallet_caesar::Call::SetBalance {
        who,
        free,
    })))
}

#[test]
fn root_call_by_the_root_key_works() {
    let mut ext = chain();
    let c = charlie().account_id();
    let outcome = apply_extrinsic(
        &mut ext,
        &block(1),
        &signed(alice(), 0, root_set_balance(c, 7 * UNITS)),
    )
    .unwrap();
    assert_eq!(outcome.result, Ok(()));
    assert_eq!(
        outcome.weight,
        weights::EXTRINSIC_BASE + weights::ROOT_DISPATCH + hm_pallet_caesar::weights::SET_BALANCE
    );
    assert_eq!(free(&ext, &c), 7 * UNITS);
    assert_eq!(total_issuance(&ext), 2_007 * UNITS);
    assert_issuance_matches(&ext.inner);
    // Nested root calls are root too.
    let nested = Call::Root(Box::new(root_set_balance(c, 8 * UNITS)));
    assert_eq!(
        apply_extrinsic(&mut ext, &block(1), &signed(alice(), 1, nested))
            .unwrap()
            .result,
        Ok(())
    );
    assert_eq!(free(&ext, &c), 8 * UNITS);
}

#[test]
fn root_call_by_anyone_else_fails_but_pays() {
    let mut ext = chain();
    let (b, c) = (bob().account_id(), charlie().account_id());
    let outcome = apply_extrinsic(
        &mut ext,
        &block(1),
        &signed(bob(), 0, root_set_balance(c, 7 * UNITS)),
    )
    .unwrap();
    assert_eq!(
        outcome.result,
        Err(DispatchError::from(SystemError::BadOrigin))
    );
    assert_eq!(free(&ext, &c), 0);
    assert_eq!(free(&ext, &b), 1_000 * UNITS - outcome.fee);
    assert_eq!(nonce(&ext, &b), 1);
    // A root-only call without the Root wrapper fails the same way, even for the root key.
    let bare = Call::Caesar(hm_pallet_caesar::Call::SetBalance {
        who: c,
        free: UNITS,
    });
    let outcome = apply_extrinsic(&mut ext, &block(1), &signed(alice(), 0, bare)).unwrap();
    assert_eq!(
        outcome.result,
        Err(DispatchError::from(SystemError::BadOrigin))
    );
    assert_issuance_matches(&ext.inner);
}

#[test]
fn root_can_change_parameters_and_fees_follow() {
    let mut ext = chain();
    let parameters = Parameters {
        fees: FeeParams {
            length_fee_per_byte: 0,
            weight_fee_per_unit: 0,
        },
        ..parameters(&ext)
    };
    let call = Call::Root(Box::new(Call::System(
        hm_pallet_system::Call::SetParameters { parameters },
    )));
    assert_eq!(
        apply_extrinsic(&mut ext, &block(1), &signed(alice(), 0, call))
            .unwrap()
            .result,
        Ok(())
    );
    let outcome = apply_extrinsic(
        &mut ext,
        &block(1),
        &signed(bob(), 0, transfer(alice().account_id(), UNITS)),
    )
    .unwrap();
    assert_eq!(outcome.fee, 0);
}

#[test]
fn block_length_limit_refuses_what_does_not_fit() {
    let mut config = genesis();
    config.max_block_length = hm_primitives::MAX_EXTRINSIC_BYTES as u32;
    let mut ext = chain_with(&config);
    let remark = |n| Call::System(hm_pallet_system::Call::Remark { data: vec![0u8; n] });
    let big = signed(alice(), 0, remark(100_000));
    assert_eq!(
        apply_extrinsic(&mut ext, &block(1), &big).unwrap().result,
        Ok(())
    );
    let second = signed(bob(), 0, remark(100_000));
    assert!(
        validate_transaction(&ext, &tx_ctx(0), &second).is_ok(),
        "fits in an empty block"
    );
    let before = ext.inner.state.clone();
    assert_eq!(
        apply_extrinsic(&mut ext, &block(1), &second),
        Err(InvalidTransaction::ExhaustsResources)
    );
    assert!(ext.inner.state == before);
    // The next block has room again.
    finalize_checked(&mut ext, &block(1));
    initialize_block(&mut ext, &block(2));
    assert!(apply_extrinsic(&mut ext, &block(2), &second).is_ok());
}

#[test]
fn initialize_block_clears_the_previous_events() {
    let mut ext = chain();
    apply_extrinsic(
        &mut ext,
        &block(1),
        &signed(alice(), 0, transfer(bob().account_id(), UNITS)),
    )
    .unwrap();
    finalize_checked(&mut ext, &block(1));
    assert!(
        !events(&ext).is_empty(),
        "events stay readable after the block"
    );
    initialize_block(&mut ext, &block(2));
    assert!(events(&ext).is_empty());
}

#[test]
fn account_storage_key_holds_the_account_data() {
    let ext = chain();
    let a = alice().account_id();
    let raw = hm_support::Externalities::storage_get(&ext, &account_storage_key(&a)).unwrap();
    let data: hm_pallet_caesar::AccountData =
        parity_scale_codec::Decode::decode(&mut &raw[..]).unwrap();
    assert_eq!((data.free, data.reserved), (1_000 * UNITS, 0));
    assert_eq!(account_summary(&ext, &a), (1_000 * UNITS, 0, 0));
}
