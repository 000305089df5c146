//! Preimages and the scheduler composed in the runtime, through signed extrinsics: a
//! call noted by hash (its deposit reserved), scheduled by root for a later block, runs
//! there with the root origin through the runtime's `SchedulerCalls`; a scheduled call
//! that fails is recorded with its error and the chain goes on; the preimage's deposit
//! comes back once the call is used. Every pallet's invariants hold after every block.
mod common;

use common::*;
use hm_pallet_preimage as preimage;
use hm_pallet_scheduler::{self as scheduler, BoundedCall};
use hm_pallet_system::DispatchErrorInfo;
use hm_primitives::{AccountId, UNITS};
use hm_runtime::*;
use parity_scale_codec::Encode;

const CHARLIE: AccountId = AccountId([0xC4; 32]);

fn apply(ext: &mut SigExt, number: u64, who: &hm_crypto::Keypair, call: Call) -> ApplyOutcome {
    let xt = signed(who, nonce(ext, &who.account_id()), call);
    apply_extrinsic(ext, &block(number), &xt).expect("included")
}

fn as_root(call: scheduler::Call) -> Call {
    Call::Root(Box::new(Call::Scheduler(call)))
}

fn dispatched(ext: &SigExt) -> Vec<Result<(), DispatchErrorInfo>> {
    events(ext)
        .into_iter()
        .filter_map(|r| match r.event {
            RuntimeEvent::Scheduler(scheduler::Event::Dispatched { result, .. }) => Some(result),
            _ => None,
        })
        .collect()
}

#[test]
fn a_noted_call_scheduled_by_root_runs_at_its_block_as_root() {
    let mut ext = chain();
    let b = bob().account_id();

    // Bob notes a root-only call; its deposit is reserved.
    let mint = Call::Caesar(hm_pallet_caesar::Call::SetBalance {
        who: CHARLIE,
        free: 5 * UNITS,
    })
    .encode();
    let hash = hm_primitives::blake3_256(&mint);
    let len = mint.len() as u32;
    let note = Call::Preimage(preimage::Call::NotePreimage {
        bytes: mint.clone(),
    });
    assert_eq!(apply(&mut ext, 1, bob(), note).result, Ok(()));
    assert_eq!(
        Some(account_summary(&ext, &b).1),
        preimage::deposit_for(len)
    );

    // Root schedules it for block 3, and an inline call root cannot make (a transfer
    // needs a signer) for block 2.
    let transfer = Call::Caesar(hm_pallet_caesar::Call::Transfer {
        dest: CHARLIE,
        value: UNITS,
    });
    let calls = [
        scheduler::Call::Schedule {
            when: 3,
            call: BoundedCall::Lookup { hash, len },
        },
        scheduler::Call::Schedule {
            when: 2,
            call: BoundedCall::Inline(transfer.encode()),
        },
    ];
    for call in calls {
        assert_eq!(apply(&mut ext, 1, alice(), as_root(call)).result, Ok(()));
    }
    // Bob cannot take his preimage back while it is scheduled.
    let unnote = Call::Preimage(preimage::Call::UnnotePreimage { hash });
    assert!(apply(&mut ext, 1, bob(), unnote.clone()).result.is_err());
    finalize_checked(&mut ext, &block(1));

    // Block 2: the transfer fails as root, recorded with System's `BadOrigin`.
    initialize_block(&mut ext, &block(2));
    assert_eq!(
        dispatched(&ext),
        vec![Err(DispatchErrorInfo {
            pallet: 0,
            error: 0
        })]
    );
    assert_eq!(free(&ext, &CHARLIE), 0);
    finalize_checked(&mut ext, &block(2));

    // Block 3: the noted call runs as root.
    initialize_block(&mut ext, &block(3));
    assert_eq!(dispatched(&ext), vec![Ok(())]);
    assert_eq!(free(&ext, &CHARLIE), 5 * UNITS);
    assert_eq!(scheduler::agenda(&ext, 3), vec![]);

    // Used, the preimage is no longer requested: Bob takes his deposit back.
    assert_eq!(apply(&mut ext, 3, bob(), unnote).result, Ok(()));
    assert_eq!(account_summary(&ext, &b).1, 0);
    assert_eq!(preimage::preimage(&ext, &hash), None);
    finalize_checked(&mut ext, &block(3));
}

#[test]
fn only_root_schedules() {
    let mut ext = chain();
    let call = scheduler::Call::Schedule {
        when: 5,
        call: BoundedCall::Inline(vec![0, 2, 0]),
    };
    let outcome = apply(&mut ext, 1, bob(), Call::Scheduler(call));
    assert_eq!(outcome.result.map_err(|e| (e.pallet, e.error)), Err((0, 0)));
    assert_eq!(scheduler::agenda(&ext, 5), vec![]);
    finalize_checked(&mut ext, &block(1));
}
