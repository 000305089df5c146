//! Which key a node authors with: a published dev key (`--alice` … `--ferdie`, or `--dev`),
//! which only test chains accept, or a key file that only its owner can read.
use crate::{base_path::BasePath, chain::is_test_chain, cli::RunArgs};
use anyhow::Context;
use hm_chainspec::ChainSpec;
use hm_crypto::Keypair;

/// The dev key a `--alice`-style flag (or `--dev`, meaning alice) asks for.
fn dev_key_name(args: &RunArgs) -> Option<&'static str> {
    let flags = [
        (args.alice, "alice"),
        (args.bob, "bob"),
        (args.charlie, "charlie"),
        (args.dave, "dave"),
        (args.eve, "eve"),
        (args.ferdie, "ferdie"),
    ];
    flags
        .iter()
        .find(|(on, _)| *on)
        .map(|(_, name)| *name)
        .or(args.chain.dev.then_some("alice"))
}

/// Which key authors blocks, if any.
pub(crate) fn validator_key(
    args: &RunArgs,
    spec: &ChainSpec,
    base: &BasePath,
) -> anyhow::Result<Option<Keypair>> {
    if let Some(name) = dev_key_name(args) {
        anyhow::ensure!(
            is_test_chain(spec),
            "--{name} (or --dev) uses a published dev key, which anyone can sign with, so it is \
             refused on chain `{}` ({}); dev keys work on dev and local chains only. Create a \
             key with `hypermesh key generate --validator --chain <spec>` and run with --validator",
            spec.id,
            spec.chain_type
        );
        return Ok(Some(
            hm_crypto::dev_keypair(name).context("built-in dev key is unreadable")?,
        ));
    }
    if !(args.validator || args.key_file.is_some()) {
        return Ok(None);
    }
    let path = args
        .key_file
        .clone()
        .unwrap_or_else(|| base.validator_key(&spec.id));
    let key = hm_crypto::KeyFile::load_validator(&path).with_context(|| {
        format!(
            "--validator needs a key: create one with `hypermesh key generate --validator --chain {}`",
            spec.id
        )
    })?;
    Ok(Some(key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Cli;
    use clap::Parser;

    fn run_args(extra: &[&str]) -> RunArgs {
        let argv = ["hypermesh"].iter().chain(extra).copied();
        Cli::try_parse_from(argv).unwrap().run
    }

    fn live_spec() -> ChainSpec {
        let mut spec = ChainSpec::local();
        spec.id = "mainnet".into();
        spec.chain_type = "Live".into();
        spec
    }

    #[test]
    fn dev_keys_are_refused_off_test_chains() {
        let dir = tempfile::tempdir().unwrap();
        let base_arg = dir.path().to_str().unwrap();
        for flag in ["--alice", "--bob", "--ferdie", "--dev"] {
            let args = run_args(&[flag, "--base-path", base_arg]);
            let base = BasePath::resolve(&args.chain).unwrap();
            let err = validator_key(&args, &live_spec(), &base).unwrap_err();
            let text = err.to_string();
            assert!(text.contains("published dev key"), "{flag}: {text}");
            assert!(text.contains("chain `mainnet` (Live)"), "{flag}: {text}");
            for spec in [ChainSpec::dev(), ChainSpec::local()] {
                assert!(validator_key(&args, &spec, &base).unwrap().is_some());
            }
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_validator_key_file_others_can_read_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.json");
        hm_crypto::KeyFile::from_keypair("", &Keypair::generate())
            .save(&path)
            .unwrap();
        let args = run_args(&["--key-file", path.to_str().unwrap()]);
        let base = BasePath::resolve(&args.chain).unwrap();
        assert!(validator_key(&args, &live_spec(), &base).unwrap().is_some());
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = validator_key(&args, &live_spec(), &base).unwrap_err();
        assert!(format!("{err:#}").contains("chmod 600"), "{err:#}");
    }
}
