//! The I/O around the [`SyncMachine`]: status rounds over the network, block requests,
//! imports on blocking threads, and progress for RPC.
use crate::machine::{Action, Delivery, Ours, ProbeOutcome, SyncMachine};
use crate::progress::SyncProgress;
use hm_client::{Client, ImportError};
use hm_network::{NetworkHandle, PeerId, SyncRequest, SyncResponse};
use hm_primitives::{decode_untrusted, SignedBlock};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a status request may take.
const STATUS_TIMEOUT: Duration = Duration::from_secs(2);
/// How long a block request may take before it counts as a useless answer.
const FETCH_TIMEOUT: Duration = Duration::from_secs(10);
/// How often progress is logged while syncing.
const LOG_INTERVAL: Duration = Duration::from_secs(3);

/// Follow peers until the task is dropped.
pub async fn run(client: Arc<Client>, network: NetworkHandle, progress: Arc<SyncProgress>) {
    progress.set_starting(client.chain_info().finalized_number);
    let mut machine = SyncMachine::<PeerId>::default();
    let mut last_log = Instant::now();
    let mut window = (Instant::now(), client.chain_info().finalized_number);
    loop {
        machine.status_round(status_round(&network).await);
        let info = client.chain_info();
        let ours = Ours {
            best: info.best_number,
            finalized: info.finalized_number,
        };
        let action = machine.next_action(ours, Instant::now());
        progress.update(machine.is_syncing(), machine.peers().highest_proven());
        match action {
            Action::Wait(pause) => tokio::time::sleep(pause).await,
            Action::Fetch { peer, from, max } => {
                let delivery = fetch(&client, &network, peer, from, max).await;
                machine.on_delivery(peer, delivery);
            }
            Action::Probe { peer, height } => {
                let outcome = probe(&client, &network, peer, height).await;
                machine.on_probe(peer, outcome);
            }
        }
        progress.update(machine.is_syncing(), machine.peers().highest_proven());
        if machine.is_syncing() && last_log.elapsed() >= LOG_INTERVAL {
            let now = client.chain_info().finalized_number;
            let rate = (now.saturating_sub(window.1)) as f64 / window.0.elapsed().as_secs_f64();
            tracing::info!(
                "⚙️  syncing #{now} of #{} ({rate:.1} blocks/s)",
                progress.highest_block(now)
            );
            window = (Instant::now(), now);
            last_log = Instant::now();
        }
    }
}

/// Every connected peer with the finalized height it claims now, or `None` if it did not
/// answer in time (paused, overloaded).
async fn status_round(network: &NetworkHandle) -> Vec<(PeerId, Option<u64>)> {
    let asks = network.peers().await.into_iter().map(|peer| async move {
        let answer = tokio::time::timeout(
            STATUS_TIMEOUT,
            network.request(peer.peer_id, SyncRequest::Status),
        )
        .await;
        let claim = match answer {
            Ok(Ok(SyncResponse::Status(status))) => Some(status.finalized_number),
            _ => None,
        };
        (peer.peer_id, claim)
    });
    futures::future::join_all(asks).await
}

/// Ask `peer` for blocks and import what it serves.
async fn fetch(
    client: &Arc<Client>,
    network: &NetworkHandle,
    peer: PeerId,
    from: u64,
    max: u32,
) -> Delivery {
    let request = SyncRequest::Blocks { from, max };
    let blocks = match tokio::time::timeout(FETCH_TIMEOUT, network.request(peer, request)).await {
        Ok(Ok(SyncResponse::Blocks(blocks))) if !blocks.is_empty() => blocks,
        Ok(Ok(_)) => {
            tracing::debug!(%peer, from, "sync: peer served no blocks");
            return Delivery::Useless;
        }
        Ok(Err(e)) => {
            tracing::debug!(%peer, "block request failed: {e}");
            return Delivery::Useless;
        }
        Err(_) => {
            tracing::debug!(%peer, "block request timed out");
            return Delivery::Useless;
        }
    };
    let importer = client.clone();
    // Import verifies proofs and executes: keep it off the async workers.
    match tokio::task::spawn_blocking(move || import_range(&importer, blocks)).await {
        Ok(Ok(delivery)) => delivery,
        Ok(Err(reason)) => {
            tracing::warn!(%peer, "sync: {reason}");
            network.report_peer(peer, &reason);
            Delivery::Invalid
        }
        Err(e) => {
            tracing::error!("sync import task failed: {e}");
            Delivery::AlreadyHad
        }
    }
}

/// Decode and import `blocks` in order; the first bad one ends it with the reason.
fn import_range(client: &Client, blocks: Vec<Vec<u8>>) -> Result<Delivery, String> {
    let mut imported = 0u64;
    let mut height = 0u64;
    for bytes in blocks {
        let block: SignedBlock = decode_untrusted(&bytes, hm_network::MAX_RESPONSE_BYTES)
            .map_err(|e| format!("undecodable block: {e}"))?;
        let number = block.block.header.number;
        if block.justification.is_none() {
            return Err(format!("block #{number} came without a justification"));
        }
        match client.import_block(block, true) {
            Ok(_) => {
                imported = imported.saturating_add(1);
                height = number;
            }
            // The engine imported it meanwhile (or an earlier response did).
            Err(ImportError::NotNext { best_number, .. }) if best_number >= number => {}
            // Our own database failed: not the peer's fault.
            Err(ImportError::Storage(e)) => {
                tracing::error!("sync: storing block #{number} failed: {e}");
                break;
            }
            Err(e) => return Err(format!("block #{number} rejected: {e}")),
        }
    }
    Ok(if imported > 0 {
        Delivery::Imported {
            blocks: imported,
            height,
        }
    } else {
        Delivery::AlreadyHad
    })
}

/// Ask `peer` for the justified block at the height it claims, and judge it.
async fn probe(
    client: &Arc<Client>,
    network: &NetworkHandle,
    peer: PeerId,
    height: u64,
) -> ProbeOutcome {
    let request = SyncRequest::Blocks {
        from: height,
        max: 1,
    };
    let answer = tokio::time::timeout(FETCH_TIMEOUT, network.request(peer, request)).await;
    let bytes = match answer {
        Ok(Ok(SyncResponse::Blocks(blocks))) if blocks.len() == 1 => blocks.concat(),
        _ => return ProbeOutcome::Useless,
    };
    let checker = client.clone();
    let outcome = tokio::task::spawn_blocking(move || {
        match decode_untrusted::<SignedBlock>(&bytes, hm_network::MAX_RESPONSE_BYTES) {
            Ok(block) => crate::tip::check_claimed_tip(&checker, &block, height),
            Err(_) => ProbeOutcome::Invalid,
        }
    })
    .await
    .unwrap_or(ProbeOutcome::Undecided);
    if outcome == ProbeOutcome::Invalid {
        let reason = format!("served a forged or mismatched block for its claimed #{height}");
        tracing::warn!(%peer, "sync: {reason}");
        network.report_peer(peer, &reason);
    }
    outcome
}
