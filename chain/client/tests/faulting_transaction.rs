//! One transaction that makes the contract executor fault is left out of the block (and
//! dropped and banned from the pool); the block is built from the others.

mod common;

use common::*;
use hm_client::Rejection;
use hm_client_api::{PoolError, TransactionPoolApi};
use hm_contracts_api::{
    ContractEngine, ContractEnv, Entry, ExecError, ExecOutcome, PrepareOutcome, PreparedCode,
    UploadError,
};
use hm_primitives::{blake3_256, SignedBlock, H256};
use hm_runtime::{pallet_contracts, Call};
use hm_txpool::{PoolConfig, TransactionPool};
use std::sync::Arc;

const FAULTING_CODE: &[u8] = b"\0asm-that-crashes-the-compiler";

/// Accepts every upload, except `FAULTING_CODE`, on which "the compiler fails": a node
/// fault, which no transaction result may record.
struct FaultOnOneCode;

impl ContractEngine for FaultOnOneCode {
    fn prepare(&self, code: &[u8], _gas_limit: u64) -> PrepareOutcome {
        let result = if code == FAULTING_CODE {
            Err(UploadError::Compile("cranelift crashed".into()))
        } else {
            Ok(PreparedCode {
                code_hash: blake3_256(code),
                upload_gas: 1_000,
            })
        };
        PrepareOutcome {
            result,
            gas_used: 1_000,
        }
    }

    fn execute(
        &self,
        _: &H256,
        _: Entry,
        _: &[u8],
        _: u64,
        _: &mut dyn ContractEnv,
    ) -> ExecOutcome {
        ExecOutcome::failed(ExecError::Timeout)
    }
}

fn upload(code: &[u8]) -> Call {
    Call::Contracts(pallet_contracts::Call::UploadCode {
        code: code.to_vec(),
        storage_deposit_limit: None,
    })
}

#[test]
fn a_faulting_transaction_is_dropped_and_banned_and_the_block_built_without_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = open_db(dir.path(), &Default::default());
    let client = Arc::new(client_on(db.clone()).with_contract_engine(Arc::new(FaultOnOneCode)));
    let pool = TransactionPool::new(PoolConfig::default(), client.clone());
    let (alice, bob, charlie) = (key("alice"), key("bob"), key("charlie"));
    let dave = key("dave").account_id();
    // Dave authors, so the fees credited to the author change no balance the test checks.

    let good_transfer = signed(&client, &alice, 0, transfer(dave, 5));
    let culprit = signed(&client, &bob, 0, upload(FAULTING_CODE));
    let good_upload = signed(&client, &charlie, 0, upload(b"\0asm fine"));
    for xt in [&good_transfer, &culprit, &good_upload] {
        pool.submit(xt.clone()).expect("valid when submitted");
    }
    let culprit_hash = blake3_256(&culprit);

    let candidates = pool.ready_for_block(100, 1 << 20);
    assert_eq!(candidates.len(), 3);
    let built = client
        .build_block(dave, 1_000, candidates, Vec::new())
        .expect("one faulting transaction does not fail the block");

    assert_eq!(
        built.included,
        vec![blake3_256(&good_transfer), blake3_256(&good_upload)]
    );
    assert_eq!(built.block.extrinsics, vec![good_transfer, good_upload]);
    match built.rejected.as_slice() {
        [(hash, Rejection::NodeFault(fault))] => {
            assert_eq!(*hash, culprit_hash);
            assert!(fault.contains("cranelift crashed"), "{fault}");
        }
        other => panic!("expected only the culprit, rejected as a node fault: {other:?}"),
    }

    // What the authoring engines do with rejected transactions: drop and ban them.
    let rejected: Vec<H256> = built.rejected.iter().map(|(h, _)| *h).collect();
    pool.remove_invalid(&rejected);
    assert!(!pool.contains(&culprit_hash));
    assert_eq!(
        pool.submit(culprit.clone()),
        Err(PoolError::TemporarilyBanned(culprit_hash))
    );

    // The block imports, and the culprit left no trace: bob paid no fee, his nonce is 0.
    let bob_before = hm_client_api::ChainApi::account(&*client, &bob.account_id()).unwrap();
    client
        .import_block(
            SignedBlock {
                block: built.block,
                justification: None,
            },
            false,
        )
        .expect("import");
    let bob_after = hm_client_api::ChainApi::account(&*client, &bob.account_id()).unwrap();
    assert_eq!(bob_after.free, bob_before.free);
    assert_eq!(bob_after.nonce, 0);
    let alice_after = hm_client_api::ChainApi::account(&*client, &alice.account_id()).unwrap();
    assert_eq!(alice_after.nonce, 1);
}
