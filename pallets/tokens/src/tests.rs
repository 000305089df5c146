use crate::{mock::*, *};
use hm_pallet_caesar as caesar;

fn reserved(ext: &hm_support::MemoryExt, who: &AccountId) -> Balance {
    caesar::reserved_balance(ext, who)
}

#[test]
fn create_reserves_the_deposit_and_gives_every_role_to_the_creator() {
    let mut ext = new_ext();
    ok(&mut ext, ALICE, Call::Create { min_balance: MIN });
    ok(&mut ext, BOB, Call::Create { min_balance: 1 });
    let token = details(&ext, 0).unwrap();
    assert_eq!(
        (token.owner, token.issuer, token.admin, token.freezer),
        (ALICE, ALICE, ALICE, ALICE)
    );
    assert_eq!((token.supply, token.deposit), (0, TOKEN_DEPOSIT));
    assert_eq!(token.status, TokenStatus::Live);
    assert_eq!(reserved(&ext, &ALICE), TOKEN_DEPOSIT);
    assert_eq!(details(&ext, 1).unwrap().owner, BOB);
    assert_eq!(next_token_id(&ext), 2);
    noop(
        &mut ext,
        ALICE,
        Call::Create { min_balance: 0 },
        Error::MinBalanceZero,
    );
}

#[test]
fn create_refuses_a_creator_who_cannot_reserve_the_deposit() {
    let mut ext = new_ext();
    let pauper = AccountId([7; 32]);
    caesar::transfer(
        &mut ext,
        &ALICE,
        &pauper,
        TOKEN_DEPOSIT - 1,
        Liveness::AllowDeath,
    )
    .unwrap();
    noop(
        &mut ext,
        pauper,
        Call::Create { min_balance: 1 },
        Error::CannotPayDeposit,
    );
}

#[test]
fn metadata_is_bounded_and_its_deposit_follows_its_size() {
    let mut ext = ext_with_token(&[]);
    let set = |name: &[u8], symbol: &[u8], decimals| Call::SetMetadata {
        token: 0,
        name: name.to_vec(),
        symbol: symbol.to_vec(),
        decimals,
    };
    ok(&mut ext, ALICE, set(b"Gold", b"GLD", 12));
    let first = admin::metadata_deposit(4, 3).unwrap();
    assert_eq!(reserved(&ext, &ALICE), TOKEN_DEPOSIT + first);
    ok(&mut ext, ALICE, set(b"G", b"G", 0));
    assert_eq!(
        reserved(&ext, &ALICE),
        TOKEN_DEPOSIT + admin::metadata_deposit(1, 1).unwrap()
    );
    let long_name = vec![b'x'; MAX_NAME_LEN as usize + 1];
    noop(
        &mut ext,
        ALICE,
        set(&long_name, b"G", 0),
        Error::BadMetadata,
    );
    let long_symbol = vec![b'x'; MAX_SYMBOL_LEN as usize + 1];
    noop(
        &mut ext,
        ALICE,
        set(b"G", &long_symbol, 0),
        Error::BadMetadata,
    );
    noop(
        &mut ext,
        ALICE,
        set(b"G", b"G", MAX_DECIMALS + 1),
        Error::BadMetadata,
    );
    noop(&mut ext, BOB, set(b"G", b"G", 0), Error::NoPermission);
    ok(&mut ext, ALICE, Call::ClearMetadata { token: 0 });
    assert_eq!(reserved(&ext, &ALICE), TOKEN_DEPOSIT);
    assert_eq!(metadata(&ext, 0), None);
}

#[test]
fn only_the_issuer_mints_and_only_the_admin_burns() {
    let mut ext = ext_with_token(&[(BOB, 100)]);
    let mint = Call::Mint {
        token: 0,
        beneficiary: BOB,
        amount: 50,
    };
    noop(&mut ext, BOB, mint.clone(), Error::NoPermission);
    ok(
        &mut ext,
        ALICE,
        Call::SetTeam {
            token: 0,
            issuer: CHARLIE,
            admin: DAVE,
            freezer: DAVE,
        },
    );
    noop(&mut ext, ALICE, mint.clone(), Error::NoPermission);
    ok(&mut ext, CHARLIE, mint);
    assert_eq!((balance(&ext, 0, &BOB), supply(&ext, 0)), (150, 150));
    let burn = Call::Burn {
        token: 0,
        who: BOB,
        amount: 60,
    };
    noop(&mut ext, CHARLIE, burn.clone(), Error::NoPermission);
    ok(&mut ext, DAVE, burn);
    assert_eq!((balance(&ext, 0, &BOB), supply(&ext, 0)), (90, 90));
    // Burning below the minimum burns the remainder too and removes the account.
    ok(
        &mut ext,
        DAVE,
        Call::Burn {
            token: 0,
            who: BOB,
            amount: 85,
        },
    );
    assert_eq!(token_account(&ext, 0, &BOB), None);
    assert_eq!(supply(&ext, 0), 0);
}

#[test]
fn transfers_respect_the_minimum_balance() {
    let mut ext = ext_with_token(&[(BOB, 100)]);
    let transfer = |dest, amount| Call::Transfer {
        token: 0,
        dest,
        amount,
    };
    // A new account must receive at least the minimum.
    noop(
        &mut ext,
        BOB,
        transfer(CHARLIE, MIN - 1),
        Error::BelowMinimum,
    );
    ok(&mut ext, BOB, transfer(CHARLIE, MIN));
    // Keep-alive refuses to leave the sender below the minimum.
    let keep_alive = Call::TransferKeepAlive {
        token: 0,
        dest: CHARLIE,
        amount: 85,
    };
    noop(&mut ext, BOB, keep_alive, Error::KeepAlive);
    // Without it the sender is reaped and its dust burned.
    ok(&mut ext, BOB, transfer(CHARLIE, 85));
    assert_eq!(token_account(&ext, 0, &BOB), None);
    assert_eq!((balance(&ext, 0, &CHARLIE), supply(&ext, 0)), (95, 95));
    assert!(events(&ext).contains(&Event::DustLost {
        token: 0,
        account: BOB,
        amount: 5
    }));
    noop(&mut ext, CHARLIE, transfer(BOB, 0), Error::ZeroAmount);
    noop(
        &mut ext,
        CHARLIE,
        transfer(BOB, 96),
        Error::InsufficientBalance,
    );
    noop(
        &mut ext,
        CHARLIE,
        Call::Transfer {
            token: 9,
            dest: BOB,
            amount: 1,
        },
        Error::UnknownToken,
    );
}

#[test]
fn sticky_accounts_hold_any_balance() {
    let mut ext = ext_with_token(&[(BOB, 100)]);
    let pool = AccountId([42; 32]);
    touch(&mut ext, 0, &pool).unwrap();
    transfer(&mut ext, 0, &BOB, &pool, 1, Liveness::KeepAlive).unwrap();
    transfer(&mut ext, 0, &pool, &BOB, 1, Liveness::KeepAlive).unwrap();
    let account = token_account(&ext, 0, &pool).unwrap();
    assert_eq!((account.balance, account.sticky), (0, true));
    assert_invariants(&ext);
    // No role can take what the pallet counts on, nor destroy the token under it.
    transfer(&mut ext, 0, &BOB, &pool, 50, Liveness::KeepAlive).unwrap();
    let burn = Call::Burn {
        token: 0,
        who: pool,
        amount: 1,
    };
    noop(&mut ext, ALICE, burn, Error::HeldByPallet);
    noop(
        &mut ext,
        ALICE,
        Call::Freeze {
            token: 0,
            who: pool,
        },
        Error::HeldByPallet,
    );
    noop(
        &mut ext,
        ALICE,
        Call::StartDestroy { token: 0 },
        Error::HeldByPallet,
    );
    touch(&mut ext, 0, &pool).unwrap();
    assert_eq!(details(&ext, 0).unwrap().pallet_accounts, 1);
}

#[test]
fn approvals_cap_what_a_delegate_moves_and_return_their_deposit() {
    let mut ext = ext_with_token(&[(BOB, 100)]);
    let approve = |delegate, amount| Call::ApproveTransfer {
        token: 0,
        delegate,
        amount,
    };
    let spend = |amount| Call::TransferApproved {
        token: 0,
        owner: BOB,
        destination: DAVE,
        amount,
    };
    noop(&mut ext, BOB, approve(BOB, 10), Error::SelfApproval);
    noop(&mut ext, BOB, approve(CHARLIE, 0), Error::ZeroAmount);
    ok(&mut ext, BOB, approve(CHARLIE, 20));
    ok(&mut ext, BOB, approve(CHARLIE, 20));
    ok(&mut ext, BOB, approve(DAVE, 5));
    assert_eq!(reserved(&ext, &BOB), 2 * APPROVAL_DEPOSIT);
    assert_eq!(approval(&ext, 0, &BOB, &CHARLIE).unwrap().amount, 40);
    noop(&mut ext, CHARLIE, spend(41), Error::Unapproved);
    noop(&mut ext, DAVE, spend(10), Error::Unapproved);
    ok(&mut ext, CHARLIE, spend(15));
    ok(&mut ext, CHARLIE, spend(25));
    // Spent in full: the approval is gone and its deposit is back.
    assert_eq!(approval(&ext, 0, &BOB, &CHARLIE), None);
    assert_eq!(balance(&ext, 0, &DAVE), 40);
    assert_eq!(reserved(&ext, &BOB), APPROVAL_DEPOSIT);
    ok(
        &mut ext,
        BOB,
        Call::CancelApproval {
            token: 0,
            delegate: DAVE,
        },
    );
    assert_eq!(reserved(&ext, &BOB), 0);
    assert_eq!(details(&ext, 0).unwrap().approvals, 0);
}

#[test]
fn frozen_accounts_and_tokens_do_not_move() {
    let mut ext = ext_with_token(&[(BOB, 100), (CHARLIE, 100)]);
    let send = |dest| Call::Transfer {
        token: 0,
        dest,
        amount: 10,
    };
    noop(
        &mut ext,
        BOB,
        Call::Freeze {
            token: 0,
            who: CHARLIE,
        },
        Error::NoPermission,
    );
    ok(
        &mut ext,
        ALICE,
        Call::Freeze {
            token: 0,
            who: CHARLIE,
        },
    );
    noop(&mut ext, CHARLIE, send(BOB), Error::AccountFrozen);
    // A frozen account still receives.
    ok(&mut ext, BOB, send(CHARLIE));
    ok(
        &mut ext,
        ALICE,
        Call::Thaw {
            token: 0,
            who: CHARLIE,
        },
    );
    ok(&mut ext, CHARLIE, send(BOB));
    ok(&mut ext, ALICE, Call::FreezeToken { token: 0 });
    noop(
        &mut ext,
        ALICE,
        Call::FreezeToken { token: 0 },
        Error::StatusUnchanged,
    );
    noop(&mut ext, BOB, send(CHARLIE), Error::TokenFrozen);
    let mint = Call::Mint {
        token: 0,
        beneficiary: BOB,
        amount: 1,
    };
    noop(&mut ext, ALICE, mint, Error::TokenFrozen);
    ok(&mut ext, ALICE, Call::ThawToken { token: 0 });
    ok(&mut ext, BOB, send(CHARLIE));
}

#[test]
fn ownership_moves_with_its_deposits() {
    let mut ext = ext_with_token(&[]);
    ok(
        &mut ext,
        ALICE,
        Call::SetMetadata {
            token: 0,
            name: b"Gold".to_vec(),
            symbol: b"GLD".to_vec(),
            decimals: 6,
        },
    );
    let deposits = TOKEN_DEPOSIT + admin::metadata_deposit(4, 3).unwrap();
    ok(
        &mut ext,
        ALICE,
        Call::TransferOwnership {
            token: 0,
            owner: BOB,
        },
    );
    assert_eq!(
        (reserved(&ext, &ALICE), reserved(&ext, &BOB)),
        (0, deposits)
    );
    noop(
        &mut ext,
        ALICE,
        Call::StartDestroy { token: 0 },
        Error::NoPermission,
    );
}

#[test]
fn destruction_removes_everything_in_bounded_steps() {
    let mut holders: Vec<(AccountId, Balance)> = (0..(REMOVE_ITEMS_LIMIT + 30))
        .map(|i| {
            let mut id = [5u8; 32];
            id[..4].copy_from_slice(&i.to_le_bytes());
            (AccountId(id), MIN + i as Balance)
        })
        .collect();
    holders.push((BOB, 1_000));
    let mut ext = ext_with_token(&holders);
    ok(
        &mut ext,
        BOB,
        Call::ApproveTransfer {
            token: 0,
            delegate: CHARLIE,
            amount: 5,
        },
    );
    noop(
        &mut ext,
        BOB,
        Call::DestroyAccounts { token: 0 },
        Error::NotDestroying,
    );
    ok(&mut ext, ALICE, Call::StartDestroy { token: 0 });
    let send = Call::Transfer {
        token: 0,
        dest: CHARLIE,
        amount: 10,
    };
    noop(&mut ext, BOB, send, Error::Destroying);
    noop(
        &mut ext,
        BOB,
        Call::FinishDestroy { token: 0 },
        Error::InUse,
    );

    // The first step removes the limit and is charged in full; the second removes the rest.
    let step = |ext: &mut hm_support::MemoryExt| {
        crate::dispatch(
            ext,
            Origin::Signed(DAVE),
            Call::DestroyAccounts { token: 0 },
        )
        .unwrap()
    };
    let first = step(&mut ext);
    assert_eq!(details(&ext, 0).unwrap().accounts, 31);
    let second = step(&mut ext);
    assert_eq!(details(&ext, 0).unwrap().accounts, 0);
    assert_eq!(supply(&ext, 0), 0);
    let full = weights::DESTROY_ACCOUNTS;
    assert_eq!(first.charged_weight(full), full);
    assert!(second.charged_weight(full) < full / 3);
    assert_invariants(&ext);

    ok(&mut ext, DAVE, Call::DestroyApprovals { token: 0 });
    assert_eq!(reserved(&ext, &BOB), 0);
    ok(&mut ext, DAVE, Call::FinishDestroy { token: 0 });
    assert_eq!(details(&ext, 0), None);
    assert_eq!(reserved(&ext, &ALICE), 0);
    assert!(events(&ext).contains(&Event::Destroyed { token: 0 }));
}

#[test]
fn try_state_catches_a_supply_that_differs_from_the_balances() {
    use hm_support::{put, Pallet as _};
    let mut ext = ext_with_token(&[(BOB, 100)]);
    let mut token = details(&ext, 0).unwrap();
    token.supply += 1;
    put(&mut ext, &storage::token(0), &token);
    assert_eq!(
        crate::Pallet::try_state(&ext),
        Err("a token's supply differs from the sum of its balances")
    );
}

#[test]
fn genesis_tokens_exist_with_their_balances() {
    let mut ext = new_ext();
    GenesisConfig {
        tokens: vec![GenesisToken {
            owner: ALICE,
            min_balance: 1,
            name: b"Dollar".to_vec(),
            symbol: b"USD".to_vec(),
            decimals: 6,
            balances: vec![(BOB, 500), (CHARLIE, 7)],
        }],
    }
    .build(&mut ext)
    .unwrap();
    assert_eq!(supply(&ext, 0), 507);
    assert_eq!(metadata(&ext, 0).unwrap().symbol, b"USD".to_vec());
    assert_eq!(reserved(&ext, &ALICE), 0);
    assert_invariants(&ext);
}
