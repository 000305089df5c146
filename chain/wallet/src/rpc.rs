//! A thin JSON-RPC client over WebSocket, speaking the node's Substrate-named methods.
use crate::TxParams;
use anyhow::{anyhow, bail, Context};
use hm_crypto::Keypair;
use hm_primitives::{AccountId, Balance, BlockNumber, H256};
use jsonrpsee::{
    core::client::{ClientT, SubscriptionClientT},
    rpc_params,
    ws_client::{WsClient, WsClientBuilder},
};
use serde_json::Value;
use std::time::Duration;

pub struct RpcWallet {
    client: WsClient,
}

#[derive(Clone, Copy, Debug)]
pub struct ChainContext {
    pub genesis_hash: H256,
    pub spec_version: u32,
    pub best_number: BlockNumber,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BalanceInfo {
    pub free: Balance,
    pub reserved: Balance,
    /// Part of `free` that balance locks hold.
    pub locked: Balance,
    pub nonce: u64,
}

/// Where a transaction was finalized.
#[derive(Clone, Copy, Debug)]
pub struct Finalized {
    pub extrinsic_hash: H256,
    pub block_hash: H256,
    pub block_number: BlockNumber,
}

fn parse_hash(v: &Value, what: &str) -> anyhow::Result<H256> {
    let s = v
        .as_str()
        .ok_or_else(|| anyhow!("{what}: expected a hex string, got {v}"))?;
    H256::from_hex(s).map_err(|e| anyhow!("{what}: {e}"))
}

fn parse_number(v: &Value) -> anyhow::Result<u64> {
    match v {
        Value::Number(n) => n.as_u64().ok_or_else(|| anyhow!("bad number {n}")),
        Value::String(s) => {
            u64::from_str_radix(s.trim_start_matches("0x"), 16).context("bad hex number")
        }
        other => bail!("expected a number, got {other}"),
    }
}

fn parse_balance(v: &Value) -> anyhow::Result<Balance> {
    match v {
        Value::String(s) => s.parse().with_context(|| format!("bad balance {s}")),
        Value::Number(n) => n
            .as_u64()
            .map(Balance::from)
            .ok_or_else(|| anyhow!("bad balance {n}")),
        other => bail!("expected a balance, got {other}"),
    }
}

impl RpcWallet {
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        let client = WsClientBuilder::default()
            .request_timeout(Duration::from_secs(60))
            .build(url)
            .await
            .with_context(|| {
                format!("cannot reach the node at {url}; is it running? (--rpc-url)")
            })?;
        Ok(RpcWallet { client })
    }

    pub fn client(&self) -> &WsClient {
        &self.client
    }

    pub async fn chain_context(&self) -> anyhow::Result<ChainContext> {
        let genesis: Value = self
            .client
            .request("chain_getBlockHash", rpc_params![0u64])
            .await?;
        let version: Value = self
            .client
            .request("state_getRuntimeVersion", rpc_params![])
            .await?;
        let header: Value = self
            .client
            .request("chain_getHeader", rpc_params![])
            .await?;
        Ok(ChainContext {
            genesis_hash: parse_hash(&genesis, "genesis hash")?,
            spec_version: version["specVersion"]
                .as_u64()
                .ok_or_else(|| anyhow!("no specVersion"))? as u32,
            best_number: parse_number(&header["number"])?,
        })
    }

    pub async fn next_nonce(&self, who: &AccountId) -> anyhow::Result<u64> {
        let v: Value = self
            .client
            .request("system_accountNextIndex", rpc_params![who.to_address()])
            .await?;
        parse_number(&v)
    }

    pub async fn balance(&self, who: &AccountId) -> anyhow::Result<BalanceInfo> {
        let v: Value = self
            .client
            .request("caesar_balance", rpc_params![who.to_address()])
            .await?;
        Ok(BalanceInfo {
            free: parse_balance(&v["free"])?,
            reserved: parse_balance(&v["reserved"])?,
            locked: match &v["locked"] {
                Value::Null => 0,
                locked => parse_balance(locked)?,
            },
            nonce: parse_number(&v["nonce"])?,
        })
    }

    pub async fn submit(&self, xt: &[u8]) -> anyhow::Result<H256> {
        let v: Value = self
            .client
            .request(
                "author_submitExtrinsic",
                rpc_params![format!("0x{}", hex::encode(xt))],
            )
            .await?;
        parse_hash(&v, "extrinsic hash")
    }

    /// Submit and follow the status stream until the transaction is finalized (or fails).
    pub async fn submit_and_wait(&self, xt: &[u8]) -> anyhow::Result<Finalized> {
        let extrinsic_hash = hm_primitives::blake3_256(xt);
        let mut sub = self
            .client
            .subscribe::<Value, _>(
                "author_submitAndWatchExtrinsic",
                rpc_params![format!("0x{}", hex::encode(xt))],
                "author_unwatchExtrinsic",
            )
            .await?;
        while let Some(status) = sub.next().await {
            let status = status?;
            if let Some(h) = status.get("finalized") {
                let block_hash = parse_hash(h, "finalized block")?;
                let header: Value = self
                    .client
                    .request("chain_getHeader", rpc_params![block_hash])
                    .await?;
                let block_number = parse_number(&header["number"])?;
                return Ok(Finalized {
                    extrinsic_hash,
                    block_hash,
                    block_number,
                });
            }
            if let Some(s) = status.as_str() {
                if matches!(s, "dropped" | "invalid" | "usurped") {
                    bail!("transaction {extrinsic_hash:?} was {s}");
                }
            }
        }
        bail!("the node closed the status stream before finalization")
    }

    /// The runtime's metadata (`state_getMetadata`), decoded.
    pub async fn metadata(&self) -> anyhow::Result<crate::Metadata> {
        let hex_bytes: String = self
            .client
            .request("state_getMetadata", rpc_params![])
            .await
            .context("state_getMetadata")?;
        let bytes = hex::decode(hex_bytes.trim_start_matches("0x")).context("metadata hex")?;
        crate::Metadata::decode(&bytes)
    }

    /// Sign with the node's current context and the sender's next nonce.
    pub async fn sign_with_context(
        &self,
        kp: &Keypair,
        call: impl parity_scale_codec::Encode,
        tip: Balance,
        mortality: u64,
    ) -> anyhow::Result<Vec<u8>> {
        let ctx = self.chain_context().await?;
        let nonce = self.next_nonce(&kp.account_id()).await?;
        let params = TxParams {
            genesis_hash: ctx.genesis_hash,
            spec_version: ctx.spec_version,
            nonce,
            tip,
            valid_until: ctx.best_number.saturating_add(mortality.max(1)),
        };
        Ok(crate::sign(kp, call, &params))
    }
}
