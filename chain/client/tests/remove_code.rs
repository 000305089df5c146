//! `remove_code` reaches the node's contract engine, so the compiled artifact is dropped
//! from its caches (the executor's own tests show that deletes the file).

mod common;

use common::*;
use hm_contracts_api::{
    ContractEngine, ContractEnv, Entry, ExecError, ExecOutcome, PrepareOutcome, PreparedCode,
};
use hm_primitives::{blake3_256, H256};
use hm_runtime::{pallet_contracts, Call};
use parking_lot::Mutex;
use std::sync::Arc;

/// Accepts every upload and records which code hashes were removed.
#[derive(Default)]
struct RecordsRemovals {
    removed: Mutex<Vec<H256>>,
}

impl ContractEngine for RecordsRemovals {
    fn prepare(&self, code: &[u8], _gas_limit: u64) -> PrepareOutcome {
        PrepareOutcome {
            result: Ok(PreparedCode {
                code_hash: blake3_256(code),
                upload_gas: 1_000,
            }),
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
        ExecOutcome::failed(ExecError::CodeNotFound)
    }

    fn code_removed(&self, code_hash: &H256) {
        self.removed.lock().push(*code_hash);
    }
}

#[test]
fn remove_code_drops_the_engines_artifact() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Arc::new(RecordsRemovals::default());
    let client =
        client_on(open_db(dir.path(), &Default::default())).with_contract_engine(engine.clone());
    let alice = key("alice");
    let code = b"\0asm some contract".to_vec();
    let code_hash = blake3_256(&code);

    let upload = Call::Contracts(pallet_contracts::Call::UploadCode {
        code,
        storage_deposit_limit: None,
    });
    build_and_import(&client, vec![signed(&client, &alice, 0, upload)]);
    assert!(engine.removed.lock().is_empty());
    assert!(
        hm_client_api::ChainApi::contract_code(&client, &code_hash, None)
            .unwrap()
            .is_some()
    );

    let remove = Call::Contracts(pallet_contracts::Call::RemoveCode { code_hash });
    build_and_import(&client, vec![signed(&client, &alice, 1, remove)]);
    assert!(
        hm_client_api::ChainApi::contract_code(&client, &code_hash, None)
            .unwrap()
            .is_none()
    );
    // Once when the block was built, once when it was imported.
    let removed = engine.removed.lock().clone();
    assert!(!removed.is_empty());
    assert!(removed.iter().all(|h| *h == code_hash));
}
