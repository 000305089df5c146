//! The DEX end to end on a dev node, through `hypermesh token …` and `hypermesh dex …`:
//! two tokens, pools of each with CAES, a multi-hop swap exact in and one exact out (each
//! paying exactly what the quote said), liquidity removed, and every balance audited
//! against the tokens' supplies.
use hm_e2e::{cli, cli_expect as ok, Node};
use hm_primitives::AccountId;
use hm_runtime::pallet_dex::{pool_account, treasury_account, AssetKind};
use hm_wallet::RpcWallet;
use jsonrpsee::core::client::ClientT;
use jsonrpsee::rpc_params;
use serde_json::Value;

fn run(args: &[&str], url: &str) -> anyhow::Result<(bool, String, String)> {
    let mut full = args.to_vec();
    full.extend_from_slice(&["--rpc-url", url]);
    cli(&full)
}

async fn token_balance(wallet: &RpcWallet, token: u32, who: &AccountId) -> anyhow::Result<u128> {
    let v: Value = wallet
        .client()
        .request("tokens_balance", rpc_params![token, who.to_address()])
        .await?;
    Ok(v["balance"].as_str().unwrap().parse()?)
}

async fn supply(wallet: &RpcWallet, token: u32) -> anyhow::Result<u128> {
    let v: Value = wallet
        .client()
        .request("tokens_metadata", rpc_params![token])
        .await?;
    Ok(v["supply"].as_str().unwrap().parse()?)
}

async fn quote(
    wallet: &RpcWallet,
    method: &str,
    path: Value,
    amount: u128,
) -> anyhow::Result<(u128, u128)> {
    let v: Value = wallet
        .client()
        .request(method, rpc_params![path, amount.to_string()])
        .await?;
    let field = |n: &str| v[n].as_str().unwrap().parse::<u128>().unwrap();
    Ok((field("amountIn"), field("amountOut")))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pools_swaps_and_an_audit_through_the_cli() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let node = Node::dev(&dir.path().join("node"), 250).await?;
    let url = node.rpc_url();
    let wallet = node.wallet().await?;
    let alice = hm_crypto::dev_keypair("alice").unwrap().account_id();
    let bob = hm_crypto::dev_keypair("bob").unwrap().account_id();

    // Two tokens with 6 decimals, minted to Alice; some of token 0 to Bob.
    for (id, name) in [("0", "Gold"), ("1", "Silver")] {
        ok(
            &["token", "create", "--min-balance", "1", "--from", "//Alice"],
            &url,
            "Tokens::Created",
        )?;
        ok(
            &[
                "token",
                "set-metadata",
                "--token",
                id,
                "--name",
                name,
                "--symbol",
                name,
                "--decimals",
                "6",
                "--from",
                "//Alice",
            ],
            &url,
            "Tokens::MetadataSet",
        )?;
        ok(
            &[
                "token", "mint", "--token", id, "--to", "//Alice", "--amount", "1000000", "--from",
                "//Alice",
            ],
            &url,
            "Tokens::Issued",
        )?;
    }
    ok(
        &[
            "token", "transfer", "--token", "0", "--to", "//Bob", "--amount", "1000", "--from",
            "//Alice",
        ],
        &url,
        "Tokens::Transferred",
    )?;

    // Pools of each token with CAES, and liquidity.
    for (token, amount) in [("0", "10000"), ("1", "20000")] {
        ok(
            &[
                "dex",
                "pool-create",
                "--asset0",
                "CAES",
                "--asset1",
                token,
                "--from",
                "//Alice",
            ],
            &url,
            "Dex::PoolCreated",
        )?;
        ok(
            &[
                "dex",
                "add",
                "--asset0",
                "CAES",
                "--asset1",
                token,
                "--amount0",
                "1000",
                "--amount1",
                amount,
                "--from",
                "//Alice",
            ],
            &url,
            "Dex::LiquidityAdded",
        )?;
    }

    let priced_from = wallet.chain_context().await?.best_number;

    // Multi-hop exact in: Bob pays exactly 100 token 0 and gets exactly the quote.
    let path = serde_json::json!([0, "CAES", 1]);
    let (_, expected_out) = quote(&wallet, "dex_quoteExactIn", path.clone(), 100_000_000).await?;
    let before = token_balance(&wallet, 1, &bob).await?;
    ok(
        &[
            "dex",
            "swap",
            "--path",
            "0,CAES,1",
            "--amount-in",
            "100",
            "--from",
            "//Bob",
        ],
        &url,
        "Dex::SwapExecuted",
    )?;
    assert_eq!(
        token_balance(&wallet, 1, &bob).await? - before,
        expected_out
    );
    assert_eq!(token_balance(&wallet, 0, &bob).await?, 900_000_000);

    // Multi-hop exact out: Bob gets exactly 10 token 0 for exactly the quoted token 1.
    let back = serde_json::json!([1, "CAES", 0]);
    let (expected_in, _) = quote(&wallet, "dex_quoteExactOut", back, 10_000_000).await?;
    let silver = token_balance(&wallet, 1, &bob).await?;
    ok(
        &[
            "dex",
            "swap",
            "--path",
            "1,CAES,0",
            "--amount-out",
            "10",
            "--from",
            "//Bob",
        ],
        &url,
        "Dex::SwapExecuted",
    )?;
    assert_eq!(token_balance(&wallet, 0, &bob).await?, 910_000_000);
    assert_eq!(silver - token_balance(&wallet, 1, &bob).await?, expected_in);

    // The average price since the pools were filled, from the accumulators at two blocks
    // (the older state read back from the node): 1,000 CAES against 10,000 token 0 is
    // 10^-5 token units per planck and 10^5 plancks per token unit, moved a little by the swaps.
    let twap: Value = wallet
        .client()
        .request("dex_twap", rpc_params!["CAES", 0, priced_from])
        .await?;
    let price1: f64 = twap["price1"].as_str().unwrap().parse()?;
    assert!((90_000.0..110_000.0).contains(&price1), "{twap}");
    assert!(
        twap["price0"].as_str().unwrap().starts_with("0.0000"),
        "{twap}"
    );
    assert!(twap["toBlock"].as_u64().unwrap() > twap["fromBlock"].as_u64().unwrap());
    let (good, out, err) = run(
        &[
            "dex",
            "twap",
            "--asset0",
            "CAES",
            "--asset1",
            "0",
            "--from-block",
            &priced_from.to_string(),
        ],
        &url,
    )?;
    assert!(good && out.contains("price1"), "{out}\n{err}");

    // Refused before anything is signed or charged: a looping path, no such pool.
    let bob_nonce = wallet.balance(&bob).await?.nonce;
    let (good, _, err) = run(
        &[
            "dex",
            "swap",
            "--path",
            "0,CAES,0",
            "--amount-in",
            "1",
            "--from",
            "//Bob",
        ],
        &url,
    )?;
    assert!(!good && err.contains("visits an asset twice"), "{err}");
    let (good, _, err) = run(
        &[
            "dex",
            "swap",
            "--path",
            "0,1",
            "--amount-in",
            "1",
            "--from",
            "//Bob",
        ],
        &url,
    )?;
    assert!(!good && err.contains("no pool of these assets"), "{err}");
    assert_eq!(wallet.balance(&bob).await?.nonce, bob_nonce);

    // Alice removes all her liquidity from the token-0 pool.
    let pool: Value = wallet
        .client()
        .request("dex_getPool", rpc_params!["CAES", 0])
        .await?;
    let lp_token = pool["lpToken"].as_u64().unwrap() as u32;
    let lp = token_balance(&wallet, lp_token, &alice).await?;
    assert!(lp > 0);
    ok(
        &[
            "dex",
            "remove",
            "--asset0",
            "CAES",
            "--asset1",
            "0",
            "--lp",
            &lp.to_string(),
            "--from",
            "//Alice",
        ],
        &url,
        "Dex::LiquidityRemoved",
    )?;
    assert_eq!(token_balance(&wallet, lp_token, &alice).await?, 0);
    let pool: Value = wallet
        .client()
        .request("dex_getPool", rpc_params!["CAES", 0])
        .await?;
    assert_eq!(
        pool["lpSupply"], "1000",
        "only the locked minimum liquidity remains: {pool}"
    );

    // Audit: every unit of each token is held by Alice, Bob, a pool or the treasury,
    // and each pool holds at least its recorded reserve.
    let pool0 = pool_account(&AssetKind::Native, &AssetKind::Token(0));
    let pool1 = pool_account(&AssetKind::Native, &AssetKind::Token(1));
    for token in [0u32, 1] {
        let mut held = 0;
        for who in [alice, bob, pool0, pool1, treasury_account()] {
            held += token_balance(&wallet, token, &who).await?;
        }
        assert_eq!(held, supply(&wallet, token).await?, "token {token}");
    }
    for (token, account) in [(0u32, pool0), (1, pool1)] {
        let pool: Value = wallet
            .client()
            .request("dex_getPool", rpc_params!["CAES", token])
            .await?;
        let reserve1: u128 = pool["reserve1"].as_str().unwrap().parse()?;
        assert_eq!(token_balance(&wallet, token, &account).await?, reserve1);
        let reserve0: u128 = pool["reserve0"].as_str().unwrap().parse()?;
        assert!(wallet.balance(&account).await?.free >= reserve0);
    }
    let (good, out, err) = run(&["dex", "pools"], &url)?;
    assert!(good && out.contains("lpSupply"), "{out}\n{err}");
    Ok(())
}
