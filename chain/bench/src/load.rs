//! Signing transfers up front and pushing them through the node's RPC.
use crate::follow::{self, FollowOutcome, Tracked};
use anyhow::{anyhow, Context};
use futures::stream::{self, StreamExt};
use hm_crypto::Keypair;
use hm_primitives::{AccountId, Balance, BlockNumber, Nonce, H256};
use hm_rpc_api::{AuthorApiClient, HexString};
use hm_wallet::TxParams;
use jsonrpsee::core::ClientError;
use jsonrpsee::ws_client::WsClient;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;

/// Error keys longer than this are cut: the count matters, not the full text.
const MAX_ERROR_KEY: usize = 200;

/// What every signature of a run binds besides the call.
#[derive(Clone, Copy, Debug)]
pub struct TxContext {
    pub genesis_hash: H256,
    pub spec_version: u32,
    pub valid_until: BlockNumber,
}

/// One transfer to sign.
pub struct Transfer<'a> {
    pub from: &'a Keypair,
    pub to: AccountId,
    pub value: Balance,
    pub nonce: Nonce,
}

/// A signed transaction, hex-encoded once so submission does no encoding work.
pub struct Prepared {
    pub hash: H256,
    pub hex: HexString,
}

/// Sign all `transfers` on every core, keeping their order.
pub fn sign_all(transfers: &[Transfer<'_>], ctx: &TxContext) -> Vec<Prepared> {
    transfers
        .par_iter()
        .map(|t| {
            let params = TxParams {
                genesis_hash: ctx.genesis_hash,
                spec_version: ctx.spec_version,
                nonce: t.nonce,
                tip: 0,
                valid_until: ctx.valid_until,
            };
            let bytes = hm_wallet::sign(
                t.from,
                hm_wallet::transfer_call(t.to, t.value, false),
                &params,
            );
            Prepared {
                hash: hm_primitives::blake3_256(&bytes),
                hex: HexString::from(bytes),
            }
        })
        .collect()
}

/// How many transfers each of `accounts` sends so that they total `txs`.
pub fn ring_shares(accounts: usize, txs: usize) -> Vec<usize> {
    if accounts == 0 {
        return Vec::new();
    }
    (0..accounts)
        .map(|a| txs / accounts + usize::from(a < txs % accounts))
        .collect()
}

/// The benchmark load: account `a` sends `value` to account `(a + 1) % n`,
/// `shares[a]` times with consecutive nonces from `first_nonce`.
pub fn ring_transfers<'a>(
    accounts: &'a [Keypair],
    shares: &[usize],
    value: Balance,
    first_nonce: Nonce,
) -> Vec<Vec<Transfer<'a>>> {
    let n = accounts.len();
    accounts
        .iter()
        .enumerate()
        .zip(shares)
        .map(|((a, from), &count)| {
            let to = accounts[(a + 1) % n].account_id();
            (first_nonce..first_nonce + count as Nonce)
                .map(|nonce| Transfer {
                    from,
                    to,
                    value,
                    nonce,
                })
                .collect()
        })
        .collect()
}

/// A batch laid out for submission: transaction ids index `hashes`; each lane is
/// one connection's queue.
pub struct Lanes {
    pub hashes: Vec<H256>,
    /// Per connection, per sender: (transaction id, extrinsic) in nonce order.
    pub lanes: Vec<Vec<Vec<(u32, HexString)>>>,
}

/// Number the transactions and spread the senders over `connections` lanes.
/// Ids go round by round (every sender's first, then every second, ...).
pub fn into_lanes(per_sender: Vec<Vec<Prepared>>, connections: usize) -> Lanes {
    let connections = connections.max(1);
    let rounds = per_sender.iter().map(Vec::len).max().unwrap_or(0);
    let mut queues: Vec<_> = per_sender.into_iter().map(Vec::into_iter).collect();
    let mut chains: Vec<Vec<(u32, HexString)>> =
        queues.iter().map(|q| Vec::with_capacity(q.len())).collect();
    let mut hashes = Vec::new();
    for _ in 0..rounds {
        for (queue, chain) in queues.iter_mut().zip(chains.iter_mut()) {
            if let Some(tx) = queue.next() {
                chain.push((hashes.len() as u32, tx.hex));
                hashes.push(tx.hash);
            }
        }
    }
    let mut lanes: Vec<Vec<Vec<(u32, HexString)>>> = (0..connections).map(|_| Vec::new()).collect();
    for (sender, chain) in chains.into_iter().enumerate() {
        lanes[sender % connections].push(chain);
    }
    Lanes { hashes, lanes }
}

#[derive(Clone, Debug)]
pub struct BatchOptions {
    /// Outstanding requests per connection. Each sender has at most one: the
    /// server handles requests concurrently and may reorder them, and the pool
    /// holds only a few nonce-gapped (future) transactions per sender.
    pub in_flight: usize,
    /// Unfinalized transactions allowed per sender: under the pool's per-sender
    /// limit and the runtime's bound on nonces ahead of the account's.
    pub per_sender: usize,
    /// Submitted-but-unfinalized transactions allowed at once (pool headroom).
    pub window: usize,
    /// Give up when nothing is accepted or finalized for this long.
    pub stall: Duration,
    /// Print a progress line every second.
    pub progress: bool,
    /// Submit at this steady rate instead of as fast as the node accepts.
    pub pacer: Option<Arc<Pacer>>,
}

/// Spaces submissions evenly across all lanes at a fixed rate, to measure latency at a
/// load the chain can sustain rather than queueing under a flood.
#[derive(Debug)]
pub struct Pacer {
    interval: Duration,
    next: tokio::sync::Mutex<Option<tokio::time::Instant>>,
}

impl Pacer {
    /// `None` for a rate that is not a positive, finite number of transactions per second.
    pub fn new(per_second: f64) -> Option<Pacer> {
        if !(per_second.is_finite() && per_second > 0.0) {
            return None;
        }
        Some(Pacer {
            interval: Duration::from_secs_f64(1.0 / per_second),
            next: tokio::sync::Mutex::new(None),
        })
    }

    /// Wait for the next free slot.
    pub async fn wait(&self) {
        let at = {
            let mut next = self.next.lock().await;
            let now = tokio::time::Instant::now();
            let at = next.map_or(now, |n| n.max(now));
            *next = Some(at + self.interval);
            at
        };
        tokio::time::sleep_until(at).await;
    }
}

#[derive(Debug, Default)]
pub struct SubmitStats {
    pub accepted: usize,
    pub failed: usize,
    /// Never sent because the batch was stopped (stall or error).
    pub not_sent: usize,
    pub first_submit_ns: Option<u64>,
    pub last_response_ns: Option<u64>,
    /// RPC errors by message.
    pub errors: BTreeMap<String, usize>,
}

impl SubmitStats {
    fn merge(&mut self, other: SubmitStats) {
        self.accepted += other.accepted;
        self.failed += other.failed;
        self.not_sent += other.not_sent;
        self.first_submit_ns = min_opt(self.first_submit_ns, other.first_submit_ns);
        self.last_response_ns = self.last_response_ns.max(other.last_response_ns);
        for (k, v) in other.errors {
            *self.errors.entry(k).or_default() += v;
        }
    }

    /// The most frequent errors, most frequent first.
    pub fn top_errors(&self, n: usize) -> Vec<(&str, usize)> {
        let mut v: Vec<(&str, usize)> = self.errors.iter().map(|(k, c)| (k.as_str(), *c)).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        v.truncate(n);
        v
    }
}

fn min_opt(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

pub struct BatchOutcome {
    pub tracked: Arc<Tracked>,
    pub submit: SubmitStats,
    pub follow: FollowOutcome,
}

/// Submit a batch over `clients` (one lane each) and follow finalized blocks on a
/// connection of its own until every accepted transaction is finalized or the
/// batch stalls.
pub async fn run_batch(
    url: &str,
    clients: &[WsClient],
    batch: Lanes,
    opts: &BatchOptions,
) -> anyhow::Result<BatchOutcome> {
    let tracked = Arc::new(Tracked::new(&batch.hashes, opts.window));
    let follower_client = crate::node::connect(url).await?;
    let (ready_tx, ready_rx) = oneshot::channel();
    let mut follower = tokio::spawn(follow::follow(
        follower_client,
        tracked.clone(),
        opts.stall,
        ready_tx,
    ));
    if ready_rx.await.is_err() {
        return Err(match (&mut follower).await {
            Ok(Err(e)) => e,
            Ok(Ok(_)) => anyhow!("the follower ended before it was ready"),
            Err(e) => anyhow!("the follower failed: {e}"),
        });
    }
    let progress = opts
        .progress
        .then(|| tokio::spawn(print_progress(tracked.clone())));

    let lanes = batch.lanes.into_iter().zip(clients.iter().cycle());
    let pacer = opts.pacer.as_deref();
    let per_lane = futures::future::join_all(lanes.map(|(lane, client)| {
        submit_lane(
            client,
            lane,
            &tracked,
            opts.in_flight,
            opts.per_sender,
            pacer,
        )
    }));
    let mut submit = SubmitStats::default();
    for stats in per_lane.await {
        submit.merge(stats);
    }
    tracked.finish_submission();

    let follow = follower.await.context("the follower task failed")?;
    if let Some(p) = progress {
        p.abort();
    }
    Ok(BatchOutcome {
        tracked,
        submit,
        follow: follow?,
    })
}

async fn print_progress(tracked: Arc<Tracked>) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.tick().await;
    loop {
        tick.tick().await;
        println!(
            "    {:>6.1}s  accepted {:>7}  finalized {:>7}  refused {:>5}",
            tracked.now_ns() as f64 / 1e9,
            tracked.accepted(),
            tracked.finalized(),
            tracked.failed()
        );
    }
}

async fn submit_lane(
    client: &WsClient,
    lane: Vec<Vec<(u32, HexString)>>,
    tracked: &Tracked,
    in_flight: usize,
    per_sender: usize,
    pacer: Option<&Pacer>,
) -> SubmitStats {
    let mut chains = stream::iter(lane)
        .map(|chain| submit_chain(client, chain, tracked, per_sender, pacer))
        .buffer_unordered(in_flight.max(1));
    let mut stats = SubmitStats::default();
    while let Some(chain) = chains.next().await {
        stats.merge(chain);
    }
    stats
}

/// One sender's transactions, each sent once the previous one was accepted and
/// once fewer than `per_sender` of the sender's are unfinalized. After a refusal
/// the rest are not sent: they could only wait in the pool for a nonce that will
/// never come.
async fn submit_chain(
    client: &WsClient,
    chain: Vec<(u32, HexString)>,
    tracked: &Tracked,
    per_sender: usize,
    pacer: Option<&Pacer>,
) -> SubmitStats {
    let mut stats = SubmitStats::default();
    let total = chain.len();
    let ids: Vec<u32> = chain.iter().map(|(id, _)| *id).collect();
    let per_sender = per_sender.max(1);
    for (done, (id, hex)) in chain.into_iter().enumerate() {
        let room = match done.checked_sub(per_sender) {
            Some(earlier) => tracked.wait_finalized(ids[earlier]).await,
            None => true,
        };
        if !room || !tracked.reserve().await {
            stats.not_sent += total - done;
            break;
        }
        if let Some(pacer) = pacer {
            pacer.wait().await;
        }
        let sent_at = tracked.now_ns();
        stats.first_submit_ns = min_opt(stats.first_submit_ns, Some(sent_at));
        tracked.mark_submitting(id);
        let refusal = match client.submit_extrinsic(hex).await {
            Ok(hash) if tracked.id_of(&hash) == Some(id) => {
                tracked.mark_accepted(id);
                None
            }
            Ok(hash) => Some(format!(
                "node answered hash {hash:?}, not blake3 of the extrinsic"
            )),
            Err(e) => Some(error_key(&e)),
        };
        stats.last_response_ns = Some(tracked.now_ns());
        match refusal {
            None => stats.accepted += 1,
            Some(key) => {
                tracked.mark_failed(id);
                stats.failed += 1;
                *stats.errors.entry(key).or_default() += 1;
                stats.not_sent += total - done - 1;
                break;
            }
        }
    }
    stats
}

/// A stable key for counting RPC errors: code, message and the node's reason.
pub fn error_key(e: &ClientError) -> String {
    let mut key = match e {
        ClientError::Call(obj) => match obj.data() {
            Some(data) => format!("{} {}: {}", obj.code(), obj.message(), data.get()),
            None => format!("{} {}", obj.code(), obj.message()),
        },
        other => other.to_string(),
    };
    if key.len() > MAX_ERROR_KEY {
        let mut cut = MAX_ERROR_KEY;
        while !key.is_char_boundary(cut) {
            cut -= 1;
        }
        key.truncate(cut);
        key.push('…');
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonrpsee::types::ErrorObjectOwned;

    fn prepared(tag: u8) -> Prepared {
        Prepared {
            hash: H256([tag; 32]),
            hex: HexString::from(vec![tag]),
        }
    }

    #[test]
    fn shares_sum_to_total_and_differ_by_at_most_one() {
        let s = ring_shares(7, 100);
        assert_eq!(s.iter().sum::<usize>(), 100);
        assert!(s.iter().max().unwrap() - s.iter().min().unwrap() <= 1);
        assert!(ring_shares(0, 10).is_empty());
        assert_eq!(ring_shares(3, 0), vec![0, 0, 0]);
    }

    /// The tag (first hash byte: 10*sender + nonce) of each transaction of a chain.
    fn tags(batch: &Lanes, chain: &[(u32, HexString)]) -> Vec<u8> {
        chain
            .iter()
            .map(|(id, _)| batch.hashes[*id as usize].0[0])
            .collect()
    }

    #[test]
    fn lanes_keep_each_sender_whole_and_in_nonce_order() {
        let per_sender: Vec<Vec<Prepared>> = (0..5u8)
            .map(|s| (0..3u8).map(|k| prepared(10 * s + k)).collect())
            .collect();
        let batch = into_lanes(per_sender, 2);
        assert_eq!(batch.hashes.len(), 15);
        assert_eq!(
            batch.lanes.iter().map(Vec::len).collect::<Vec<_>>(),
            vec![3, 2]
        );
        for (lane_no, lane) in batch.lanes.iter().enumerate() {
            for (i, chain) in lane.iter().enumerate() {
                let s = (i * 2 + lane_no) as u8;
                assert_eq!(tags(&batch, chain), vec![10 * s, 10 * s + 1, 10 * s + 2]);
            }
        }
        // ids go round by round: every first transaction before any second one
        let first_round: Vec<u8> = batch.hashes[..5].iter().map(|h| h.0[0] % 10).collect();
        assert_eq!(first_round, vec![0; 5]);
    }

    #[test]
    fn lanes_handle_uneven_queues_and_zero_connections() {
        let batch = into_lanes(
            vec![vec![prepared(1), prepared(2)], vec![], vec![prepared(3)]],
            0,
        );
        assert_eq!(batch.lanes.len(), 1);
        assert_eq!(
            batch.hashes,
            vec![H256([1; 32]), H256([3; 32]), H256([2; 32])]
        );
        assert_eq!(tags(&batch, &batch.lanes[0][0]), vec![1, 2]);
        assert!(batch.lanes[0][1].is_empty());
    }

    #[test]
    fn error_keys_name_code_message_and_reason_and_stay_short() {
        let e = ClientError::Call(ErrorObjectOwned::owned(
            1010,
            "Invalid Transaction",
            Some("Stale"),
        ));
        assert_eq!(error_key(&e), "1010 Invalid Transaction: \"Stale\"");
        let long = ClientError::Call(ErrorObjectOwned::owned(1, "é".repeat(300), None::<()>));
        assert!(error_key(&long).len() <= MAX_ERROR_KEY + '…'.len_utf8());
        assert_eq!(error_key(&ClientError::RequestTimeout), "Request timeout");
    }

    #[test]
    fn ring_sends_to_the_next_account() {
        let accounts = vec![Keypair::generate(), Keypair::generate()];
        let load = ring_transfers(&accounts, &[2, 1], 5, 1);
        assert_eq!(load[0].len(), 2);
        assert_eq!((load[0][0].nonce, load[0][1].nonce), (1, 2));
        assert_eq!(load[0][0].to, accounts[1].account_id());
        assert_eq!(load[1][0].to, accounts[0].account_id());
    }
}
