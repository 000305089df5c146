//! The limit-order example contract (contracts/examples/limit-order) on a real `--dev`
//! node: it uses `call_runtime` to pull the owner's approved tokens and swap them on
//! the DEX. Below the limit a fill reverts and changes nothing; once the price moves
//! past the limit a keeper fills it, and the owner gets exactly what the DEX quoted.
//! Needs `scripts/build-contracts.sh` to have run.
use hm_e2e::contracts::{dev, ContractCli};
use hm_e2e::{cli_expect as ok, Node};
use hm_primitives::AccountId;
use hm_wallet::RpcWallet;
use jsonrpsee::core::client::ClientT;
use jsonrpsee::rpc_params;
use serde_json::{json, Value};

async fn token_balance(wallet: &RpcWallet, who: &AccountId) -> anyhow::Result<u128> {
    let v: Value = wallet
        .client()
        .request("tokens_balance", rpc_params![0, who.to_address()])
        .await?;
    Ok(v["balance"].as_str().unwrap().parse()?)
}

/// What selling `amount` of token 0 for CAES pays now, per `dex_quoteExactIn`.
async fn quote(wallet: &RpcWallet, amount: u128) -> anyhow::Result<u128> {
    let v: Value = wallet
        .client()
        .request(
            "dex_quoteExactIn",
            rpc_params![json!([0, "CAES"]), amount.to_string()],
        )
        .await?;
    Ok(v["amountOut"].as_str().unwrap().parse()?)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_limit_order_fills_only_at_its_price_through_call_runtime() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let node = Node::dev(&dir.path().join("node"), 250).await?;
    let url = node.rpc_url();
    let wallet = node.wallet().await?;
    let contracts = ContractCli::new(&node);
    let charlie = dev("charlie");

    // Token 0 (no decimals), a pool of 1,000 CAES against 1,000,000 tokens, and
    // 10,000 tokens for Charlie.
    ok(
        &["token", "create", "--min-balance", "1", "--from", "//Alice"],
        &url,
        "Tokens::Created",
    )?;
    ok(
        &[
            "token", "mint", "--token", "0", "--to", "//Alice", "--amount", "2000000", "--from",
            "//Alice",
        ],
        &url,
        "Tokens::Issued",
    )?;
    ok(
        &[
            "dex",
            "pool-create",
            "--asset0",
            "CAES",
            "--asset1",
            "0",
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
            "0",
            "--amount0",
            "1000",
            "--amount1",
            "1000000",
            "--from",
            "//Alice",
        ],
        &url,
        "Dex::LiquidityAdded",
    )?;
    ok(
        &[
            "token",
            "transfer",
            "--token",
            "0",
            "--to",
            "//Charlie",
            "--amount",
            "10000",
            "--from",
            "//Alice",
        ],
        &url,
        "Tokens::Transferred",
    )?;

    // Charlie's order: 1,000 tokens for at least 1.2× what the pool pays now.
    let amount_in: u128 = 1_000;
    let min_out = quote(&wallet, amount_in).await? * 12 / 10;
    let expires = wallet.chain_context().await?.best_number + 10_000;
    let args =
        format!("vec<option<u32>>=[some(0),none] u128={amount_in} u128={min_out} u64={expires}");
    let (order, _) = contracts.deploy("limit-order", "//Charlie", "o1", "0", &args)?;
    ok(
        &[
            "token",
            "approve",
            "--token",
            "0",
            "--delegate",
            &order.to_address(),
            "--amount",
            "1000",
            "--from",
            "//Charlie",
        ],
        &url,
        "Tokens::ApprovedTransfer",
    )?;

    // Below the limit: the DEX refuses the swap (pallet 5, `AmountOutTooLow` = 10),
    // the order reverts with `SwapFailed`, and the pull of the tokens is undone.
    let out = contracts.call_refused(&order, "//Dave", "fill", "")?;
    assert!(out.contains("reverted with 0x0700050a"), "{out}");
    assert_eq!(token_balance(&wallet, &charlie).await?, 10_000);

    // Bob buys tokens with 300 CAES: the token's price rises past the limit.
    ok(
        &[
            "dex",
            "swap",
            "--path",
            "CAES,0",
            "--amount-in",
            "300",
            "--from",
            "//Bob",
        ],
        &url,
        "Dex::SwapExecuted",
    )?;
    let expected = quote(&wallet, amount_in).await?;
    assert!(expected >= min_out, "{expected} < {min_out}");

    // Dave fills it: Charlie pays 1,000 tokens and receives exactly the quote, and the
    // approval, used up, returns its deposit.
    let before = wallet.balance(&charlie).await?;
    let out = contracts.call(&order, "//Dave", "fill", "")?;
    assert!(out.contains("Event: Dex(SwapExecuted"), "{out}");
    assert_eq!(token_balance(&wallet, &charlie).await?, 9_000);
    let after = wallet.balance(&charlie).await?;
    let approval_deposit = before.reserved - after.reserved;
    assert!(approval_deposit > 0, "{before:?} -> {after:?}");
    assert_eq!(after.free, before.free + expected + approval_deposit);
    assert_eq!(
        token_balance(&wallet, &order).await?,
        0,
        "nothing left behind"
    );
    assert_eq!(wallet.balance(&order).await?.free, 0);

    // Filled is final: no second fill, no cancel (`Closed`, variant 3).
    let out = contracts.call_refused(&order, "//Dave", "fill", "")?;
    assert!(out.contains("error variant 3"), "{out}");
    let out = contracts.call_refused(&order, "//Charlie", "cancel", "")?;
    assert!(out.contains("error variant 3"), "{out}");

    // A second order: only its owner cancels it, and then it cannot be filled.
    let (second, _) = contracts.deploy("limit-order", "//Charlie", "o2", "0", &args)?;
    let out = contracts.call_refused(&second, "//Dave", "cancel", "")?;
    assert!(out.contains("error variant 5"), "NotOwner: {out}");
    contracts.call(&second, "//Charlie", "cancel", "")?;
    let out = contracts.call_refused(&second, "//Dave", "fill", "")?;
    assert!(out.contains("error variant 3"), "{out}");
    Ok(())
}
