//! The example contracts (contracts/examples) on a real `--dev` node, driven through
//! `hypermesh contract …` and the `contracts_*` RPC: deploy, call, query, and check
//! balances, storage and events. Needs `scripts/build-contracts.sh` to have run.
use hm_e2e::contracts::{
    dev, emitted, example_code_hash, example_wasm, line_value, message_input, rpc_call, signature,
    topic, ContractCli, Emitted,
};
use hm_e2e::{cli, Node};
use hm_primitives::{AccountId, UNITS};
use hm_rpc_api::{ContractsApiClient, HexString};
use parity_scale_codec::Encode;
use serde_json::{json, Value};
use std::time::Duration;

const BLOCK_MS: u64 = 250;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_transfer_approve_transfer_from_and_events() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let node = Node::dev(&dir.path().join("node"), BLOCK_MS).await?;
    let cli = ContractCli::new(&node);
    let (bob, charlie, dave, eve) = (dev("bob"), dev("charlie"), dev("dave"), dev("eve"));

    // Upload on its own prints the code hash; uploading again finds it stored.
    let wasm = example_wasm("token");
    let upload = format!("upload --wasm {} --from //Bob", wasm.display());
    let code_hash = example_code_hash("token");
    let out = cli.run_line(&upload)?;
    assert_eq!(line_value(&out, "Code hash:"), Some(code_hash.to_hex()));
    assert!(out.contains("Event: CodeStored"), "{out}");
    assert!(cli.run_line(&upload)?.contains("(already stored)"));

    // Deploy (by code hash) mints the supply to the deployer, at the address the ABI
    // predicts; the dry run announces that address first.
    let out = cli.run_line(&format!(
        "instantiate --code-hash {} --from //Bob --salt t1 --arg u128=1000000",
        code_hash.to_hex()
    ))?;
    let token = AccountId::from_address(&line_value(&out, "Contract:").unwrap())?;
    assert_eq!(token, hm_runtime::contract_address(&bob, &code_hash, b"t1"));
    assert_eq!(line_value(&out, "Address:"), Some(token.to_address()));
    let transfer = |from: Option<AccountId>, to: AccountId, value: u128| Emitted {
        contract: token,
        topics: vec![signature("Transfer"), topic(&from), topic(&Some(to))],
        data: (from, Some(to), value).encode(),
    };
    assert_eq!(emitted(&out), vec![transfer(None, bob, 1_000_000)]);
    assert_eq!(cli.query(&token, "total_supply", "", "u128")?, "1000000");

    // transfer: the gas limit is the node's estimate; one below the need is refused.
    let low_gas = format!(
        "call --contract {token} --from //Bob --message transfer --arg account={charlie} \
         --arg u128=250 --gas-limit 10"
    );
    let out = cli.fails(&low_gas.split(' ').collect::<Vec<_>>())?;
    assert!(out.contains("OutOfGas"), "{out}");
    let before = node
        .block_hash(node.finalized_number().await?)
        .await?
        .unwrap();
    let out = cli.call(
        &token,
        "//Bob",
        "transfer",
        &format!("account={charlie} u128=250"),
    )?;
    assert!(
        out.contains("Result: success") && out.contains("(estimated: "),
        "{out}"
    );
    assert_eq!(emitted(&out), vec![transfer(Some(bob), charlie, 250)]);
    let balance =
        |who: &AccountId| cli.query(&token, "balance_of", &format!("account={who}"), "u128");
    assert_eq!(
        (balance(&bob)?, balance(&charlie)?),
        ("999750".into(), "250".into())
    );
    // The state before the transfer, by block hash.
    let out = cli.run_line(&format!(
        "query --contract {token} --message balance_of --arg account={charlie} --output u128 \
         --at {before}"
    ))?;
    assert_eq!(line_value(&out, "Decoded:").as_deref(), Some("0"), "{out}");
    // The storage entry behind the balance: `b` ‖ SCALE(owner) → SCALE(u128).
    let wallet = node.wallet().await?;
    let key = HexString::from([b"b".as_slice(), &charlie.encode()].concat());
    let stored = wallet
        .client()
        .get_storage(token.to_address(), key, None)
        .await?;
    assert_eq!(stored.map(|b| b.0), Some(250u128.encode()));

    // approve, then transfer_from on the allowance.
    let out = cli.call(
        &token,
        "//Charlie",
        "approve",
        &format!("account={dave} u128=100"),
    )?;
    let approval = Emitted {
        contract: token,
        topics: vec![signature("Approval"), topic(&charlie), topic(&dave)],
        data: (charlie, dave, 100u128).encode(),
    };
    assert_eq!(emitted(&out), vec![approval]);
    let owner_spender = format!("account={charlie} account={dave}");
    assert_eq!(
        cli.query(&token, "allowance", &owner_spender, "u128")?,
        "100"
    );
    let args = format!("account={charlie} account={eve} u128=60");
    let out = cli.call(&token, "//Dave", "transfer_from", &args)?;
    assert_eq!(emitted(&out), vec![transfer(Some(charlie), eve, 60)]);
    assert_eq!(
        cli.query(&token, "allowance", &owner_spender, "u128")?,
        "40"
    );
    assert_eq!(
        (balance(&charlie)?, balance(&eve)?),
        ("190".into(), "60".into())
    );

    // Over the allowance and over the balance: refused by the dry run with the token's
    // error (InsufficientAllowance = 1, InsufficientBalance = 0); nothing is submitted.
    let dave_nonce = wallet.balance(&dave).await?.nonce;
    let args = format!("account={charlie} account={eve} u128=41");
    let out = cli.call_refused(&token, "//Dave", "transfer_from", &args)?;
    assert!(
        out.contains("reverted with 0x01 (error variant 1)"),
        "{out}"
    );
    let out = cli.call_refused(
        &token,
        "//Eve",
        "transfer",
        &format!("account={dave} u128=61"),
    )?;
    assert!(
        out.contains("reverted with 0x00 (error variant 0)"),
        "{out}"
    );
    assert_eq!(wallet.balance(&dave).await?.nonce, dave_nonce);
    assert_eq!(
        cli.query(&token, "allowance", &owner_spender, "u128")?,
        "40"
    );

    // The same reads straight over RPC: a dry run and the stored code.
    let r = rpc_call(&node, &eve, &token, message_input("balance_of", (eve,))).await?;
    assert_eq!(
        (r.output.0, r.reverted, r.error),
        (60u128.encode(), false, None)
    );
    assert!(r.gas_required > 0);
    let code = wallet
        .client()
        .get_code(token.to_address(), None)
        .await?
        .unwrap();
    assert_eq!(code.code.0, std::fs::read(example_wasm("token"))?);
    let instance = code.contract.expect("looked up by address");
    assert_eq!((instance.deployer, instance.code_hash), (bob, code_hash));
    assert!(instance.storage_items >= 4 && instance.storage_deposit > 0);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multisig_holds_caes_and_pays_out_at_the_threshold() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let node = Node::dev(&dir.path().join("node"), BLOCK_MS).await?;
    let cli = ContractCli::new(&node);
    let wallet = node.wallet().await?;
    let (bob, charlie, dave, ferdie) = (dev("bob"), dev("charlie"), dev("dave"), dev("ferdie"));

    let owners = format!("vec<account>=[{bob},{charlie},{dave}] u32=2");
    let (ms, out) = cli.deploy("multisig", "//Bob", "ms", "100", &owners)?;
    let deposited = Emitted {
        contract: ms,
        topics: vec![signature("Deposited"), topic(&bob)],
        data: (bob, 100 * UNITS).encode(),
    };
    assert_eq!(emitted(&out), vec![deposited]);
    assert_eq!(
        wallet.balance(&ms).await?.free,
        100 * UNITS,
        "it holds the endowment"
    );
    let listed = cli.query(&ms, "owners", "", "vec<account>")?;
    assert_eq!(listed, format!("[{bob},{charlie},{dave}]"));
    assert_eq!(cli.query(&ms, "threshold", "", "u32")?, "2");

    // Bob proposes 30 CAES to Ferdie (proposing confirms it).
    let value = 30 * UNITS;
    let out = cli.call(
        &ms,
        "//Bob",
        "submit",
        &format!("account={ferdie} u128={value}"),
    )?;
    let events = emitted(&out);
    assert_eq!(
        events[0].topics,
        vec![signature("Submitted"), topic(&0u64), topic(&bob)]
    );
    assert_eq!(events[0].data, (0u64, bob, ferdie, value).encode());
    assert_eq!(
        events[1].data,
        (0u64, bob, 1u32).encode(),
        "Confirmed, 1 confirmation"
    );

    // One confirmation is not enough (NotEnoughConfirmations = 7); a stranger cannot
    // confirm (NotOwner = 2).
    let out = cli.call_refused(&ms, "//Bob", "execute", "u64=0")?;
    assert!(
        out.contains("reverted with 0x07 (error variant 7)"),
        "{out}"
    );
    let out = cli.call_refused(&ms, "//Eve", "confirm", "u64=0")?;
    assert!(
        out.contains("reverted with 0x02 (error variant 2)"),
        "{out}"
    );

    let out = cli.call(&ms, "//Charlie", "confirm", "u64=0")?;
    assert_eq!(emitted(&out)[0].data, (0u64, charlie, 2u32).encode());
    let ferdie_before = wallet.balance(&ferdie).await?.free;
    let out = cli.call(&ms, "//Dave", "execute", "u64=0")?;
    let executed = Emitted {
        contract: ms,
        topics: vec![signature("Executed"), topic(&0u64), topic(&ferdie)],
        data: (0u64, ferdie, value).encode(),
    };
    assert_eq!(emitted(&out), vec![executed]);
    assert_eq!(wallet.balance(&ferdie).await?.free, ferdie_before + value);
    assert_eq!(wallet.balance(&ms).await?.free, 70 * UNITS);
    let proposal = cli.query(&ms, "proposal", "u64=0", "option<(account,u128,u32,bool)>")?;
    assert_eq!(proposal, format!("some(({ferdie},{value},2,true))"));
    let out = cli.call_refused(&ms, "//Dave", "execute", "u64=0")?;
    assert!(out.contains("error variant 4"), "AlreadyExecuted: {out}");

    // Anyone may fund it.
    cli.run_line(&format!(
        "call --contract {ms} --from //Eve --message deposit --value 5"
    ))?;
    let balance = cli.query(&ms, "wallet_balance", "", "u128")?;
    assert_eq!(balance, (75 * UNITS).to_string());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn voting_counts_votes_and_closes_after_the_deadline() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let node = Node::dev(&dir.path().join("node"), BLOCK_MS).await?;
    let cli = ContractCli::new(&node);
    let (bob, dave) = (dev("bob"), dev("dave"));
    let (voting, _) = cli.deploy("voting", "//Bob", "v", "0", "")?;

    // Open for 100 blocks (25 s): room for the votes below on a busy machine. The text
    // argument has spaces, so this call spells out its flags.
    let ends = node.finalized_number().await? + 100;
    let out = cli.run(&[
        "call",
        "--contract",
        &voting.to_address(),
        "--from",
        "//Bob",
        "--message",
        "create_proposal",
        "--arg",
        "text=Lunch at noon?",
        "--arg",
        "u8=3",
        "--arg",
        &format!("u64={ends}"),
    ])?;
    let created = &emitted(&out)[0];
    assert_eq!(
        created.topics,
        vec![signature("ProposalCreated"), topic(&0u32), topic(&bob)]
    );
    assert_eq!(created.data, (0u32, bob, 3u8, ends).encode());

    for (who, choice) in [("//Bob", "u8=1"), ("//Charlie", "u8=1"), ("//Dave", "u8=2")] {
        cli.call(&voting, who, "vote", &format!("u32=0 {choice}"))?;
    }
    // AlreadyVoted = 5, InvalidChoice = 4, VotingOpen = 7.
    for (who, message, args, variant) in [
        ("//Bob", "vote", "u32=0 u8=2", 5),
        ("//Eve", "vote", "u32=0 u8=3", 4),
        ("//Eve", "close", "u32=0", 7),
    ] {
        let out = cli.call_refused(&voting, who, message, args)?;
        assert!(out.contains(&format!("error variant {variant}")), "{out}");
    }
    assert_eq!(
        cli.query(&voting, "tally", "u32=0", "option<vec<u64>>")?,
        "some([0,2,1])"
    );
    let vote = cli.query(
        &voting,
        "vote_of",
        &format!("u32=0 account={dave}"),
        "option<u8>",
    )?;
    assert_eq!(vote, "some(2)");

    node.wait_finalized(ends + 1, Duration::from_secs(60))
        .await?;
    let out = cli.call(&voting, "//Eve", "close", "u32=0")?;
    let closed = Emitted {
        contract: voting,
        topics: vec![signature("ProposalClosed"), topic(&0u32)],
        data: (0u32, vec![0u64, 2, 1], Some(1u8)).encode(),
    };
    assert_eq!(emitted(&out), vec![closed]);
    let shape = "option<(account,text,u64,vec<u64>,bool,option<u8>)>";
    let proposal = cli.query(&voting, "proposal", "u32=0", shape)?;
    let expected = format!("some(({bob},\"Lunch at noon?\",{ends},[0,2,1],true,some(1)))");
    assert_eq!(proposal, expected);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn caller_survives_a_reverting_callee_and_deploys_a_child() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let node = Node::dev(&dir.path().join("node"), BLOCK_MS).await?;
    let cli = ContractCli::new(&node);
    let charlie = dev("charlie");
    let (token, _) = cli.deploy("token", "//Bob", "tok", "0", "u128=1000")?;
    let (caller, _) = cli.deploy("caller", "//Bob", "caller", "0", "")?;
    let attempted = |callee: AccountId, status: i32| Emitted {
        contract: caller,
        topics: vec![signature("CallAttempted"), topic(&callee)],
        data: (callee, status).encode(),
    };
    let output = |out: &str| line_value(out, "Output:").unwrap_or_default();
    let stats = || cli.query(&caller, "stats", "", "(u32,u32)");
    let charlie_balance = || cli.query(&token, "balance_of", &format!("account={charlie}"), "u128");

    // The caller holds no tokens: the token reverts (InsufficientBalance) and the caller
    // returns Failed(Reverted([0])) without reverting itself.
    let args = format!("account={token} account={charlie} u128=5 u64=0");
    let out = cli.call(&caller, "//Bob", "try_token_transfer", &args)?;
    assert_eq!(output(&out), "0x01000400", "{out}");
    assert_eq!(
        emitted(&out),
        vec![attempted(token, 1)],
        "the reverted frame's events are gone"
    );
    assert_eq!((stats()?, charlie_balance()?), ("(0,1)".into(), "0".into()));

    // Funded, the same call goes through: the token's event, then the caller's.
    cli.call(
        &token,
        "//Bob",
        "transfer",
        &format!("account={caller} u128=100"),
    )?;
    let args = format!("account={token} account={charlie} u128=30 u64=0");
    let out = cli.call(&caller, "//Bob", "try_token_transfer", &args)?;
    assert_eq!(output(&out), "0x0000", "Success(empty): {out}");
    let token_transfer = Emitted {
        contract: token,
        topics: vec![
            signature("Transfer"),
            topic(&Some(caller)),
            topic(&Some(charlie)),
        ],
        data: (Some(caller), Some(charlie), 30u128).encode(),
    };
    assert_eq!(emitted(&out), vec![token_transfer, attempted(token, 0)]);
    assert_eq!(
        (stats()?, charlie_balance()?),
        ("(1,1)".into(), "30".into())
    );
    let args = format!("account={token} account={caller}");
    assert_eq!(cli.query(&caller, "token_balance", &args, "u128")?, "70");

    // No contract there: Failed(NoContract) (CallError variant 3, ABI status 4).
    let nobody = AccountId([0x42; 32]);
    let out = cli.call(
        &caller,
        "//Bob",
        "try_call",
        &format!("account={nobody} bytes=0x u64=0"),
    )?;
    assert_eq!(output(&out), "0x0103", "{out}");
    assert_eq!(emitted(&out), vec![attempted(nobody, 4)]);
    assert_eq!(stats()?, "(1,2)");

    // The caller instantiates a token child at the address it predicts.
    let code_hash = example_code_hash("token").to_hex();
    let salt = hex::encode(b"child");
    let target = format!("hash={code_hash} bytes=0x{salt}");
    let predicted = cli.query(&caller, "predict_address", &target, "account")?;
    let supply = hex::encode(500u128.encode());
    let args = format!("{target} bytes=0x{supply} u128=0 u64=0");
    let out = cli.call(&caller, "//Bob", "deploy_child", &args)?;
    let deployed = format!("Event: Instantiated deployer={caller} contract={predicted}");
    assert!(out.contains(&deployed), "{out}");
    let child = AccountId::from_address(&predicted)?;
    let minted = cli.query(&child, "balance_of", &format!("account={caller}"), "u128")?;
    assert_eq!(minted, "500");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_rpc_and_cli_input_is_refused_and_the_node_keeps_going() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let node = Node::dev(&dir.path().join("node"), BLOCK_MS).await?;
    let cli = ContractCli::new(&node);
    let nobody = AccountId([0x42; 32]).to_address();
    // A call request to `nobody` with one field replaced.
    let with = |field: &str, value: Value| {
        let mut request = json!({"origin": dev("bob"), "dest": nobody, "inputData": "0x"});
        request[field] = value;
        vec![request]
    };
    let huge = format!("0x{}", "00".repeat(hm_primitives::MAX_EXTRINSIC_BYTES + 1));
    let long_key = format!("0x{}", "00".repeat(129));
    let cases = [
        (
            "contracts_call",
            with("inputData", json!("0x123")),
            "odd number",
        ),
        (
            "contracts_call",
            with("inputData", json!(huge)),
            "at most 131072",
        ),
        (
            "contracts_call",
            with("gasLimit", json!("18446744073709551616")),
            "64 bits",
        ),
        (
            "contracts_call",
            with("gasLimit", json!(1_600_000_001u64)),
            "per-extrinsic maximum",
        ),
        (
            "contracts_call",
            with("dest", json!("hm1bad")),
            "request.dest",
        ),
        (
            "contracts_getStorage",
            vec![json!(nobody), json!("0x00")],
            "no contract at",
        ),
        (
            "contracts_getStorage",
            vec![json!(nobody), json!(long_key)],
            "at most 128",
        ),
    ];
    for (method, params, reason) in cases {
        let e = node.rpc(method, params).await.expect_err(method);
        let text = match e.downcast_ref::<jsonrpsee::core::ClientError>() {
            Some(jsonrpsee::core::ClientError::Call(obj)) => {
                format!("{} {} {:?}", obj.code(), obj.message(), obj.data())
            }
            _ => format!("{e:#}"),
        };
        assert!(text.contains(reason), "{method}: `{reason}` not in {text}");
    }
    // Well-formed but pointless: answered as results.
    let r = node
        .rpc("contracts_call", with("inputData", json!("0x")))
        .await?;
    assert_eq!(r["error"]["name"], "ContractNotFound", "{r}");
    let upload = json!({"origin": dev("bob"), "code": "0x00010203"});
    let r = node.rpc("contracts_upload_code", vec![upload]).await?;
    assert_eq!(r["error"]["name"], "CodeMalformed", "{r}");
    let r = node.rpc("contracts_getCode", vec![json!(nobody)]).await?;
    assert_eq!(r, Value::Null);

    // A dry-run upload of valid code prices it without compiling it: nothing lands in
    // the node's artifact cache until the code is really uploaded.
    let cache = node.base_path.join("chains/dev/wasm-cache");
    let artifacts = || std::fs::read_dir(&cache).map_or(0, |d| d.count());
    let voting = std::fs::read(example_wasm("voting"))?;
    let upload = json!({"origin": dev("bob"), "code": format!("0x{}", hex::encode(&voting))});
    let r = node.rpc("contracts_upload_code", vec![upload]).await?;
    assert!(
        r["error"].is_null() && r["gasConsumed"].as_u64() > Some(0),
        "{r}"
    );
    assert_eq!(artifacts(), 0, "a dry run compiled code");
    let wasm = example_wasm("voting");
    cli.run(&[
        "upload",
        "--wasm",
        wasm.to_str().unwrap(),
        "--from",
        "//Bob",
    ])?;
    assert_eq!(artifacts(), 1, "the real upload compiles and caches");

    // The CLI says what to fix (NOBODY and GARBAGE are replaced below).
    let garbage = dir.path().join("garbage.wasm");
    std::fs::write(&garbage, b"not wasm at all")?;
    let call_nobody = "call --contract NOBODY --from //Bob --message x";
    for (command, reason) in [
        ("upload --wasm GARBAGE --from //Bob", "CodeMalformed"),
        (
            "upload --wasm /no/such.wasm --from //Bob",
            "cannot read --wasm",
        ),
        (
            "call --contract hm1bad --from //Bob --message x",
            "--contract",
        ),
        (&format!("{call_nobody} --arg u8=300"), "does not fit in u8"),
        (call_nobody, "ContractNotFound"),
        (
            "query --contract NOBODY --message x --arg nonsense",
            "TYPE=VALUE",
        ),
        ("instantiate --code-hash 0x12 --from //Bob", "--code-hash"),
    ] {
        let command = command
            .replace("NOBODY", &nobody)
            .replace("GARBAGE", garbage.to_str().unwrap());
        let args: Vec<&str> = command.split(' ').collect();
        let out = cli.fails(&args)?;
        assert!(out.contains(reason), "{command}: `{reason}` not in {out}");
    }
    let height = node.finalized_number().await?;
    node.wait_finalized(height + 3, Duration::from_secs(20))
        .await?;
    Ok(())
}

/// `contract build <dir>` builds one example reproducibly: the same bytes as
/// scripts/build-contracts.sh produced.
#[test]
fn build_one_example_reproduces_the_scripted_build() -> anyhow::Result<()> {
    let expected = std::fs::read(example_wasm("token"))?;
    let crate_dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../contracts/examples/token"
    );
    let out_dir = tempfile::tempdir()?;
    let out = out_dir.path().to_str().unwrap();
    let (ok, stdout, stderr) = cli(&["contract", "build", crate_dir, "--out", out])?;
    assert!(ok, "build failed:\n{stdout}\n{stderr}");
    assert_eq!(std::fs::read(out_dir.path().join("token.wasm"))?, expected);
    let hash = hm_primitives::blake3_256(&expected).to_hex();
    assert_eq!(line_value(&stdout, "Code hash:"), Some(hash));
    Ok(())
}
