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

#[derive(Debug)]
pub struct FundingReport {
    pub txs: usize,
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

/// Send `amount` to every account, spreading the transfers over the six dev
/// accounts (round-robin) so no nonce chain is long, and wait until all are
/// finalized. Then check every account holds exactly the amount.
pub async fn fund(
    url: &str,
    clients: &[WsClient],
    wallet: &RpcWallet,
    accounts: &[Keypair],
    amount: Balance,
    ctx: &TxContext,
    opts: &BatchOptions,
) -> anyhow::Result<FundingReport> {
    let start = Instant::now();
    let funders = funders()?;
    let mut queues: Vec<Vec<AccountId>> = vec![Vec::new(); funders.len()];
    for (i, kp) in accounts.iter().enumerate() {
        queues[i % funders.len()].push(kp.account_id());
    }
    let funder_ids: Vec<AccountId> = funders.iter().map(Keypair::account_id).collect();
    let before = balances(wallet, &funder_ids).await?;
    let mut transfers = Vec::with_capacity(funders.len());
    for (((funder, id), q), b) in funders.iter().zip(&funder_ids).zip(&queues).zip(&before) {
        let needed = amount
            .checked_mul(q.len() as Balance)
            .context("funding total overflows")?;
        if b.free <= needed {
            bail!(
                "dev account {id} holds {} CAES but must fund {} accounts with {} CAES each (plus fees): \
                 use fewer --accounts or a smaller --fund",
                format_caes(b.free),
                q.len(),
                format_caes(amount)
            );
        }
        let first = wallet.next_nonce(id).await?;
        let chain: Vec<load::Transfer<'_>> = q
            .iter()
            .zip(first..)
            .map(|(dest, nonce)| load::Transfer {
                from: funder,
                to: *dest,
                value: amount,
                nonce,
            })
            .collect();
        transfers.push(chain);
    }
    let per_funder = tokio::task::block_in_place(|| {
        transfers
            .iter()
            .map(|chain| load::sign_all(chain, ctx))
            .collect::<Vec<_>>()
    });
    let outcome = load::run_batch(
        url,
        clients,
        load::into_lanes(per_funder, clients.len()),
        opts,
    )
    .await?;
    if outcome.tracked.finalized() != accounts.len() {
        bail!(
            "funding: {} of {} accepted, {} finalized{}; errors: {:?}",
            outcome.submit.accepted,
            accounts.len(),
            outcome.tracked.finalized(),
            if outcome.follow.stalled {
                " (stalled)"
            } else {
                ""
            },
            outcome.submit.top_errors(5)
        );
    }

    let ids: Vec<AccountId> = accounts.iter().map(Keypair::account_id).collect();
    for (id, b) in ids.iter().zip(balances(wallet, &ids).await?) {
        if b.free != amount || b.nonce != 0 {
            bail!(
                "account {id} holds {} CAES with nonce {} after funding; expected {} CAES and nonce 0",
                format_caes(b.free),
                b.nonce,
                format_caes(amount)
            );
        }
    }
    Ok(FundingReport {
        txs: accounts.len(),
        elapsed: start.elapsed(),
    })
}

/// Have every account publish its public key: each sends one ring transfer
/// (nonce 0, which carries the full key) and all are finalized. The node's pool
/// refuses a later nonce from an account whose key is not yet on chain, so the
/// measured load starts once every key is registered.
pub async fn register_keys(
    url: &str,
    clients: &[WsClient],
    accounts: &[Keypair],
    value: Balance,
    ctx: &TxContext,
    opts: &BatchOptions,
) -> anyhow::Result<Duration> {
    let start = Instant::now();
    let ones = vec![1; accounts.len()];
    let per_sender = tokio::task::block_in_place(|| {
        let ring = load::ring_transfers(accounts, &ones, value, 0);
        ring.iter()
            .map(|txs| load::sign_all(txs, ctx))
            .collect::<Vec<_>>()
    });
    let outcome = load::run_batch(
        url,
        clients,
        load::into_lanes(per_sender, clients.len()),
        opts,
    )
    .await?;
    if outcome.tracked.finalized() != accounts.len() {
        bail!(
            "key registration: {} of {} accepted, {} finalized{}; errors: {:?}",
            outcome.submit.accepted,
            accounts.len(),
            outcome.tracked.finalized(),
            if outcome.follow.stalled {
                " (stalled)"
            } else {
                ""
            },
            outcome.submit.top_errors(5)
        );
    }
    Ok(start.elapsed())
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
            locked: 0,
            nonce: 0,
        }
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
