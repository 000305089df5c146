use crate::{mock::*, *};
use hm_pallet_caesar as caesar;
use hm_primitives::UNITS;
use hm_support::Pallet as _;
use Conviction::{Locked1x, Locked2x, Locked3x, Locked6x};
const NONE: Conviction = Conviction::None;

const CAES: Balance = UNITS;

fn tally_of(ext: &hm_support::MemoryExt, poll: PollIndex) -> (Balance, Balance, Balance) {
    let t = tally(ext, poll);
    (t.ayes, t.nays, t.support)
}

#[test]
fn conviction_multiplies_votes_and_doubles_lock_periods() {
    let votes: Vec<_> = Conviction::ALL.iter().map(|c| c.votes(100)).collect();
    let expected = [10, 100, 200, 300, 400, 500, 600].map(Some);
    assert_eq!(votes, expected);
    let periods: Vec<_> = Conviction::ALL.iter().map(|c| c.lock_periods()).collect();
    assert_eq!(periods, [0, 1, 2, 4, 8, 16, 32]);
    assert_eq!(Locked6x.votes(Balance::MAX), None);
    assert_eq!(NONE.votes(Balance::MAX), Some(Balance::MAX / 10));
}

#[test]
fn standard_split_and_abstain_votes_are_tallied_and_locked() {
    let mut ext = new_ext();
    open(&mut ext, 1, 0);
    ok(
        &mut ext,
        signed(ALICE),
        vote_call(1, standard(true, Locked2x, 100 * CAES)),
    );
    assert_eq!(tally_of(&ext, 1), (200 * CAES, 0, 100 * CAES));
    assert_eq!(voting_lock(&ext, &ALICE), 100 * CAES);
    ok(
        &mut ext,
        signed(BOB),
        vote_call(1, standard(false, NONE, 50 * CAES)),
    );
    assert_eq!(tally_of(&ext, 1), (200 * CAES, 5 * CAES, 100 * CAES));
    let split = AccountVote::Split {
        aye: 30 * CAES,
        nay: 20 * CAES,
    };
    ok(&mut ext, signed(CHARLIE), vote_call(1, split));
    assert_eq!(tally_of(&ext, 1), (203 * CAES, 7 * CAES, 130 * CAES));
    assert_eq!(voting_lock(&ext, &CHARLIE), 50 * CAES);
    let abstain = AccountVote::SplitAbstain {
        aye: 0,
        nay: 10 * CAES,
        abstain: 40 * CAES,
    };
    ok(&mut ext, signed(DAVE), vote_call(1, abstain));
    assert_eq!(tally_of(&ext, 1), (203 * CAES, 8 * CAES, 170 * CAES));
    assert_eq!(voting_lock(&ext, &DAVE), 50 * CAES);
    assert_eq!(
        events(&ext).last(),
        Some(&Event::Voted {
            who: DAVE,
            poll: 1,
            vote: abstain
        })
    );
}

#[test]
fn a_vote_can_be_changed_or_removed_while_the_poll_is_ongoing() {
    let mut ext = new_ext();
    open(&mut ext, 1, 0);
    ok(
        &mut ext,
        signed(ALICE),
        vote_call(1, standard(true, Locked1x, 100 * CAES)),
    );
    ok(
        &mut ext,
        signed(ALICE),
        vote_call(1, standard(false, Locked3x, 40 * CAES)),
    );
    assert_eq!(tally_of(&ext, 1), (0, 120 * CAES, 0));
    // The lock only grows with votes; `unlock` shrinks it to what is still needed.
    assert_eq!(voting_lock(&ext, &ALICE), 100 * CAES);
    ok(
        &mut ext,
        signed(ALICE),
        Call::Unlock {
            class: 0,
            target: ALICE,
        },
    );
    assert_eq!(voting_lock(&ext, &ALICE), 40 * CAES);
    ok(
        &mut ext,
        signed(ALICE),
        Call::RemoveVote {
            class: None,
            poll: 1,
        },
    );
    assert_eq!(tally_of(&ext, 1), (0, 0, 0));
    assert_eq!(voting_for(&ext, &ALICE, 0), Voting::default());
    ok(
        &mut ext,
        signed(BOB),
        Call::Unlock {
            class: 0,
            target: ALICE,
        },
    );
    assert_eq!(voting_lock(&ext, &ALICE), 0);
    assert!(class_locks_for(&ext, &ALICE).is_empty());
    assert!(events(&ext).contains(&Event::Unlocked {
        who: ALICE,
        class: 0,
        locked: 0
    }));
}

#[test]
fn hostile_votes_are_refused_without_a_change() {
    let mut ext = new_ext();
    open(&mut ext, 1, 0);
    noop(
        &mut ext,
        signed(ALICE),
        vote_call(1, standard(true, NONE, ENDOWMENT + 1)),
        Error::InsufficientFunds,
    );
    let split = AccountVote::Split {
        aye: ENDOWMENT,
        nay: 1,
    };
    noop(
        &mut ext,
        signed(ALICE),
        vote_call(1, split),
        Error::InsufficientFunds,
    );
    let huge = AccountVote::SplitAbstain {
        aye: Balance::MAX,
        nay: 1,
        abstain: 0,
    };
    noop(&mut ext, signed(ALICE), vote_call(1, huge), Error::Overflow);
    noop(
        &mut ext,
        signed(ALICE),
        vote_call(2, standard(true, NONE, 1)),
        Error::UnknownPoll,
    );
    end(&mut ext, 1, true);
    noop(
        &mut ext,
        signed(ALICE),
        vote_call(1, standard(true, NONE, 1)),
        Error::NotOngoing,
    );
    noop(
        &mut ext,
        signed(ALICE),
        Call::RemoveVote {
            class: None,
            poll: 1,
        },
        Error::ClassNeeded,
    );
    noop(
        &mut ext,
        signed(ALICE),
        Call::RemoveVote {
            class: Some(0),
            poll: 1,
        },
        Error::NotVoter,
    );
    noop(
        &mut ext,
        signed(ALICE),
        Call::Unlock {
            class: 0,
            target: ALICE,
        },
        Error::NothingLocked,
    );
    noop(
        &mut ext,
        hm_pallet_system::Origin::Root,
        Call::Undelegate { class: 0 },
        hm_pallet_system::ensure_signed(hm_pallet_system::Origin::Root).unwrap_err(),
    );
}

#[test]
fn votes_per_class_are_capped() {
    let mut ext = new_ext();
    for poll in 0..=MAX_VOTES {
        open(&mut ext, poll, 3);
    }
    for poll in 0..MAX_VOTES {
        assert_eq!(
            call(
                &mut ext,
                signed(ALICE),
                vote_call(poll, standard(true, NONE, CAES))
            ),
            Ok(())
        );
    }
    assert_invariants(&ext);
    noop(
        &mut ext,
        signed(ALICE),
        vote_call(MAX_VOTES, standard(true, NONE, CAES)),
        Error::MaxVotesReached,
    );
    // Replacing a vote in a full record is fine.
    ok(
        &mut ext,
        signed(ALICE),
        vote_call(0, standard(false, Locked1x, CAES)),
    );
}

#[test]
fn a_winning_vote_stays_locked_for_its_periods_and_locked_funds_cannot_move() {
    let mut ext = new_ext();
    open(&mut ext, 1, 0);
    ok(
        &mut ext,
        signed(ALICE),
        vote_call(1, standard(true, Locked2x, 600 * CAES)),
    );
    ok(
        &mut ext,
        signed(BOB),
        vote_call(1, standard(false, Locked6x, 600 * CAES)),
    );
    run_to(&mut ext, 10);
    end(&mut ext, 1, true);
    // Only 400 of ALICE's 1000 may leave.
    assert_eq!(
        transfer(&mut ext, ALICE, CHARLIE, 401 * CAES),
        Err(caesar::Error::LiquidityRestrictions.into())
    );
    ok(
        &mut ext,
        signed(ALICE),
        Call::RemoveVote {
            class: Some(0),
            poll: 1,
        },
    );
    ok(
        &mut ext,
        signed(BOB),
        Call::RemoveVote {
            class: Some(0),
            poll: 1,
        },
    );
    // The tally is frozen once the poll completed.
    assert_eq!(tally_of(&ext, 1), (1_200 * CAES, 3_600 * CAES, 600 * CAES));
    let until = 10 + 2 * VOTE_LOCKING_PERIOD;
    assert_eq!(
        voting_for(&ext, &ALICE, 0).prior(),
        PriorLock {
            until,
            amount: 600 * CAES
        }
    );
    // The losing side is free at once.
    ok(
        &mut ext,
        signed(BOB),
        Call::Unlock {
            class: 0,
            target: BOB,
        },
    );
    assert_eq!(
        transfer(&mut ext, BOB, CHARLIE, 1_000 * CAES - UNITS / 1_000),
        Ok(())
    );
    noop(
        &mut ext,
        signed(ALICE),
        Call::Unlock {
            class: 0,
            target: ALICE,
        },
        Error::NotExpired,
    );
    run_to(&mut ext, until - 1);
    noop(
        &mut ext,
        signed(ALICE),
        Call::Unlock {
            class: 0,
            target: ALICE,
        },
        Error::NotExpired,
    );
    assert_eq!(
        transfer(&mut ext, ALICE, CHARLIE, 401 * CAES),
        Err(caesar::Error::LiquidityRestrictions.into())
    );
    run_to(&mut ext, until);
    ok(
        &mut ext,
        signed(CHARLIE),
        Call::Unlock {
            class: 0,
            target: ALICE,
        },
    );
    assert_eq!(voting_lock(&ext, &ALICE), 0);
    assert_eq!(voting_for(&ext, &ALICE, 0), Voting::default());
    assert_eq!(transfer(&mut ext, ALICE, CHARLIE, 900 * CAES), Ok(()));
    assert_invariants(&ext);
}

#[test]
fn another_accounts_vote_is_removed_only_once_its_lock_expired() {
    let mut ext = new_ext();
    open(&mut ext, 1, 0);
    ok(
        &mut ext,
        signed(ALICE),
        vote_call(1, standard(true, Locked1x, 10 * CAES)),
    );
    let other = Call::RemoveOtherVote {
        target: ALICE,
        class: 0,
        poll: 1,
    };
    noop(&mut ext, signed(BOB), other.clone(), Error::NoPermissionYet);
    end(&mut ext, 1, true);
    noop(&mut ext, signed(BOB), other.clone(), Error::NoPermissionYet);
    run_to(&mut ext, 1 + VOTE_LOCKING_PERIOD);
    ok(&mut ext, signed(BOB), other);
    assert_eq!(voting_for(&ext, &ALICE, 0).prior(), PriorLock::default());
    ok(
        &mut ext,
        signed(BOB),
        Call::Unlock {
            class: 0,
            target: ALICE,
        },
    );
}

#[test]
fn try_state_catches_a_wrong_tally_and_a_missing_lock() {
    let mut ext = new_ext();
    open(&mut ext, 1, 0);
    ok(
        &mut ext,
        signed(ALICE),
        vote_call(1, standard(true, Locked1x, CAES)),
    );
    let good = ext.clone();
    put_tally(
        &mut ext,
        1,
        &Tally {
            ayes: 1,
            nays: 0,
            support: 0,
        },
    );
    assert_eq!(
        ConvictionVoting::try_state(&ext),
        Err("a tally differs from the sum of its votes")
    );
    let mut ext = good;
    caesar::remove_lock(&mut ext, LOCK_ID, &ALICE);
    assert_eq!(
        ConvictionVoting::try_state(&ext),
        Err("an account's voting lock differs from its largest class lock")
    );
}
