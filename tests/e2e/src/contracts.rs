//! Helpers for the example-contract tests: find the built .wasm files, drive
//! `hypermesh contract …` and read what it prints, and mirror the SDK's event topics.
use crate::{cli, Node};
use anyhow::{bail, Context};
use hm_primitives::{blake3_256, AccountId, H256};
use hm_rpc_api::{ContractCallRequest, ContractExecResult, ContractsApiClient, HexString};
use parity_scale_codec::Encode;
use std::path::{Path, PathBuf};

/// `contracts/target-wasm/<name>.wasm`, which `scripts/build-contracts.sh` writes.
pub fn example_wasm(name: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../contracts/target-wasm")
        .join(format!("{name}.wasm"));
    assert!(
        path.is_file(),
        "{} is missing: build the example contracts first with scripts/build-contracts.sh \
         (scripts/test.sh runs it before the end-to-end tests)",
        path.display()
    );
    path
}

/// The code hash of an example: `blake3` of its wasm.
pub fn example_code_hash(name: &str) -> H256 {
    let code = std::fs::read(example_wasm(name)).expect("readable wasm");
    blake3_256(&code)
}

/// A dev account (`alice` … `ferdie`).
pub fn dev(name: &str) -> AccountId {
    hm_crypto::dev_keypair(name)
        .unwrap_or_else(|| panic!("no dev key {name}"))
        .account_id()
}

/// The SDK's signature topic of an event struct: `blake3(name)`.
pub fn signature(name: &str) -> H256 {
    blake3_256(name.as_bytes())
}

/// The SDK's topic of a field: its SCALE encoding zero-padded to 32 bytes, or its
/// `blake3` when longer.
pub fn topic<T: Encode>(value: &T) -> H256 {
    let encoded = value.encode();
    if encoded.len() > 32 {
        return blake3_256(&encoded);
    }
    let mut topic = [0u8; 32];
    topic[..encoded.len()].copy_from_slice(&encoded);
    H256(topic)
}

/// A `ContractEmitted` event as the CLI prints it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Emitted {
    pub contract: AccountId,
    pub topics: Vec<H256>,
    pub data: Vec<u8>,
}

/// Every `Event: ContractEmitted …` line of a CLI run, in order.
pub fn emitted(stdout: &str) -> Vec<Emitted> {
    stdout
        .lines()
        .filter_map(|l| l.strip_prefix("Event: ContractEmitted "))
        .map(|rest| {
            let field = |name: &str| {
                rest.split(' ')
                    .find_map(|kv| kv.strip_prefix(name))
                    .unwrap_or_else(|| panic!("no {name} in {rest}"))
            };
            let topics = field("topics=");
            Emitted {
                contract: AccountId::from_address(field("contract=")).expect("address"),
                topics: topics
                    .split(',')
                    .filter(|t| !t.is_empty())
                    .map(|t| H256::from_hex(t).expect("topic"))
                    .collect(),
                data: hex::decode(field("data=").trim_start_matches("0x")).expect("data"),
            }
        })
        .collect()
}

/// The value after `prefix` on the first line that starts with it.
pub fn line_value(stdout: &str, prefix: &str) -> Option<String> {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix(prefix).map(|v| v.trim().to_owned()))
}

/// `hypermesh contract …` against one node.
pub struct ContractCli {
    pub rpc_url: String,
}

impl ContractCli {
    pub fn new(node: &Node) -> Self {
        ContractCli {
            rpc_url: node.rpc_url(),
        }
    }

    fn args<'a>(&'a self, args: &[&'a str]) -> Vec<&'a str> {
        let mut all = vec!["contract"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--rpc-url", &self.rpc_url]);
        all
    }

    /// Runs and returns stdout; fails with both streams when the command fails.
    pub fn run(&self, args: &[&str]) -> anyhow::Result<String> {
        let (ok, out, err) = cli(&self.args(args))?;
        if !ok {
            bail!(
                "`hypermesh contract {}` failed:\n{out}\n{err}",
                args.join(" ")
            );
        }
        Ok(out)
    }

    /// [`ContractCli::run`] with the arguments written as one space-separated line.
    pub fn run_line(&self, line: &str) -> anyhow::Result<String> {
        self.run(&line.split(' ').collect::<Vec<_>>())
    }

    /// Runs a command that must fail; returns stdout and stderr together.
    pub fn fails(&self, args: &[&str]) -> anyhow::Result<String> {
        let (ok, out, err) = cli(&self.args(args))?;
        if ok {
            bail!("`hypermesh contract {}` succeeded:\n{out}", args.join(" "));
        }
        Ok(format!("{out}\n{err}"))
    }

    /// `--arg` flags for space-separated `TYPE=VALUE` arguments (none when empty).
    fn with_args<'a>(mut base: Vec<&'a str>, args: &'a str) -> Vec<&'a str> {
        for arg in args.split(' ').filter(|a| !a.is_empty()) {
            base.extend_from_slice(&["--arg", arg]);
        }
        base
    }

    /// Instantiates example `name` (uploading it if needed) as `from` with deploy `args`;
    /// returns the address and what the CLI printed.
    pub fn deploy(
        &self,
        name: &str,
        from: &str,
        salt: &str,
        value: &str,
        args: &str,
    ) -> anyhow::Result<(AccountId, String)> {
        let wasm = example_wasm(name);
        let wasm = wasm.to_str().context("utf-8 path")?;
        let base = vec![
            "instantiate",
            "--wasm",
            wasm,
            "--from",
            from,
            "--salt",
            salt,
            "--value",
            value,
        ];
        let out = self.run(&Self::with_args(base, args))?;
        let address = line_value(&out, "Contract:").context("no Contract: line")?;
        Ok((AccountId::from_address(&address)?, out))
    }

    fn call_args<'a>(
        contract: &'a str,
        from: &'a str,
        message: &'a str,
        args: &'a str,
    ) -> Vec<&'a str> {
        let base = vec![
            "call",
            "--contract",
            contract,
            "--from",
            from,
            "--message",
            message,
        ];
        Self::with_args(base, args)
    }

    /// Calls `message` as `from` with space-separated `TYPE=VALUE` args; returns stdout.
    pub fn call(
        &self,
        contract: &AccountId,
        from: &str,
        message: &str,
        args: &str,
    ) -> anyhow::Result<String> {
        let address = contract.to_address();
        self.run(&Self::call_args(&address, from, message, args))
    }

    /// A call that the dry run refuses; returns what the CLI printed.
    pub fn call_refused(
        &self,
        contract: &AccountId,
        from: &str,
        message: &str,
        args: &str,
    ) -> anyhow::Result<String> {
        let address = contract.to_address();
        self.fails(&Self::call_args(&address, from, message, args))
    }

    /// Queries `message` and returns its output decoded as `output`.
    pub fn query(
        &self,
        contract: &AccountId,
        message: &str,
        args: &str,
        output: &str,
    ) -> anyhow::Result<String> {
        let address = contract.to_address();
        let base = vec![
            "query",
            "--contract",
            &address,
            "--message",
            message,
            "--output",
            output,
        ];
        let out = self.run(&Self::with_args(base, args))?;
        line_value(&out, "Decoded:").with_context(|| format!("no Decoded: line in {out}"))
    }
}

/// `contracts_call` over RPC as `origin`, with raw input.
pub async fn rpc_call(
    node: &Node,
    origin: &AccountId,
    dest: &AccountId,
    input: Vec<u8>,
) -> anyhow::Result<ContractExecResult> {
    let wallet = node.wallet().await?;
    let request = ContractCallRequest {
        origin: origin.to_address(),
        dest: dest.to_address(),
        value: 0,
        gas_limit: None,
        storage_deposit_limit: None,
        input_data: HexString::from(input),
    };
    Ok(wallet.client().call(request, None).await?)
}

/// A message's input: its selector, then its SCALE-encoded arguments.
pub fn message_input(name: &str, args: impl Encode) -> Vec<u8> {
    let mut input = blake3_256(name.as_bytes()).0[..4].to_vec();
    input.extend_from_slice(&args.encode());
    input
}
