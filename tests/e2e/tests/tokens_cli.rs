//! The multi-token registry end to end on a dev node, through `hypermesh token …`:
//! create, describe, mint and move a token; refused calls name their error and submit
//! nothing; reads come back through the `tokens_*` RPC methods.
use hm_e2e::{cli, Node};
use hm_pallet_tokens::{metadata_deposit, TOKEN_DEPOSIT};

fn token(args: &[&str], url: &str) -> anyhow::Result<(bool, String, String)> {
    let mut full = vec!["token"];
    full.extend_from_slice(args);
    full.extend_from_slice(&["--rpc-url", url]);
    cli(&full)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_mint_transfer_and_read_a_token_through_the_cli() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let node = Node::dev(&dir.path().join("node"), 250).await?;
    let url = node.rpc_url();
    let wallet = node.wallet().await?;
    let alice = hm_crypto::dev_keypair("alice").unwrap().account_id();
    let alice_reserved = wallet.balance(&alice).await?.reserved;

    let (ok, out, err) = token(
        &["create", "--min-balance", "10", "--from", "//Alice"],
        &url,
    )?;
    assert!(ok && out.contains("Tokens::Created"), "{out}\n{err}");
    let (ok, out, err) = token(
        &[
            "set-metadata",
            "--token",
            "0",
            "--name",
            "Gold",
            "--symbol",
            "GLD",
            "--decimals",
            "6",
            "--from",
            "//Alice",
        ],
        &url,
    )?;
    assert!(ok && out.contains("Tokens::MetadataSet"), "{out}\n{err}");
    let deposits = TOKEN_DEPOSIT + metadata_deposit(4, 3).unwrap();
    assert_eq!(
        wallet.balance(&alice).await?.reserved,
        alice_reserved + deposits
    );
    // The deposits show as reserved CAES: 10 for the token, 0.1 + 7 × 0.001 for metadata.
    assert_eq!(alice_reserved, 0);
    let (ok, out, err) = cli(&["query", "balance", "//Alice", "--rpc-url", &url])?;
    assert!(ok && out.contains("Reserved: 10.107 CAES"), "{out}\n{err}");
    assert!(out.contains("Locked:   0 CAES"), "{out}");

    let (ok, out, err) = token(
        &[
            "mint", "--token", "0", "--to", "//Bob", "--amount", "100.5", "--from", "//Alice",
        ],
        &url,
    )?;
    assert!(ok && out.contains("Tokens::Issued"), "{out}\n{err}");
    let (ok, out, err) = token(
        &[
            "transfer",
            "--token",
            "0",
            "--to",
            "//Charlie",
            "--amount",
            "0.5",
            "--from",
            "//Bob",
        ],
        &url,
    )?;
    assert!(ok && out.contains("Tokens::Transferred"), "{out}\n{err}");

    // Refused by the dry run, by name, with nothing submitted.
    let bob = hm_crypto::dev_keypair("bob").unwrap().account_id();
    let bob_nonce = wallet.balance(&bob).await?.nonce;
    let (ok, _, err) = token(
        &[
            "transfer",
            "--token",
            "0",
            "--to",
            "//Charlie",
            "--amount",
            "1000",
            "--from",
            "//Bob",
        ],
        &url,
    )?;
    assert!(!ok && err.contains("Tokens: InsufficientBalance"), "{err}");
    let (ok, _, err) = token(
        &[
            "mint", "--token", "0", "--to", "//Bob", "--amount", "1", "--from", "//Bob",
        ],
        &url,
    )?;
    assert!(!ok && err.contains("Tokens: NoPermission"), "{err}");
    let (ok, _, err) = token(
        &[
            "transfer",
            "--token",
            "0",
            "--to",
            "//Charlie",
            "--amount",
            "0.0000001",
            "--from",
            "//Bob",
        ],
        &url,
    )?;
    assert!(!ok && err.contains("token 0 has 6 decimals"), "{err}");
    let (ok, _, err) = token(
        &[
            "transfer",
            "--token",
            "9",
            "--to",
            "//Charlie",
            "--amount",
            "1",
            "--from",
            "//Bob",
        ],
        &url,
    )?;
    assert!(!ok && err.contains("no token 9"), "{err}");
    assert_eq!(
        wallet.balance(&bob).await?.nonce,
        bob_nonce,
        "nothing was submitted"
    );

    let (ok, out, err) = token(&["balance", "--token", "0", "//Charlie"], &url)?;
    assert!(
        ok && out.contains("\"balance\": \"500000\""),
        "{out}\n{err}"
    );
    let (ok, out, err) = token(&["balance", "--token", "0", "//Bob"], &url)?;
    assert!(
        ok && out.contains("\"balance\": \"100000000\""),
        "{out}\n{err}"
    );
    let (ok, out, err) = token(&["info", "0"], &url)?;
    assert!(
        ok && out.contains("\"symbol\": \"GLD\"") && out.contains("\"supply\": \"100500000\""),
        "{out}\n{err}"
    );
    let (ok, out, err) = token(&["list"], &url)?;
    assert!(ok && out.contains("\"name\": \"Gold\""), "{out}\n{err}");
    Ok(())
}
