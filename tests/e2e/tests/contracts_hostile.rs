//! Hostile contracts on a real `--dev` node: each fails with the contracts pallet's error
//! for it, rolls its changes back, and the caller pays exactly the fee of the weight it
//! was charged (for executions: the gas it used); the validator keeps finalizing blocks.
#[allow(dead_code)]
use hm_e2e::contract_tx::{
    call, call_weight, instantiate, refused_upload_weight, upload, ContractClient, ContractsError,
    Included,
};
use hm_e2e::{tail, Node};
use hm_primitives::{AccountId, H256, MAX_EXTRINSIC_BYTES};
use std::time::Duration;

const BLOCK_MS: &str = "250";
/// Gas for calls that are expected to finish (or trap) early.
const GAS: u64 = 50_000_000;
/// Gas for the infinite loop: all of it is burned.
const LOOP_GAS: u64 = 20_000_000;

async fn dev_node(dir: &std::path::Path) -> anyhow::Result<Node> {
    Node::start(dir, &["--dev", "--no-mdns", "--block-time-ms", BLOCK_MS]).await
}

fn wat(text: &str) -> Vec<u8> {
    wat::parse_str(text).expect("test module is valid WAT")
}

/// A contract whose `call` runs `body`; `extra` adds imports and functions.
fn contract(extra: &str, body: &str) -> Vec<u8> {
    wat(&format!(
        r#"(module
            (import "hm" "input_len" (func $input_len (result i32)))
            (import "hm" "input_read" (func $input_read (param i32)))
            (import "hm" "return_value" (func $return_value (param i32 i32 i32)))
            (import "hm" "storage_set" (func $set (param i32 i32 i32 i32) (result i32)))
            (import "hm" "call" (func $call (param i32 i32 i64 i32 i32) (result i32)))
            {extra}
            (memory (export "memory") 1)
            (data (i32.const 100) "k")
            (func (export "deploy"))
            (func (export "call") {body}))"#
    ))
}

/// Writes `k`, then loops forever.
fn looper() -> Vec<u8> {
    contract(
        "",
        r#"(drop (call $set (i32.const 100) (i32.const 1) (i32.const 100) (i32.const 1)))
           (loop $forever (br $forever))"#,
    )
}

/// Grows memory a page at a time until refused and stores the page count under `k`.
/// Input `[1]`: then also writes just past the end of memory, which traps.
fn memory_hog() -> Vec<u8> {
    contract(
        "",
        r#"(loop $grow (br_if $grow (i32.ne (memory.grow (i32.const 1)) (i32.const -1))))
           (i32.store (i32.const 200) (memory.size))
           (drop (call $set (i32.const 100) (i32.const 1) (i32.const 200) (i32.const 4)))
           (call $input_read (i32.const 300))
           (if (i32.eq (i32.load8_u (i32.const 300)) (i32.const 1))
             (then (i32.store (i32.mul (memory.size) (i32.const 65536)) (i32.const 1))))"#,
    )
}

/// Recurses without end after writing `k`.
fn recursor() -> Vec<u8> {
    contract(
        "(func $again (param i64) (result i64) (i64.add (call $again (local.get 0)) (i64.const 1)))",
        r#"(drop (call $set (i32.const 100) (i32.const 1) (i32.const 100) (i32.const 1)))
           (drop (call $again (i64.const 0)))"#,
    )
}

/// Calls the contract in the first 32 input bytes with the rest of the input; reverts
/// when that call does not succeed, so a refusal deep down fails the whole chain.
fn forwarder() -> Vec<u8> {
    contract(
        "",
        r#"(local $n i32) (local $status i32)
           (local.set $n (call $input_len))
           (if (i32.lt_u (local.get $n) (i32.const 32)) (then (return)))
           (call $input_read (i32.const 1024))
           (local.set $status (call $call (i32.const 1024) (i32.const 512) (i64.const 0)
               (i32.const 1056) (i32.sub (local.get $n) (i32.const 32))))
           (i32.store (i32.const 0) (local.get $status))
           (if (local.get $status)
             (then (call $return_value (i32.const 1) (i32.const 0) (i32.const 4))))"#,
    )
}

fn leb(mut n: u64, out: &mut Vec<u8>) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// A binary module from `(section id, contents)` pairs, for counts no WAT would write.
fn binary(sections: &[(u8, Vec<u8>)]) -> Vec<u8> {
    let mut out = b"\0asm\x01\0\0\0".to_vec();
    for (id, contents) in sections {
        out.push(*id);
        leb(contents.len() as u64, &mut out);
        out.extend_from_slice(contents);
    }
    out
}

/// One type `() -> ()`.
fn type_section() -> (u8, Vec<u8>) {
    (1, vec![1, 0x60, 0, 0])
}

/// Declares 2^32 - 1 functions in six bytes.
fn billions_of_functions() -> Vec<u8> {
    let mut functions = Vec::new();
    leb(u64::from(u32::MAX), &mut functions);
    binary(&[type_section(), (3, functions)])
}

/// One function declaring 2^32 - 1 locals in one run-length entry.
fn billions_of_locals() -> Vec<u8> {
    let mut body = vec![1];
    leb(u64::from(u32::MAX), &mut body);
    body.extend_from_slice(&[0x7f, 0x0b]);
    let mut code = vec![1];
    leb(body.len() as u64, &mut code);
    code.extend_from_slice(&body);
    binary(&[type_section(), (3, vec![1, 0]), (10, code)])
}

fn many_functions(n: usize) -> Vec<u8> {
    let funcs: String = (0..n).map(|i| format!("(func $f{i})")).collect();
    contract(&funcs, "")
}

fn many_locals(n: usize) -> Vec<u8> {
    contract(&format!("(func $big (local {}))", "i64 ".repeat(n)), "")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_uploads_are_refused_with_clear_errors_and_pay_for_the_check() -> anyhow::Result<()>
{
    let dir = tempfile::tempdir()?;
    let node = dev_node(dir.path()).await?;
    let client = ContractClient::connect(&node.rpc_url()).await?;
    let bob = hm_crypto::dev_keypair("bob").unwrap();
    let bob_id = bob.account_id();

    use ContractsError::*;
    let simd = contract(
        "",
        "(drop (i32x4.extract_lane 0 (v128.const i32x4 1 2 3 4)))",
    );
    let cases: Vec<(&str, Vec<u8>, ContractsError)> = vec![
        (
            "malformed: not wasm",
            b"this is not wasm".to_vec(),
            CodeMalformed,
        ),
        (
            "malformed: bad section",
            b"\0asm\x01\0\0\0\x01\xff\xff\xff".to_vec(),
            CodeMalformed,
        ),
        (
            "malformed: truncated",
            looper()[..60].to_vec(),
            CodeMalformed,
        ),
        (
            "unknown host function",
            contract(r#"(import "hm" "launch_missiles" (func $x))"#, ""),
            CodeUnknownImport,
        ),
        (
            "import from another module",
            contract(
                r#"(import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))"#,
                "",
            ),
            CodeUnknownImport,
        ),
        (
            "host function with the wrong signature",
            contract(r#"(import "hm" "gas_left" (func $g (result i32)))"#, ""),
            CodeUnknownImport,
        ),
        ("SIMD", simd, CodeUsesDisabledFeature),
        (
            "threads: shared memory and atomics",
            wat(r#"(module (memory (export "memory") 1 1 shared)
                 (func (export "deploy")) (func (export "call")
                   (drop (i32.atomic.load (i32.const 0)))))"#),
            CodeUsesDisabledFeature,
        ),
        ("1,100 functions", many_functions(1_100), CodeExceedsLimits),
        (
            "2^32-1 declared functions",
            billions_of_functions(),
            CodeExceedsLimits,
        ),
        ("1,025 locals", many_locals(1_025), CodeExceedsLimits),
        (
            "2^32-1 declared locals",
            billions_of_locals(),
            CodeExceedsLimits,
        ),
        (
            "17 initial memory pages",
            wat(
                r#"(module (memory (export "memory") 17) (func (export "deploy")) (func (export "call")))"#,
            ),
            CodeExceedsLimits,
        ),
    ];
    for (name, code, expected) in cases {
        let len = code.len();
        let code_hash = hm_primitives::blake3_256(&code);
        let included = client.submit(&bob, upload(code)).await?;
        included
            .expect_contracts_error(expected)
            .map_err(|e| e.context(name))?;
        // Refused during validation: charged the check only, never a compile.
        assert_eq!(included.weight, refused_upload_weight(len), "{name}");
        let fee = client
            .expect_paid_only_the_fee(&bob_id, &included)
            .await
            .map_err(|e| e.context(name))?;
        eprintln!(
            "{name}: {expected:?}, {len} bytes, weight {}, fee {fee}, finalized in {:?}",
            included.weight, included.latency
        );
        assert!(
            included.latency < Duration::from_secs(10),
            "{name}: took {:?} to finalize",
            included.latency
        );
        let info_key = hm_runtime::pallet_contracts::storage::code_info(&code_hash);
        assert!(
            client
                .storage_at(&info_key, included.block_hash)
                .await?
                .is_none(),
            "{name}"
        );
    }

    // Code over the 128 KiB cap cannot even form an extrinsic the pool accepts: it is
    // refused at submission, before decoding, so it is never parsed or compiled.
    let before = client.wallet.balance(&bob_id).await?;
    let huge = vec![0u8; hm_runtime::pallet_contracts::MAX_CODE_BYTES + 1];
    let refused = client.submit_only(&bob, upload(huge)).await;
    let message = format!("{:#}", refused.expect_err("oversized upload accepted"));
    assert!(
        message.contains(&format!("the limit is {MAX_EXTRINSIC_BYTES}")),
        "{message}"
    );
    assert_eq!(
        client.wallet.balance(&bob_id).await?,
        before,
        "nothing paid"
    );

    let height = node.finalized_number().await?;
    node.wait_finalized(height + 3, Duration::from_secs(20))
        .await?;
    assert!(
        !node.log().contains("panicked"),
        "{}",
        tail(&node.log(), 40)
    );
    Ok(())
}

/// Upload `codes` and instantiate them (`copies` each), in two batches.
async fn deploy(
    client: &ContractClient,
    kp: &hm_crypto::Keypair,
    codes: &[(Vec<u8>, usize)],
) -> anyhow::Result<Vec<Vec<AccountId>>> {
    let uploads = codes.iter().map(|(code, _)| upload(code.clone())).collect();
    let mut hashes: Vec<H256> = Vec::new();
    for included in client.submit_all(kp, uploads).await? {
        hashes.push(included.code_stored()?);
    }
    let mut calls = Vec::new();
    for (hash, (_, copies)) in hashes.iter().zip(codes) {
        for salt in 0..*copies {
            calls.push(instantiate(*hash, GAS, Vec::new(), vec![salt as u8]));
        }
    }
    let mut created = client.submit_all(kp, calls).await?.into_iter();
    let mut out = Vec::new();
    for (_, copies) in codes {
        let mut group = Vec::new();
        for _ in 0..*copies {
            group.push(
                created
                    .next()
                    .expect("one result per call")
                    .instantiated()?,
            );
        }
        out.push(group);
    }
    Ok(out)
}

/// A failed call: charged at most its gas limit's weight, paid exactly, and `k` of
/// `contract` not written.
async fn check_failed_call(
    client: &ContractClient,
    who: &AccountId,
    contract: &AccountId,
    included: &Included,
    gas_limit: u64,
) -> anyhow::Result<()> {
    assert!(included.weight <= call_weight(gas_limit));
    assert!(included.weight > call_weight(0), "some gas was used");
    client.expect_paid_only_the_fee(who, included).await?;
    let k = client
        .contract_storage_at(contract, b"k", included.block_hash)
        .await?;
    assert_eq!(k, None, "the failed frame's storage write was rolled back");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_executions_fail_revert_and_pay_for_their_gas() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let node = dev_node(dir.path()).await?;
    let client = ContractClient::connect(&node.rpc_url()).await?;
    let bob = hm_crypto::dev_keypair("bob").unwrap();
    let bob_id = bob.account_id();
    let deployed = deploy(
        &client,
        &bob,
        &[
            (looper(), 1),
            (memory_hog(), 1),
            (recursor(), 1),
            (forwarder(), 7),
        ],
    )
    .await?;
    let (looper, hog, recursor, fwd) =
        (deployed[0][0], deployed[1][0], deployed[2][0], &deployed[3]);

    // Infinite loop: out of gas, the whole limit is charged, the write is undone.
    let included = client.submit(&bob, call(looper, LOOP_GAS, vec![])).await?;
    included.expect_contracts_error(ContractsError::OutOfGas)?;
    assert_eq!(included.weight, call_weight(LOOP_GAS));
    check_failed_call(&client, &bob_id, &looper, &included, LOOP_GAS).await?;

    // Memory: growth stops at the 16-page cap (recorded by a successful call); writing
    // past the end of the capped memory traps and rolls back.
    let grown = client.submit(&bob, call(hog, GAS, vec![0])).await?;
    grown.expect_success()?;
    let pages = client
        .contract_storage_at(&hog, b"k", grown.block_hash)
        .await?;
    assert_eq!(
        pages,
        Some(16u32.to_le_bytes().to_vec()),
        "memory capped at 16 pages"
    );
    let included = client.submit(&bob, call(hog, GAS, vec![1])).await?;
    included.expect_contracts_error(ContractsError::ContractTrapped)?;
    assert!(included.weight < call_weight(GAS));
    client.expect_paid_only_the_fee(&bob_id, &included).await?;

    // Unbounded recursion: a stack-overflow trap, not a crashed node.
    let included = client.submit(&bob, call(recursor, GAS, vec![])).await?;
    included.expect_contracts_error(ContractsError::ContractTrapped)?;
    assert!(
        included.weight < call_weight(GAS),
        "traps before the gas runs out"
    );
    check_failed_call(&client, &bob_id, &recursor, &included, GAS).await?;

    // Call depth: five nested calls are allowed, the sixth is refused.
    let chain = |to: &[AccountId]| to.iter().flat_map(|a| a.0).collect::<Vec<u8>>();
    let ok = client
        .submit(&bob, call(fwd[0], GAS, chain(&fwd[1..6])))
        .await?;
    ok.expect_success()?;
    let included = client
        .submit(&bob, call(fwd[0], GAS, chain(&fwd[1..7])))
        .await?;
    included.expect_contracts_error(ContractsError::DepthLimit)?;
    assert!(included.weight < call_weight(GAS));
    client.expect_paid_only_the_fee(&bob_id, &included).await?;

    // Reentrancy: fwd[0] -> fwd[1] -> fwd[0] is refused.
    let included = client
        .submit(&bob, call(fwd[0], GAS, chain(&[fwd[1], fwd[0]])))
        .await?;
    included.expect_contracts_error(ContractsError::Reentrancy)?;
    client.expect_paid_only_the_fee(&bob_id, &included).await?;
    assert!(
        included.contracts_events().next().is_none(),
        "no contract events survive a failed call: {:?}",
        included.events
    );

    let height = node.finalized_number().await?;
    node.wait_finalized(height + 3, Duration::from_secs(20))
        .await?;
    assert!(
        !node.log().contains("panicked"),
        "{}",
        tail(&node.log(), 40)
    );
    Ok(())
}
