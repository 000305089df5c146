//! `hypermesh-bench`: the chain's benchmarks, run against a real node over RPC.
mod accounts;
#[cfg(test)]
mod batch_tests;
mod contracts;
mod contracts_chain;
mod contracts_exec;
mod dex;
mod falcon;
mod follow;
mod load;
mod load_args;
#[cfg(test)]
mod mock;
mod node;
mod report;
mod transfers;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "hypermesh-bench", version, about = "HyperMesh benchmarks")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Finalized transfers per second, submit-to-finalized latency, and the
    /// Falcon-1024 verification ceiling of this machine. The last line of
    /// output is one JSON object with the figures.
    Transfers(transfers::TransfersArgs),
    /// Finalized token-contract transfers per second and their latency against native
    /// transfers in the same run, instantiation by cache level and fuel-metering
    /// overhead. The last line of output is one JSON object with the figures.
    Contracts(contracts::ContractsArgs),
    /// Finalized DEX swaps per second and their latency against native transfers in
    /// the same run. The last line of output is one JSON object with the figures.
    Dex(dex::DexArgs),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: starting the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Transfers(args) => {
                tokio::select! {
                    r = transfers::run(args) => r,
                    _ = tokio::signal::ctrl_c() => Err(anyhow::anyhow!("interrupted")),
                }
            }
            Command::Contracts(args) => {
                tokio::select! {
                    r = contracts::run(args) => r,
                    _ = tokio::signal::ctrl_c() => Err(anyhow::anyhow!("interrupted")),
                }
            }
            Command::Dex(args) => {
                tokio::select! {
                    r = dex::run(args) => r,
                    _ = tokio::signal::ctrl_c() => Err(anyhow::anyhow!("interrupted")),
                }
            }
        }
    });
    // Every node this process started has been stopped by now (its guard lives
    // inside the future above), so the summary is the last line of output.
    match result {
        Ok(summary) => {
            println!("{summary}");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
