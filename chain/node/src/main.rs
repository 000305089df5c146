//! `hypermesh`: the HyperMesh node and its tools.
mod base_path;
mod chain;
mod cli;
mod commands;
mod consensus;
mod network;
mod network_config;
mod rpc_wiring;
mod service;
mod tx_gossip;
mod validator_key;

use clap::Parser;
use cli::{ChainArgs, Cli, Command};
use hm_chainspec::ChainSpec;

/// The chain spec named by `--chain` (`--dev` means `dev`; default `local`).
pub(crate) fn load_spec(args: &ChainArgs) -> anyhow::Result<ChainSpec> {
    let name = match (&args.chain, args.dev) {
        (Some(c), _) => c.as_str(),
        (None, true) => "dev",
        (None, false) => "local",
    };
    Ok(ChainSpec::load(name)?)
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    use std::io::IsTerminal;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .init();
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        None => {
            init_logging();
            tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .map_err(anyhow::Error::from)
                .and_then(|rt| rt.block_on(service::run(cli.run)))
        }
        Some(Command::Key(cmd)) => commands::key::run(cmd),
        Some(Command::BuildSpec { chain, raw }) => load_spec(&chain).and_then(|spec| {
            println!("{}", spec.to_json(raw)?);
            Ok(())
        }),
        Some(Command::PurgeChain { chain, yes }) => commands::blocks::purge(&chain, yes),
        Some(Command::ExportBlocks {
            chain,
            from,
            to,
            output,
        }) => {
            init_logging();
            commands::blocks::export(&chain, from, to, &output)
        }
        Some(Command::ImportBlocks { chain, input }) => {
            init_logging();
            commands::blocks::import(&chain, &input)
        }
        Some(Command::Tx(cmd)) => commands::wallet::tx(cmd),
        Some(Command::Query(cmd)) => commands::wallet::query(cmd),
        Some(Command::Plot(cmd)) => commands::plot::run(cmd),
        Some(Command::Contract(cmd)) => hm_contract_client::cli::run(cmd),
        Some(Command::Token(cmd)) => commands::token::run(cmd),
        Some(Command::Dex(cmd)) => commands::dex::run(cmd),
    };
    if let Err(e) = result {
        eprintln!("Error: {e:#}");
        std::process::exit(1);
    }
}
