//! Harness for end-to-end tests: real `hypermesh` processes on 127.0.0.1.
//!
//! Each node gets free ports and its own base path. Nodes are killed when
//! dropped, so a failing test leaves no processes behind.
pub mod contract_tx;
pub mod contracts;
pub mod load;
pub mod testnet;

use anyhow::{bail, Context};
use hm_wallet::RpcWallet;
use jsonrpsee::{core::client::ClientT, rpc_params};
use serde_json::Value;
use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

/// The `hypermesh` binary: `$HYPERMESH_BIN`, else the release build in the target dir.
pub fn node_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("HYPERMESH_BIN") {
        return PathBuf::from(p);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../target")));
    target.join("release/hypermesh")
}

/// The test-only build with `--byzantine` (`scripts/test.sh` builds it beside `hypermesh`).
pub fn byzantine_binary() -> PathBuf {
    node_binary().with_file_name("hypermesh-byzantine")
}

/// A free TCP port on 127.0.0.1 (bound then released; collisions are unlikely and retried by callers).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(0)
}

pub struct Node {
    pub base_path: PathBuf,
    pub rpc_port: u16,
    pub prometheus_port: u16,
    pub p2p_port: u16,
    /// The executable; [`node_binary`] unless changed before a restart.
    pub binary: PathBuf,
    /// Arguments besides ports and base path; may be changed before a restart.
    pub args: Vec<String>,
    child: Option<Child>,
    log_path: PathBuf,
    restarts: u32,
}

impl Node {
    /// Start a node with `args` (plus ports and `--base-path`) and wait for RPC.
    pub async fn start(base_path: &Path, args: &[&str]) -> anyhow::Result<Node> {
        Self::start_binary(&node_binary(), base_path, args).await
    }

    /// [`Node::start`] with another executable (the byzantine test build).
    pub async fn start_binary(
        binary: &Path,
        base_path: &Path,
        args: &[&str],
    ) -> anyhow::Result<Node> {
        anyhow::ensure!(
            binary.exists(),
            "{} is missing: scripts/test.sh builds it",
            binary.display()
        );
        let mut node = Node {
            base_path: base_path.to_owned(),
            rpc_port: free_port(),
            prometheus_port: free_port(),
            p2p_port: free_port(),
            binary: binary.to_owned(),
            args: args.iter().map(|s| s.to_string()).collect(),
            child: None,
            log_path: base_path.join("node.log"),
            restarts: 0,
        };
        node.spawn()?;
        node.wait_ready(Duration::from_secs(60)).await?;
        Ok(node)
    }

    /// A dev node in `base_path` with short blocks.
    pub async fn dev(base_path: &Path, block_time_ms: u64) -> anyhow::Result<Node> {
        let bt = block_time_ms.to_string();
        Self::start(base_path, &["--dev", "--block-time-ms", &bt]).await
    }

    fn spawn(&mut self) -> anyhow::Result<()> {
        std::fs::create_dir_all(&self.base_path)?;
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log_path)?;
        let mut cmd = Command::new(&self.binary);
        cmd.args(&self.args)
            .arg("--base-path")
            .arg(&self.base_path)
            .args(["--rpc-port", &self.rpc_port.to_string()])
            .args(["--prometheus-port", &self.prometheus_port.to_string()])
            .args(["--port", &self.p2p_port.to_string()])
            .env(
                "RUST_LOG",
                std::env::var("E2E_NODE_LOG").unwrap_or_else(|_| "info".into()),
            )
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log);
        let child = cmd
            .spawn()
            .with_context(|| format!("spawning {}", self.binary.display()))?;
        self.child = Some(child);
        Ok(())
    }

    pub fn rpc_url(&self) -> String {
        format!("ws://127.0.0.1:{}", self.rpc_port)
    }

    pub fn http_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.rpc_port)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(|c| c.id())
    }

    async fn wait_ready(&mut self, timeout: Duration) -> anyhow::Result<()> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(child) = self.child.as_mut() {
                if let Some(status) = child.try_wait()? {
                    bail!(
                        "node exited with {status} during start-up; log:\n{}",
                        tail(&self.log(), 40)
                    );
                }
            }
            if let Ok(w) = RpcWallet::connect(&self.rpc_url()).await {
                if w.client()
                    .request::<Value, _>("system_health", rpc_params![])
                    .await
                    .is_ok()
                {
                    return Ok(());
                }
            }
            if Instant::now() > deadline {
                bail!(
                    "node RPC not ready after {timeout:?}; log:\n{}",
                    tail(&self.log(), 40)
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn wallet(&self) -> anyhow::Result<RpcWallet> {
        RpcWallet::connect(&self.rpc_url()).await
    }

    /// SIGKILL: no chance to flush or clean up.
    pub fn kill9(&mut self) -> anyhow::Result<()> {
        if let Some(mut child) = self.child.take() {
            child.kill()?;
            child.wait()?;
        }
        Ok(())
    }

    /// SIGSTOP: the process stays but does nothing (no votes, no replies) until [`Node::resume`].
    pub fn pause(&self) -> anyhow::Result<()> {
        self.signal(nix::sys::signal::Signal::SIGSTOP)
    }

    /// SIGCONT after [`Node::pause`].
    pub fn resume(&self) -> anyhow::Result<()> {
        self.signal(nix::sys::signal::Signal::SIGCONT)
    }

    fn signal(&self, signal: nix::sys::signal::Signal) -> anyhow::Result<()> {
        let child = self.child.as_ref().context("node is not running")?;
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(child.id() as i32), signal)?;
        Ok(())
    }

    pub fn is_running(&self) -> bool {
        self.child.is_some()
    }

    /// SIGTERM and wait for a clean exit.
    pub fn stop(&mut self) -> anyhow::Result<std::process::ExitStatus> {
        let mut child = self.child.take().context("node is not running")?;
        nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(child.id() as i32),
            nix::sys::signal::Signal::SIGTERM,
        )?;
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = child.try_wait()? {
                return Ok(status);
            }
            if Instant::now() > deadline {
                child.kill()?;
                bail!("node did not exit within 30 s of SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Start again on the same base path and ports.
    pub async fn restart(&mut self) -> anyhow::Result<()> {
        self.restarts += 1;
        self.spawn()?;
        self.wait_ready(Duration::from_secs(60)).await
    }

    pub async fn rpc(&self, method: &str, params: Vec<Value>) -> anyhow::Result<Value> {
        let w = self.wallet().await?;
        let mut p = jsonrpsee::core::params::ArrayParams::new();
        for v in params {
            p.insert(v)?;
        }
        Ok(w.client().request(method, p).await?)
    }

    pub async fn finalized_number(&self) -> anyhow::Result<u64> {
        let hash = self.rpc("chain_getFinalizedHead", vec![]).await?;
        let header = self.rpc("chain_getHeader", vec![hash]).await?;
        hex_number(&header["number"])
    }

    pub async fn block_hash(&self, n: u64) -> anyhow::Result<Option<String>> {
        let v = self.rpc("chain_getBlockHash", vec![n.into()]).await?;
        Ok(v.as_str().map(str::to_owned))
    }

    /// Wait until the finalized height reaches `n`.
    pub async fn wait_finalized(&self, n: u64, timeout: Duration) -> anyhow::Result<u64> {
        let deadline = Instant::now() + timeout;
        loop {
            let f = self.finalized_number().await?;
            if f >= n {
                return Ok(f);
            }
            if Instant::now() > deadline {
                bail!("finalized height {f} did not reach {n} within {timeout:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

pub fn hex_number(v: &Value) -> anyhow::Result<u64> {
    match v {
        Value::String(s) => Ok(u64::from_str_radix(s.trim_start_matches("0x"), 16)?),
        Value::Number(n) => n.as_u64().context("not a u64"),
        other => bail!("expected a number, got {other}"),
    }
}

pub fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// Run the `hypermesh` binary as a CLI tool and return (success, stdout, stderr).
pub fn cli(args: &[&str]) -> anyhow::Result<(bool, String, String)> {
    cli_in(Path::new("."), args)
}

/// [`cli`] against the node at `url`; it must succeed and print `expect`. Returns stdout.
pub fn cli_expect(args: &[&str], url: &str, expect: &str) -> anyhow::Result<String> {
    let mut full = args.to_vec();
    full.extend_from_slice(&["--rpc-url", url]);
    let (ok, out, err) = cli(&full)?;
    anyhow::ensure!(ok && out.contains(expect), "{args:?}\n{out}\n{err}");
    Ok(out)
}

/// [`cli`] run from directory `cwd`, where relative paths resolve.
pub fn cli_in(cwd: &Path, args: &[&str]) -> anyhow::Result<(bool, String, String)> {
    let out = Command::new(node_binary())
        .args(args)
        .current_dir(cwd)
        .output()?;
    Ok((
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    ))
}
