//! `hypermesh plot create`: build a validator's proof-of-space plot.
use crate::{base_path::BasePath, cli::PlotCommand};
use anyhow::Context;

pub fn run(cmd: PlotCommand) -> anyhow::Result<()> {
    match cmd {
        PlotCommand::Create {
            k,
            owner,
            chain,
            quiet,
        } => {
            let spec = crate::load_spec(&chain)?;
            let dir = BasePath::resolve(&chain)?.chain(&spec.id).join("plots");
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            let account = hm_wallet::account(&owner, "--for")?;
            let seed = hm_proofs::plot_seed(&account);
            println!("Plotting 2^{k} leaves for {account}");
            let plot = hm_proofs::create_plot(&dir, &seed, k, !quiet).context("plotting failed")?;
            println!("Plot file:  {}", plot.path().display());
            println!("Plot seed:  {seed:?}");
            println!("Plot root:  {:?}", hm_proofs::PlotStore::root(&plot));
            println!("Register it with the staking `validate` call (root, k = {k}, seed).");
            Ok(())
        }
    }
}
