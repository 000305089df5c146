//! `system_dryRun`: an extrinsic applied on a throwaway overlay of the next block, in
//! one of the dry-run slots the contract queries use (see [`ContractsRpc`]), so a
//! wallet can refuse before submitting a call that would fail and cost its fee.
use crate::contracts::ContractsRpc;
use crate::errors::{hex_param, invalid_param};
use crate::events::record;
use hm_client_api::DryRun;
use hm_primitives::MAX_EXTRINSIC_BYTES;
use hm_rpc_api::events::{DryRunApiServer, DryRunResult, ExtrinsicOutcome};
use hm_rpc_api::HexString;
use jsonrpsee::core::{async_trait, RpcResult};

#[async_trait]
impl DryRunApiServer for ContractsRpc {
    async fn dry_run(&self, extrinsic: HexString) -> RpcResult<DryRunResult> {
        let bytes = hex_param("extrinsic", &extrinsic)?;
        if bytes.len() > MAX_EXTRINSIC_BYTES {
            return Err(invalid_param(
                "extrinsic",
                format!("{} bytes; at most {MAX_EXTRINSIC_BYTES}", bytes.len()),
            ));
        }
        let run = self
            .execute(move |chain| chain.dry_run_extrinsic(&bytes))
            .await?;
        Ok(match run {
            DryRun::Invalid(reason) => DryRunResult {
                valid: false,
                invalid: Some(reason),
                outcome: None,
                events: Vec::new(),
            },
            DryRun::Applied { outcome, events } => DryRunResult {
                valid: true,
                invalid: None,
                outcome: Some(ExtrinsicOutcome {
                    success: outcome.error.is_none(),
                    weight: outcome.weight,
                    fee: outcome.fee,
                    error: outcome.error.map(crate::events::error_name),
                }),
                events: events.into_iter().map(record).collect(),
            },
        })
    }
}
