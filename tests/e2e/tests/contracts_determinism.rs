//! Contract execution is deterministic across nodes: a dev validator runs contract calls
//! (token transfers, a contract that makes floating-point NaNs and stores their bits, an
//! out-of-gas loop) and a second full node that syncs the finalized blocks over libp2p,
//! re-executing them with its own executor and an empty compile cache, computes the same
//! state root at every height. The NaN bits are the canonical ones on both: without NaN
//! canonicalisation x86 would store its negative "default NaN" and keep payloads.
#[allow(dead_code)]
use hm_e2e::contract_tx::{call, instantiate, selector, upload, ContractClient, ContractsError};
use hm_e2e::testnet::wait_peer_id;
use hm_e2e::{tail, Node};
use hm_primitives::{AccountId, H256};
use parity_scale_codec::Encode;
use std::path::Path;
use std::time::{Duration, Instant};

const GAS: u64 = 50_000_000;
const CANONICAL_F32: u32 = 0x7fc0_0000;
const CANONICAL_F64: u64 = 0x7ff8_0000_0000_0000;
/// f32 results stored by the NaN contract, then f64 results.
const F32_RESULTS: usize = 5;
const F64_RESULTS: usize = 5;

/// Each NaN-producing operation's result, stored under `nan` as 5 × f32 then 5 × f64 bits.
/// Operands come from the input so nothing is folded at compile time:
/// `[0.0f32, 1.0f32, sNaN-with-payload f32 bits, +inf f32, 0.0f64, +inf f64,
///   sNaN-with-payload f64 bits]`.
fn nan_contract() -> Vec<u8> {
    wat::parse_str(
        r#"(module
          (import "hm" "input_read" (func $input_read (param i32)))
          (import "hm" "storage_set" (func $set (param i32 i32 i32 i32) (result i32)))
          (memory (export "memory") 1)
          (data (i32.const 500) "nan")
          (func (export "deploy"))
          (func (export "call")
            (call $input_read (i32.const 0))
            ;; 0/0
            (f32.store (i32.const 100) (f32.div (f32.load (i32.const 0)) (f32.load (i32.const 0))))
            ;; sqrt(-1)
            (f32.store (i32.const 104) (f32.sqrt (f32.neg (f32.load (i32.const 4)))))
            ;; arithmetic on a signalling NaN with a payload
            (f32.store (i32.const 108) (f32.add (f32.load (i32.const 8)) (f32.load (i32.const 4))))
            ;; inf * 0
            (f32.store (i32.const 112) (f32.mul (f32.load (i32.const 12)) (f32.load (i32.const 0))))
            ;; min with a payload NaN, and demotion of an f64 payload NaN
            (f32.store (i32.const 116) (f32.add
              (f32.min (f32.load (i32.const 8)) (f32.load (i32.const 4)))
              (f32.demote_f64 (f64.load (i32.const 32)))))
            ;; 0/0, inf - inf, payload NaN + 1, promotion of an f32 payload NaN, max
            (f64.store (i32.const 120) (f64.div (f64.load (i32.const 16)) (f64.load (i32.const 16))))
            (f64.store (i32.const 128) (f64.sub (f64.load (i32.const 24)) (f64.load (i32.const 24))))
            (f64.store (i32.const 136) (f64.add (f64.load (i32.const 32)) (f64.const 1)))
            (f64.store (i32.const 144) (f64.promote_f32 (f32.load (i32.const 8))))
            (f64.store (i32.const 152) (f64.max (f64.load (i32.const 32)) (f64.load (i32.const 16))))
            (drop (call $set (i32.const 500) (i32.const 3) (i32.const 100) (i32.const 60)))))"#,
    )
    .expect("valid WAT")
}

fn nan_input() -> Vec<u8> {
    let mut input = Vec::new();
    input.extend_from_slice(&0.0f32.to_le_bytes());
    input.extend_from_slice(&1.0f32.to_le_bytes());
    input.extend_from_slice(&0x7fa0_0001u32.to_le_bytes());
    input.extend_from_slice(&f32::INFINITY.to_le_bytes());
    input.extend_from_slice(&0.0f64.to_le_bytes());
    input.extend_from_slice(&f64::INFINITY.to_le_bytes());
    input.extend_from_slice(&0x7ff4_0000_0000_0001u64.to_le_bytes());
    input
}

fn looper() -> Vec<u8> {
    wat::parse_str(
        r#"(module (memory (export "memory") 1)
             (func (export "deploy")) (func (export "call") (loop $l (br $l))))"#,
    )
    .expect("valid WAT")
}

/// The example token, built by `scripts/build-contracts.sh`.
fn token_wasm() -> anyhow::Result<Vec<u8>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../contracts/target-wasm/token.wasm");
    std::fs::read(&path).map_err(|e| {
        anyhow::anyhow!(
            "{}: {e}; build the example contracts with scripts/build-contracts.sh",
            path.display()
        )
    })
}

fn transfer_input(to: AccountId, value: u128) -> Vec<u8> {
    let mut input = selector("transfer");
    input.extend_from_slice(&(to, value).encode());
    input
}

/// Extra rounds of calls after the first ones.
const ROUNDS: u128 = 4;

/// Run the contract workload on `client` as Bob and Charlie; returns the token and the
/// NaN contract.
async fn workload(client: &ContractClient) -> anyhow::Result<(AccountId, AccountId)> {
    let bob = hm_crypto::dev_keypair("bob").unwrap();
    let charlie = hm_crypto::dev_keypair("charlie").unwrap();
    let uploads = vec![
        upload(token_wasm()?),
        upload(nan_contract()),
        upload(looper()),
    ];
    let stored = client.submit_all(&bob, uploads).await?;
    let hashes: Vec<_> = stored
        .iter()
        .map(|i| i.code_stored())
        .collect::<anyhow::Result<_>>()?;
    let created = client
        .submit_all(
            &bob,
            vec![
                instantiate(hashes[0], GAS, 1_000_000u128.encode(), vec![1]),
                instantiate(hashes[1], GAS, Vec::new(), vec![2]),
                instantiate(hashes[2], GAS, Vec::new(), vec![3]),
            ],
        )
        .await?;
    let token = created[0].instantiated()?;
    let nan = created[1].instantiated()?;
    let looper = created[2].instantiated()?;

    let charlie_id = charlie.account_id();
    let bob_calls = vec![
        call(token, GAS, transfer_input(charlie_id, 250_000)),
        call(nan, GAS, nan_input()),
        call(token, GAS, transfer_input(charlie_id, 1)),
        call(looper, 5_000_000, Vec::new()),
    ];
    let bob_done = client.submit_all(&bob, bob_calls).await?;
    // Charlie holds tokens only once Bob's first transfer is in.
    let charlie_done = client
        .submit_all(
            &charlie,
            vec![call(token, GAS, transfer_input(bob.account_id(), 100_000))],
        )
        .await?;
    for done in bob_done.iter().take(3).chain(&charlie_done) {
        done.expect_success()?;
    }
    bob_done[3].expect_contracts_error(ContractsError::OutOfGas)?;
    // More blocks with contract state changes, one round per block or so.
    for _ in 0..ROUNDS {
        let round = vec![
            call(token, GAS, transfer_input(charlie_id, 1)),
            call(nan, GAS, nan_input()),
        ];
        for done in client.submit_all(&bob, round).await? {
            done.expect_success()?;
        }
    }
    Ok((token, nan))
}

/// The token's balance entry: `b ‖ account`, SCALE u128.
async fn token_balance(
    client: &ContractClient,
    token: &AccountId,
    who: &AccountId,
    at: H256,
) -> anyhow::Result<u128> {
    let mut key = b"b".to_vec();
    key.extend_from_slice(&who.0);
    let raw = client.contract_storage_at(token, &key, at).await?;
    Ok(raw.map_or(0, |v| u128::from_le_bytes(v.try_into().expect("a u128"))))
}

fn nan_bits(raw: &[u8]) -> (Vec<u32>, Vec<u64>) {
    let (f32s, f64s) = raw.split_at(4 * F32_RESULTS);
    (
        f32s.chunks(4)
            .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
            .collect(),
        f64s.chunks(8)
            .map(|c| u64::from_le_bytes(c.try_into().unwrap()))
            .collect(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_syncing_full_node_computes_the_same_state_roots_for_contract_calls() -> anyhow::Result<()>
{
    let dir = tempfile::tempdir()?;
    let validator = Node::start(
        &dir.path().join("alice"),
        &["--dev", "--no-mdns", "--block-time-ms", "250"],
    )
    .await?;
    let peer_id = wait_peer_id(&validator, Duration::from_secs(30)).await?;
    let bootnode = format!("/ip4/127.0.0.1/tcp/{}/p2p/{peer_id}", validator.p2p_port);
    let follower = Node::start(
        &dir.path().join("full"),
        &["--chain", "dev", "--no-mdns", "--bootnodes", &bootnode],
    )
    .await?;

    let client = ContractClient::connect(&validator.rpc_url()).await?;
    let (token, nan) = workload(&client).await?;
    let target = validator.finalized_number().await?;
    follower
        .wait_finalized(target, Duration::from_secs(60))
        .await
        .map_err(|e| e.context(format!("follower log:\n{}", tail(&follower.log(), 40))))?;

    let follower_client = ContractClient::connect(&follower.rpc_url()).await?;
    let started = Instant::now();
    for height in 1..=target {
        let hash = validator.block_hash(height).await?;
        assert_eq!(
            hash,
            follower.block_hash(height).await?,
            "block #{height} differs"
        );
        let hash =
            H256::from_hex(hash.as_deref().unwrap_or_default()).map_err(anyhow::Error::msg)?;
        let ours = client.header(hash).await?.state_root;
        let theirs = follower_client.header(hash).await?.state_root;
        assert_eq!(ours, theirs, "state root of #{height}");
    }
    eprintln!(
        "compared {target} heights in {:.1}s",
        started.elapsed().as_secs_f64()
    );

    // Both nodes' state holds the canonical NaNs, read at the same finalized block.
    let at = H256::from_hex(
        validator
            .block_hash(target)
            .await?
            .as_deref()
            .unwrap_or_default(),
    )
    .map_err(anyhow::Error::msg)?;
    let mut stored = Vec::new();
    for c in [&client, &follower_client] {
        let raw = c
            .contract_storage_at(&nan, b"nan", at)
            .await?
            .expect("the NaN contract stored its results");
        stored.push(raw);
    }
    assert_eq!(stored[0], stored[1]);
    let (f32s, f64s) = nan_bits(&stored[0]);
    assert_eq!(f32s, vec![CANONICAL_F32; F32_RESULTS], "{f32s:x?}");
    assert_eq!(f64s, vec![CANONICAL_F64; F64_RESULTS], "{f64s:x?}");

    // And the same token balances, the ones the calls imply.
    let bob = hm_crypto::dev_keypair("bob").unwrap().account_id();
    let charlie = hm_crypto::dev_keypair("charlie").unwrap().account_id();
    for c in [&client, &follower_client] {
        let balances = (
            token_balance(c, &token, &bob, at).await?,
            token_balance(c, &token, &charlie, at).await?,
        );
        let charlie_holds = 250_000 + 1 - 100_000 + ROUNDS;
        assert_eq!(balances, (1_000_000 - charlie_holds, charlie_holds));
    }
    Ok(())
}
