//! Delegation: tallies follow the delegate's votes; loops and hostile delegations are refused.
use crate::{mock::*, *};
use hm_primitives::UNITS;
use Conviction::{Locked1x, Locked3x};
const NONE: Conviction = Conviction::None;

const CAES: Balance = UNITS;

fn tally_of(ext: &hm_support::MemoryExt, poll: PollIndex) -> (Balance, Balance, Balance) {
    let t = tally(ext, poll);
    (t.ayes, t.nays, t.support)
}

#[test]
fn delegations_follow_the_delegates_votes() {
    let mut ext = new_ext();
    open(&mut ext, 1, 0);
    open(&mut ext, 2, 1);
    let delegate = |to, conviction, balance| Call::Delegate {
        class: 0,
        to,
        conviction,
        balance,
    };
    ok(&mut ext, signed(BOB), delegate(ALICE, Locked3x, 100 * CAES));
    assert_eq!(voting_lock(&ext, &BOB), 100 * CAES);
    ok(
        &mut ext,
        signed(ALICE),
        vote_call(1, standard(true, Locked1x, 50 * CAES)),
    );
    assert_eq!(tally_of(&ext, 1), (350 * CAES, 0, 150 * CAES));
    // Another class is not delegated.
    ok(
        &mut ext,
        signed(ALICE),
        vote_call(2, standard(true, Locked1x, 50 * CAES)),
    );
    assert_eq!(tally_of(&ext, 2), (50 * CAES, 0, 50 * CAES));
    // A delegation made after the vote joins it.
    ok(&mut ext, signed(CHARLIE), delegate(ALICE, NONE, 200 * CAES));
    assert_eq!(tally_of(&ext, 1), (370 * CAES, 0, 350 * CAES));
    // Changing the vote moves the delegations with it.
    ok(
        &mut ext,
        signed(ALICE),
        vote_call(1, standard(false, Locked1x, 50 * CAES)),
    );
    assert_eq!(tally_of(&ext, 1), (0, 370 * CAES, 0));
    // A split vote carries no delegations.
    ok(
        &mut ext,
        signed(ALICE),
        vote_call(
            1,
            AccountVote::Split {
                aye: 10 * CAES,
                nay: 0,
            },
        ),
    );
    assert_eq!(tally_of(&ext, 1), (CAES, 0, 10 * CAES));
    ok(
        &mut ext,
        signed(ALICE),
        vote_call(1, standard(true, Locked1x, 50 * CAES)),
    );
    ok(&mut ext, signed(BOB), Call::Undelegate { class: 0 });
    assert_eq!(tally_of(&ext, 1), (70 * CAES, 0, 250 * CAES));
    assert_eq!(
        events(&ext).last(),
        Some(&Event::Undelegated { who: BOB, class: 0 })
    );
    let until = 1 + 4 * VOTE_LOCKING_PERIOD;
    assert_eq!(
        voting_for(&ext, &BOB, 0).prior(),
        PriorLock {
            until,
            amount: 100 * CAES
        }
    );
    noop(
        &mut ext,
        signed(BOB),
        Call::Unlock {
            class: 0,
            target: BOB,
        },
        Error::NotExpired,
    );
    run_to(&mut ext, until);
    ok(
        &mut ext,
        signed(BOB),
        Call::Unlock {
            class: 0,
            target: BOB,
        },
    );
    assert_eq!(voting_lock(&ext, &BOB), 0);
    // Without conviction an undelegation leaves no lock.
    ok(&mut ext, signed(CHARLIE), Call::Undelegate { class: 0 });
    ok(
        &mut ext,
        signed(CHARLIE),
        Call::Unlock {
            class: 0,
            target: CHARLIE,
        },
    );
    assert_eq!(tally_of(&ext, 1), (50 * CAES, 0, 50 * CAES));
}

#[test]
fn delegation_is_not_transitive_but_waits_for_the_delegate_to_cast() {
    let mut ext = new_ext();
    open(&mut ext, 1, 0);
    let delegate = |to, balance| Call::Delegate {
        class: 0,
        to,
        conviction: Locked1x,
        balance,
    };
    ok(&mut ext, signed(CHARLIE), delegate(BOB, 10 * CAES));
    ok(&mut ext, signed(BOB), delegate(ALICE, 20 * CAES));
    ok(
        &mut ext,
        signed(ALICE),
        vote_call(1, standard(true, Locked1x, CAES)),
    );
    assert_eq!(tally_of(&ext, 1), (21 * CAES, 0, 21 * CAES));
    ok(&mut ext, signed(BOB), Call::Undelegate { class: 0 });
    ok(
        &mut ext,
        signed(BOB),
        vote_call(1, standard(false, Locked1x, CAES)),
    );
    assert_eq!(tally_of(&ext, 1), (CAES, 11 * CAES, CAES));
}

#[test]
fn hostile_delegations_are_refused_without_a_change() {
    let mut ext = new_ext();
    open(&mut ext, 1, 0);
    let delegate = |to, balance| Call::Delegate {
        class: 0,
        to,
        conviction: Locked1x,
        balance,
    };
    noop(
        &mut ext,
        signed(ALICE),
        delegate(ALICE, CAES),
        Error::Nonsense,
    );
    noop(
        &mut ext,
        signed(ALICE),
        delegate(BOB, ENDOWMENT + 1),
        Error::InsufficientFunds,
    );
    noop(
        &mut ext,
        signed(ALICE),
        Call::Undelegate { class: 0 },
        Error::NotDelegating,
    );
    ok(&mut ext, signed(ALICE), delegate(BOB, CAES));
    noop(
        &mut ext,
        signed(BOB),
        delegate(ALICE, CAES),
        Error::DelegationLoop,
    );
    ok(&mut ext, signed(BOB), delegate(CHARLIE, CAES));
    noop(
        &mut ext,
        signed(CHARLIE),
        delegate(ALICE, CAES),
        Error::DelegationLoop,
    );
    noop(
        &mut ext,
        signed(ALICE),
        delegate(DAVE, CAES),
        Error::AlreadyDelegating,
    );
    noop(
        &mut ext,
        signed(ALICE),
        vote_call(1, standard(true, NONE, CAES)),
        Error::AlreadyDelegating,
    );
    ok(
        &mut ext,
        signed(DAVE),
        vote_call(1, standard(true, NONE, CAES)),
    );
    noop(
        &mut ext,
        signed(DAVE),
        delegate(CHARLIE, CAES),
        Error::AlreadyVoting,
    );
    // Another class is another matter.
    ok(
        &mut ext,
        signed(CHARLIE),
        Call::Delegate {
            class: 1,
            to: ALICE,
            conviction: NONE,
            balance: CAES,
        },
    );
}

#[test]
fn a_delegation_chain_is_walked_up_to_its_bound() {
    let mut ext = new_ext();
    let who = |i: u32| AccountId([100 + i as u8; 32]);
    let delegate = |to| Call::Delegate {
        class: 0,
        to,
        conviction: NONE,
        balance: 0,
    };
    // who(0) → who(1) → … → who(17): 17 hops.
    for i in 0..17 {
        ok(&mut ext, signed(who(i)), delegate(who(i + 1)));
    }
    // Closing from who(16): the loop is found at hop 16.
    noop(
        &mut ext,
        signed(who(17)),
        delegate(who(1)),
        Error::DelegationLoop,
    );
    noop(
        &mut ext,
        signed(who(17)),
        delegate(who(0)),
        Error::DelegationChainTooLong,
    );
}
