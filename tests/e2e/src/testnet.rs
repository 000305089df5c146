//! Multi-node testnets in the style of CometBFT's e2e harness: a manifest of nodes,
//! perturbations (kill, pause, restart, disconnect) and invariants checked after each.
use crate::{hex_number, tail, Node};
use anyhow::{bail, Context};
use serde_json::Value;
use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

/// One node of a testnet.
#[derive(Clone, Debug)]
pub struct NodeSpec {
    /// Dev key name (`alice`…`dave`) for a validator; `None` for a full node.
    pub validator: Option<&'static str>,
    /// Extra command-line arguments.
    pub extra_args: Vec<String>,
    /// The executable, if not the normal build (the byzantine test build).
    pub binary: Option<PathBuf>,
}

impl NodeSpec {
    pub fn validator(name: &'static str) -> Self {
        NodeSpec {
            validator: Some(name),
            extra_args: Vec::new(),
            binary: None,
        }
    }

    pub fn full() -> Self {
        NodeSpec {
            validator: None,
            extra_args: Vec::new(),
            binary: None,
        }
    }
}

/// The four validators of `chainspec/local.json`.
pub fn local_validators() -> Vec<NodeSpec> {
    ["alice", "bob", "charlie", "dave"]
        .into_iter()
        .map(NodeSpec::validator)
        .collect()
}

pub struct Testnet {
    pub nodes: Vec<Node>,
    pub names: Vec<String>,
    dir: PathBuf,
    chain: String,
    bootnode: Option<String>,
}

impl Testnet {
    /// Start `specs` on chain `chain` under `dir`; the first node is every other's bootnode.
    pub async fn start(dir: &Path, chain: &str, specs: &[NodeSpec]) -> anyhow::Result<Testnet> {
        let mut net = Testnet {
            nodes: Vec::new(),
            names: Vec::new(),
            dir: dir.to_owned(),
            chain: chain.to_owned(),
            bootnode: None,
        };
        for spec in specs {
            net.add(spec.clone()).await?;
        }
        Ok(net)
    }

    /// Start one more node, bootstrapping from the first.
    pub async fn add(&mut self, spec: NodeSpec) -> anyhow::Result<usize> {
        let index = self.nodes.len();
        let name = spec
            .validator
            .map(str::to_owned)
            .unwrap_or_else(|| format!("full{index}"));
        // Peers come from --bootnodes only (mDNS is off unless --mdns): testnets of other
        // tests on this machine share the genesis.
        let mut args: Vec<String> = vec!["--chain".into(), self.chain.clone()];
        args.push("--name".into());
        args.push(name.clone());
        if let Some(v) = spec.validator {
            args.push(format!("--{v}"));
        }
        // A spec that names its own bootnodes gets only those.
        let own_bootnodes = spec.extra_args.iter().any(|a| a == "--bootnodes");
        if let (Some(boot), false) = (&self.bootnode, own_bootnodes) {
            args.push("--bootnodes".into());
            args.push(boot.clone());
        }
        args.extend(spec.extra_args.iter().cloned());
        let arg_refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let binary = spec.binary.clone().unwrap_or_else(crate::node_binary);
        let node = Node::start_binary(&binary, &self.dir.join(&name), &arg_refs).await?;
        if self.bootnode.is_none() {
            let peer_id = wait_peer_id(&node, Duration::from_secs(30)).await?;
            self.bootnode = Some(format!(
                "/ip4/127.0.0.1/tcp/{}/p2p/{peer_id}",
                node.p2p_port
            ));
        }
        self.nodes.push(node);
        self.names.push(name);
        Ok(index)
    }

    /// Wait until every node in `running` has finalized height `n`.
    pub async fn wait_finalized(
        &self,
        running: &[usize],
        n: u64,
        timeout: Duration,
    ) -> anyhow::Result<()> {
        for &i in running {
            self.nodes[i]
                .wait_finalized(n, timeout)
                .await
                .with_context(|| {
                    format!(
                        "node {} ({}); its log:\n{}",
                        i,
                        self.names[i],
                        tail(&self.nodes[i].log(), 30)
                    )
                })?;
        }
        Ok(())
    }

    /// The invariant checked after every perturbation: at every height up to the lowest
    /// finalized height of `running`, all of them hold the same block hash and state root.
    /// Returns that height and the proposer of each block checked.
    pub async fn check_agreement(&self, running: &[usize]) -> anyhow::Result<(u64, Vec<String>)> {
        let mut upto = u64::MAX;
        for &i in running {
            upto = upto.min(self.nodes[i].finalized_number().await?);
        }
        let mut proposers = Vec::new();
        for height in 1..=upto {
            let mut seen: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
            let mut proposer = String::new();
            for &i in running {
                let hash = self.nodes[i].block_hash(height).await?.with_context(|| {
                    format!("node {i} has no block at finalized height {height}")
                })?;
                let header = self.nodes[i]
                    .rpc("chain_getHeader", vec![hash.clone().into()])
                    .await?;
                let root = header["stateRoot"].as_str().unwrap_or_default().to_owned();
                proposer = header["proposer"].as_str().unwrap_or_default().to_owned();
                seen.entry((hash, root)).or_default().push(i);
            }
            if seen.len() != 1 {
                bail!("nodes disagree at finalized height {height}: {seen:?}");
            }
            proposers.push(proposer);
        }
        Ok((upto, proposers))
    }

    /// Finalized height of node `i`.
    pub async fn finalized(&self, i: usize) -> anyhow::Result<u64> {
        self.nodes[i].finalized_number().await
    }

    /// Lowest finalized height among `running`.
    pub async fn min_finalized(&self, running: &[usize]) -> anyhow::Result<u64> {
        let mut min = u64::MAX;
        for &i in running {
            min = min.min(self.finalized(i).await?);
        }
        Ok(min)
    }

    /// Wait until the lowest finalized height of `running` passes `above` (progress check).
    pub async fn wait_progress(
        &self,
        running: &[usize],
        above: u64,
        timeout: Duration,
    ) -> anyhow::Result<u64> {
        let deadline = Instant::now() + timeout;
        loop {
            let min = self.min_finalized(running).await?;
            if min > above {
                return Ok(min);
            }
            if Instant::now() > deadline {
                bail!(
                    "finality stalled at {min} (wanted > {above}) on {:?}; last log lines of each:\n{}",
                    running,
                    running
                        .iter()
                        .map(|&i| format!("--- {}\n{}", self.names[i], tail(&self.nodes[i].log(), 15)))
                        .collect::<Vec<_>>()
                        .join("\n")
                );
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Raw storage of node `i` at its best block.
    pub async fn storage(&self, i: usize, key: &[u8]) -> anyhow::Result<Option<Vec<u8>>> {
        let v = self.nodes[i]
            .rpc(
                "state_getStorage",
                vec![format!("0x{}", hex::encode(key)).into()],
            )
            .await?;
        match v.as_str() {
            Some(h) => Ok(Some(hex::decode(h.trim_start_matches("0x"))?)),
            None => Ok(None),
        }
    }

    /// The validators whose precommits finalized block `height`, as node `i` stores them.
    pub async fn precommit_signers(
        &self,
        i: usize,
        height: u64,
    ) -> anyhow::Result<Vec<hm_primitives::AccountId>> {
        let hash = self.nodes[i]
            .block_hash(height)
            .await?
            .with_context(|| format!("no block #{height}"))?;
        let v = self.nodes[i]
            .rpc("chain_getBlock", vec![hash.into()])
            .await?;
        let rpc: hm_rpc_api::RpcSignedBlock = serde_json::from_value(v)?;
        let block = hm_primitives::SignedBlock::try_from(rpc)?;
        let j = block
            .justification
            .with_context(|| format!("block #{height} has no justification"))?;
        let j = hm_consensus_bft::Justification::from_primitive(&j)
            .map_err(|e| anyhow::anyhow!("justification of #{height}: {e:?}"))?;
        Ok(j.precommits.into_iter().map(|(id, _)| id).collect())
    }

    /// Lines of node `i`'s log that contain `needle`.
    pub fn log_lines(&self, i: usize, needle: &str) -> Vec<String> {
        self.nodes[i]
            .log()
            .lines()
            .filter(|l| l.contains(needle))
            .map(str::to_owned)
            .collect()
    }

    /// `system_health` of node `i`.
    pub async fn health(&self, i: usize) -> anyhow::Result<Value> {
        self.nodes[i].rpc("system_health", vec![]).await
    }

    /// `system_syncState` of node `i`: (current, highest).
    pub async fn sync_state(&self, i: usize) -> anyhow::Result<(u64, u64)> {
        let v = self.nodes[i].rpc("system_syncState", vec![]).await?;
        Ok((
            hex_number(&v["currentBlock"])?,
            hex_number(&v["highestBlock"])?,
        ))
    }
}

/// The peer id a node prints with its listen address (`…/p2p/<id>`).
pub async fn wait_peer_id(node: &Node, timeout: Duration) -> anyhow::Result<String> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(id) = find_peer_id(&node.log()) {
            return Ok(id);
        }
        if Instant::now() > deadline {
            bail!(
                "node printed no /p2p/ address; log:\n{}",
                tail(&node.log(), 30)
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn find_peer_id(log: &str) -> Option<String> {
    // The node's own listen line, not a peer's address it may log; the last one, since a
    // restarted node appends to its log and may have a new identity.
    let line = log
        .lines()
        .rev()
        .find(|l| l.contains("Listening on") && l.contains("/p2p/"))?;
    let at = line.find("/p2p/")? + "/p2p/".len();
    let id: String = line[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    (!id.is_empty()).then_some(id)
}

#[cfg(test)]
mod tests {
    use super::find_peer_id;

    #[test]
    fn peer_id_is_read_from_a_listen_line() {
        let log = "INFO Listening on /ip4/127.0.0.1/tcp/1/p2p/12D3KooWOld\nWARN dial /ip4/127.0.0.1/tcp/1/p2p/12D3KooWOther\nINFO Listening on /ip4/127.0.0.1/tcp/30333/p2p/12D3KooWAbc123\n";
        assert_eq!(find_peer_id(log).as_deref(), Some("12D3KooWAbc123"));
        assert_eq!(find_peer_id("nothing here"), None);
    }
}
