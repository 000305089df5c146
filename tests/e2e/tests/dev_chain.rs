//! A dev chain driven through the real binary: CLI transfer, restart, export/import, purge.
use hm_e2e::{cli, Node};
use hm_primitives::{AccountId, UNITS};
use std::time::Duration;

fn address_from(stdout: &str) -> String {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix("Address:").map(|a| a.trim().to_string()))
        .expect("key generate prints the address")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_transfer_finalizes_and_state_survives_restart() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut node = Node::dev(&dir.path().join("node"), 250).await?;
    let key_path = dir.path().join("fresh.json");
    let (ok, out, err) = cli(&["key", "generate", "--output", key_path.to_str().unwrap()])?;
    assert!(ok, "key generate failed: {err}");
    let fresh = address_from(&out);
    let fresh_id = AccountId::from_address(&fresh)?;
    // Alice authors every dev block and receives the fees; Bob sends.
    let alice = hm_crypto::dev_keypair("alice").unwrap().account_id();
    let bob = hm_crypto::dev_keypair("bob").unwrap().account_id();

    let wallet = node.wallet().await?;
    let (alice_before, bob_before) = (wallet.balance(&alice).await?, wallet.balance(&bob).await?);
    let url = node.rpc_url();
    let (ok, out, err) = cli(&[
        "tx",
        "transfer",
        "--from",
        "//Bob",
        "--to",
        &fresh,
        "--amount",
        "12.5",
        "--rpc-url",
        &url,
    ])?;
    assert!(ok, "transfer failed: {out}\n{err}");
    assert!(out.contains("Finalized in block #"), "{out}");

    let amount = 12 * UNITS + UNITS / 2;
    assert_eq!(wallet.balance(&fresh_id).await?.free, amount);
    let (alice_after, bob_after) = (wallet.balance(&alice).await?, wallet.balance(&bob).await?);
    let fee = bob_before.free - amount - bob_after.free;
    assert!(fee > 0, "the sender pays a fee");
    assert_eq!(
        alice_after.free - alice_before.free,
        fee,
        "the author receives exactly the fee"
    );
    assert_eq!(bob_after.nonce, bob_before.nonce + 1);

    let (ok, out, _) = cli(&["query", "balance", &fresh, "--rpc-url", &url])?;
    assert!(ok && out.contains("12.5 CAES"), "{out}");

    // The fresh account's first transaction carries its full public key.
    let (ok, out, err) = cli(&[
        "tx",
        "transfer",
        "--from",
        key_path.to_str().unwrap(),
        "--to",
        &alice.to_address(),
        "--amount",
        "1",
        "--rpc-url",
        &url,
    ])?;
    assert!(ok, "transfer from the fresh key failed: {out}\n{err}");
    let fresh_final = wallet.balance(&fresh_id).await?;
    assert!(fresh_final.free < 11 * UNITS + UNITS / 2 && fresh_final.nonce == 1);

    // Clean restart: height, hashes and balances persist; authoring resumes.
    let height = node.finalized_number().await?;
    let hash = node.block_hash(height).await?;
    drop(wallet);
    let status = node.stop()?;
    assert!(status.success(), "SIGTERM exit status {status}");
    node.restart().await?;
    assert!(node.finalized_number().await? >= height);
    assert_eq!(node.block_hash(height).await?, hash);
    let wallet = node.wallet().await?;
    assert_eq!(wallet.balance(&fresh_id).await?, fresh_final);
    node.wait_finalized(height + 3, Duration::from_secs(20))
        .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_import_round_trip_and_purge() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let a = dir.path().join("a");
    let mut node = Node::dev(&a, 100).await?;
    node.wait_finalized(15, Duration::from_secs(30)).await?;
    node.stop()?;

    let export_a = dir.path().join("a.blocks");
    let (ok, out, err) = cli(&[
        "export-blocks",
        "--chain",
        "dev",
        "--base-path",
        a.to_str().unwrap(),
        export_a.to_str().unwrap(),
    ])?;
    assert!(ok, "export failed: {out}{err}");
    let b = dir.path().join("b");
    let (ok, out, err) = cli(&[
        "import-blocks",
        "--chain",
        "dev",
        "--base-path",
        b.to_str().unwrap(),
        export_a.to_str().unwrap(),
    ])?;
    assert!(ok, "import failed: {out}{err}");
    let export_b = dir.path().join("b.blocks");
    let (ok, _, err) = cli(&[
        "export-blocks",
        "--chain",
        "dev",
        "--base-path",
        b.to_str().unwrap(),
        export_b.to_str().unwrap(),
    ])?;
    assert!(ok, "{err}");
    assert_eq!(
        std::fs::read(&export_a)?,
        std::fs::read(&export_b)?,
        "round trip reproduces the chain byte for byte"
    );

    // Importing again is idempotent; a corrupted export is refused with a reason.
    let (ok, out, _) = cli(&[
        "import-blocks",
        "--chain",
        "dev",
        "--base-path",
        b.to_str().unwrap(),
        export_a.to_str().unwrap(),
    ])?;
    assert!(ok && out.contains("already known"), "{out}");
    let mut bytes = std::fs::read(&export_a)?;
    let last = bytes.len() - 10;
    bytes[last] ^= 0xff;
    let corrupt = dir.path().join("corrupt.blocks");
    std::fs::write(&corrupt, &bytes)?;
    let c = dir.path().join("c");
    let (ok, _, err) = cli(&[
        "import-blocks",
        "--chain",
        "dev",
        "--base-path",
        c.to_str().unwrap(),
        corrupt.to_str().unwrap(),
    ])?;
    assert!(
        !ok && err.contains("Error"),
        "corrupt import must fail: {err}"
    );

    let (ok, out, _) = cli(&[
        "purge-chain",
        "-y",
        "--chain",
        "dev",
        "--base-path",
        b.to_str().unwrap(),
    ])?;
    assert!(ok && out.contains("removed"), "{out}");
    assert!(!b.join("chains/dev/db").exists());
    Ok(())
}

/// `hypermesh tx transfer` with an RPC endpoint where nothing listens.
fn offline_transfer(from: &str, to: &str, amount: &str) -> anyhow::Result<(bool, String, String)> {
    cli(&[
        "tx",
        "transfer",
        "--from",
        from,
        "--to",
        to,
        "--amount",
        amount,
        "--rpc-url",
        "ws://127.0.0.1:1",
    ])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_errors_say_what_to_fix() -> anyhow::Result<()> {
    let alice = hm_crypto::dev_keypair("alice")
        .unwrap()
        .account_id()
        .to_address();
    let cases = [
        ("//Alice", "hm1notanaddress", "1", "--to"),
        ("//Alice", alice.as_str(), "1.2.3", "--amount"),
        ("//Alice", alice.as_str(), "1", "cannot reach the node"),
        ("/no/such/key", alice.as_str(), "1", "--from"),
    ];
    for (from, to, amount, expected) in cases {
        let (ok, _, err) = offline_transfer(from, to, amount)?;
        assert!(
            !ok && err.contains(expected),
            "expected `{expected}` in: {err}"
        );
    }
    let (ok, out, _) = cli(&["key", "inspect", "//Bob"])?;
    assert!(ok && out.contains("Address:    hm1"), "{out}");
    Ok(())
}
