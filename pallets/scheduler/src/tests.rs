//! Scheduling and cancelling: the calls, the functions for other pallets, hostile input.
use crate::{mock::*, *};
use hm_pallet_preimage as preimage;
use hm_pallet_system::{self as system, Origin};
use hm_primitives::{blake3_256, AccountId, H256};
use hm_support::Pallet as _;
use parity_scale_codec::Encode;

pub(crate) fn schedule(when: BlockNumber, c: TestCall) -> Call {
    Call::Schedule {
        when,
        call: c.inline(),
    }
}

pub(crate) fn named(id: u8, when: BlockNumber, c: TestCall) -> Call {
    Call::ScheduleNamed {
        id: [id; 32],
        when,
        call: c.inline(),
    }
}

#[test]
fn schedule_places_tasks_in_order_with_an_event() {
    let mut ext = new_ext();
    ok(&mut ext, Origin::Root, schedule(3, TestCall::Remark(1)));
    ok(&mut ext, Origin::Root, named(7, 3, TestCall::Remark(2)));
    assert_eq!(
        agenda(&ext, 3),
        vec![
            Some(Task {
                call: TestCall::Remark(1).inline(),
                origin: ScheduledOrigin::Root,
                maybe_id: None
            }),
            Some(Task {
                call: TestCall::Remark(2).inline(),
                origin: ScheduledOrigin::Root,
                maybe_id: Some([7; 32])
            }),
        ]
    );
    assert_eq!(lookup(&ext, &[7; 32]), Some((3, 1)));
    assert_eq!(
        events(&ext),
        vec![
            Event::Scheduled { when: 3, index: 0 },
            Event::Scheduled { when: 3, index: 1 }
        ]
    );
}

#[test]
fn hostile_schedules_are_refused_and_change_nothing() {
    let mut ext = new_ext();
    run_to(&mut ext, 5);
    let root = Origin::Root;
    let past = Error::TargetBlockNumberInPast;
    noop(&mut ext, root, schedule(5, TestCall::Remark(1)), past);
    noop(&mut ext, root, schedule(0, TestCall::Remark(1)), past);
    noop(&mut ext, root, named(1, 4, TestCall::Remark(1)), past);
    let big = BoundedCall::Inline(vec![0; MAX_INLINE_CALL_BYTES as usize + 1]);
    let schedule_raw = |call| Call::Schedule { when: 9, call };
    noop(&mut ext, root, schedule_raw(big), Error::InlineCallTooBig);
    noop(
        &mut ext,
        root,
        schedule_raw(BoundedCall::Inline(vec![])),
        Error::EmptyCall,
    );
    let lookup = |len| BoundedCall::Lookup {
        hash: H256([5; 32]),
        len,
    };
    noop(&mut ext, root, schedule_raw(lookup(0)), Error::BadLookupLen);
    let over = preimage::MAX_PREIMAGE_BYTES + 1;
    noop(
        &mut ext,
        root,
        schedule_raw(lookup(over)),
        Error::BadLookupLen,
    );
    let signed = Origin::Signed(ALICE);
    noop(
        &mut ext,
        signed,
        schedule(9, TestCall::Remark(1)),
        system::Error::BadOrigin,
    );
    noop(
        &mut ext,
        signed,
        Call::CancelNamed { id: [0; 32] },
        system::Error::BadOrigin,
    );
    ok(&mut ext, root, named(1, 9, TestCall::Remark(1)));
    noop(
        &mut ext,
        root,
        named(1, 10, TestCall::Remark(2)),
        Error::IdInUse,
    );
    noop(
        &mut ext,
        root,
        Call::Cancel { when: 9, index: 1 },
        Error::NotFound,
    );
    noop(
        &mut ext,
        root,
        Call::Cancel { when: 8, index: 0 },
        Error::NotFound,
    );
    noop(
        &mut ext,
        root,
        Call::CancelNamed { id: [2; 32] },
        Error::NotFound,
    );
    // A lookup whose length is not the noted preimage's.
    let bytes = TestCall::Remark(1).encode();
    preimage::note(&mut ext, &ALICE, &bytes).unwrap();
    let wrong = BoundedCall::Lookup {
        hash: blake3_256(&bytes),
        len: bytes.len() as u32 + 1,
    };
    noop(&mut ext, root, schedule_raw(wrong), Error::BadLookupLen);
}

#[test]
fn a_full_agenda_refuses_more_but_reuses_emptied_slots() {
    let mut ext = new_ext();
    for tag in 0..MAX_SCHEDULED_PER_BLOCK {
        ok(&mut ext, Origin::Root, schedule(4, TestCall::Remark(tag)));
    }
    noop(
        &mut ext,
        Origin::Root,
        schedule(4, TestCall::Remark(99)),
        Error::AgendaFull,
    );
    ok(&mut ext, Origin::Root, Call::Cancel { when: 4, index: 10 });
    ok(&mut ext, Origin::Root, schedule(4, TestCall::Remark(99)));
    assert_eq!(
        task(&ext, (4, 10)).map(|t| t.call),
        Some(TestCall::Remark(99).inline())
    );
    run_to(&mut ext, 4);
    let mut expected: Vec<u32> = (0..MAX_SCHEDULED_PER_BLOCK).collect();
    expected[10] = 99;
    assert_eq!(tags(&ext), expected);
}

#[test]
fn cancel_trims_the_agenda_and_removes_it_when_empty() {
    let mut ext = new_ext();
    for tag in 0..3 {
        ok(&mut ext, Origin::Root, schedule(4, TestCall::Remark(tag)));
    }
    ok(&mut ext, Origin::Root, Call::Cancel { when: 4, index: 1 });
    assert_eq!(agenda(&ext, 4).len(), 3, "a middle slot is only emptied");
    ok(&mut ext, Origin::Root, Call::Cancel { when: 4, index: 2 });
    assert_eq!(agenda(&ext, 4).len(), 1, "trailing empty slots go");
    ok(&mut ext, Origin::Root, Call::Cancel { when: 4, index: 0 });
    assert_eq!(ext.storage_get(&storage::agenda(4)), None);
    assert_eq!(
        events(&ext)[3..],
        [1, 2, 0].map(|index| Event::Canceled { when: 4, index })
    );
    run_to(&mut ext, 5);
    assert!(runs(&ext).is_empty());
}

#[test]
fn named_tasks_cancel_by_name_and_free_it() {
    let mut ext = new_ext();
    ok(&mut ext, Origin::Root, named(1, 4, TestCall::Remark(1)));
    ok(&mut ext, Origin::Root, Call::CancelNamed { id: [1; 32] });
    assert_eq!(lookup(&ext, &[1; 32]), None);
    noop(
        &mut ext,
        Origin::Root,
        Call::CancelNamed { id: [1; 32] },
        Error::NotFound,
    );
    // Cancelling by address frees the name too.
    ok(&mut ext, Origin::Root, named(1, 4, TestCall::Remark(2)));
    ok(&mut ext, Origin::Root, Call::Cancel { when: 4, index: 0 });
    assert_eq!(lookup(&ext, &[1; 32]), None);
    ok(&mut ext, Origin::Root, named(1, 5, TestCall::Remark(3)));
    run_to(&mut ext, 5);
    assert_eq!(tags(&ext), vec![3]);
    assert_eq!(
        lookup(&ext, &[1; 32]),
        None,
        "a name is free once its task ran"
    );
}

#[test]
fn other_pallets_schedule_as_any_origin_and_cancel_by_name() {
    let mut ext = new_ext();
    let signed = ScheduledOrigin::Signed(BOB);
    let address =
        schedule_named_task(&mut ext, [3; 32], 3, signed, TestCall::Remark(1).inline()).unwrap();
    assert_eq!(address, (3, 0));
    assert_eq!(
        schedule_named_task(&mut ext, [3; 32], 4, signed, TestCall::Remark(2).inline()),
        Err(Error::IdInUse)
    );
    schedule_task(&mut ext, 3, signed, TestCall::Remark(3).inline()).unwrap();
    schedule_named_task(&mut ext, [4; 32], 3, signed, TestCall::Remark(4).inline()).unwrap();
    assert_eq!(cancel_named_task(&mut ext, &[4; 32]), Ok((3, 2)));
    assert_eq!(cancel_named_task(&mut ext, &[4; 32]), Err(Error::NotFound));
    assert_invariants(&ext);
    run_to(&mut ext, 3);
    assert_eq!(runs(&ext), vec![(1, 3, Some(BOB)), (3, 3, Some(BOB))]);
}

#[test]
fn scheduling_a_lookup_requests_the_preimage_and_cancel_releases_it() {
    let mut ext = new_ext();
    let bytes = TestCall::Remark(1).encode();
    let hash = blake3_256(&bytes);
    let call = BoundedCall::Lookup {
        hash,
        len: bytes.len() as u32,
    };
    ok(&mut ext, Origin::Root, Call::Schedule { when: 4, call });
    assert!(preimage::is_requested(&ext, &hash) && !preimage::is_available(&ext, &hash));
    // Requested: noted for free.
    preimage::note(&mut ext, &BOB, &bytes).unwrap();
    assert_eq!(preimage::total_deposits(&ext), 0);
    ok(&mut ext, Origin::Root, Call::Cancel { when: 4, index: 0 });
    assert_eq!(
        preimage::status(&ext, &hash),
        None,
        "free bytes go with the request"
    );
}

#[test]
fn try_state_catches_broken_records() {
    let mut ext = new_ext();
    ok(&mut ext, Origin::Root, named(1, 4, TestCall::Remark(1)));
    let broken = |f: &dyn Fn(&mut hm_support::MemoryExt)| {
        let mut e = ext.clone();
        f(&mut e);
        Scheduler::try_state(&e)
    };
    let put = hm_support::put::<(BlockNumber, u32)>;
    assert!(broken(&|e| put(e, &storage::lookup(&[1; 32]), &(4, 1))).is_err());
    assert!(broken(&|e| put(e, &storage::lookup(&[2; 32]), &(4, 0))).is_err());
    assert!(broken(&|e| hm_support::put(e, &storage::incomplete_since(), &9u64)).is_err());
    assert!(broken(&|e| {
        let mut a = agenda(e, 4);
        a.push(None);
        hm_support::put(e, &storage::agenda(4), &a);
    })
    .is_err());
    assert!(broken(&|e| {
        let mut a = agenda(e, 4);
        a.resize(MAX_SCHEDULED_PER_BLOCK as usize + 1, a[0].clone());
        hm_support::put(e, &storage::agenda(4), &a);
    })
    .is_err());
    assert!(
        broken(&|e| {
            let a = agenda(e, 4);
            hm_support::put(e, &storage::agenda(1), &a);
        })
        .is_err(),
        "an agenda left behind the current block"
    );
}

#[test]
fn metadata_and_weights_are_declared() {
    assert_eq!(Scheduler::storage_metadata().len(), 3);
    assert_eq!(Scheduler::constants_metadata().len(), 4);
    assert_eq!(<Scheduler as hm_support::Pallet>::INDEX, 7);
    let who = AccountId([0; 32]);
    assert_eq!(
        Origin::from(ScheduledOrigin::Signed(who)),
        Origin::Signed(who)
    );
    assert!(Call::CancelNamed { id: [0; 32] }.weight() >= weights::CANCEL);
    assert_eq!(lookup_weight(0), 0);
    assert_eq!(
        lookup_weight(preimage::MAX_PREIMAGE_BYTES),
        weights::SERVICE_TASK_LOOKUP_MAX
    );
}
