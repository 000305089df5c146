//! Keys and the wallet CLI on a real `--dev` node: a failing transfer is refused before it
//! costs a fee, one that fails in dispatch is reported by name through `chain_getEvents`,
//! every form of account name works everywhere, and keys are handled like secrets.
use hm_e2e::{cli, cli_in, contracts::line_value, Node};
use hm_primitives::{AccountId, UNITS};
use hm_wallet::RpcWallet;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// `hypermesh tx transfer` against the node at `url`.
fn transfer(
    from: &str,
    to: &str,
    amount: &str,
    url: &str,
) -> anyhow::Result<(bool, String, String)> {
    let flags = [
        ("--from", from),
        ("--to", to),
        ("--amount", amount),
        ("--rpc-url", url),
    ];
    let mut args = vec!["tx", "transfer"];
    args.extend(flags.iter().flat_map(|(flag, value)| [*flag, *value]));
    cli(&args)
}

/// Start a node with `args` on spare local ports and return its stderr, expecting it to
/// refuse to start.
fn refused_start(args: &[&str]) -> anyhow::Result<String> {
    let ports = [
        "--listen-ip",
        "127.0.0.1",
        "--port",
        "0",
        "--rpc-port",
        "0",
        "--no-prometheus",
    ];
    let (ok, _, err) = cli(&[args, &ports].concat())?;
    anyhow::ensure!(!ok, "the node started: {err}");
    Ok(err)
}

/// A fresh key file holding 11.5 CAES (sent by Bob with the CLI).
async fn funded_key(dir: &Path, url: &str) -> anyhow::Result<(String, AccountId)> {
    let path = dir.join("my.json");
    let path_text = path.to_str().unwrap().to_owned();
    let (ok, out, err) = cli(&["key", "generate", "--output", &path_text])?;
    assert!(ok, "{err}");
    let id = AccountId::from_address(&line_value(&out, "Address:").unwrap())?;
    let (ok, out, err) = transfer("//Bob", &path_text, "11.5", url)?;
    assert!(ok, "{out}\n{err}");
    assert!(out.contains("Result: success; fee paid "), "{out}");
    Ok((path_text, id))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transfers_report_their_outcome_and_names_resolve_everywhere() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let node = Node::dev(&dir.path().join("node"), 250).await?;
    let url = node.rpc_url();
    let (key, id) = funded_key(dir.path(), &url).await?;
    let wallet = RpcWallet::connect(&url).await?;
    let before = wallet.balance(&id).await?;
    assert_eq!(before.free, 11 * UNITS + UNITS / 2);
    let alice = hm_crypto::dev_keypair("alice").unwrap().account_id();

    // More than the balance, and far more: refused before submission, by name.
    for amount in ["100", "99999999999999999999999999"] {
        let (ok, out, err) = transfer(&key, "//Alice", amount, &url)?;
        assert!(!ok, "{amount}: {out}");
        assert!(
            err.contains("Caesar: InsufficientBalance"),
            "{amount}: {err}"
        );
        assert!(err.contains("nothing was submitted"), "{amount}: {err}");
    }
    let (ok, _, err) = transfer(&key, "//Alice", "340282366920938463463374608", &url)?;
    assert!(!ok && err.contains("amount is too large"), "{err}");
    assert_eq!(wallet.balance(&id).await?, before, "nothing was charged");

    // Signed and submitted anyway (as another client might), the transfer fails in
    // dispatch and pays its fee; chain_getEvents names the error and the fee.
    let kp = hm_wallet::signer(&key, "--from")?;
    let call = hm_wallet::transfer_call(alice, 100 * UNITS, false);
    let xt = wallet.sign_with_context(&kp, call, 0, 64).await?;
    let outcome = wallet.submit_and_watch_outcome(&xt).await?;
    let error = outcome.error.clone().expect("the transfer failed");
    assert_eq!(error.name, "Caesar: InsufficientBalance");
    assert!(outcome.fee > 0);
    let after = wallet.balance(&id).await?;
    assert_eq!(
        before.free - after.free,
        outcome.fee,
        "the fee, and only it, was paid"
    );
    assert!(outcome.clone().ensure_success().is_err());
    let raw = node
        .rpc(
            "chain_getEvents",
            vec![outcome.finalized.block_hash.to_hex().into()],
        )
        .await?;
    let failed = raw["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["event"] == "ExtrinsicFailed")
        .expect("an ExtrinsicFailed record");
    assert_eq!(failed["pallet"], "System");
    assert_eq!(failed["extrinsicIndex"], outcome.index);
    assert_eq!(
        failed["outcome"]["error"]["name"],
        "Caesar: InsufficientBalance"
    );
    assert_eq!(failed["outcome"]["fee"], outcome.fee.to_string());

    // The key file works wherever an account is named, as do dev names and addresses.
    for name in [key.as_str(), id.to_address().as_str()] {
        let (ok, out, err) = cli(&["query", "balance", name, "--rpc-url", &url])?;
        assert!(ok, "{name}: {err}");
        assert_eq!(line_value(&out, "Address:"), Some(id.to_address()), "{out}");
    }
    let (ok, out, _) = cli(&["query", "balance", "//Alice", "--rpc-url", &url])?;
    assert!(ok && out.contains(&alice.to_address()), "{out}");
    let (ok, out, err) = transfer(&key, "alice", "1", &url)?;
    assert!(ok, "{out}\n{err}");
    Ok(())
}

#[test]
fn keys_are_kept_like_secrets() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let (ok, out, _) = cli(&["key", "generate"])?;
    assert!(ok && !out.contains("Secret key"), "{out}");
    let (ok, out, _) = cli(&["key", "generate", "--show-secret"])?;
    assert!(ok && out.contains("Secret key: 0x"), "{out}");

    let path = dir.path().join("alice");
    let path_text = path.to_str().unwrap();
    let (ok, out, err) = cli(&["key", "generate", "--output", path_text])?;
    assert!(ok && !out.contains("Secret key"), "{out}{err}");
    assert_eq!(
        std::fs::metadata(&path)?.permissions().mode() & 0o777,
        0o600
    );
    let (ok, _, err) = cli(&["key", "generate", "--output", path_text])?;
    assert!(!ok && err.contains("refusing to overwrite"), "{err}");
    // A file named like a dev key is the file: `alice` from the directory that holds it
    // names the file, not the dev key.
    let file_address = line_value(&out, "Address:").unwrap();
    let dev_alice = hm_crypto::dev_keypair("alice")
        .unwrap()
        .account_id()
        .to_address();
    assert_ne!(file_address, dev_alice);
    let (ok, out, _) = cli_in(dir.path(), &["key", "inspect", "alice"])?;
    assert!(
        ok && line_value(&out, "Address:") == Some(file_address.clone()),
        "{out}"
    );
    // Anywhere else, `alice` is the dev key.
    let (ok, out, _) = cli(&["key", "inspect", "alice"])?;
    assert!(
        ok && line_value(&out, "Address:") == Some(dev_alice),
        "{out}"
    );

    let base = dir.path().join("base");
    let base_text = base.to_str().unwrap();
    let args = [
        "key",
        "generate",
        "--validator",
        "--chain",
        "dev",
        "--base-path",
        base_text,
    ];
    let (ok, _, err) = cli(&args)?;
    assert!(ok, "{err}");
    let keystore = base.join("chains/dev/keystore");
    assert_eq!(
        std::fs::metadata(&keystore)?.permissions().mode() & 0o777,
        0o700
    );
    let key_file = keystore.join("validator.json");
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o644))?;
    let err = refused_start(&["--chain", "dev", "--base-path", base_text, "--validator"])?;
    assert!(err.contains("chmod 600"), "{err}");
    Ok(())
}

#[test]
fn dev_keys_and_unsafe_ids_are_refused_on_other_chains() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let (ok, spec, err) = cli(&["build-spec", "--chain", "local"])?;
    assert!(ok, "{err}");
    let mut live: serde_json::Value = serde_json::from_str(&spec)?;
    live["chainType"] = "Live".into();
    live["id"] = "live_test".into();
    let live_path = dir.path().join("live.json");
    std::fs::write(&live_path, live.to_string())?;
    let base = dir.path().join("base");
    let live_arg = live_path.to_str().unwrap();
    let base_arg = base.to_str().unwrap();
    let err = refused_start(&["--chain", live_arg, "--alice", "--base-path", base_arg])?;
    assert!(err.contains("published dev key"), "{err}");
    assert!(
        !base.join("chains/live_test/db").exists(),
        "refused before opening anything"
    );

    live["id"] = "../escape".into();
    let bad_path = dir.path().join("bad.json");
    std::fs::write(&bad_path, live.to_string())?;
    let (ok, _, err) = cli(&["build-spec", "--chain", bad_path.to_str().unwrap()])?;
    assert!(!ok && err.contains("not a safe directory name"), "{err}");
    Ok(())
}
