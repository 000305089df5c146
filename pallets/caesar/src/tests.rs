use crate::{mock::*, *};
use hm_pallet_system::Error as SystemError;
use hm_support::{DispatchError, MemoryExt};

fn signed(who: AccountId) -> Origin {
    Origin::Signed(who)
}

fn free(ext: &MemoryExt, who: &AccountId) -> Balance {
    free_balance(ext, who)
}

/// Dispatch a call that must fail, and check it failed with `expected` and changed nothing.
fn assert_noop(ext: &mut MemoryExt, origin: Origin, call: Call, expected: DispatchError) {
    let before = ext.state.clone();
    assert_eq!(dispatch(ext, origin, call), Err(expected));
    assert!(ext.state == before, "a failed call must not change state");
}

#[test]
fn transfer_moves_funds_and_keeps_issuance() {
    let mut ext = new_ext(&[(ALICE, 1_000), (BOB, 500)]);
    assert_eq!(
        dispatch(
            &mut ext,
            signed(ALICE),
            Call::Transfer {
                dest: BOB,
                value: 300
            }
        ),
        Ok(())
    );
    assert_eq!((free(&ext, &ALICE), free(&ext, &BOB)), (700, 800));
    assert_eq!(total_issuance(&ext), 1_500);
    assert_eq!(
        events(&ext),
        vec![Event::Transfer {
            from: ALICE,
            to: BOB,
            amount: 300
        }]
    );
    assert_invariants(&ext);
}

#[test]
fn transfer_to_a_new_account_endows_it() {
    let mut ext = new_ext(&[(ALICE, 1_000)]);
    assert_eq!(
        dispatch(
            &mut ext,
            signed(ALICE),
            Call::Transfer {
                dest: CHARLIE,
                value: ED
            }
        ),
        Ok(())
    );
    assert_eq!(free(&ext, &CHARLIE), ED);
    assert_eq!(
        events(&ext),
        vec![
            Event::Endowed {
                account: CHARLIE,
                free_balance: ED
            },
            Event::Transfer {
                from: ALICE,
                to: CHARLIE,
                amount: ED
            }
        ]
    );
    assert_invariants(&ext);
}

#[test]
fn transfer_below_ed_to_a_new_account_fails() {
    let mut ext = new_ext(&[(ALICE, 1_000)]);
    let call = Call::Transfer {
        dest: CHARLIE,
        value: ED - 1,
    };
    assert_noop(
        &mut ext,
        signed(ALICE),
        call,
        Error::ExistentialDeposit.into(),
    );
    let zero = Call::TransferKeepAlive {
        dest: CHARLIE,
        value: 0,
    };
    assert_noop(
        &mut ext,
        signed(ALICE),
        zero,
        Error::ExistentialDeposit.into(),
    );
}

#[test]
fn transfer_more_than_free_fails() {
    let mut ext = new_ext(&[(ALICE, 1_000), (BOB, 500)]);
    assert_noop(
        &mut ext,
        signed(ALICE),
        Call::Transfer {
            dest: BOB,
            value: 1_001,
        },
        Error::InsufficientBalance.into(),
    );
    assert_noop(
        &mut ext,
        signed(CHARLIE),
        Call::Transfer {
            dest: BOB,
            value: 1,
        },
        Error::InsufficientBalance.into(),
    );
}

#[test]
fn transfer_may_reap_the_sender_and_burn_its_dust() {
    let mut ext = new_ext(&[(ALICE, 1_000), (BOB, 500)]);
    assert_eq!(
        dispatch(
            &mut ext,
            signed(ALICE),
            Call::Transfer {
                dest: BOB,
                value: 950
            }
        ),
        Ok(())
    );
    assert_eq!(account(&ext, &ALICE), None);
    assert_eq!(free(&ext, &BOB), 1_450);
    assert_eq!(total_issuance(&ext), 1_450);
    assert_eq!(
        events(&ext),
        vec![
            Event::Transfer {
                from: ALICE,
                to: BOB,
                amount: 950
            },
            Event::DustLost {
                account: ALICE,
                amount: 50
            }
        ]
    );
    assert_invariants(&ext);
}

#[test]
fn transfer_of_everything_reaps_without_dust() {
    let mut ext = new_ext(&[(ALICE, 1_000), (BOB, 500)]);
    assert_eq!(
        dispatch(
            &mut ext,
            signed(ALICE),
            Call::Transfer {
                dest: BOB,
                value: 1_000
            }
        ),
        Ok(())
    );
    assert_eq!(account(&ext, &ALICE), None);
    assert!(!events(&ext)
        .iter()
        .any(|e| matches!(e, Event::DustLost { .. })));
    assert_invariants(&ext);
}

#[test]
fn transfer_keep_alive_refuses_to_reap() {
    let mut ext = new_ext(&[(ALICE, 1_000), (BOB, 500)]);
    let call = Call::TransferKeepAlive {
        dest: BOB,
        value: 901,
    };
    assert_noop(&mut ext, signed(ALICE), call, Error::KeepAlive.into());
    assert_eq!(
        dispatch(
            &mut ext,
            signed(ALICE),
            Call::TransferKeepAlive {
                dest: BOB,
                value: 900
            }
        ),
        Ok(())
    );
    assert_eq!(free(&ext, &ALICE), ED);
    assert_invariants(&ext);
}

#[test]
fn transfer_to_self_changes_nothing_but_needs_the_funds() {
    let mut ext = new_ext(&[(ALICE, 1_000)]);
    assert_eq!(
        dispatch(
            &mut ext,
            signed(ALICE),
            Call::Transfer {
                dest: ALICE,
                value: 1_000
            }
        ),
        Ok(())
    );
    assert_eq!(free(&ext, &ALICE), 1_000);
    assert_noop(
        &mut ext,
        signed(ALICE),
        Call::Transfer {
            dest: ALICE,
            value: 1_001,
        },
        Error::InsufficientBalance.into(),
    );
}

#[test]
fn transfer_reports_overflow_instead_of_wrapping() {
    // Unreachable while the issuance invariant holds; forced here through raw state.
    let mut ext = new_ext(&[(ALICE, 1_000)]);
    put(
        &mut ext,
        &storage::account(&BOB),
        &AccountData {
            free: Balance::MAX,
            reserved: 0,
        },
    );
    assert_noop(
        &mut ext,
        signed(ALICE),
        Call::Transfer {
            dest: BOB,
            value: 1,
        },
        Error::Overflow.into(),
    );
    put(
        &mut ext,
        &storage::account(&BOB),
        &AccountData {
            free: Balance::MAX - 1,
            reserved: 2,
        },
    );
    assert_noop(
        &mut ext,
        signed(ALICE),
        Call::Transfer {
            dest: BOB,
            value: 1,
        },
        Error::Overflow.into(),
    );
}

#[test]
fn transfer_needs_a_signed_origin() {
    let mut ext = new_ext(&[(ALICE, 1_000)]);
    assert_noop(
        &mut ext,
        Origin::Root,
        Call::Transfer {
            dest: BOB,
            value: 1,
        },
        SystemError::BadOrigin.into(),
    );
}

#[test]
fn set_balance_is_root_only_and_adjusts_issuance() {
    let mut ext = new_ext(&[(ALICE, 1_000), (BOB, 500)]);
    let raise = Call::SetBalance {
        who: ALICE,
        free: 5_000,
    };
    assert_noop(
        &mut ext,
        signed(ALICE),
        raise.clone(),
        SystemError::BadOrigin.into(),
    );
    assert_eq!(dispatch(&mut ext, Origin::Root, raise), Ok(()));
    assert_eq!(total_issuance(&ext), 5_500);
    assert_eq!(
        dispatch(
            &mut ext,
            Origin::Root,
            Call::SetBalance {
                who: BOB,
                free: 200
            }
        ),
        Ok(())
    );
    assert_eq!(total_issuance(&ext), 5_200);
    assert_eq!(
        dispatch(
            &mut ext,
            Origin::Root,
            Call::SetBalance {
                who: CHARLIE,
                free: 300
            }
        ),
        Ok(())
    );
    assert_eq!(total_issuance(&ext), 5_500);
    assert_eq!(
        events(&ext),
        vec![
            Event::BalanceSet {
                who: ALICE,
                free: 5_000
            },
            Event::BalanceSet {
                who: BOB,
                free: 200
            },
            Event::Endowed {
                account: CHARLIE,
                free_balance: 300
            },
            Event::BalanceSet {
                who: CHARLIE,
                free: 300
            },
        ]
    );
    assert_invariants(&ext);
}

#[test]
fn set_balance_below_ed_removes_the_account() {
    let mut ext = new_ext(&[(ALICE, 1_000), (BOB, 500)]);
    assert_eq!(
        dispatch(
            &mut ext,
            Origin::Root,
            Call::SetBalance {
                who: BOB,
                free: ED - 1
            }
        ),
        Ok(())
    );
    assert_eq!(account(&ext, &BOB), None);
    assert_eq!(total_issuance(&ext), 1_000);
    assert_eq!(events(&ext), vec![Event::BalanceSet { who: BOB, free: 0 }]);
    // Setting a missing account below the ED leaves it missing.
    assert_eq!(
        dispatch(
            &mut ext,
            Origin::Root,
            Call::SetBalance {
                who: CHARLIE,
                free: 1
            }
        ),
        Ok(())
    );
    assert_eq!(account(&ext, &CHARLIE), None);
    assert_invariants(&ext);
}

#[test]
fn set_balance_refuses_to_overflow_issuance() {
    let mut ext = new_ext(&[(ALICE, 1_000)]);
    let call = Call::SetBalance {
        who: BOB,
        free: Balance::MAX - 999,
    };
    assert_noop(&mut ext, Origin::Root, call, Error::Overflow.into());
    assert_eq!(
        dispatch(
            &mut ext,
            Origin::Root,
            Call::SetBalance {
                who: BOB,
                free: Balance::MAX - 1_000
            }
        ),
        Ok(())
    );
    assert_eq!(total_issuance(&ext), Balance::MAX);
    assert_invariants(&ext);
}

#[test]
fn fee_is_credited_to_the_author() {
    let mut ext = new_ext(&[(ALICE, 1_000), (AUTHOR, 500)]);
    assert_eq!(withdraw_fee(&mut ext, &ALICE, 300), Ok(()));
    assert_eq!((free(&ext, &ALICE), free(&ext, &AUTHOR)), (700, 800));
    assert_eq!(total_issuance(&ext), 1_500);
    assert_eq!(
        events(&ext),
        vec![Event::FeePaid {
            who: ALICE,
            amount: 300,
            author: Some(AUTHOR)
        }]
    );
    assert_invariants(&ext);
}

#[test]
fn fee_endows_a_new_author_or_is_burned_below_ed() {
    let mut ext = new_ext(&[(ALICE, 1_000)]);
    assert_eq!(withdraw_fee(&mut ext, &ALICE, ED - 1), Ok(()));
    assert_eq!(account(&ext, &AUTHOR), None);
    assert_eq!(total_issuance(&ext), 1_000 - (ED - 1));
    assert_invariants(&ext);
    assert_eq!(withdraw_fee(&mut ext, &ALICE, ED), Ok(()));
    assert_eq!(free(&ext, &AUTHOR), ED);
    assert_eq!(
        events(&ext),
        vec![
            Event::FeePaid {
                who: ALICE,
                amount: ED - 1,
                author: None
            },
            Event::Endowed {
                account: AUTHOR,
                free_balance: ED
            },
            Event::FeePaid {
                who: ALICE,
                amount: ED,
                author: Some(AUTHOR)
            },
        ]
    );
    assert_invariants(&ext);
}

#[test]
fn fee_paid_by_the_author_to_itself_is_a_no_op_on_balances() {
    let mut ext = new_ext(&[(AUTHOR, 1_000)]);
    assert_eq!(withdraw_fee(&mut ext, &AUTHOR, 400), Ok(()));
    assert_eq!(free(&ext, &AUTHOR), 1_000);
    assert_invariants(&ext);
}

#[test]
fn fee_never_reaps_and_needs_an_existing_account() {
    let mut ext = new_ext(&[(ALICE, 1_000)]);
    let before = ext.state.clone();
    assert_eq!(withdraw_fee(&mut ext, &ALICE, 901), Err(Error::KeepAlive));
    assert_eq!(
        withdraw_fee(&mut ext, &ALICE, 1_001),
        Err(Error::InsufficientBalance)
    );
    assert_eq!(
        withdraw_fee(&mut ext, &BOB, 0),
        Err(Error::InsufficientBalance)
    );
    assert!(ext.state == before);
    assert_eq!(withdraw_fee(&mut ext, &ALICE, 0), Ok(()));
    assert!(ext.state == before, "a zero fee writes nothing");
    assert_eq!(
        ensure_can_withdraw_fee(&ext, &ALICE, 900).map(|a| a.free),
        Ok(ED)
    );
}

#[test]
fn fee_with_no_author_is_burned() {
    let mut ext = MemoryExt::default();
    system::GenesisConfig::default().build(&mut ext).unwrap();
    GenesisConfig {
        existential_deposit: ED,
        balances: vec![(ALICE, 1_000)],
    }
    .build(&mut ext)
    .unwrap();
    assert_eq!(withdraw_fee(&mut ext, &ALICE, 500), Ok(()));
    assert_eq!(total_issuance(&ext), 500);
    assert_invariants(&ext);
}

#[test]
fn deposit_mints_and_respects_ed_and_overflow() {
    let mut ext = new_ext(&[(ALICE, 1_000)]);
    assert_eq!(deposit(&mut ext, &ALICE, 5), Ok(()));
    assert_eq!(total_issuance(&ext), 1_005);
    let before = ext.state.clone();
    assert_eq!(
        deposit(&mut ext, &BOB, ED - 1),
        Err(Error::ExistentialDeposit)
    );
    assert_eq!(deposit(&mut ext, &BOB, Balance::MAX), Err(Error::Overflow));
    assert_eq!(
        deposit(&mut ext, &ALICE, Balance::MAX),
        Err(Error::Overflow)
    );
    assert!(ext.state == before);
    assert_eq!(deposit(&mut ext, &BOB, ED), Ok(()));
    assert_eq!(
        events(&ext),
        vec![
            Event::Deposit {
                who: ALICE,
                amount: 5
            },
            Event::Endowed {
                account: BOB,
                free_balance: ED
            },
            Event::Deposit {
                who: BOB,
                amount: ED
            },
        ]
    );
    assert_invariants(&ext);
}

#[test]
fn genesis_refuses_bad_balances() {
    let build = |ed, balances: Vec<(AccountId, Balance)>| {
        GenesisConfig {
            existential_deposit: ed,
            balances,
        }
        .build(&mut MemoryExt::default())
    };
    assert!(build(0, vec![]).is_err());
    assert!(build(ED, vec![(ALICE, ED), (ALICE, ED)]).is_err());
    assert!(build(ED, vec![(ALICE, ED - 1)]).is_err());
    assert!(build(ED, vec![(ALICE, Balance::MAX), (BOB, ED)]).is_err());
    assert!(build(ED, vec![(ALICE, Balance::MAX - ED), (BOB, ED)]).is_ok());
}

#[test]
fn hostile_call_bytes_do_not_decode() {
    use parity_scale_codec::DecodeAll;
    assert!(
        Call::decode_all(&mut &[3u8][..]).is_err(),
        "unknown call index"
    );
    assert!(
        Call::decode_all(&mut &[0u8; 10][..]).is_err(),
        "truncated account"
    );
    let mut non_canonical = vec![0u8];
    non_canonical.extend([0u8; 32]);
    non_canonical.extend([0b0000_0001, 0]); // compact 0 in two bytes
    assert!(Call::decode_all(&mut &non_canonical[..]).is_err());
    let call = Call::SetBalance {
        who: BOB,
        free: Balance::MAX,
    };
    assert_eq!(Call::decode_all(&mut &call.encode()[..]).unwrap(), call);
}
