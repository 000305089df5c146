//! A client on a database that keeps 2 states: reads at the last two blocks work, and an
//! older block's read is `ClientError::StatePruned` with the window in its text, for
//! storage, read proofs and event logs alike (what RPC passes on).
mod common;

use common::*;
use hm_client_api::{ChainApi, ClientError};
use hm_storage::{DbConfig, StatePruning};
use std::num::NonZeroU64;

#[test]
fn reads_older_than_the_window_fail_with_the_pruned_error() {
    let dir = tempfile::tempdir().unwrap();
    let config = DbConfig {
        state_pruning: StatePruning::KeepLast(NonZeroU64::new(2).unwrap()),
        ..DbConfig::default()
    };
    let client = client_on(open_db(dir.path(), &config));
    let (alice, bob) = (key("alice"), key("bob"));
    for nonce in 0..4 {
        let xt = signed(&client, &alice, nonce, transfer(bob.account_id(), 1));
        build_and_import(&client, vec![xt]);
    }
    let key = hm_runtime::account_storage_key(&alice.account_id());
    let at = |n: u64| Some(client.block_hash(n).unwrap().expect("block exists"));
    for kept in [3, 4] {
        assert!(client.storage(&key, at(kept)).unwrap().is_some(), "#{kept}");
        assert!(
            !client.block_events(at(kept)).unwrap().is_empty(),
            "#{kept}"
        );
    }
    for pruned in [1, 2] {
        let expect_pruned = |r: Result<(), ClientError>| match r {
            Err(ClientError::StatePruned(why)) => assert!(
                why.contains(&format!("state of block #{pruned} is pruned"))
                    && why.contains("keeps the last 2 states"),
                "{why}"
            ),
            other => panic!("#{pruned}: {other:?}"),
        };
        expect_pruned(client.storage(&key, at(pruned)).map(drop));
        expect_pruned(
            client
                .read_proof(std::slice::from_ref(&key), at(pruned))
                .map(drop),
        );
        expect_pruned(client.block_events(at(pruned)).map(drop));
    }
}
