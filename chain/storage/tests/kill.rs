//! Crash safety: a child process commits blocks until it is SIGKILLed, most
//! likely in the middle of a commit; the database must reopen consistent with
//! every block the child reported as committed. It prunes states as it goes, so a
//! kill also lands in the middle of moving the pruning window.
mod common;

use common::{next_block, set};
use hm_storage::{ChainDb, DbConfig, StorageError};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

const CHILD_ENV: &str = "HM_STORAGE_KILL_TEST_DB";
const REPORTED_BEFORE_KILL: u64 = 15;
const KEPT_STATES: &str = "8";

fn open(path: &std::path::Path) -> ChainDb {
    let config = DbConfig {
        state_pruning: KEPT_STATES.parse().unwrap(),
        ..DbConfig::default()
    };
    ChainDb::open_with(path, &config).unwrap()
}

/// Block n sets `counter` = n and rewrites 300 keys, so every commit is a
/// sizeable batch that the kill can interrupt.
fn child_writer(path: &str) {
    let db = open(std::path::Path::new(path));
    let mut out = std::io::stdout();
    for n in 0u64..100_000 {
        let mut changes = vec![set(b"counter", &n.to_le_bytes())];
        changes
            .extend((0u64..300).map(|i| set(&(n % 7 * 1000 + i).to_le_bytes(), &n.to_le_bytes())));
        let (block, prepared) = next_block(&db, &changes, vec![n.to_le_bytes().to_vec()]);
        db.commit_block(&block, prepared, true).unwrap();
        writeln!(out, "committed {n}").unwrap();
        out.flush().unwrap();
    }
}

#[test]
fn killed_writer_leaves_a_consistent_database() {
    if let Ok(path) = std::env::var(CHILD_ENV) {
        child_writer(&path);
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "killed_writer_leaves_a_consistent_database",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut reported = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if let Some(n) = line.strip_prefix("committed ") {
            let n: u64 = n.trim().parse().unwrap();
            reported = Some(n);
            if n >= REPORTED_BEFORE_KILL {
                break;
            }
        }
    }
    child.kill().unwrap(); // SIGKILL: no destructors, no flush
    child.wait().unwrap();
    let reported = reported.expect("child committed nothing");
    assert!(
        reported >= REPORTED_BEFORE_KILL,
        "child stopped on its own after #{reported}"
    );

    let db = open(dir.path());
    let report = db.check_consistency().unwrap();
    assert!(report.is_clean(), "{report:?}");
    let (best, _) = db.best().unwrap().unwrap();
    assert!(
        best >= reported,
        "best #{best} is behind the reported #{reported}"
    );
    assert_eq!(
        db.state_get(b"counter").unwrap(),
        Some(best.to_le_bytes().to_vec())
    );
    let oldest = db.oldest_state();
    assert_eq!(oldest, best + 1 - 8);
    for v in 0..oldest {
        assert!(matches!(
            db.state_get_at(b"counter", v),
            Err(StorageError::StatePruned { .. })
        ));
    }
    for v in oldest..=best {
        assert_eq!(
            db.state_get_at(b"counter", v).unwrap(),
            Some(v.to_le_bytes().to_vec())
        );
        let hash = db.hash_by_number(v).unwrap().unwrap();
        assert_eq!(
            db.header(&hash).unwrap().unwrap().state_root,
            db.state_root(v).unwrap()
        );
        // Every node on the path is still there.
        db.read_proof(&(v % 7 * 1000).to_le_bytes(), v).unwrap();
    }
    // The chain continues from where the child stopped.
    let (block, prepared) = next_block(&db, &vec![set(b"counter", b"next")], vec![]);
    db.commit_block(&block, prepared, true).unwrap();
}
