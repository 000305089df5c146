//! Contracts through signed extrinsics (`apply_extrinsic`) with the real executor: the
//! example token is uploaded, deployed and used, fees cover only the gas used, and the
//! dry-run and getter API the RPC layer serves agrees with the chain.
use hm_crypto::Keypair;
use hm_executor::{Executor, ExecutorConfig};
use hm_pallet_contracts as contracts;
use hm_primitives::{
    AccountId, Balance, SignedExtra, SignedPart, Signer, UncheckedExtrinsic, H256, UNITS,
};
use hm_runtime::*;
use hm_support::{ContractEngine, Externalities, MemoryExt};
use parity_scale_codec::{Decode, Encode};
use std::path::PathBuf;
use std::sync::Arc;

const GENESIS_HASH: H256 = H256([7; 32]);
const AUTHOR: AccountId = AccountId([0xAA; 32]);
const FUNDS: Balance = 10_000 * UNITS;
const GAS: u64 = 50_000_000;

struct Ext {
    state: MemoryExt,
    engine: Arc<dyn ContractEngine>,
}

impl Externalities for Ext {
    fn storage_get(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.state.storage_get(key)
    }
    fn storage_set(&mut self, key: &[u8], value: &[u8]) {
        self.state.storage_set(key, value)
    }
    fn storage_remove(&mut self, key: &[u8]) {
        self.state.storage_remove(key)
    }
    fn falcon_verify(&self, public_key: &[u8], message: &[u8], signature: &[u8]) -> bool {
        hm_crypto::falcon::verify_raw(public_key, message, signature)
    }
    fn contract_engine(&self) -> Option<Arc<dyn ContractEngine>> {
        Some(self.engine.clone())
    }
}

fn key(name: &str) -> Keypair {
    hm_crypto::dev_keypair(name).expect("dev key")
}

fn block(number: u64) -> BlockContext {
    BlockContext {
        number,
        timestamp_ms: 1_000 * number,
        parent_hash: H256([number as u8; 32]),
        author: AUTHOR,
        genesis_hash: GENESIS_HASH,
    }
}

fn chain(alice: &Keypair, bob: &Keypair) -> Ext {
    let engine = Arc::new(
        Executor::new(ExecutorConfig {
            pool_instances: 16,
            ..ExecutorConfig::default()
        })
        .expect("executor"),
    );
    let mut ext = Ext {
        state: MemoryExt::default(),
        engine,
    };
    let accounts = [alice, bob]
        .iter()
        .map(|kp| GenesisAccount {
            account: kp.account_id(),
            public_key: Some(format!("0x{}", hex::encode(kp.public().as_bytes()))),
            balance: FUNDS,
        })
        .collect();
    build_genesis(&mut ext, &GenesisConfig::with_defaults(accounts, None)).expect("genesis");
    initialize_block(&mut ext, &block(1));
    ext
}

fn signed(ext: &Ext, kp: &Keypair, call: Call) -> Vec<u8> {
    let extra = SignedExtra {
        nonce: account_summary(ext, &kp.account_id()).2,
        tip: 0,
        valid_until: 1_000,
    };
    let msg = hm_primitives::signing_message(
        &GENESIS_HASH,
        VERSION.spec_version,
        &kp.account_id(),
        &extra,
        &call,
    );
    UncheckedExtrinsic {
        signed: Some(SignedPart {
            signer: Signer::Id(kp.account_id()),
            extra,
            signature: kp.sign(msg.as_bytes()),
        }),
        call,
    }
    .encode()
}

fn token_wasm() -> Vec<u8> {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../contracts/target-wasm/token.wasm");
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; build the example contracts with scripts/build-contracts.sh",
            path.display()
        )
    })
}

fn message<A: Encode>(name: &str, args: A) -> Vec<u8> {
    let mut input = hm_primitives::blake3_256(name.as_bytes()).0[..4].to_vec();
    args.encode_to(&mut input);
    input
}

fn free(ext: &Ext, who: &AccountId) -> Balance {
    account_summary(ext, who).0
}

/// Apply `call` signed by `kp`; the declared fee it would have paid without a refund.
fn apply(ext: &mut Ext, kp: &Keypair, call: Call) -> (ApplyOutcome, Balance) {
    let xt = signed(ext, kp, call);
    let declared_fee = fee_info(ext, &xt).expect("fee info").partial_fee;
    let outcome = apply_extrinsic(ext, &block(1), &xt).expect("included");
    (outcome, declared_fee)
}

fn token_balance(ext: &mut Ext, token: AccountId, who: AccountId) -> Balance {
    let run = contracts_dry_run_call(ext, who, token, 0, GAS, None, message("balance_of", (who,)));
    assert_eq!(run.result.error, None);
    Balance::decode(&mut &run.result.output[..]).expect("u128")
}

#[test]
fn token_upload_deploy_and_transfer_through_signed_extrinsics() {
    let (alice, bob) = (key("alice"), key("bob"));
    let (a, b) = (alice.account_id(), bob.account_id());
    let mut ext = chain(&alice, &bob);
    let issuance = total_issuance(&ext);
    let code = token_wasm();
    let code_hash = hm_primitives::blake3_256(&code);

    // Upload: the unused part of the compile bound is refunded.
    let upload = Call::Contracts(contracts::Call::UploadCode {
        code: code.clone(),
        storage_deposit_limit: None,
    });
    let (outcome, declared_fee) = apply(&mut ext, &alice, upload);
    assert_eq!(outcome.result, Ok(()));
    assert!(
        outcome.fee < declared_fee / 2,
        "{} vs {declared_fee}",
        outcome.fee
    );
    let code_deposit = contracts_code_info(&ext, &code_hash)
        .expect("stored")
        .deposit;
    assert_eq!(free(&ext, &a), FUNDS - outcome.fee - code_deposit);
    assert_eq!(
        free(&ext, &AUTHOR),
        outcome.fee,
        "the author keeps what was used"
    );
    assert_eq!(contracts_code(&ext, &code_hash), Some(code));

    // Deploy with 1 000 000 tokens to Alice, then give Bob 250.
    let deploy = Call::Contracts(contracts::Call::Instantiate {
        code_hash,
        value: 0,
        gas_limit: GAS,
        storage_deposit_limit: None,
        input: 1_000_000u128.encode(),
        salt: b"t".to_vec(),
    });
    let (outcome, _) = apply(&mut ext, &alice, deploy);
    assert_eq!(outcome.result, Ok(()));
    let token = contract_address(&a, &code_hash, b"t");
    assert_eq!(contracts_contract_info(&ext, &token).unwrap().deployer, a);
    assert!(events(&ext).iter().any(|r| matches!(
        &r.event,
        RuntimeEvent::Contracts(contracts::Event::Instantiated { contract, .. }) if *contract == token
    )));

    let transfer = Call::Contracts(contracts::Call::Call {
        dest: token,
        value: 0,
        gas_limit: GAS,
        storage_deposit_limit: None,
        input: message("transfer", (b, 250u128)),
    });
    let (outcome, declared_fee) = apply(&mut ext, &alice, transfer);
    assert_eq!(outcome.result, Ok(()));
    assert!(outcome.fee < declared_fee);
    assert_eq!(token_balance(&mut ext, token, b), 250);
    assert_eq!(token_balance(&mut ext, token, a), 999_750);
    let emitted = events(&ext)
        .into_iter()
        .filter(|r| {
            matches!(
                r.event,
                RuntimeEvent::Contracts(contracts::Event::ContractEmitted { .. })
            )
        })
        .count();
    assert_eq!(emitted, 2, "the mint and the transfer, both in block 1");

    // Bob overspends: the call reverts, Bob pays only for the gas used, nonce bumped.
    let bob_before = free(&ext, &b);
    let overspend = Call::Contracts(contracts::Call::Call {
        dest: token,
        value: 0,
        gas_limit: GAS,
        storage_deposit_limit: None,
        input: message("transfer", (a, 1_000u128)),
    });
    let (outcome, declared_fee) = apply(&mut ext, &bob, overspend);
    assert_eq!(
        outcome.result,
        Err(contracts::Error::ContractReverted.into())
    );
    assert!(outcome.fee < declared_fee);
    assert_eq!(free(&ext, &b), bob_before - outcome.fee);
    assert_eq!(account_summary(&ext, &b).2, 1);
    assert_eq!(token_balance(&mut ext, token, b), 250);

    // Storage read back the way RPC does.
    let mut balance_key = b"b".to_vec();
    b.encode_to(&mut balance_key);
    assert_eq!(
        contracts_storage(&ext, &token, &balance_key),
        Some(250u128.encode())
    );
    assert_eq!(
        ext.storage_get(&contracts_storage_key(&token, &balance_key)),
        Some(250u128.encode())
    );

    // Issuance is conserved: every planck is in one of these accounts.
    let pot = contracts::deposit_account();
    let accounts = [a, b, AUTHOR, pot, token];
    let held: Balance = accounts.iter().map(|w| free(&ext, w)).sum();
    assert_eq!(total_issuance(&ext), held);
    assert_eq!(
        total_issuance(&ext),
        issuance + DEFAULT_EXISTENTIAL_DEPOSIT,
        "+ the pot's floor"
    );
}

#[test]
fn dry_runs_report_events_and_leave_no_trace() {
    let (alice, bob) = (key("alice"), key("bob"));
    let a = alice.account_id();
    let mut ext = chain(&alice, &bob);
    let code = token_wasm();
    let upload = contracts_dry_run_upload(&mut ext, a, &code, None);
    assert_eq!(upload.error, None);
    assert!(upload.gas_used > 0 && upload.deposit > 0);
    let before = ext.state.state.clone();
    let (outcome, _) = apply(
        &mut ext,
        &alice,
        Call::Contracts(contracts::Call::UploadCode {
            code,
            storage_deposit_limit: None,
        }),
    );
    assert_eq!(outcome.result, Ok(()));
    let after_upload = ext.state.state.clone();
    assert_ne!(before, after_upload);

    let run = contracts_dry_run_instantiate(
        &mut ext,
        a,
        upload.code_hash,
        0,
        GAS,
        None,
        5u128.encode(),
        vec![],
    );
    assert_eq!(run.result.error, None);
    assert_eq!(
        run.result.contract,
        Some(contract_address(&a, &upload.code_hash, &[]))
    );
    assert!(matches!(run.result.storage_deposit, StorageDeposit::Charge(d) if d > 0));
    assert_eq!(run.events.len(), run.result.events.len());
    assert!(run.events.iter().any(|r| matches!(
        r.event,
        RuntimeEvent::Contracts(contracts::Event::Instantiated { .. })
    )));
    assert_eq!(ext.state.state, after_upload, "nothing persisted");
}
