//! Signed contract transactions followed to finality, and what they did: each extrinsic's
//! events, weight, fee and error from `chain_getEvents`, plus the state reads that check
//! them (balances, parameters, contract storage), all through the generic RPC.
use crate::events::{contracts_events, decode_events};
use anyhow::{bail, Context};
use hm_crypto::Keypair;
use hm_primitives::{AccountId, Balance, H256};
use hm_rpc_api::events::DispatchErrorName;
use hm_rpc_api::{ChainApiClient, HexString, RpcHeader};
use hm_runtime::pallet_contracts::{self as contracts, Error as ContractsError};
use hm_runtime::{Call, Parameters, RuntimeEvent};
use hm_wallet::{RpcWallet, TxParams};
use jsonrpsee::ws_client::WsClient;
use std::time::{Duration, Instant};

/// Blocks a transaction signed here stays valid for.
pub const MORTALITY: u64 = 64;

/// A finalized extrinsic and what it did.
#[derive(Clone, Debug)]
pub struct Included {
    pub block_hash: H256,
    pub parent_hash: H256,
    pub block_number: u64,
    /// Position in the block.
    pub index: u32,
    /// Encoded length (the length fee's basis).
    pub len: usize,
    /// Events deposited while it was applied, in order.
    pub events: Vec<RuntimeEvent>,
    /// Weight charged.
    pub weight: u64,
    /// Fee paid, as the node reports it.
    pub fee: Balance,
    /// `None` when the call succeeded.
    pub error: Option<DispatchErrorName>,
    /// From submission until it (and the rest of its batch) was finalized.
    pub latency: Duration,
}

impl Included {
    /// Fails unless the call failed with `expected` of the contracts pallet.
    pub fn expect_contracts_error(&self, expected: ContractsError) -> anyhow::Result<()> {
        match &self.error {
            Some(e) if e.pallet == contracts::PALLET_INDEX && e.error == expected as u8 => Ok(()),
            other => bail!(
                "expected {expected:?} ({}), got {other:?}; events: {:?}",
                expected.message(),
                self.events
            ),
        }
    }

    pub fn expect_success(&self) -> anyhow::Result<()> {
        match &self.error {
            None => Ok(()),
            Some(e) => bail!("the call failed with {}; events: {:?}", e.name, self.events),
        }
    }

    pub fn contracts_events(&self) -> impl Iterator<Item = &contracts::Event> {
        contracts_events(&self.events)
    }

    /// The code hash an upload stored.
    pub fn code_stored(&self) -> anyhow::Result<H256> {
        self.contracts_events()
            .find_map(|e| match e {
                contracts::Event::CodeStored { code_hash, .. } => Some(*code_hash),
                _ => None,
            })
            .with_context(|| format!("no CodeStored event in {:?}", self.events))
    }

    /// The contract an instantiation created.
    pub fn instantiated(&self) -> anyhow::Result<AccountId> {
        self.contracts_events()
            .find_map(|e| match e {
                contracts::Event::Instantiated { contract, .. } => Some(*contract),
                _ => None,
            })
            .with_context(|| format!("no Instantiated event in {:?}", self.events))
    }
}

/// A wallet plus the reads contract tooling needs.
pub struct ContractClient {
    pub wallet: RpcWallet,
}

impl ContractClient {
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        Ok(ContractClient {
            wallet: RpcWallet::connect(url).await?,
        })
    }

    fn rpc(&self) -> &WsClient {
        self.wallet.client()
    }

    /// Sign `call` with the sender's next nonce, submit it and wait for finality.
    pub async fn submit(&self, kp: &Keypair, call: Call) -> anyhow::Result<Included> {
        let mut all = self.submit_all(kp, vec![call]).await?;
        all.pop().context("one call, one result")
    }

    /// Sign `calls` with consecutive nonces, submit them together and wait until all
    /// are finalized; results in the order of `calls`.
    pub async fn submit_all(
        &self,
        kp: &Keypair,
        calls: Vec<Call>,
    ) -> anyhow::Result<Vec<Included>> {
        let ctx = self.wallet.chain_context().await?;
        let first = self.wallet.next_nonce(&kp.account_id()).await?;
        let valid_until = ctx.best_number.saturating_add(MORTALITY);
        let signed = calls
            .into_iter()
            .enumerate()
            .map(|(i, call)| {
                let nonce = u64::try_from(i)
                    .ok()
                    .and_then(|i| first.checked_add(i))
                    .context("nonce overflow")?;
                let params = TxParams {
                    genesis_hash: ctx.genesis_hash,
                    spec_version: ctx.spec_version,
                    nonce,
                    tip: 0,
                    valid_until,
                };
                Ok(hm_wallet::sign(kp, call, &params))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let started = Instant::now();
        let finalized =
            futures::future::join_all(signed.iter().map(|xt| self.wallet.submit_and_wait(xt)))
                .await;
        let latency = started.elapsed();
        let mut out = Vec::with_capacity(signed.len());
        for (xt, finalized) in signed.iter().zip(finalized) {
            out.push(self.included(xt, finalized?, latency).await?);
        }
        Ok(out)
    }

    /// Submit without waiting (for extrinsics the pool is expected to refuse).
    pub async fn submit_only(&self, kp: &Keypair, call: Call) -> anyhow::Result<H256> {
        let xt = self
            .wallet
            .sign_with_context(kp, call, 0, MORTALITY)
            .await?;
        self.wallet.submit(&xt).await
    }

    async fn included(
        &self,
        xt: &[u8],
        finalized: hm_wallet::Finalized,
        latency: Duration,
    ) -> anyhow::Result<Included> {
        let outcome = self.wallet.outcome(finalized, xt).await?;
        let header = self.header(finalized.block_hash).await?;
        Ok(Included {
            block_hash: finalized.block_hash,
            parent_hash: header.parent_hash,
            block_number: finalized.block_number,
            index: outcome.index,
            len: xt.len(),
            events: decode_events(&outcome.events)?,
            weight: outcome.weight,
            fee: outcome.fee,
            error: outcome.error,
            latency,
        })
    }

    /// Raw storage under `key` at block `at`.
    pub async fn storage_at(&self, key: &[u8], at: H256) -> anyhow::Result<Option<Vec<u8>>> {
        self.wallet.storage(key, Some(at)).await
    }

    pub async fn free_balance_at(&self, who: &AccountId, at: H256) -> anyhow::Result<Balance> {
        let key = hm_runtime::account_storage_key(who);
        let data: Option<hm_pallet_caesar::AccountData> =
            self.wallet.decoded_storage(&key, Some(at)).await?;
        Ok(data.map(|d| d.free).unwrap_or(0))
    }

    /// Chain parameters (fees, limits) at `at` (best when `None`).
    pub async fn parameters_at(&self, at: Option<H256>) -> anyhow::Result<Parameters> {
        let key = hm_pallet_system::storage::parameters();
        Ok(self
            .wallet
            .decoded_storage(&key, at)
            .await?
            .unwrap_or_default())
    }

    /// The fee the chain's parameters ask for `included` (no tip): length fee plus the
    /// fee of the weight it was charged.
    pub async fn expected_fee(&self, included: &Included) -> anyhow::Result<Balance> {
        let params = self.parameters_at(Some(included.block_hash)).await?;
        params
            .fees
            .fee(included.len, included.weight, 0)
            .context("fee overflow")
    }

    /// What `who` lost in the block of `included` (its balance before minus after).
    pub async fn spent_in(&self, who: &AccountId, included: &Included) -> anyhow::Result<Balance> {
        let before = self.free_balance_at(who, included.parent_hash).await?;
        let after = self.free_balance_at(who, included.block_hash).await?;
        before
            .checked_sub(after)
            .with_context(|| format!("{who} gained {} in the block", after.saturating_sub(before)))
    }

    /// Fails unless `who` paid exactly the fee of `included` and nothing else, and the
    /// node reported that fee.
    pub async fn expect_paid_only_the_fee(
        &self,
        who: &AccountId,
        included: &Included,
    ) -> anyhow::Result<Balance> {
        let fee = self.expected_fee(included).await?;
        let spent = self.spent_in(who, included).await?;
        anyhow::ensure!(
            spent == fee && included.fee == fee,
            "{who} spent {spent} in block #{} and the node reports a fee of {}; the fee of {} \
             weight and {} bytes is {fee}",
            included.block_number,
            included.fee,
            included.weight,
            included.len
        );
        Ok(fee)
    }

    /// A contract's storage value under `key` at block `at`.
    pub async fn contract_storage_at(
        &self,
        contract: &AccountId,
        key: &[u8],
        at: H256,
    ) -> anyhow::Result<Option<Vec<u8>>> {
        self.storage_at(&hm_runtime::contracts_storage_key(contract, key), at)
            .await
    }

    pub async fn header(&self, at: H256) -> anyhow::Result<RpcHeader> {
        ChainApiClient::header(self.rpc(), Some(HexString::from(at)))
            .await?
            .with_context(|| format!("no header {at:?}"))
    }
}
