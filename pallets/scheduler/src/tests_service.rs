//! Servicing in `on_initialize`: tasks run at their block, in order, within the budget.
use crate::tests::{named, schedule};
use crate::{mock::*, *};
use hm_pallet_caesar as caesar;
use hm_pallet_preimage as preimage;
use hm_pallet_system::{self as system, DispatchErrorInfo, Origin};
use hm_primitives::blake3_256;
use hm_support::{put, Pallet as _, Weight};
use parity_scale_codec::Encode;

/// Default parameters: 80% of 500 ms.
const BUDGET: Weight = 400_000_000_000;

fn dispatched(when: BlockNumber, index: u32, id: Option<TaskName>) -> Event {
    Event::Dispatched {
        task: (when, index),
        id,
        result: Ok(()),
    }
}

#[test]
fn calls_run_at_their_block_as_root_and_the_agenda_goes() {
    let mut ext = new_ext();
    ok(&mut ext, Origin::Root, schedule(3, TestCall::Remark(1)));
    ok(&mut ext, Origin::Root, named(5, 3, TestCall::Remark(2)));
    ok(&mut ext, Origin::Root, schedule(4, TestCall::Remark(3)));
    assert_eq!(max_scheduler_weight(&ext), BUDGET);
    assert_eq!(
        next_block(&mut ext),
        weights::SERVICE_BASE + weights::SERVICE_AGENDA
    );
    assert!(runs(&ext).is_empty());
    let weight = next_block(&mut ext);
    assert_eq!(
        weight,
        weights::SERVICE_BASE + weights::SERVICE_AGENDA + 2 * (weights::SERVICE_TASK + LIGHT)
    );
    assert_eq!(runs(&ext), vec![(1, 3, None), (2, 3, None)]);
    assert_eq!(
        events(&ext),
        vec![dispatched(3, 0, None), dispatched(3, 1, Some([5; 32]))]
    );
    assert_eq!(ext.storage_get(&storage::agenda(3)), None);
    assert_eq!(lookup(&ext, &[5; 32]), None);
    next_block(&mut ext);
    assert_eq!(tags(&ext), vec![1, 2, 3]);
    assert_eq!(incomplete_since(&ext), None);
}

#[test]
fn a_failing_call_is_recorded_and_rolled_back_and_the_rest_run() {
    let mut ext = new_ext();
    ok(&mut ext, Origin::Root, schedule(2, TestCall::Fail(1)));
    ok(&mut ext, Origin::Root, schedule(2, TestCall::Remark(2)));
    next_block(&mut ext);
    assert_eq!(tags(&ext), vec![2], "the failed call's write rolled back");
    assert_eq!(
        events(&ext),
        vec![
            Event::Dispatched {
                task: (2, 0),
                id: None,
                result: Err(DispatchErrorInfo {
                    pallet: 99,
                    error: 1
                })
            },
            dispatched(2, 1, None)
        ]
    );
    assert_eq!(ext.storage_get(&storage::agenda(2)), None);
}

#[test]
fn overweight_agendas_carry_over_and_complete_in_order() {
    let mut ext = new_ext();
    for tag in 1..=5 {
        ok(
            &mut ext,
            Origin::Root,
            schedule(3, TestCall::Heavy(tag, 150_000_000_000)),
        );
    }
    ok(&mut ext, Origin::Root, schedule(4, TestCall::Remark(10)));
    run_to(&mut ext, 3);
    assert_eq!(tags(&ext), vec![1, 2]);
    assert_eq!(incomplete_since(&ext), Some(3));
    let weight = next_block(&mut ext);
    assert!(weight <= BUDGET && weight > 300_000_000_000);
    assert_eq!(
        tags(&ext),
        vec![1, 2, 3, 4],
        "block 4's own task waits its turn"
    );
    assert_eq!(incomplete_since(&ext), Some(3));
    next_block(&mut ext);
    assert_eq!(
        runs(&ext),
        vec![
            (1, 3, None),
            (2, 3, None),
            (3, 4, None),
            (4, 4, None),
            (5, 5, None),
            (10, 5, None)
        ]
    );
    assert_eq!(incomplete_since(&ext), None);
}

#[test]
fn the_budget_follows_the_block_weight_parameter() {
    let mut ext = new_ext();
    let parameters = system::Parameters {
        max_block_weight: system::MIN_MAX_BLOCK_WEIGHT,
        ..Default::default()
    };
    system::dispatch(
        &mut ext,
        Origin::Root,
        system::Call::SetParameters { parameters },
    )
    .unwrap();
    assert_eq!(max_scheduler_weight(&ext), 8_000_000_000);
    for tag in 1..=3 {
        ok(
            &mut ext,
            Origin::Root,
            schedule(2, TestCall::Heavy(tag, 5_000_000_000)),
        );
    }
    for block in 2..=4 {
        next_block(&mut ext);
        assert_eq!(runs(&ext).last(), Some(&(block as u32 - 1, block, None)));
    }
}

#[test]
fn a_call_too_heavy_for_any_block_is_dropped_and_the_queue_moves_on() {
    let mut ext = new_ext();
    ok(
        &mut ext,
        Origin::Root,
        named(1, 2, TestCall::Heavy(1, BUDGET)),
    );
    ok(&mut ext, Origin::Root, schedule(2, TestCall::Remark(2)));
    next_block(&mut ext);
    assert_eq!(tags(&ext), vec![2]);
    assert_eq!(
        events(&ext),
        vec![
            Event::PermanentlyOverweight {
                task: (2, 0),
                id: Some([1; 32])
            },
            dispatched(2, 1, None)
        ]
    );
    assert_eq!(lookup(&ext, &[1; 32]), None);
}

#[test]
fn calls_the_runtime_refuses_are_dropped() {
    let mut ext = new_ext();
    ok(&mut ext, Origin::Root, schedule(2, TestCall::Remark(1)));
    let junk = BoundedCall::Inline(vec![0xff, 0xff]);
    ok(
        &mut ext,
        Origin::Root,
        Call::Schedule {
            when: 3,
            call: junk,
        },
    );
    // A runtime without `EncodedCalls` refuses everything.
    next_block_with::<()>(&mut ext);
    assert_eq!(
        events(&ext),
        vec![Event::CallRefused {
            task: (2, 0),
            id: None
        }]
    );
    next_block(&mut ext);
    assert_eq!(
        events(&ext),
        vec![Event::CallRefused {
            task: (3, 0),
            id: None
        }]
    );
    assert!(runs(&ext).is_empty());
}

#[test]
fn a_task_may_cancel_later_tasks_and_reuse_its_own_name() {
    let mut ext = new_ext();
    ok(
        &mut ext,
        Origin::Root,
        named(1, 2, TestCall::CancelNamed([3; 32])),
    );
    ok(
        &mut ext,
        Origin::Root,
        named(2, 2, TestCall::CancelNamed([2; 32])),
    );
    ok(&mut ext, Origin::Root, named(3, 2, TestCall::Remark(3)));
    ok(
        &mut ext,
        Origin::Root,
        named(4, 2, TestCall::ScheduleNamed([4; 32], 3, 4)),
    );
    next_block(&mut ext);
    let not_found = DispatchErrorInfo::from(hm_support::DispatchError::from(Error::NotFound));
    assert_eq!(
        events(&ext),
        vec![
            Event::Canceled { when: 2, index: 2 },
            dispatched(2, 0, Some([1; 32])),
            Event::Dispatched {
                task: (2, 1),
                id: Some([2; 32]),
                result: Err(not_found)
            },
            Event::Scheduled { when: 3, index: 0 },
            dispatched(2, 3, Some([4; 32])),
        ]
    );
    assert_eq!(lookup(&ext, &[4; 32]), Some((3, 0)));
    next_block(&mut ext);
    assert_eq!(tags(&ext), vec![4]);
}

#[test]
fn a_lookup_call_runs_and_its_depositor_then_recovers_the_deposit() {
    let mut ext = new_ext();
    let bytes = TestCall::Remark(7).encode();
    let hash = preimage::note(&mut ext, &ALICE, &bytes).unwrap();
    let deposit = preimage::deposit_for(bytes.len() as u32).unwrap();
    let len = bytes.len() as u32;
    let call = BoundedCall::Lookup { hash, len };
    ok(
        &mut ext,
        Origin::Root,
        Call::ScheduleNamed {
            id: [1; 32],
            when: 3,
            call,
        },
    );
    assert_eq!(
        preimage::unnote(&mut ext, Some(&ALICE), &hash),
        Err(preimage::Error::Requested)
    );
    run_to(&mut ext, 3);
    assert_eq!(runs(&ext), vec![(7, 3, None)]);
    assert!(!preimage::is_requested(&ext, &hash));
    assert_eq!(caesar::reserved_balance(&ext, &ALICE), deposit);
    preimage::unnote(&mut ext, Some(&ALICE), &hash).unwrap();
    assert_eq!(caesar::reserved_balance(&ext, &ALICE), 0);
    assert_eq!(caesar::free_balance(&ext, &ALICE), ENDOWMENT);
    assert_invariants(&ext);
}

#[test]
fn a_missing_preimage_drops_the_task_and_its_request() {
    let mut ext = new_ext();
    let bytes = TestCall::Remark(7).encode();
    let hash = blake3_256(&bytes);
    let len = bytes.len() as u32;
    ok(
        &mut ext,
        Origin::Root,
        Call::Schedule {
            when: 3,
            call: BoundedCall::Lookup { hash, len },
        },
    );
    // Declared one byte longer than the bytes that are then noted (for free).
    let call = BoundedCall::Lookup { hash, len: len + 1 };
    ok(&mut ext, Origin::Root, Call::Schedule { when: 4, call });
    run_to(&mut ext, 3);
    let unavailable = |when| Event::CallUnavailable {
        task: (when, 0),
        id: None,
    };
    assert_eq!(events(&ext), vec![unavailable(3)]);
    preimage::note(&mut ext, &BOB, &bytes).unwrap();
    assert_eq!(caesar::reserved_balance(&ext, &BOB), 0, "requested: free");
    next_block(&mut ext);
    assert_eq!(events(&ext)[0], unavailable(4));
    assert_eq!(preimage::status(&ext, &hash), None, "the last request went");
    assert!(runs(&ext).is_empty());
}

#[test]
fn a_long_backlog_is_worked_through_a_bounded_number_of_agendas_per_block() {
    let mut ext = new_ext();
    for when in 2..=60 {
        ok(
            &mut ext,
            Origin::Root,
            schedule(when, TestCall::Remark(when as u32)),
        );
    }
    // As if servicing had fallen behind since block 2.
    system::on_initialize(&mut ext, 60, &Default::default(), 0, &AUTHOR);
    put(&mut ext, &storage::incomplete_since(), &2u64);
    Scheduler::on_initialize(&mut ext, 60);
    assert_invariants(&ext);
    let first: Vec<u32> = (2..2 + MAX_AGENDAS_PER_BLOCK).collect();
    assert_eq!(tags(&ext), first);
    assert_eq!(incomplete_since(&ext), Some(52));
    next_block(&mut ext);
    assert_eq!(tags(&ext), (2..=60).collect::<Vec<_>>());
    assert_eq!(incomplete_since(&ext), None);
}
