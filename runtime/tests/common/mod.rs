//! Test chain: real Falcon signatures over an in-memory state.
#![allow(dead_code)]
use hm_crypto::Keypair;
use hm_primitives::{
    AccountId, Balance, Nonce, SignedExtra, SignedPart, Signer, UncheckedExtrinsic, H256, UNITS,
};
use hm_runtime::*;
use hm_support::{ContractEngine, Externalities, MemoryExt};
use parity_scale_codec::Encode;
use std::sync::Arc;
use std::sync::OnceLock;

pub const GENESIS_HASH: H256 = H256([7; 32]);
pub const ED: Balance = UNITS / 1_000;
pub const AUTHOR: AccountId = AccountId([0xAA; 32]);

/// `MemoryExt` whose `falcon_verify` really verifies (hm-crypto, as the node does),
/// with the node's contract executor when a test sets one.
#[derive(Clone, Default)]
pub struct SigExt {
    pub inner: MemoryExt,
    pub engine: Option<Arc<dyn ContractEngine>>,
}

impl Externalities for SigExt {
    fn storage_get(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.inner.storage_get(key)
    }
    fn storage_set(&mut self, key: &[u8], value: &[u8]) {
        self.inner.storage_set(key, value)
    }
    fn storage_remove(&mut self, key: &[u8]) {
        self.inner.storage_remove(key)
    }
    fn falcon_verify(&self, public_key: &[u8], message: &[u8], signature: &[u8]) -> bool {
        hm_crypto::falcon::verify_raw(public_key, message, signature)
    }
    fn storage_next_key(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.inner.storage_next_key(key)
    }
    fn contract_engine(&self) -> Option<Arc<dyn ContractEngine>> {
        self.engine.clone()
    }
}

/// `finalize_block`, then every pallet's invariants (`try_state`), as every
/// test that builds a block checks them.
pub fn finalize_checked(ext: &mut dyn Externalities, ctx: &BlockContext) {
    finalize_block(ext, ctx);
    if let Err((pallet, broken)) = try_state(ext) {
        panic!(
            "{pallet}'s invariant broke in block #{}: {broken}",
            ctx.number
        );
    }
}

fn dev(name: &'static str, cell: &'static OnceLock<Keypair>) -> &'static Keypair {
    cell.get_or_init(|| hm_crypto::dev_keypair(name).expect("dev key exists"))
}

pub fn alice() -> &'static Keypair {
    static K: OnceLock<Keypair> = OnceLock::new();
    dev("alice", &K)
}
pub fn bob() -> &'static Keypair {
    static K: OnceLock<Keypair> = OnceLock::new();
    dev("bob", &K)
}
pub fn charlie() -> &'static Keypair {
    static K: OnceLock<Keypair> = OnceLock::new();
    dev("charlie", &K)
}
pub fn dave() -> &'static Keypair {
    static K: OnceLock<Keypair> = OnceLock::new();
    dev("dave", &K)
}
pub fn eve() -> &'static Keypair {
    static K: OnceLock<Keypair> = OnceLock::new();
    dev("eve", &K)
}
pub fn ferdie() -> &'static Keypair {
    static K: OnceLock<Keypair> = OnceLock::new();
    dev("ferdie", &K)
}

pub const EPOCH: u64 = 5;
pub const PLOT_K: u8 = 12;
pub const BOND: Balance = 1_000 * UNITS;
pub const REWARD: Balance = UNITS;

pub fn plot_of(kp: &Keypair) -> PlotCommitment {
    PlotCommitment {
        root: H256(kp.account_id().0),
        k: PLOT_K,
        seed: hm_primitives::blake3_256(&kp.account_id().0),
    }
}

/// Alice, Bob, Charlie and Dave validate with their account keys and bond
/// `BOND` each; Eve and Ferdie are funded. Everyone holds 10 000 CAES and has
/// a stored key; Alice holds the root key.
pub fn validator_genesis() -> GenesisConfig {
    let everyone = [alice(), bob(), charlie(), dave(), eve(), ferdie()];
    let validators = everyone[..4]
        .iter()
        .map(|kp| GenesisValidator {
            stash: kp.account_id(),
            bond: BOND,
            consensus_key: kp.account_id().to_address(),
            plot: plot_of(kp),
        })
        .collect();
    GenesisConfig {
        accounts: everyone
            .iter()
            .map(|kp| GenesisAccount {
                account: kp.account_id(),
                public_key: Some(format!("0x{}", hex::encode(kp.public().as_bytes()))),
                balance: 10_000 * UNITS,
            })
            .collect(),
        staking: StakingGenesis {
            validators,
            epoch_length: EPOCH,
            unbonding_period: 2,
            min_validator_bond: 100 * UNITS,
            max_validators: 5,
            block_reward: REWARD,
            min_plot_k: PLOT_K,
            proof_params: ProofParams {
                plot_k: PLOT_K,
                ..ProofParams::LOCAL_TESTNET
            },
        },
        ..genesis()
    }
}

/// A block of the validator chain, proposed by `author`'s key.
pub fn block_by(number: u64, author: &Keypair) -> BlockContext {
    BlockContext {
        author: author.account_id(),
        ..block(number)
    }
}

/// Finalize the current block and run empty blocks up to `target` (started,
/// not finalized), each proposed by `author`.
pub fn run_to(ext: &mut SigExt, target: u64, author: &Keypair) {
    let mut number = hm_pallet_system::block_number(ext);
    while number < target {
        finalize_checked(ext, &block_by(number, author));
        number += 1;
        initialize_block(ext, &block_by(number, author));
    }
}

/// The next nonce-correct signed extrinsic of `kp` (its key is stored).
pub fn next_signed(ext: &SigExt, kp: &Keypair, call: Call) -> Vec<u8> {
    signed_with(
        kp,
        &TxSpec {
            full_key: false,
            nonce: nonce(ext, &kp.account_id()),
            ..Default::default()
        },
        call,
    )
}

/// Large enough that every fee exceeds the ED, so the author is always credited.
pub fn fees() -> FeeParams {
    FeeParams {
        length_fee_per_byte: 1_000_000,
        weight_fee_per_unit: 1,
    }
}

/// Genesis: alice and bob hold 1000 CAES (no stored keys), alice holds the root key.
pub fn genesis() -> GenesisConfig {
    GenesisConfig {
        accounts: vec![
            GenesisAccount {
                account: alice().account_id(),
                public_key: None,
                balance: 1_000 * UNITS,
            },
            GenesisAccount {
                account: bob().account_id(),
                public_key: None,
                balance: 1_000 * UNITS,
            },
        ],
        root_key: Some(alice().account_id()),
        existential_deposit: ED,
        fees: fees(),
        max_block_weight: hm_pallet_system::DEFAULT_MAX_BLOCK_WEIGHT,
        max_block_length: hm_pallet_system::DEFAULT_MAX_BLOCK_LENGTH,
        staking: StakingGenesis::default(),
        governance: GovernanceGenesis::default(),
    }
}

pub fn block(number: u64) -> BlockContext {
    BlockContext {
        number,
        timestamp_ms: 1_000 * number,
        parent_hash: H256([number as u8; 32]),
        author: AUTHOR,
        genesis_hash: GENESIS_HASH,
    }
}

pub fn tx_ctx(best_number: u64) -> TxContext {
    TxContext {
        genesis_hash: GENESIS_HASH,
        best_number,
    }
}

/// A chain built from `config`, with block 1 initialized.
pub fn chain_with(config: &GenesisConfig) -> SigExt {
    let mut ext = SigExt::default();
    build_genesis(&mut ext, config).expect("genesis builds");
    initialize_block(&mut ext, &block(1));
    ext
}

pub fn chain() -> SigExt {
    chain_with(&genesis())
}

/// Everything a test may want to vary in a signed extrinsic.
#[derive(Clone)]
pub struct TxSpec {
    pub full_key: bool,
    pub nonce: Nonce,
    pub tip: Balance,
    pub valid_until: u64,
    pub genesis_hash: H256,
    pub spec_version: u32,
}

impl Default for TxSpec {
    fn default() -> Self {
        TxSpec {
            full_key: true,
            nonce: 0,
            tip: 0,
            valid_until: 1_000,
            genesis_hash: GENESIS_HASH,
            spec_version: VERSION.spec_version,
        }
    }
}

pub fn signed_with(kp: &Keypair, spec: &TxSpec, call: Call) -> Vec<u8> {
    let extra = SignedExtra {
        nonce: spec.nonce,
        tip: spec.tip,
        valid_until: spec.valid_until,
    };
    let msg = hm_primitives::signing_message(
        &spec.genesis_hash,
        spec.spec_version,
        &kp.account_id(),
        &extra,
        &call,
    );
    let signer = if spec.full_key {
        Signer::FullKey(kp.public().clone())
    } else {
        Signer::Id(kp.account_id())
    };
    let signature = kp.sign(msg.as_bytes());
    UncheckedExtrinsic {
        signed: Some(SignedPart {
            signer,
            extra,
            signature,
        }),
        call,
    }
    .encode()
}

/// First-transaction form (full key) with the given nonce.
pub fn signed(kp: &Keypair, nonce: Nonce, call: Call) -> Vec<u8> {
    signed_with(
        kp,
        &TxSpec {
            nonce,
            ..Default::default()
        },
        call,
    )
}

pub fn transfer(dest: AccountId, value: Balance) -> Call {
    Call::Caesar(hm_pallet_caesar::Call::Transfer { dest, value })
}

pub fn free(ext: &dyn Externalities, who: &AccountId) -> Balance {
    account_summary(ext, who).0
}

pub fn nonce(ext: &dyn Externalities, who: &AccountId) -> Nonce {
    account_summary(ext, who).2
}

/// `TotalIssuance == Σ(free + reserved)` over every stored account.
pub fn assert_issuance_matches(ext: &MemoryExt) {
    let prefix = &account_storage_key(&AccountId::default())[..32];
    let mut sum: Balance = 0;
    for (key, value) in ext.state.iter().filter(|(k, _)| k.starts_with(prefix)) {
        assert_eq!(key.len(), 80, "account key layout");
        let data =
            <hm_pallet_caesar::AccountData as parity_scale_codec::Decode>::decode(&mut &value[..])
                .unwrap();
        sum = sum
            .checked_add(data.free)
            .and_then(|s| s.checked_add(data.reserved))
            .expect("sum fits");
    }
    assert_eq!(total_issuance(ext), sum);
    assert_eq!(try_state(ext), Ok(()));
}
