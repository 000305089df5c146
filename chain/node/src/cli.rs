//! Command line, following Substrate's conventions.
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "hypermesh",
    version,
    about = "HyperMesh node: post-quantum four-proof chain",
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub run: RunArgs,
}

#[derive(Debug, Args, Clone)]
pub struct ChainArgs {
    /// Chain spec: `dev`, `local`, or a path to a chain spec JSON file.
    #[arg(long, value_name = "CHAIN")]
    pub chain: Option<String>,
    /// Shortcut for `--chain dev --alice --validator` with a temporary base path.
    #[arg(long)]
    pub dev: bool,
    /// Where the node keeps its database and keys.
    #[arg(long, short = 'd', value_name = "PATH")]
    pub base_path: Option<PathBuf>,
    /// States kept: the last N blocks' (older ones are deleted and can no longer be
    /// queried), or `archive` to keep all.
    #[arg(long, value_name = "N|archive", default_value_t = hm_storage::StatePruning::default())]
    pub state_pruning: hm_storage::StatePruning,
}

#[derive(Debug, Args, Clone)]
pub struct RunArgs {
    #[command(flatten)]
    pub chain: ChainArgs,
    /// Human-readable node name (shown by system_name consumers and logs).
    #[arg(long)]
    pub name: Option<String>,
    /// Author and finalize blocks.
    #[arg(long)]
    pub validator: bool,
    /// Use the well-known alice dev key as the validator key (likewise --bob ... --ferdie).
    /// Refused on chains other than dev and local: anyone can sign with a dev key.
    #[arg(long, group = "dev_key")]
    pub alice: bool,
    #[arg(long, group = "dev_key")]
    pub bob: bool,
    #[arg(long, group = "dev_key")]
    pub charlie: bool,
    #[arg(long, group = "dev_key")]
    pub dave: bool,
    #[arg(long, group = "dev_key")]
    pub eve: bool,
    #[arg(long, group = "dev_key")]
    pub ferdie: bool,
    /// Validator key file (see `hypermesh key generate`); default: <base>/chains/<id>/keystore/validator.json.
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<PathBuf>,
    /// P2P listen port, TCP and QUIC (UDP). Default 30333; `--dev` picks a free one.
    #[arg(long)]
    pub port: Option<u16>,
    /// P2P listen address. Default 127.0.0.1 on dev and local chains, 0.0.0.0 otherwise.
    #[arg(long, value_name = "IP")]
    pub listen_ip: Option<std::net::IpAddr>,
    /// Discover peers on the local network by multicast DNS. Off by default: it announces
    /// the node on every interface. Dev and local chains only; peers otherwise come from
    /// `--bootnodes`.
    #[arg(long)]
    pub mdns: bool,
    /// Accepted for old scripts and ignored with a warning: mDNS is now off unless `--mdns`.
    #[arg(long, hide = true, conflicts_with = "mdns")]
    pub no_mdns: bool,
    /// Most connected peers in all: lowers --in-peers and --out-peers to fit, keeping
    /// outbound slots first.
    #[arg(long, value_name = "N")]
    pub max_peers: Option<u32>,
    /// Most connections peers may open to this node.
    #[arg(long, value_name = "N", default_value_t = hm_network::DEFAULT_MAX_INBOUND)]
    pub in_peers: u32,
    /// Most connections this node opens (to bootnodes and peers it discovers). Inbound
    /// connections never take these slots, so dialers cannot crowd out the node's choices.
    #[arg(long, value_name = "N", default_value_t = hm_network::DEFAULT_MAX_OUTBOUND)]
    pub out_peers: u32,
    /// Most inbound connections from one IP address. Default 4; no cap on dev and local
    /// chains, whose nodes all share 127.0.0.1.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_peers_per_ip: Option<u32>,
    /// JSON-RPC port (HTTP and WebSocket).
    #[arg(long, default_value_t = 9944)]
    pub rpc_port: u16,
    /// Listen for RPC on all interfaces instead of 127.0.0.1.
    #[arg(long)]
    pub rpc_external: bool,
    /// Which RPC methods to serve; `auto` serves unsafe ones only to clients connecting
    /// from this machine (by their address, whatever the listen address).
    #[arg(long, value_enum, default_value_t = RpcMethodsArg::Auto)]
    pub rpc_methods: RpcMethodsArg,
    /// Maximum simultaneous RPC connections.
    #[arg(long, default_value_t = 100)]
    pub rpc_max_connections: u32,
    /// Maximum simultaneous RPC connections from one address (one /64 for IPv6).
    #[arg(long, default_value_t = hm_rpc::DEFAULT_MAX_CONNECTIONS_PER_IP)]
    pub rpc_max_connections_per_ip: u32,
    /// RPC calls per minute, per WebSocket connection and per address for HTTP.
    /// Default: unlimited.
    #[arg(long, value_name = "CALLS", value_parser = clap::value_parser!(u32).range(1..))]
    pub rpc_rate_limit: Option<u32>,
    /// Web pages (browser origins) that may use RPC: `all`, or a comma-separated list
    /// such as `http://localhost:*,https://app.example`. Default: pages on localhost on
    /// a dev chain, none otherwise. Clients that send no Origin are not affected.
    #[arg(long, value_name = "ORIGINS", value_parser = hm_rpc::AllowedOrigins::parse)]
    pub rpc_cors: Option<hm_rpc::AllowedOrigins>,
    /// Host header values RPC answers to: `all`, or a comma-separated list of
    /// `host[:port]` (`*` wildcards). Default: localhost, 127.0.0.1 and [::1] with the
    /// RPC port when listening on loopback; any with --rpc-external.
    #[arg(long, value_name = "HOSTS", value_parser = hm_rpc::AllowedHosts::parse)]
    pub rpc_allowed_hosts: Option<hm_rpc::AllowedHosts>,
    /// Prometheus metrics port.
    #[arg(long, default_value_t = 9615)]
    pub prometheus_port: u16,
    /// Do not serve Prometheus metrics.
    #[arg(long)]
    pub no_prometheus: bool,
    /// Block interval in milliseconds: dev authoring's period, and the shortest time between
    /// BFT heights.
    #[arg(long, default_value_t = 1000)]
    pub block_time_ms: u64,
    /// Seal a block as soon as transactions are ready (for tests).
    #[arg(long)]
    pub instant_seal: bool,
    /// Transaction pool capacity (transactions).
    #[arg(long, default_value_t = 8192)]
    pub pool_limit: usize,
    /// Transactions one sender may have in the pool.
    #[arg(long, default_value_t = 64)]
    pub pool_per_sender: usize,
    /// Test builds only: misbehave on purpose (double-vote, bad-work, bad-time, bad-space,
    /// bad-seal, out-of-turn, future-timestamp, weak-justification).
    #[cfg(feature = "byzantine")]
    #[arg(long, value_name = "KIND")]
    pub byzantine: Option<hm_consensus::byzantine::Misbehaviour>,
    /// Peers to dial at start: `/ip4/<ip>/tcp/<port>/p2p/<peer id>`, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub bootnodes: Vec<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum RpcMethodsArg {
    Auto,
    Safe,
    Unsafe,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Key management.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Print a chain spec as JSON.
    BuildSpec {
        #[command(flatten)]
        chain: ChainArgs,
        /// Emit genesis as raw storage instead of the readable patch.
        #[arg(long)]
        raw: bool,
    },
    /// Delete the chain database.
    PurgeChain {
        #[command(flatten)]
        chain: ChainArgs,
        /// Do not ask for confirmation.
        #[arg(short = 'y')]
        yes: bool,
    },
    /// Write blocks (with justifications) to a file.
    ExportBlocks {
        #[command(flatten)]
        chain: ChainArgs,
        #[arg(long, default_value_t = 1)]
        from: u64,
        #[arg(long)]
        to: Option<u64>,
        output: PathBuf,
    },
    /// Import blocks from a file written by export-blocks, verifying each.
    ImportBlocks {
        #[command(flatten)]
        chain: ChainArgs,
        input: PathBuf,
    },
    /// Send transactions to a node over RPC.
    #[command(subcommand)]
    Tx(TxCommand),
    /// Read chain state over RPC.
    #[command(subcommand)]
    Query(QueryCommand),
    /// Proof-of-space plots.
    #[command(subcommand)]
    Plot(PlotCommand),
    /// Build, upload, instantiate, call and query contracts (over RPC).
    #[command(subcommand)]
    Contract(hm_contract_client::cli::ContractCommand),
    /// Create, mint, move and read tokens of the multi-token registry (over RPC).
    #[command(subcommand)]
    Token(crate::commands::token::TokenCommand),
    /// Create pools, add and remove liquidity, swap, quote and read prices (over RPC).
    #[command(subcommand)]
    Dex(crate::commands::dex::DexCommand),
}

#[derive(Debug, Subcommand)]
pub enum PlotCommand {
    /// Build a plot of 2^k chained leaves for a validator account, under <base>/chains/<id>/plots.
    Create {
        /// log2 of the number of leaves (tests: 8-16; production: 30+).
        #[arg(long)]
        k: u8,
        /// The validator: key file, dev key name (//Alice) or address. The plot is bound to it.
        #[arg(long = "for", value_name = "KEY")]
        owner: String,
        #[command(flatten)]
        chain: ChainArgs,
        /// Hide the progress bar.
        #[arg(long)]
        quiet: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Generate a Falcon-1024 key pair.
    Generate {
        /// Write the key file here (mode 0600; an existing file is never replaced).
        #[arg(long)]
        output: Option<PathBuf>,
        #[command(flatten)]
        chain: ChainArgs,
        /// Store as the validator key of this chain under the base path.
        #[arg(long)]
        validator: bool,
        /// Also print the secret key. Without it the secret is only ever written to the
        /// key file, so it does not end up in terminal scrollback or logs.
        #[arg(long)]
        show_secret: bool,
    },
    /// Show the address and public key of a key file, dev key name (//Alice) or address.
    Inspect {
        /// A key file (a path that exists is always a file), a dev key name or an address.
        key: String,
    },
}

pub use hm_contract_client::cli::RpcTarget;

#[derive(Debug, Subcommand)]
pub enum TxCommand {
    /// Transfer CAES, wait for finalization and report the outcome (exit status 1 when
    /// the transfer failed; a failed transfer still pays its fee, so one that cannot
    /// succeed is refused before it is sent).
    Transfer {
        /// Key file path or dev key name (//Alice); a path that exists is a key file.
        #[arg(long)]
        from: String,
        /// Destination: address (hm1…), key file or dev key name.
        #[arg(long)]
        to: String,
        /// Amount in CAES, e.g. 1.5
        #[arg(long)]
        amount: String,
        /// Tip in CAES, raising priority.
        #[arg(long, default_value = "0")]
        tip: String,
        /// Refuse to take the sender below the existential deposit.
        #[arg(long)]
        keep_alive: bool,
        /// Blocks the transaction stays valid for.
        #[arg(long, default_value_t = 64)]
        mortality: u64,
        #[command(flatten)]
        rpc: RpcTarget,
    },
    /// Sign and submit any call, built from the node's metadata; prints its events
    /// and exits non-zero when the call fails.
    Call(CallArgs),
}

/// `tx call`: any call of the runtime, built from its metadata.
#[derive(Debug, Args)]
pub struct CallArgs {
    /// Pallet name, as in the metadata (`Caesar`, `System`, …; case-insensitive).
    pub pallet: String,
    /// Call name (`transfer`, `transfer_keep_alive`, `TransferKeepAlive` all work).
    pub call: String,
    /// An argument as NAME=VALUE; accounts as hm1… addresses, key files or dev
    /// names; bytes as 0x-hex or text; the rest in scale-value syntax.
    #[arg(long = "arg", value_name = "NAME=VALUE")]
    pub args: Vec<String>,
    /// Key file path or dev key name (//Alice).
    #[arg(long)]
    pub from: String,
    /// Wrap the call in the root call (only the root key's holder may).
    #[arg(long)]
    pub root: bool,
    /// Tip in CAES, raising priority.
    #[arg(long, default_value = "0")]
    pub tip: String,
    /// Blocks the transaction stays valid for.
    #[arg(long, default_value_t = 64)]
    pub mortality: u64,
    /// Submit even when the node's dry run (`system_dryRun`) says the call would fail,
    /// paying its fee.
    #[arg(long)]
    pub no_dry_run: bool,
    #[command(flatten)]
    pub rpc: RpcTarget,
}

#[derive(Debug, Subcommand)]
pub enum QueryCommand {
    /// Free balance and nonce of an account.
    Balance {
        /// Address (hm1…), key file or dev key name (//Alice).
        #[arg(value_name = "ACCOUNT")]
        account: String,
        #[command(flatten)]
        rpc: RpcTarget,
    },
}
