//! `ChainApi::dry_run_extrinsic` on the real runtime: a call that would succeed, one
//! that would fail in dispatch (named, with its fee), one no block would include, and
//! nothing kept in the chain's state by any of them.
mod common;

use common::*;
use hm_client_api::{ChainApi, DryRun, EventPhase};

#[test]
fn dry_runs_tell_success_failure_and_invalidity_apart_and_keep_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let client = client_on(open_db(dir.path(), &Default::default()));
    let (alice, bob) = (key("alice"), key("bob"));
    let before = client.account(&alice.account_id()).unwrap();

    let good = signed(&client, &alice, 0, transfer(bob.account_id(), 5));
    let DryRun::Applied { outcome, events } = client.dry_run_extrinsic(&good).unwrap() else {
        panic!("a funded transfer is valid")
    };
    assert!(outcome.error.is_none(), "{outcome:?}");
    assert!(outcome.fee > 0 && outcome.weight > 0, "{outcome:?}");
    assert!(events
        .iter()
        .all(|e| e.phase == EventPhase::ApplyExtrinsic(0)));
    assert!(events
        .iter()
        .any(|e| e.pallet == "Caesar" && e.name == "Transfer"));

    let too_much = signed(&client, &alice, 0, transfer(bob.account_id(), FUNDS * 2));
    let DryRun::Applied { outcome, .. } = client.dry_run_extrinsic(&too_much).unwrap() else {
        panic!("an unaffordable transfer is still included")
    };
    let error = outcome.error.expect("it fails in dispatch");
    assert_eq!(error.name(), "Caesar: InsufficientBalance");
    assert!(outcome.fee > 0, "the fee would still be paid");

    let stale = signed(&client, &alice, 7, transfer(bob.account_id(), 5));
    match client.dry_run_extrinsic(&stale).unwrap() {
        DryRun::Invalid(reason) => assert!(reason.contains("nonce"), "{reason}"),
        other => panic!("a nonce from the future is not includable now: {other:?}"),
    }
    match client.dry_run_extrinsic(b"garbage").unwrap() {
        DryRun::Invalid(_) => {}
        other => panic!("{other:?}"),
    }

    // Nothing was kept: the balance, the nonce and the best block are as they were.
    assert_eq!(client.account(&alice.account_id()).unwrap(), before);
    assert_eq!(client.info().best_number, 0);
}
