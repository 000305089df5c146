//! The node under test: either a `hypermesh --dev` this process starts (and
//! always stops), or one already running that we attach to.
use anyhow::{anyhow, bail, Context};
use jsonrpsee::ws_client::{WsClient, WsClientBuilder};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// How long a spawned node gets to answer RPC.
const READY_TIMEOUT: Duration = Duration::from_secs(90);
/// How long a node gets to exit after SIGTERM before it is killed.
const STOP_GRACE: Duration = Duration::from_secs(15);
/// Node log lines shown when the node misbehaves.
const LOG_TAIL_LINES: usize = 40;

/// Responses carry whole blocks as hex: allow the largest block the chain admits
/// (`MAX_BLOCK_BYTES`, doubled by hex) plus JSON framing.
pub const MAX_RESPONSE_BYTES: u32 = 2 * hm_primitives::MAX_BLOCK_BYTES as u32 + (1 << 20);

/// Pool settings we know the node runs with.
#[derive(Clone, Copy, Debug)]
pub struct PoolLimits {
    pub count: usize,
    pub per_sender: usize,
}

/// What the node must be started with.
#[derive(Clone, Debug)]
pub struct SpawnOptions {
    pub binary: PathBuf,
    pub block_time_ms: u64,
    pub pool: PoolLimits,
    pub instant_seal: bool,
}

/// A `hypermesh --dev` child process with its own base path. Dropping it stops
/// the node (SIGTERM, then SIGKILL); the base path is removed afterwards.
pub struct SpawnedNode {
    child: Option<Child>,
    rpc_url: String,
    log_path: PathBuf,
    // Declared last so the directory outlives the process that writes into it.
    base: TempDir,
}

/// Where the node's binary is, when `--node-bin` is not given: next to this
/// executable (both are built into the same target directory), then under
/// `$CARGO_TARGET_DIR/release`, then on `PATH`.
pub fn default_binary() -> PathBuf {
    let sibling = std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(|d| d.join("hypermesh")));
    let from_target =
        std::env::var_os("CARGO_TARGET_DIR").map(|d| PathBuf::from(d).join("release/hypermesh"));
    sibling
        .into_iter()
        .chain(from_target)
        .find(|p| p.is_file())
        .unwrap_or_else(|| PathBuf::from("hypermesh"))
}

/// Distinct free loopback ports. The listeners are held until all are chosen so
/// the kernel cannot hand out one port twice; another process may still race us
/// for a port, in which case the node fails to start and says so.
fn free_ports<const N: usize>() -> anyhow::Result<[u16; N]> {
    let listeners: Vec<TcpListener> = (0..N)
        .map(|_| TcpListener::bind("127.0.0.1:0"))
        .collect::<Result<_, _>>()
        .context("finding a free port")?;
    let mut ports = [0u16; N];
    for (slot, l) in ports.iter_mut().zip(&listeners) {
        *slot = l.local_addr()?.port();
    }
    Ok(ports)
}

impl SpawnedNode {
    pub fn spawn(opts: &SpawnOptions) -> anyhow::Result<Self> {
        let base = tempfile::Builder::new()
            .prefix("hypermesh-bench-")
            .tempdir()
            .context("creating a base path")?;
        let log_path = base.path().join("node.log");
        let log = File::create(&log_path).context("creating the node log")?;
        let [rpc_port, p2p_port] = free_ports::<2>()?;
        let mut cmd = Command::new(&opts.binary);
        cmd.arg("--dev")
            .arg("--base-path")
            .arg(base.path().join("node"))
            .args(["--rpc-port", &rpc_port.to_string()])
            .args(["--port", &p2p_port.to_string()])
            .arg("--no-prometheus")
            .args(["--block-time-ms", &opts.block_time_ms.to_string()])
            .args(["--pool-limit", &opts.pool.count.to_string()])
            .args(["--pool-per-sender", &opts.pool.per_sender.to_string()])
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log);
        if opts.instant_seal {
            cmd.arg("--instant-seal");
        }
        configure_child(&mut cmd);
        let child = cmd.spawn().with_context(|| {
            format!("starting {} (build it with `cargo build --release -p hypermesh`, or pass --node-bin)", opts.binary.display())
        })?;
        Ok(SpawnedNode {
            child: Some(child),
            rpc_url: format!("ws://127.0.0.1:{rpc_port}"),
            log_path,
            base,
        })
    }

    pub fn rpc_url(&self) -> &str {
        &self.rpc_url
    }

    pub fn base_path(&self) -> &Path {
        self.base.path()
    }

    /// Wait until the node answers `chain_getBlockHash(0)`, or fail with its log.
    pub async fn wait_ready(&mut self) -> anyhow::Result<()> {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.as_mut().and_then(|c| c.try_wait().transpose()) {
                let status = status?;
                bail!(
                    "the node exited during startup ({status}):\n{}",
                    self.log_tail()
                );
            }
            if let Ok(client) = connect(&self.rpc_url).await {
                if crate::follow::block_hash(&client, 0).await.is_ok() {
                    return Ok(());
                }
            }
            if start.elapsed() > READY_TIMEOUT {
                bail!(
                    "the node did not answer RPC on {} within {READY_TIMEOUT:?}:\n{}",
                    self.rpc_url,
                    self.log_tail()
                );
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Fail with the log if the node has died.
    pub fn check_alive(&mut self) -> anyhow::Result<()> {
        if let Some(status) = self.child.as_mut().and_then(|c| c.try_wait().transpose()) {
            let status = status?;
            bail!("the node exited ({status}):\n{}", self.log_tail());
        }
        Ok(())
    }

    /// The last lines the node logged.
    pub fn log_tail(&self) -> String {
        read_tail(&self.log_path, LOG_TAIL_LINES)
            .unwrap_or_else(|e| format!("(cannot read {}: {e})", self.log_path.display()))
    }

    /// SIGTERM, wait for a clean exit, SIGKILL after the grace period.
    pub fn stop(&mut self) -> anyhow::Result<Option<ExitStatus>> {
        let Some(mut child) = self.child.take() else {
            return Ok(None);
        };
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        let pid = Pid::from_raw(
            i32::try_from(child.id()).map_err(|_| anyhow!("child pid out of range"))?,
        );
        // The child is ours and not yet reaped, so the pid cannot have been reused.
        if kill(pid, Signal::SIGTERM).is_ok() {
            let deadline = Instant::now() + STOP_GRACE;
            while Instant::now() < deadline {
                if let Some(status) = child.try_wait()? {
                    return Ok(Some(status));
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            eprintln!("node ignored SIGTERM for {STOP_GRACE:?}; killing it");
        }
        child.kill()?;
        Ok(Some(child.wait()?))
    }
}

impl Drop for SpawnedNode {
    fn drop(&mut self) {
        if let Err(e) = self.stop() {
            eprintln!("stopping the node: {e:#}");
        }
    }
}

/// Put the node in its own process group (a terminal ^C reaches only us, and we
/// stop the node in order) and have the kernel SIGTERM it if we die first.
fn configure_child(cmd: &mut Command) {
    use std::os::unix::process::CommandExt;
    cmd.process_group(0);
    #[cfg(target_os = "linux")]
    {
        // SAFETY: runs in the forked child before exec; prctl(PR_SET_PDEATHSIG) is
        // async-signal-safe and touches no memory shared with the parent.
        unsafe {
            cmd.pre_exec(|| {
                nix::sys::prctl::set_pdeathsig(Signal::SIGTERM).map_err(std::io::Error::from)?;
                Ok(())
            });
        }
    }
}

fn read_tail(path: &Path, lines: usize) -> std::io::Result<String> {
    const WINDOW: u64 = 64 * 1024;
    let mut f = File::open(path)?;
    let len = f.metadata()?.len();
    f.seek(SeekFrom::Start(len.saturating_sub(WINDOW)))?;
    let mut buf = Vec::new();
    f.read_to_end(&mut buf)?;
    let text = String::from_utf8_lossy(&buf);
    let all: Vec<&str> = text.lines().collect();
    Ok(all[all.len().saturating_sub(lines)..].join("\n"))
}

/// A WebSocket client sized for benchmark traffic: whole blocks in responses and
/// `max_in_flight` outstanding requests.
/// The pool a benchmark's node needs: an attached node keeps the defaults; a started one
/// gets room for every transaction of the run.
pub fn pool_for(attached: bool, txs: usize, accounts: usize) -> PoolLimits {
    let defaults = hm_txpool::PoolConfig::default();
    let count = if attached {
        defaults.max_count
    } else {
        (txs + txs / 4 + accounts + 1024).max(defaults.max_count)
    };
    PoolLimits {
        count,
        per_sender: defaults.max_per_sender,
    }
}

/// The node to benchmark: the one at `rpc_url`, or a `hypermesh --dev` started with
/// `opts` (returned, to stop with [`stop_started`]), and its RPC URL.
pub async fn start_or_attach(
    rpc_url: Option<&str>,
    opts: &SpawnOptions,
) -> anyhow::Result<(Option<SpawnedNode>, String)> {
    if let Some(url) = rpc_url {
        return Ok((None, url.to_owned()));
    }
    let mut n = SpawnedNode::spawn(opts)?;
    n.wait_ready().await?;
    println!(
        "      started {} --dev on {}",
        opts.binary.display(),
        n.rpc_url()
    );
    let url = n.rpc_url().to_owned();
    Ok((Some(n), url))
}

/// Stop a node [`start_or_attach`] started, showing its last log lines when the run failed.
pub fn stop_started(node: Option<SpawnedNode>, failed: bool) {
    if let Some(mut n) = node {
        if failed {
            eprintln!("the node's last log lines:\n{}", n.log_tail());
        }
        if let Err(e) = n.stop() {
            eprintln!("stopping the node: {e:#}");
        }
    }
}

pub async fn connect_with(url: &str, max_in_flight: usize) -> anyhow::Result<WsClient> {
    WsClientBuilder::default()
        .max_response_size(MAX_RESPONSE_BYTES)
        .max_concurrent_requests(max_in_flight.max(16))
        .max_buffer_capacity_per_subscription(4096)
        .request_timeout(Duration::from_secs(120))
        .connection_timeout(Duration::from_secs(5))
        .build(url)
        .await
        .with_context(|| format!("connecting to {url}"))
}

pub async fn connect(url: &str) -> anyhow::Result<WsClient> {
    connect_with(url, 64).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn ports_are_distinct() {
        let [a, b, c] = free_ports::<3>().unwrap();
        assert!(a != b && b != c && a != c);
    }

    #[test]
    fn tail_returns_last_lines() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("log");
        let mut f = File::create(&p).unwrap();
        for i in 0..100 {
            writeln!(f, "line {i}").unwrap();
        }
        let tail = read_tail(&p, 3).unwrap();
        assert_eq!(tail, "line 97\nline 98\nline 99");
        assert_eq!(read_tail(&p, 1000).unwrap().lines().count(), 100);
    }

    #[test]
    fn missing_binary_is_a_clear_error() {
        let opts = SpawnOptions {
            binary: PathBuf::from("/nonexistent/hypermesh"),
            block_time_ms: 500,
            pool: PoolLimits {
                count: 10,
                per_sender: 10,
            },
            instant_seal: false,
        };
        let err = SpawnedNode::spawn(&opts)
            .err()
            .expect("spawning a missing binary must fail");
        assert!(format!("{err:#}").contains("--node-bin"));
    }

    #[test]
    fn dropping_stops_the_child() {
        // `sleep` stands in for the node: it must be gone once the guard drops.
        let base = tempfile::tempdir().unwrap();
        let mut cmd = Command::new("sleep");
        cmd.arg("30");
        configure_child(&mut cmd);
        let child = cmd.spawn().unwrap();
        let pid = Pid::from_raw(child.id() as i32);
        let node = SpawnedNode {
            child: Some(child),
            rpc_url: String::new(),
            log_path: base.path().join("none"),
            base,
        };
        drop(node);
        // Reaped by stop(): signalling the pid now fails.
        assert!(kill(pid, None).is_err());
    }
}
