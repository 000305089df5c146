//! Any runtime call through `hypermesh tx call`, built from `state_getMetadata`
//! alone: successes print their events, failures name the dispatch error and
//! exit non-zero, and the metadata describes every pallet of the runtime.
use hm_e2e::{cli, Node};
use hm_primitives::UNITS;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tx_call_builds_any_call_from_metadata_and_reports_its_outcome() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let node = Node::dev(&dir.path().join("node"), 250).await?;
    let url = node.rpc_url();
    let wallet = node.wallet().await?;

    let metadata = wallet.metadata().await?;
    let pallets: Vec<String> = metadata.pallets().into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        pallets,
        [
            "System",
            "Caesar",
            "Staking",
            "Contracts",
            "Tokens",
            "Dex",
            "Preimage",
            "Scheduler",
            "ConvictionVoting",
            "Referenda"
        ]
    );
    let caesar_calls = metadata.calls("caesar")?;
    assert!(caesar_calls.iter().any(|(name, args)| name == "Transfer"
        && args.iter().map(|(a, _)| a.as_str()).eq(["dest", "value"])));

    let bob = hm_crypto::dev_keypair("bob").unwrap().account_id();
    let bob_before = wallet.balance(&bob).await?.free;
    let (ok, out, err) = cli(&[
        "tx",
        "call",
        "Caesar",
        "transfer_keep_alive",
        "--arg",
        "dest=//Bob",
        "--arg",
        &format!("value={}", 3 * UNITS),
        "--from",
        "//Alice",
        "--rpc-url",
        &url,
    ])?;
    assert!(ok, "transfer failed: {out}\n{err}");
    assert!(out.contains("Caesar::Transfer"), "{out}");
    assert!(out.contains("System::ExtrinsicSuccess"), "{out}");
    assert_eq!(wallet.balance(&bob).await?.free, bob_before + 3 * UNITS);

    let (ok, out, err) = cli(&[
        "tx",
        "call",
        "System",
        "remark",
        "--arg",
        "data=hello",
        "--from",
        "//Bob",
        "--rpc-url",
        &url,
    ])?;
    assert!(
        ok && out.contains("System::ExtrinsicSuccess"),
        "{out}\n{err}"
    );

    // A transfer Bob cannot afford is refused by the dry run, before it costs a fee.
    let bob_nonce = wallet.balance(&bob).await?.nonce;
    let unaffordable = |dry_run: bool| {
        let mut args = vec![
            "tx".to_owned(),
            "call".into(),
            "Caesar".into(),
            "transfer".into(),
            "--arg".into(),
            "dest=//Charlie".into(),
            "--arg".into(),
            format!("value={}", 1_000_000_000 * UNITS),
            "--from".into(),
            "//Bob".into(),
            "--rpc-url".into(),
            url.clone(),
        ];
        if !dry_run {
            args.push("--no-dry-run".into());
        }
        args
    };
    let args = unaffordable(true);
    let (ok, out, err) = cli(&args.iter().map(String::as_str).collect::<Vec<_>>())?;
    assert!(!ok, "an unaffordable transfer must exit non-zero: {out}");
    assert!(
        err.contains("a dry run says the call would fail: Caesar: InsufficientBalance")
            && err.contains("nothing was submitted"),
        "{err}"
    );
    assert_eq!(
        wallet.balance(&bob).await?.nonce,
        bob_nonce,
        "nothing was submitted"
    );

    // With --no-dry-run it is included, pays its fee, and fails by name.
    let args = unaffordable(false);
    let (ok, out, err) = cli(&args.iter().map(String::as_str).collect::<Vec<_>>())?;
    assert!(!ok, "an unaffordable transfer must exit non-zero: {out}");
    assert!(out.contains("System::ExtrinsicFailed"), "{out}");
    assert!(err.contains("Caesar: InsufficientBalance"), "{err}");
    assert_eq!(wallet.balance(&bob).await?.nonce, bob_nonce + 1);

    // Only the root key may make root calls.
    let (ok, _, err) = cli(&[
        "tx",
        "call",
        "System",
        "set_root_key",
        "--arg",
        "new=None",
        "--root",
        "--from",
        "//Bob",
        "--rpc-url",
        &url,
    ])?;
    assert!(!ok && err.contains("System: BadOrigin"), "{err}");

    // Bad input is refused before anything is signed.
    for (args, expected) in [
        (vec!["Nope", "transfer"], "no pallet `Nope`"),
        (vec!["Caesar", "fly"], "has no call `fly`"),
        (
            vec!["Caesar", "transfer", "--arg", "dest=//Bob"],
            "needs --arg value=",
        ),
        (
            vec![
                "Caesar",
                "transfer",
                "--arg",
                "dest=//Bob",
                "--arg",
                "value=x",
                "--arg",
                "oops=1",
            ],
            "takes no argument `oops`",
        ),
        (
            vec![
                "Caesar",
                "transfer",
                "--arg",
                "dest=nobody",
                "--arg",
                "value=1",
            ],
            "`nobody` is neither a key file",
        ),
    ] {
        let mut full = vec!["tx", "call"];
        full.extend(args);
        full.extend(["--from", "//Bob", "--rpc-url", &url]);
        let (ok, _, err) = cli(&full)?;
        assert!(!ok && err.contains(expected), "{full:?}: {err}");
    }
    Ok(())
}
