//! The network configuration a node starts with. On dev and local chains nothing leaves
//! the machine unless a flag asks: the node listens on 127.0.0.1 and finds peers only
//! through `--bootnodes`; multicast DNS, which announces the node on every interface,
//! runs only with `--mdns`.
use crate::{base_path::BasePath, chain::is_test_chain, cli::RunArgs};
use anyhow::Context;
use hm_chainspec::ChainSpec;
use hm_network::NetworkConfig;
use hm_primitives::H256;
use std::net::IpAddr;

/// `--port`, `--listen-ip`, `--mdns`, the peer limits and `--bootnodes` (plus the spec's).
pub(crate) fn network_config(
    args: &RunArgs,
    spec: &ChainSpec,
    base: &BasePath,
    genesis_hash: H256,
) -> anyhow::Result<NetworkConfig> {
    let test_chain = is_test_chain(spec);
    let mut config = NetworkConfig::new(base.node_key(&spec.id), genesis_hash);
    config.listen_port = args.port.unwrap_or(if args.chain.dev { 0 } else { 30333 });
    config.listen_ip = args.listen_ip.unwrap_or(if test_chain {
        IpAddr::from([127, 0, 0, 1])
    } else {
        IpAddr::from([0, 0, 0, 0])
    });
    if args.no_mdns {
        tracing::warn!("--no-mdns is no longer needed: mDNS is off unless --mdns is given");
    }
    if args.mdns && !test_chain {
        tracing::warn!("--mdns is ignored: multicast discovery runs on dev and local chains only");
    }
    config.enable_mdns = test_chain && args.mdns;
    crate::network::apply_peer_limits(&mut config, args, test_chain);
    for boot in args.bootnodes.iter().chain(&spec.boot_nodes) {
        let addr = hm_network::parse_bootnode(boot).with_context(|| format!("bootnode {boot}"))?;
        config.bootnodes.push(addr);
    }
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Cli;
    use clap::Parser;

    fn config_for(spec: &ChainSpec, extra: &[&str]) -> NetworkConfig {
        let dir = tempfile::tempdir().unwrap();
        let mut argv = vec!["hypermesh", "--base-path", dir.path().to_str().unwrap()];
        argv.extend_from_slice(extra);
        let args = Cli::try_parse_from(argv).unwrap().run;
        let base = BasePath::resolve(&args.chain).unwrap();
        network_config(&args, spec, &base, H256::ZERO).unwrap()
    }

    #[test]
    fn test_chains_stay_on_loopback_without_mdns_by_default() {
        for spec in [ChainSpec::dev(), ChainSpec::local()] {
            for extra in [&[][..], &["--no-mdns"][..], &["--dev"][..]] {
                let c = config_for(&spec, extra);
                assert!(!c.enable_mdns, "{} {extra:?}", spec.id);
                assert!(c.listen_ip.is_loopback(), "{} {extra:?}", spec.id);
            }
        }
    }

    #[test]
    fn flags_open_the_node_up() {
        let dev = ChainSpec::dev();
        assert!(config_for(&dev, &["--mdns"]).enable_mdns);
        let c = config_for(&dev, &["--listen-ip", "0.0.0.0"]);
        assert!(c.listen_ip.is_unspecified());
        let mut live = ChainSpec::local();
        live.chain_type = "Live".into();
        let c = config_for(&live, &["--mdns"]);
        assert!(!c.enable_mdns, "mDNS never runs on a live chain");
        assert!(c.listen_ip.is_unspecified());
    }

    #[test]
    fn no_mdns_and_mdns_conflict() {
        assert!(Cli::try_parse_from(["hypermesh", "--mdns", "--no-mdns"]).is_err());
    }
}
