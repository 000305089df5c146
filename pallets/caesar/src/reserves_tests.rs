use crate::{mock::*, *};

#[test]
fn reserve_and_unreserve_move_between_free_and_reserved() {
    let mut ext = new_ext(&[(ALICE, 1_000)]);
    assert_eq!(reserve(&mut ext, &ALICE, 900), Ok(()));
    let data = account(&ext, &ALICE).unwrap();
    assert_eq!((data.free, data.reserved), (100, 900));
    assert_eq!(total_issuance(&ext), 1_000);
    assert_invariants(&ext);
    // Reserved funds can't be spent.
    assert_eq!(
        transfer(&mut ext, &ALICE, &BOB, 101, Liveness::AllowDeath),
        Err(Error::InsufficientBalance)
    );
    assert_eq!(unreserve(&mut ext, &ALICE, 900), Ok(()));
    assert_eq!(free_balance(&ext, &ALICE), 1_000);
    assert_eq!(
        events(&ext),
        vec![
            Event::Reserved {
                who: ALICE,
                amount: 900
            },
            Event::Unreserved {
                who: ALICE,
                amount: 900
            },
        ]
    );
    assert_invariants(&ext);
}

#[test]
fn a_reserved_account_below_its_free_ed_stays_alive() {
    // The ED applies to free + reserved: an account whose free balance is spent
    // while it holds a deposit is not reaped.
    let mut ext = new_ext(&[(ALICE, 1_000)]);
    reserve(&mut ext, &ALICE, 500).unwrap();
    assert_eq!(
        transfer(&mut ext, &ALICE, &BOB, 500, Liveness::KeepAlive),
        Ok(())
    );
    let data = account(&ext, &ALICE).unwrap();
    assert_eq!((data.free, data.reserved), (0, 500));
    assert_invariants(&ext);
}

#[test]
fn reserve_and_unreserve_refuse_what_is_not_there() {
    let mut ext = new_ext(&[(ALICE, 1_000)]);
    let before = ext.state.clone();
    assert_eq!(
        reserve(&mut ext, &ALICE, 1_001),
        Err(Error::InsufficientBalance)
    );
    assert_eq!(reserve(&mut ext, &BOB, 1), Err(Error::InsufficientBalance));
    assert_eq!(
        unreserve(&mut ext, &ALICE, 1),
        Err(Error::InsufficientReserved)
    );
    assert!(ext.state == before);
}
