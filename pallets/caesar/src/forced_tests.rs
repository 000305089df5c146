//! `burn_from` and `refund_fee`: they ignore locks, and issuance follows them exactly.
use crate::{mock::*, *};
use hm_support::MemoryExt;

const STAKING: LockIdentifier = *b"staking ";

fn locked(ext: &mut MemoryExt, who: &AccountId, amount: Balance) {
    set_lock(ext, STAKING, who, amount, None).unwrap();
}

#[test]
fn burn_from_takes_locked_funds_and_lowers_issuance_by_the_same() {
    let mut ext = new_ext(&[(ALICE, 1_000), (BOB, 1_000)]);
    locked(&mut ext, &ALICE, 1_000);
    assert_eq!(burn_from(&mut ext, &ALICE, 300), Ok(300));
    assert_eq!(free_balance(&ext, &ALICE), 700);
    assert_eq!(total_issuance(&ext), 1_700);
    // The lock is the caller's to lower: it now exceeds the balance and freezes all of it.
    assert_eq!(frozen_balance(&ext, &ALICE), 1_000);
    assert_eq!(usable_balance(&ext, &ALICE), 0);
    assert!(events(&ext).contains(&Event::Burned {
        who: ALICE,
        amount: 300
    }));
    assert_invariants(&ext);
}

#[test]
fn burn_from_burns_at_most_the_free_balance() {
    let mut ext = new_ext(&[(ALICE, 1_000), (BOB, 1_000)]);
    reserve(&mut ext, &ALICE, ED).unwrap();
    // Reserved funds keep the account alive; they are not burned.
    assert_eq!(burn_from(&mut ext, &ALICE, 5_000), Ok(900));
    assert_eq!(
        account(&ext, &ALICE),
        Some(AccountData {
            free: 0,
            reserved: ED
        })
    );
    assert_eq!(total_issuance(&ext), 1_000 + ED);
    // Nothing to burn, or no account: nothing happens.
    let before = ext.state.clone();
    assert_eq!(burn_from(&mut ext, &ALICE, 10), Ok(0));
    assert_eq!(burn_from(&mut ext, &ALICE, 0), Ok(0));
    assert_eq!(burn_from(&mut ext, &CHARLIE, 10), Ok(0));
    assert!(ext.state == before);
    assert_invariants(&ext);
}

#[test]
fn burn_from_below_the_ed_reaps_like_set_balance() {
    let mut ext = new_ext(&[(ALICE, 1_000), (BOB, 1_000)]);
    locked(&mut ext, &ALICE, 950);
    // 1_000 - 950 = 50 < ED: the account goes with its locks, and the 50 are burned.
    assert_eq!(burn_from(&mut ext, &ALICE, 950), Ok(950));
    assert_eq!(account(&ext, &ALICE), None);
    assert_eq!(locks(&ext, &ALICE), vec![]);
    assert_eq!(total_issuance(&ext), 1_000);
    let events = events(&ext);
    assert!(events.contains(&Event::DustLost {
        account: ALICE,
        amount: 50
    }));
    assert!(events.contains(&Event::Unlocked {
        who: ALICE,
        id: STAKING
    }));
    assert_invariants(&ext);

    // Burning everything leaves no dust to report.
    assert_eq!(burn_from(&mut ext, &BOB, 1_000), Ok(1_000));
    assert_eq!(account(&ext, &BOB), None);
    assert_eq!(total_issuance(&ext), 0);
    assert_invariants(&ext);
}

#[test]
fn refund_fee_ignores_the_authors_locks_but_keeps_it_alive() {
    let mut ext = new_ext(&[(ALICE, 1_000), (AUTHOR, 1_000)]);
    // The author's funds are all locked, as a stash bonding everything.
    locked(&mut ext, &AUTHOR, 1_000);
    withdraw_fee(&mut ext, &ALICE, 200).unwrap();
    assert_eq!(free_balance(&ext, &AUTHOR), 1_200);
    // A lock above the balance (root lowered it) must not keep a refund either.
    locked(&mut ext, &AUTHOR, 5_000);
    assert_eq!(
        transfer(&mut ext, &AUTHOR, &ALICE, 150, Liveness::KeepAlive),
        Err(Error::LiquidityRestrictions)
    );
    assert_eq!(refund_fee(&mut ext, &AUTHOR, &ALICE, 150), Ok(()));
    assert_eq!(free_balance(&ext, &AUTHOR), 1_050);
    assert_eq!(free_balance(&ext, &ALICE), 950);
    assert_eq!(total_issuance(&ext), 2_000);
    assert!(events(&ext).contains(&Event::Transfer {
        from: AUTHOR,
        to: ALICE,
        amount: 150
    }));
    assert_invariants(&ext);
}

#[test]
fn refund_fee_refusals_change_nothing() {
    let mut ext = new_ext(&[(ALICE, 1_000), (AUTHOR, 150)]);
    let before = ext.state.clone();
    assert_eq!(
        refund_fee(&mut ext, &AUTHOR, &ALICE, 151),
        Err(Error::InsufficientBalance)
    );
    assert_eq!(
        refund_fee(&mut ext, &AUTHOR, &ALICE, 51),
        Err(Error::KeepAlive)
    );
    assert_eq!(
        refund_fee(&mut ext, &CHARLIE, &ALICE, 1),
        Err(Error::InsufficientBalance)
    );
    assert_eq!(
        refund_fee(&mut ext, &ALICE, &CHARLIE, ED - 1),
        Err(Error::ExistentialDeposit)
    );
    // Nothing to move: no-ops.
    assert_eq!(refund_fee(&mut ext, &AUTHOR, &ALICE, 0), Ok(()));
    assert_eq!(refund_fee(&mut ext, &AUTHOR, &AUTHOR, 10), Ok(()));
    assert!(ext.state == before);
    assert_eq!(refund_fee(&mut ext, &AUTHOR, &ALICE, 50), Ok(()));
    assert_eq!(free_balance(&ext, &AUTHOR), ED);
    assert_invariants(&ext);
}
