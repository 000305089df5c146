//! `ChainApi::dry_run_extrinsic`: an extrinsic applied as the first of the block after
//! the best one, on a throwaway overlay, so a wallet can say before submitting that a
//! call would fail, and why, without paying for it.
use crate::events::describe_events;
use crate::overlay::TxFailure;
use crate::Client;
use hm_client_api::{ClientError, DryRun, EventPhase};
use hm_runtime::BlockContext;

impl Client {
    pub(crate) fn dry_run(&self, xt: &[u8]) -> Result<DryRun, ClientError> {
        let parent = self
            .best_header()
            .map_err(|e| ClientError::Storage(e.to_string()))?;
        // The next block as its proposer would open it. Its timestamp is the least a
        // valid one can be: a dry run reads no clock.
        let ctx = BlockContext {
            number: parent.number.saturating_add(1),
            timestamp_ms: parent.timestamp_ms.saturating_add(1),
            parent_hash: parent.hash(),
            author: parent.proposer,
            genesis_hash: self.chain_info().genesis_hash,
        };
        let mut overlay = self.overlay();
        hm_runtime::initialize_block(&mut overlay, &ctx);
        let applied = overlay.transactional(|ext| hm_runtime::apply_extrinsic(ext, &ctx, xt));
        let records = hm_runtime::events(&overlay);
        let params = hm_runtime::parameters(&overlay);
        if let Some(e) = overlay.read_error() {
            return Err(ClientError::Storage(e));
        }
        match applied {
            Err(TxFailure::Failed(invalid)) => Ok(DryRun::Invalid(invalid.to_string())),
            Err(TxFailure::NodeFault(fault)) => Err(ClientError::Execution(fault)),
            Ok(_) => {
                let events: Vec<_> = describe_events(&records, &params, |i| (i == 0).then_some(xt))
                    .into_iter()
                    .filter(|e| e.phase == EventPhase::ApplyExtrinsic(0))
                    .collect();
                let outcome = events
                    .iter()
                    .find_map(|e| e.outcome.clone())
                    .ok_or_else(|| {
                        ClientError::Execution("the extrinsic deposited no outcome".into())
                    })?;
                Ok(DryRun::Applied { outcome, events })
            }
        }
    }
}
