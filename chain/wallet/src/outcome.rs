//! What a finalized transaction did, read with `chain_getEvents`: success, or the dispatch
//! error by name, with the weight charged and the fee paid. A transaction whose call
//! failed is still included, and still pays; callers must look here, not at finality.
use crate::{Finalized, RpcWallet};
use anyhow::{anyhow, bail, Context};
use hm_primitives::{format_caes, Balance};
use hm_rpc_api::events::{
    BlockEvents, DispatchErrorName, DryRunApiClient, DryRunResult, EventRecord, EventsApiClient,
};
use hm_rpc_api::{ChainApiClient, HexString};

/// A finalized extrinsic and how it ended.
#[derive(Clone, Debug)]
pub struct TxOutcome {
    pub finalized: Finalized,
    /// Position in its block.
    pub index: u32,
    pub weight: u64,
    pub fee: Balance,
    /// `None` when the call succeeded.
    pub error: Option<DispatchErrorName>,
    /// The records the extrinsic deposited, in order.
    pub events: Vec<EventRecord>,
}

impl TxOutcome {
    pub fn succeeded(&self) -> bool {
        self.error.is_none()
    }

    /// `Ok(self)` when the call succeeded; otherwise the error by name, and the fee paid.
    pub fn ensure_success(self) -> anyhow::Result<Self> {
        match &self.error {
            None => Ok(self),
            Some(e) => bail!(
                "the transaction was included in block #{} but failed: {} ({}); it paid a fee of {} CAES",
                self.finalized.block_number,
                e.name,
                e.message,
                format_caes(self.fee)
            ),
        }
    }

    /// One line for a person: `success; fee paid 0.0021 CAES`, or `failed: Caesar:
    /// InsufficientBalance (free balance is lower than the amount); fee paid 0.0021 CAES`.
    pub fn summary(&self) -> String {
        match &self.error {
            None => format!("success; fee paid {} CAES", format_caes(self.fee)),
            Some(e) => format!(
                "failed: {} ({}); fee paid {} CAES",
                e.name,
                e.message,
                format_caes(self.fee)
            ),
        }
    }

    /// Where the transaction landed and how it ended, one fact a line.
    pub fn report(&self) -> String {
        let done = &self.finalized;
        format!(
            "Extrinsic: {:?}\nFinalized in block #{} ({:?}), extrinsic index {}\nResult: {}",
            done.extrinsic_hash,
            done.block_number,
            done.block_hash,
            self.index,
            self.summary()
        )
    }
}

/// The outcome of extrinsic `index` among a block's `events`.
pub fn outcome_in(
    events: &BlockEvents,
    finalized: Finalized,
    index: u32,
) -> anyhow::Result<TxOutcome> {
    let outcome = events.outcome(index).ok_or_else(|| {
        anyhow!(
            "block {:?} has no ExtrinsicSuccess or ExtrinsicFailed event for extrinsic {index}",
            finalized.block_hash
        )
    })?;
    Ok(TxOutcome {
        finalized,
        index,
        weight: outcome.weight,
        fee: outcome.fee,
        error: outcome.error.clone(),
        events: events.of_extrinsic(index).cloned().collect(),
    })
}

impl RpcWallet {
    /// `system_dryRun`: what `xt` would do as the next block's first extrinsic.
    pub async fn dry_run(&self, xt: &[u8]) -> anyhow::Result<DryRunResult> {
        DryRunApiClient::dry_run(self.client(), HexString::from(xt.to_vec()))
            .await
            .context("system_dryRun")
    }

    /// Refuse, before anything is signed away, an `xt` the node's dry run says no block
    /// would include or whose call would fail (and still cost its fee).
    pub async fn ensure_dry_run_succeeds(&self, xt: &[u8]) -> anyhow::Result<()> {
        let run = self.dry_run(xt).await?;
        if !run.valid {
            bail!(
                "the node would not include this transaction: {}; nothing was submitted",
                run.invalid.unwrap_or_default()
            );
        }
        if let Some(e) = run.outcome.and_then(|o| o.error) {
            bail!(
                "a dry run says the call would fail: {} ({}); nothing was submitted \
                 (--no-dry-run submits it anyway, paying its fee)",
                e.name,
                e.message
            );
        }
        Ok(())
    }

    /// The event log of block `at`.
    pub async fn block_events(&self, at: hm_primitives::H256) -> anyhow::Result<BlockEvents> {
        EventsApiClient::events(self.client(), Some(HexString::from(at)))
            .await
            .context("chain_getEvents")?
            .ok_or_else(|| anyhow!("the node does not have block {at:?}"))
    }

    /// How `xt`, finalized as `finalized` says, ended.
    pub async fn outcome(&self, finalized: Finalized, xt: &[u8]) -> anyhow::Result<TxOutcome> {
        let hash = finalized.block_hash;
        let block = ChainApiClient::block(self.client(), Some(HexString::from(hash)))
            .await?
            .ok_or_else(|| anyhow!("the node does not have block {hash:?}"))?;
        let index = block
            .block
            .extrinsics
            .iter()
            .position(|b| b.0 == xt)
            .ok_or_else(|| anyhow!("the extrinsic is not in block {hash:?}"))?;
        let index = u32::try_from(index).context("extrinsic index")?;
        outcome_in(&self.block_events(hash).await?, finalized, index)
    }

    /// Submit `xt`, wait for finality and read how it ended.
    pub async fn submit_and_watch_outcome(&self, xt: &[u8]) -> anyhow::Result<TxOutcome> {
        let finalized = self.submit_and_wait(xt).await?;
        self.outcome(finalized, xt).await
    }
}
