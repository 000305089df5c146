//! Phase 2: fresh benchmark accounts, funded from the dev accounts; and the
//! balance audit that shows the benchmark's transfers really executed.
use crate::load::{self, BatchOptions, TxContext};
use anyhow::{bail, Context};
use futures::stream::{self, StreamExt, TryStreamExt};
use hm_crypto::{Keypair, DEV_ACCOUNTS};
use hm_primitives::{format_caes, AccountId, Balance};
use hm_wallet::{BalanceInfo, RpcWallet};
use jsonrpsee::ws_client::WsClient;
use rayon::prelude::*;
use std::time::{Duration, Instant};

/// Parallel balance queries during checks.
const QUERY_CONCURRENCY: usize = 32;

/// `n` fresh Falcon-1024 key pairs, generated on every core.
pub fn generate(n: usize) -> Vec<Keypair> {
    (0..n)
        .into_par_iter()
        .map(|_| Keypair::generate())
        .collect()
}

pub struct FundingPlan {
    /// Plancks each account receives.
    pub amount: Balance,
    /// Transactions per funder in one wave: stays under the pool's per-sender limit.
    pub wave: usize,
    pub in_flight: usize,
    pub stall: Duration,
}

#[derive(Debug)]
pub struct FundingReport {
    pub txs: usize,
    pub waves: usize,
    pub elapsed: Duration,
}

fn funders() -> anyhow::Result<Vec<Keypair>> {
    DEV_ACCOUNTS
        .iter()
        .map(|name| {
            hm_crypto::dev_keypair(name)
                .with_context(|| format!("built-in dev key {name} is unreadable"))
        })
        .collect()
}

pub async fn balances(wallet: &RpcWallet, who: &[AccountId]) -> anyhow::Result<Vec<BalanceInfo>> {
    stream::iter(who)
        .map(|id| async move {
            wallet
                .balance(id)
                .await
                .with_context(|| format!("balance of {id}"))
        })
        .buffered(QUERY_CONCURRENCY)
        .try_collect()
        .await
}

/// Send `plan.amount` to every account, spreading the transfers over the six dev
/// accounts (round-robin) so no single nonce chain is long, in waves that each
/// finalize before the next. Then check every account holds exactly the amount.
pub async fn fund(
    url: &str,
    clients: &[WsClient],
    wallet: &RpcWallet,
    accounts: &[Keypair],
    ctx: &TxContext,
    plan: &FundingPlan,
) -> anyhow::Result<FundingReport> {
    let start = Instant::now();
    let funders = funders()?;
    let mut queues: Vec<Vec<AccountId>> = vec![Vec::new(); funders.len()];
    for (i, kp) in accounts.iter().enumerate() {
        queues[i % funders.len()].push(kp.account_id());
    }
    let funder_ids: Vec<AccountId> = funders.iter().map(Keypair::account_id).collect();
    let before = balances(wallet, &funder_ids).await?;
    let mut nonces = Vec::with_capacity(funders.len());
    for ((f, q), b) in funder_ids.iter().zip(&queues).zip(&before) {
        let needed = plan
            .amount
            .checked_mul(q.len() as Balance)
            .context("funding total overflows")?;
        if b.free <= needed {
            bail!(
                "dev account {f} holds {} CAES but must fund {} accounts with {} CAES each (plus fees): \
                 use fewer --accounts or a smaller --fund",
                format_caes(b.free),
                q.len(),
                format_caes(plan.amount)
            );
        }
        nonces.push(wallet.next_nonce(f).await?);
    }

    let mut sent = 0;
    let mut waves = 0;
    let opts = BatchOptions {
        in_flight: plan.in_flight,
        window: usize::MAX,
        stall: plan.stall,
        progress: false,
    };
    while queues
        .iter()
        .any(|q| sent_so_far(q, waves, plan.wave) < q.len())
    {
        let mut transfers = Vec::new();
        for (f, q) in queues.iter().enumerate() {
            let from = sent_so_far(q, waves, plan.wave);
            let to = sent_so_far(q, waves + 1, plan.wave);
            let wave: Vec<load::Transfer<'_>> = q[from..to]
                .iter()
                .zip(nonces[f]..)
                .map(|(dest, nonce)| load::Transfer {
                    from: &funders[f],
                    to: *dest,
                    value: plan.amount,
                    nonce,
                })
                .collect();
            nonces[f] += wave.len() as u64;
            transfers.push(wave);
        }
        let flat: Vec<_> = transfers.into_iter().flatten().collect();
        let mut signed = tokio::task::block_in_place(|| load::sign_all(&flat, ctx)).into_iter();
        // Regroup per funder (sign_all kept the order), then lay out for submission.
        let per_funder: Vec<Vec<load::Prepared>> = queues
            .iter()
            .map(|q| {
                let n = sent_so_far(q, waves + 1, plan.wave) - sent_so_far(q, waves, plan.wave);
                signed.by_ref().take(n).collect()
            })
            .collect();
        let total: usize = per_funder.iter().map(Vec::len).sum();
        let outcome = load::run_batch(
            url,
            clients,
            load::into_lanes(per_funder, clients.len()),
            &opts,
        )
        .await?;
        if outcome.submit.accepted != total || outcome.tracked.finalized() != total {
            bail!(
                "funding wave {waves}: {} of {total} accepted, {} finalized{}; errors: {:?}",
                outcome.submit.accepted,
                outcome.tracked.finalized(),
                if outcome.follow.stalled {
                    " (stalled)"
                } else {
                    ""
                },
                outcome.submit.top_errors(5)
            );
        }
        sent += total;
        waves += 1;
    }

    let ids: Vec<AccountId> = accounts.iter().map(Keypair::account_id).collect();
    for (id, b) in ids.iter().zip(balances(wallet, &ids).await?) {
        if b.free != plan.amount || b.nonce != 0 {
            bail!(
                "account {id} holds {} CAES with nonce {} after funding; expected {} CAES and nonce 0",
                format_caes(b.free),
                b.nonce,
                format_caes(plan.amount)
            );
        }
    }
    Ok(FundingReport {
        txs: sent,
        waves,
        elapsed: start.elapsed(),
    })
}

/// How many of a funder's transfers `waves` waves of `wave` each cover.
fn sent_so_far(queue: &[AccountId], waves: usize, wave: usize) -> usize {
    waves.saturating_mul(wave.max(1)).min(queue.len())
}

/// What the balances after the ring load say about it.
#[derive(Debug, Clone, Copy)]
pub struct Audit {
    /// Mean fee per finalized transfer, in plancks.
    pub mean_fee: Balance,
    /// Accounts whose balance is off by at least half a transfer from what the
    /// fees explain: a transfer that was included but failed to dispatch.
    pub suspects: usize,
}

/// Ring transfers move `value` from each account to the next, so an account's
/// balance after the load must be `funded + value·(received − sent) − fees`.
/// Fees are small next to `value`; a failed dispatch shifts two accounts by
/// `value` each, which the audit catches. Only meaningful when every transfer
/// of the load was finalized.
pub fn audit_ring(
    funded: Balance,
    value: Balance,
    shares: &[usize],
    after: &[BalanceInfo],
) -> Option<Audit> {
    let n = shares.len();
    if n == 0 || after.len() != n {
        return None;
    }
    let mut fees = Vec::with_capacity(n);
    for (a, b) in after.iter().enumerate() {
        let received = value.checked_mul(shares[(a + n - 1) % n] as Balance)?;
        let sent = value.checked_mul(shares[a] as Balance)?;
        // Signed arithmetic: a failed dispatch may leave more than the ring explains.
        let expected =
            i128::try_from(funded.checked_add(received)?).ok()? - i128::try_from(sent).ok()?;
        fees.push(expected - i128::try_from(b.free.checked_add(b.reserved)?).ok()?);
    }
    let total_txs: usize = shares.iter().sum();
    let total_fees: i128 = fees.iter().sum();
    let per_tx = total_fees.checked_div(i128::try_from(total_txs).ok()?)?;
    let half = i128::try_from(value / 2).ok()?;
    let suspects = fees
        .iter()
        .zip(shares)
        .filter(|(fee, &s)| (**fee - per_tx * s as i128).abs() >= half.max(1))
        .count();
    Some(Audit {
        mean_fee: Balance::try_from(per_tx.max(0)).ok()?,
        suspects,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bal(free: Balance) -> BalanceInfo {
        BalanceInfo {
            free,
            reserved: 0,
            nonce: 0,
        }
    }

    #[test]
    fn waves_cover_each_queue_once() {
        let q = vec![AccountId([0; 32]); 10];
        assert_eq!(sent_so_far(&q, 0, 4), 0);
        assert_eq!(sent_so_far(&q, 1, 4), 4);
        assert_eq!(sent_so_far(&q, 3, 4), 10);
        assert_eq!(sent_so_far(&q, usize::MAX, usize::MAX), 10);
        assert_eq!(sent_so_far(&q, 2, 0), 2);
    }

    #[test]
    fn clean_ring_has_no_suspects_and_recovers_the_fee() {
        // three accounts, shares 2/2/1, value 1000, fee 3 per transfer
        let shares = [2, 2, 1];
        let after = [
            bal(100_000 + 1000 - 2000 - 6),
            bal(100_000 + 2000 - 2000 - 6),
            bal(100_000 + 2000 - 1000 - 3),
        ];
        let a = audit_ring(100_000, 1000, &shares, &after).unwrap();
        assert_eq!(a.mean_fee, 3);
        assert_eq!(a.suspects, 0);
    }

    #[test]
    fn failed_dispatch_is_flagged() {
        // account 0's second transfer to account 1 failed: 0 kept 1000, 1 lacks it
        let shares = [2, 2, 1];
        let after = [
            bal(100_000 + 1000 - 1000 - 6),
            bal(100_000 + 1000 - 2000 - 6),
            bal(100_000 + 2000 - 1000 - 3),
        ];
        assert_eq!(
            audit_ring(100_000, 1000, &shares, &after).unwrap().suspects,
            2
        );
    }

    #[test]
    fn audit_refuses_mismatched_input() {
        assert!(audit_ring(1, 1, &[], &[]).is_none());
        assert!(audit_ring(1, 1, &[1, 1], &[bal(1)]).is_none());
        assert!(audit_ring(Balance::MAX, Balance::MAX, &[2, 2], &[bal(0), bal(0)]).is_none());
    }
}
