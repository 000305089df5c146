//! The flags every load benchmark against a dev node shares (`contracts`, `dex`): which
//! node, how many accounts and transactions, and how they are pushed.
use crate::node::{self, PoolLimits};
use anyhow::bail;
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct LoadArgs {
    /// Attach to this running node instead of starting a `hypermesh --dev`.
    #[arg(long, value_name = "URL")]
    pub rpc_url: Option<String>,
    /// Node binary to start [default: as for `transfers`].
    #[arg(long, value_name = "PATH")]
    pub node_bin: Option<PathBuf>,
    /// Fresh accounts that send the load.
    #[arg(long, default_value_t = 200)]
    pub accounts: usize,
    /// Measured transactions to submit; as many native transfers follow (the baseline).
    #[arg(long, default_value_t = 10_000)]
    pub txs: usize,
    /// Block interval of the started node.
    #[arg(long, default_value_t = 500)]
    pub block_time_ms: u64,
    /// WebSocket connections to submit over.
    #[arg(long, default_value_t = 4)]
    pub connections: usize,
    /// Outstanding requests per connection.
    #[arg(long, default_value_t = 64)]
    pub in_flight: usize,
    /// CAES given to each account.
    #[arg(long, default_value = "1000")]
    pub fund: String,
    /// Blocks the pre-signed transactions stay valid for.
    #[arg(long, default_value_t = 4096)]
    pub mortality: u64,
    /// Give up after this many seconds with nothing accepted or finalized.
    #[arg(long, default_value_t = 60)]
    pub stall_secs: u64,
}

impl LoadArgs {
    pub fn validate(&self) -> anyhow::Result<()> {
        if self.accounts < 2 {
            bail!("--accounts must be at least 2 (each account pays the next)");
        }
        if self.txs == 0 || self.connections == 0 || self.in_flight == 0 {
            bail!("--txs, --connections and --in-flight must be positive");
        }
        if self.txs > u32::MAX as usize / 2 {
            bail!("--txs must fit in 31 bits");
        }
        Ok(())
    }

    /// The pool the node needs for this run.
    pub fn pool(&self) -> PoolLimits {
        node::pool_for(self.rpc_url.is_some(), self.txs, self.accounts)
    }
}

/// Parse `extra` as the flags of `T` (what `hypermesh-bench <command>` would get).
#[cfg(test)]
pub fn parse_flags<T: Args>(extra: &[&str]) -> T {
    use clap::{FromArgMatches, Parser};
    #[derive(Parser)]
    struct Wrap<T: Args> {
        #[command(flatten)]
        args: T,
    }
    let mut argv = vec!["bench"];
    argv.extend_from_slice(extra);
    let matches = <Wrap<T> as clap::CommandFactory>::command()
        .try_get_matches_from(argv)
        .expect("the flags parse");
    Wrap::<T>::from_arg_matches(&matches)
        .expect("the flags parse")
        .args
}
