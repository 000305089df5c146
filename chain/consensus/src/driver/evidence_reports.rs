//! Reporting equivocations: the engine submits each as an extrinsic to its own pool and
//! gossips it. The runtime takes evidence only once its height is in the chain, so a
//! report for the height being decided waits and is submitted again after each commit.
use super::{BftEngine, MAX_PENDING_EVIDENCE};
use crate::chain_state::equivocation_report;
use hm_client_api::{PoolError, TransactionPoolApi};
use hm_consensus_bft::DuplicateVoteEvidence;
use hm_primitives::InvalidTransaction;

impl BftEngine {
    /// Submit the equivocation report to our pool and gossip it. The runtime
    /// takes evidence only once its height is in the chain, so a report for
    /// the height being decided waits and is submitted again after each commit.
    pub(super) async fn report(&mut self, evidence: DuplicateVoteEvidence) {
        tracing::warn!(
            offender = %evidence.offender(),
            height = evidence.height(),
            "⚠️ equivocation detected; reporting it"
        );
        if !self.submit_report(evidence.clone()).await
            && self.pending_evidence.len() < MAX_PENDING_EVIDENCE
        {
            self.pending_evidence.push(evidence);
        }
    }

    /// Resubmit reports whose height the chain has now reached.
    pub(super) async fn retry_reports(&mut self) {
        let best = self.best_number();
        let (ready, waiting): (Vec<_>, Vec<_>) = std::mem::take(&mut self.pending_evidence)
            .into_iter()
            .partition(|e| e.height() <= best);
        self.pending_evidence = waiting;
        for evidence in ready {
            self.submit_report(evidence).await;
        }
    }

    /// False if the report must wait for its height to be imported.
    async fn submit_report(&self, evidence: DuplicateVoteEvidence) -> bool {
        let pool = self.pool.clone();
        let submitted = tokio::task::spawn_blocking(move || {
            let extrinsic = equivocation_report(&evidence);
            pool.submit(extrinsic.clone()).map(|_| extrinsic)
        })
        .await;
        match submitted {
            Ok(Ok(extrinsic)) => {
                self.core.network.broadcast_transaction(extrinsic);
                true
            }
            Ok(Err(PoolError::Invalid(InvalidTransaction::FutureTooFar { .. }))) => false,
            Ok(Err(e)) => {
                tracing::debug!("equivocation report not pooled: {e}");
                true
            }
            Err(join) => {
                tracing::error!("submitting an equivocation report panicked: {join}");
                true
            }
        }
    }
}
