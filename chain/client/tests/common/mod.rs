//! A client on a fresh RocksDB with funded dev accounts, a verifier that accepts every
//! header (these tests are about execution and storage, not consensus) and signing helpers.
#![allow(dead_code)]

use hm_client::{Client, GenesisStorage};
use hm_consensus_api::{BlockVerifier, VerifyContext, VerifyError};
use hm_crypto::Keypair;
use hm_primitives::{
    AccountId, Header, Justification, SignedBlock, SignedExtra, SignedPart, Signer,
    UncheckedExtrinsic, UNITS,
};
use hm_runtime::{Call, GenesisAccount, GenesisConfig};
use hm_storage::{ChainDb, DbConfig};
use parity_scale_codec::Encode;
use std::path::Path;
use std::sync::Arc;

pub const FUNDS: u128 = 1_000_000 * UNITS;

pub struct AcceptAll;

impl BlockVerifier for AcceptAll {
    fn verify_header(&self, _: &Header, _: &Header, _: &VerifyContext) -> Result<(), VerifyError> {
        Ok(())
    }
    fn verify_justification(
        &self,
        _: &Header,
        _: &Justification,
        _: &VerifyContext,
    ) -> Result<(), VerifyError> {
        Ok(())
    }
}

pub fn key(name: &str) -> Keypair {
    hm_crypto::dev_keypair(name).expect("dev key")
}

/// Alice, bob, charlie and dave funded, with their public keys stored.
pub fn genesis() -> GenesisStorage {
    let accounts = ["alice", "bob", "charlie", "dave"]
        .iter()
        .map(|name| {
            let k = key(name);
            let hex: String = k
                .public()
                .as_bytes()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            GenesisAccount {
                account: k.account_id(),
                public_key: Some(format!("0x{hex}")),
                balance: FUNDS,
            }
        })
        .collect();
    hm_runtime::genesis_storage(&GenesisConfig::with_defaults(accounts, None)).expect("genesis")
}

pub fn open_db(dir: &Path, config: &DbConfig) -> Arc<ChainDb> {
    Arc::new(ChainDb::open_with(&dir.join("db"), config).expect("db"))
}

pub fn client_on(db: Arc<ChainDb>) -> Client {
    Client::open(db, &genesis(), Arc::new(AcceptAll)).expect("client")
}

/// `call` signed by `kp` with `nonce`, for `client`'s chain.
pub fn signed(client: &Client, kp: &Keypair, nonce: u64, call: Call) -> Vec<u8> {
    let extra = SignedExtra {
        nonce,
        tip: 0,
        valid_until: 1_000_000,
    };
    let genesis_hash = client.chain_info().genesis_hash;
    let msg = hm_primitives::signing_message(
        &genesis_hash,
        hm_runtime::VERSION.spec_version,
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

pub fn transfer(dest: AccountId, value: u128) -> Call {
    Call::Caesar(hm_pallet_caesar::Call::Transfer { dest, value })
}

/// Build a block of `extrinsics` on the best block and import it as final.
pub fn build_and_import(client: &Client, extrinsics: Vec<Vec<u8>>) -> SignedBlock {
    let best = client.chain_info();
    let candidates = extrinsics
        .into_iter()
        .map(|xt| (hm_primitives::blake3_256(&xt), xt))
        .collect();
    let timestamp_ms = (best.best_number + 1) * 1_000;
    let built = client
        .build_block(AccountId::default(), timestamp_ms, candidates, Vec::new())
        .expect("build");
    assert!(built.rejected.is_empty(), "{:?}", built.rejected);
    let signed = SignedBlock {
        block: built.block,
        justification: Some(Justification {
            engine_id: *b"test",
            data: Vec::new(),
        }),
    };
    client.import_block(signed.clone(), true).expect("import");
    signed
}
