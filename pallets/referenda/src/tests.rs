use crate::mock::*;
use crate::*;
use hm_pallet_caesar as caesar;
use hm_pallet_conviction_voting::{PollStatus, Tally};
use hm_pallet_preimage as preimage;
use hm_pallet_scheduler::{self as scheduler, ScheduledOrigin};
use hm_pallet_system::Origin;

/// Submit on root at block 1 and place the decision deposit: deciding at block 5.
fn deciding_root(ext: &mut hm_support::MemoryExt) -> ReferendumIndex {
    let index = submit_on(ext, ALICE, 0);
    deposit(ext, BOB, index);
    run_to(ext, 1 + PREPARE);
    assert!(status(ext, index).deciding.is_some());
    index
}

#[test]
fn submit_and_decision_deposit_start_deciding_after_prepare() {
    let mut ext = new_ext();
    let index = submit_on(&mut ext, ALICE, 0);
    assert_eq!(index, 0);
    assert_eq!(caesar::reserved_balance(&ext, &ALICE), SUBMISSION_DEPOSIT);
    assert_eq!(poll_status(&ext, 0), Some(PollStatus::Ongoing { class: 0 }));
    deposit(&mut ext, BOB, index);
    assert_eq!(caesar::reserved_balance(&ext, &BOB), ROOT_DEPOSIT);
    assert_eq!(status(&ext, index).alarm, Some(1 + PREPARE));
    run_to(&mut ext, PREPARE);
    assert!(status(&ext, index).deciding.is_none());
    next_block(&mut ext);
    assert_eq!(
        status(&ext, index).deciding,
        Some(DecidingStatus {
            since: 1 + PREPARE,
            confirming: None
        })
    );
    assert_eq!(deciding_count(&ext, 0), 1);
    assert!(events(&ext).contains(&Event::DecisionStarted { index, track: 0 }));
}

#[test]
fn passing_referendum_confirms_then_schedules_its_call_as_root() {
    let mut ext = new_ext();
    let index = deciding_root(&mut ext);
    passing(&mut ext, index);
    next_block(&mut ext);
    let started = now(&ext);
    assert_eq!(
        status(&ext, index).deciding.and_then(|d| d.confirming),
        Some(started + CONFIRM)
    );
    assert!(events(&ext).contains(&Event::ConfirmStarted { index }));
    run_to(&mut ext, started + CONFIRM);
    let ended = started + CONFIRM;
    let when = ended + MIN_ENACTMENT;
    assert!(matches!(
        referendum_info(&ext, index),
        Some(ReferendumInfo::Approved(e, Some(_), Some(_))) if e == ended
    ));
    assert!(events(&ext).contains(&Event::Approved {
        index,
        when: Some(when)
    }));
    let address = scheduler::lookup(&ext, &task_name(index)).unwrap();
    assert_eq!(address.0, when);
    let task = scheduler::task(&ext, address).unwrap();
    assert_eq!(task.origin, ScheduledOrigin::Root);
    assert_eq!(task.call, remark(0));
    run_to(&mut ext, when);
    assert_eq!(enacted(&ext), vec![(vec![0; 4], true, when)]);
    assert_eq!(deciding_count(&ext, 0), 0);
    assert_eq!(
        poll_status(&ext, index),
        Some(PollStatus::Completed {
            ended_at: ended,
            approved: true
        })
    );
    ok(
        &mut ext,
        signed(CHARLIE),
        Call::RefundDecisionDeposit { index },
    );
    ok(
        &mut ext,
        signed(CHARLIE),
        Call::RefundSubmissionDeposit { index },
    );
    assert_eq!(caesar::reserved_balance(&ext, &ALICE), 0);
    assert_eq!(caesar::reserved_balance(&ext, &BOB), 0);
    noop(
        &mut ext,
        signed(CHARLIE),
        Call::RefundSubmissionDeposit { index },
        Error::NoDeposit,
    );
}

#[test]
fn enactment_waits_the_longer_of_the_request_and_the_track_minimum() {
    let mut ext = new_ext();
    ok(
        &mut ext,
        signed(ALICE),
        Call::Submit {
            track: 2,
            proposal: remark(7),
            enactment_after: 50,
        },
    );
    deposit(&mut ext, BOB, 0);
    passing(&mut ext, 0);
    run_to(&mut ext, 40);
    let Some(ReferendumInfo::Approved(ended, ..)) = referendum_info(&ext, 0) else {
        panic!("not approved");
    };
    assert_eq!(
        scheduler::lookup(&ext, &task_name(0)).unwrap().0,
        ended + 50
    );
}

#[test]
fn failing_referendum_is_rejected_at_the_end_of_its_decision_period() {
    let mut ext = new_ext();
    let index = deciding_root(&mut ext);
    let since = now(&ext);
    set_tally(
        &mut ext,
        index,
        Tally {
            ayes: 1,
            nays: 1_000 * UNITS,
            support: 1_000 * UNITS,
        },
    );
    run_to(&mut ext, since + DECISION - 1);
    assert!(status(&ext, index).deciding.is_some());
    next_block(&mut ext);
    assert_eq!(
        referendum_info(&ext, index),
        Some(ReferendumInfo::Rejected(
            since + DECISION,
            Some((ALICE, SUBMISSION_DEPOSIT)),
            Some((BOB, ROOT_DEPOSIT))
        ))
    );
    assert!(events(&ext).contains(&Event::Rejected { index }));
    assert_eq!(scheduler::lookup(&ext, &task_name(index)), None);
    assert_eq!(deciding_count(&ext, 0), 0);
}

#[test]
fn failing_tally_aborts_confirmation() {
    let mut ext = new_ext();
    let index = deciding_root(&mut ext);
    let since = now(&ext);
    passing(&mut ext, index);
    next_block(&mut ext);
    set_tally(&mut ext, index, Tally::default());
    next_block(&mut ext);
    assert_eq!(status(&ext, index).deciding.unwrap().confirming, None);
    assert!(events(&ext).contains(&Event::ConfirmAborted { index }));
    run_to(&mut ext, since + DECISION);
    assert!(matches!(
        referendum_info(&ext, index),
        Some(ReferendumInfo::Rejected(..))
    ));
}

#[test]
fn referendum_without_decision_deposit_times_out() {
    let mut ext = new_ext();
    let index = submit_on(&mut ext, ALICE, 0);
    run_to(&mut ext, TIMEOUT);
    assert!(referendum_info(&ext, index).is_some_and(|i| matches!(i, ReferendumInfo::Ongoing(_))));
    next_block(&mut ext);
    assert_eq!(
        referendum_info(&ext, index),
        Some(ReferendumInfo::TimedOut(
            1 + TIMEOUT,
            Some((ALICE, SUBMISSION_DEPOSIT)),
            None
        ))
    );
    assert!(events(&ext).contains(&Event::TimedOut { index }));
    noop(
        &mut ext,
        signed(BOB),
        Call::RefundDecisionDeposit { index },
        Error::NoDeposit,
    );
    ok(
        &mut ext,
        signed(BOB),
        Call::RefundSubmissionDeposit { index },
    );
    assert_eq!(caesar::reserved_balance(&ext, &ALICE), 0);
}

#[test]
fn kill_burns_both_deposits() {
    let mut ext = new_ext();
    let index = deciding_root(&mut ext);
    let issuance = caesar::total_issuance(&ext);
    ok(&mut ext, Origin::Root, Call::Kill { index });
    assert_eq!(
        caesar::total_issuance(&ext),
        issuance - SUBMISSION_DEPOSIT - ROOT_DEPOSIT
    );
    assert_eq!(
        caesar::free_balance(&ext, &ALICE),
        ENDOWMENT - SUBMISSION_DEPOSIT
    );
    assert_eq!(caesar::free_balance(&ext, &BOB), ENDOWMENT - ROOT_DEPOSIT);
    assert_eq!(caesar::reserved_balance(&ext, &ALICE), 0);
    assert_eq!(
        referendum_info(&ext, index),
        Some(ReferendumInfo::Killed(1 + PREPARE))
    );
    assert_eq!(deciding_count(&ext, 0), 0);
    noop(
        &mut ext,
        signed(ALICE),
        Call::RefundSubmissionDeposit { index },
        Error::NoPermission,
    );
    noop(
        &mut ext,
        Origin::Root,
        Call::Kill { index },
        Error::NotOngoing,
    );
}

#[test]
fn cancel_keeps_deposits_refundable() {
    let mut ext = new_ext();
    let index = deciding_root(&mut ext);
    let issuance = caesar::total_issuance(&ext);
    ok(&mut ext, Origin::Root, Call::Cancel { index });
    assert!(events(&ext).contains(&Event::Cancelled { index }));
    ok(
        &mut ext,
        signed(CHARLIE),
        Call::RefundDecisionDeposit { index },
    );
    ok(
        &mut ext,
        signed(CHARLIE),
        Call::RefundSubmissionDeposit { index },
    );
    assert_eq!(caesar::free_balance(&ext, &ALICE), ENDOWMENT);
    assert_eq!(caesar::free_balance(&ext, &BOB), ENDOWMENT);
    assert_eq!(caesar::total_issuance(&ext), issuance);
}

#[test]
fn referenda_queue_for_a_deciding_slot() {
    let mut ext = new_ext();
    let first = submit_on(&mut ext, ALICE, 0);
    let second = submit_on(&mut ext, BOB, 0);
    deposit(&mut ext, CHARLIE, first);
    deposit(&mut ext, CHARLIE, second);
    run_to(&mut ext, 1 + PREPARE);
    assert!(status(&ext, first).deciding.is_some());
    assert!(status(&ext, second).queued);
    assert_eq!(track_queue(&ext, 0), vec![second]);
    ok(&mut ext, Origin::Root, Call::Cancel { index: first });
    assert_eq!(track_queue(&ext, 0), Vec::<ReferendumIndex>::new());
    assert_eq!(status(&ext, second).deciding.unwrap().since, 1 + PREPARE);
    assert_eq!(deciding_count(&ext, 0), 1);
    // A queued referendum may be killed too: it leaves the queue.
    let third = submit_on(&mut ext, ALICE, 0);
    deposit(&mut ext, CHARLIE, third);
    let at = now(&ext) + PREPARE;
    run_to(&mut ext, at);
    assert_eq!(track_queue(&ext, 0), vec![third]);
    ok(&mut ext, Origin::Root, Call::Kill { index: third });
    assert!(track_queue(&ext, 0).is_empty());
}

#[test]
fn a_full_queue_refuses_the_decision_deposit() {
    let mut ext = new_ext();
    let n = MAX_QUEUED + 2;
    let payers = [ALICE, BOB, CHARLIE];
    for i in 0..n {
        submit_on(&mut ext, payers[i as usize % 3], 0);
    }
    run_to(&mut ext, 1 + PREPARE);
    for index in 0..n - 1 {
        deposit(&mut ext, payers[index as usize % 3], index);
    }
    assert_eq!(deciding_count(&ext, 0), 1);
    assert_eq!(track_queue(&ext, 0).len() as u32, MAX_QUEUED);
    let index = n - 1;
    noop(
        &mut ext,
        signed(ALICE),
        Call::PlaceDecisionDeposit { index },
        Error::Full,
    );
}

#[test]
fn lookup_proposal_keeps_its_preimage_requested_until_scheduled() {
    let mut ext = new_ext();
    let bytes = vec![5u8; 300];
    let hash = preimage::note(&mut ext, &CHARLIE, &bytes).unwrap();
    let proposal = BoundedCall::Lookup { hash, len: 300 };
    ok(
        &mut ext,
        signed(ALICE),
        Call::Submit {
            track: 2,
            proposal: proposal.clone(),
            enactment_after: 0,
        },
    );
    assert_eq!(preimage::status(&ext, &hash).unwrap().requests, 1);
    deposit(&mut ext, BOB, 0);
    passing(&mut ext, 0);
    // Deciding at 5, confirming from 6, approved at 10, enacted at 13.
    run_to(&mut ext, 12);
    assert!(matches!(
        referendum_info(&ext, 0),
        Some(ReferendumInfo::Approved(10, ..))
    ));
    // The scheduler's task holds the only request now.
    assert_eq!(preimage::status(&ext, &hash).unwrap().requests, 1);
    let address = scheduler::lookup(&ext, &task_name(0)).unwrap();
    assert_eq!(scheduler::task(&ext, address).unwrap().call, proposal);
    next_block(&mut ext);
    assert_eq!(enacted(&ext), vec![(bytes, true, 13)]);
    assert_eq!(preimage::status(&ext, &hash).unwrap().requests, 0);
}

#[test]
fn hostile_inputs_are_refused_without_state_change() {
    let mut ext = new_ext();
    let submit_call = |track, proposal| Call::Submit {
        track,
        proposal,
        enactment_after: 0,
    };
    noop(
        &mut ext,
        signed(ALICE),
        submit_call(1, remark(0)),
        Error::BadTrack,
    );
    noop(
        &mut ext,
        signed(ALICE),
        submit_call(0, BoundedCall::Inline(vec![])),
        Error::BadProposal,
    );
    let big = BoundedCall::Inline(vec![0; scheduler::MAX_INLINE_CALL_BYTES as usize + 1]);
    noop(
        &mut ext,
        signed(ALICE),
        submit_call(0, big),
        Error::BadProposal,
    );
    let zero = BoundedCall::Lookup {
        hash: hm_primitives::H256::ZERO,
        len: 0,
    };
    noop(
        &mut ext,
        signed(ALICE),
        submit_call(0, zero),
        Error::BadProposal,
    );
    let hash = preimage::note(&mut ext, &CHARLIE, &[1u8; 200]).unwrap();
    let wrong = BoundedCall::Lookup { hash, len: 199 };
    noop(
        &mut ext,
        signed(ALICE),
        submit_call(0, wrong),
        Error::BadProposal,
    );
    noop(
        &mut ext,
        signed(POOR),
        submit_call(0, remark(0)),
        Error::InsufficientFunds,
    );
    noop(
        &mut ext,
        Origin::Root,
        submit_call(0, remark(0)),
        system::Error::BadOrigin,
    );
    noop(
        &mut ext,
        signed(ALICE),
        Call::PlaceDecisionDeposit { index: 0 },
        Error::BadReferendum,
    );
    let index = submit_on(&mut ext, ALICE, 0);
    noop(
        &mut ext,
        signed(POOR),
        Call::PlaceDecisionDeposit { index },
        Error::InsufficientFunds,
    );
    deposit(&mut ext, BOB, index);
    noop(
        &mut ext,
        signed(BOB),
        Call::PlaceDecisionDeposit { index },
        Error::HasDeposit,
    );
    noop(
        &mut ext,
        signed(BOB),
        Call::RefundDecisionDeposit { index },
        Error::Unfinished,
    );
    noop(
        &mut ext,
        signed(BOB),
        Call::RefundSubmissionDeposit { index: 9 },
        Error::BadReferendum,
    );
    noop(
        &mut ext,
        signed(ALICE),
        Call::Cancel { index },
        system::Error::BadOrigin,
    );
    noop(
        &mut ext,
        signed(ALICE),
        Call::Kill { index },
        system::Error::BadOrigin,
    );
    noop(
        &mut ext,
        Origin::Root,
        Call::Cancel { index: 9 },
        Error::BadReferendum,
    );
    ok(&mut ext, Origin::Root, Call::Cancel { index });
    noop(
        &mut ext,
        Origin::Root,
        Call::Cancel { index },
        Error::NotOngoing,
    );
    noop(
        &mut ext,
        signed(BOB),
        Call::PlaceDecisionDeposit { index },
        Error::NotOngoing,
    );
}

#[test]
fn alarms_are_bounded_per_block_and_leftovers_move_on() {
    let mut ext = new_ext();
    let n = MAX_ALARMS_PER_BLOCK + 10;
    for _ in 0..n {
        submit_on(&mut ext, ALICE, 2);
    }
    assert_eq!(alarms(&ext, 1 + TIMEOUT).len() as u32, MAX_ALARMS_PER_BLOCK);
    assert_eq!(alarms(&ext, 2 + TIMEOUT).len(), 10);
    run_to(&mut ext, 1 + TIMEOUT);
    let timed_out = |ext: &hm_support::MemoryExt| {
        (0..n)
            .filter(|i| matches!(referendum_info(ext, *i), Some(ReferendumInfo::TimedOut(..))))
            .count() as u32
    };
    assert_eq!(timed_out(&ext), MAX_SERVICED_PER_BLOCK);
    run_to(
        &mut ext,
        1 + TIMEOUT + BlockNumber::from(n / MAX_SERVICED_PER_BLOCK),
    );
    assert_eq!(timed_out(&ext), n);
    assert_eq!(
        caesar::reserved_balance(&ext, &ALICE),
        n as Balance * SUBMISSION_DEPOSIT
    );
}

#[test]
fn curves_and_passing_use_integer_shares() {
    let curve = Curve::LinearDecreasing {
        begin: BILLION,
        end: BILLION / 2,
        length: BILLION / 2,
    };
    assert_eq!(curve.threshold(0), BILLION);
    assert_eq!(curve.threshold(BILLION / 4), 750_000_000);
    assert_eq!(curve.threshold(BILLION / 2), BILLION / 2);
    assert_eq!(curve.threshold(BILLION), BILLION / 2);
    let track = TEST_TRACKS[0];
    let all = Tally {
        ayes: 100,
        nays: 0,
        support: 100,
    };
    assert!(is_passing(&all, 100, &track, 0));
    assert!(!is_passing(&Tally::default(), 100, &track, DECISION));
    // Half ayes passes only at the end; a tenth of support passes only near it.
    let half = Tally {
        ayes: 50,
        nays: 50,
        support: 100,
    };
    assert!(!is_passing(&half, 100, &track, DECISION / 2));
    assert!(is_passing(&half, 100, &track, DECISION));
    let huge = Tally {
        ayes: Balance::MAX / 2,
        nays: 0,
        support: Balance::MAX / 4,
    };
    assert!(is_passing(&huge, Balance::MAX, &track, DECISION));
    assert!(!is_passing(&huge, Balance::MAX, &track, 0));
}

/// Conviction voting reading this pallet's polls, as the runtime bridges them.
struct Polls;

impl hm_pallet_conviction_voting::Config for Polls {
    fn poll_status(
        ext: &dyn hm_support::Externalities,
        poll: ReferendumIndex,
    ) -> Option<PollStatus> {
        crate::poll_status(ext, poll)
    }
}

#[test]
fn conviction_votes_decide_through_poll_status() {
    use hm_pallet_conviction_voting::{self as cv, AccountVote, Conviction, Vote};
    let mut ext = new_ext();
    let index = deciding_root(&mut ext);
    let aye = AccountVote::Standard {
        vote: Vote {
            aye: true,
            conviction: Conviction::Locked1x,
        },
        balance: 9_000 * UNITS,
    };
    for who in [ALICE, BOB, CHARLIE] {
        assert_eq!(cv::vote::<Polls>(&mut ext, &who, index, aye), Ok(()));
    }
    assert_eq!(cv::tally(&ext, index).support, 27_000 * UNITS);
    let end = now(&ext) + 1 + CONFIRM;
    run_to(&mut ext, end);
    assert!(matches!(
        referendum_info(&ext, index),
        Some(ReferendumInfo::Approved(..))
    ));
    // The poll is over: conviction voting refuses new votes on it.
    assert_eq!(
        cv::vote::<Polls>(&mut ext, &POOR, index, aye),
        Err(cv::Error::NotOngoing.into())
    );
}
