//! A validator process killed with SIGKILL right after the guard approved a
//! vote (before it was "sent") must, once restarted, still refuse to sign a
//! conflicting vote for that slot.
//!
//! The test re-runs its own binary as the child, selecting `child_entry` and
//! passing the work through environment variables. The child blocks on stdin
//! after reporting, so the parent decides the moment of death; nothing sleeps.
use hm_primitives::H256;
use hm_signer_guard::{Decision, GuardError, SignerGuard, STEP_PRECOMMIT, STEP_PREVOTE};
use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, Stdio};

const PATH_VAR: &str = "HM_SIGNER_GUARD_CHILD_PATH";
const SIGN_VAR: &str = "HM_SIGNER_GUARD_CHILD_RECORD_SIGNATURE";
const READY: &str = "GUARD-RECORDED";

const HEIGHT: u64 = 12;
const ROUND: u32 = 1;
const PAYLOAD_A: H256 = H256([0xAA; 32]);
const PAYLOAD_B: H256 = H256([0xBB; 32]);
const SIGNATURE: &[u8] = b"falcon signature bytes";

/// In the child: approve PAYLOAD_A for (12, 1, precommit), optionally record
/// its signature, report, then wait to be killed. A no-op in normal runs.
#[test]
fn child_entry() {
    let Ok(path) = std::env::var(PATH_VAR) else {
        return;
    };
    let mut guard = SignerGuard::open(Path::new(&path)).unwrap();
    // An earlier, completed vote.
    assert_eq!(
        guard
            .check_and_record(HEIGHT, ROUND, STEP_PREVOTE, &PAYLOAD_A)
            .unwrap(),
        Decision::Sign
    );
    assert_eq!(
        guard
            .check_and_record(HEIGHT, ROUND, STEP_PRECOMMIT, &PAYLOAD_A)
            .unwrap(),
        Decision::Sign
    );
    if std::env::var(SIGN_VAR).is_ok() {
        guard
            .record_signature(HEIGHT, ROUND, STEP_PRECOMMIT, &PAYLOAD_A, SIGNATURE)
            .unwrap();
    }
    println!("{READY}");
    // Block until killed; the parent never writes to our stdin.
    let mut sink = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut sink);
    panic!("the parent was supposed to kill this process");
}

fn run_child_and_kill(path: &Path, record_signature: bool) {
    let exe = std::env::current_exe().unwrap();
    let mut command = Command::new(exe);
    command
        .args(["child_entry", "--exact", "--nocapture", "--test-threads=1"])
        .env(PATH_VAR, path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    if record_signature {
        command.env(SIGN_VAR, "1");
    }
    let mut child = command.spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    loop {
        match lines.next() {
            Some(Ok(line)) if line.trim_end().ends_with(READY) => break,
            Some(Ok(_)) => continue,
            other => panic!("child ended before approving: {other:?}"),
        }
    }
    child.kill().unwrap(); // SIGKILL on Unix
    let status = child.wait().unwrap();
    assert_eq!(
        status.signal(),
        Some(libc::SIGKILL),
        "child must die by SIGKILL"
    );
}

#[test]
fn approval_survives_sigkill_before_send() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("signer-guard");
    run_child_and_kill(&path, false);
    let mut guard = SignerGuard::open(&path).unwrap();
    assert!(matches!(
        guard.check_and_record(HEIGHT, ROUND, STEP_PRECOMMIT, &PAYLOAD_B),
        Err(GuardError::Conflict { .. })
    ));
    assert!(matches!(
        guard.check_and_record(HEIGHT, ROUND, STEP_PREVOTE, &PAYLOAD_B),
        Err(GuardError::Regression { .. })
    ));
    assert!(matches!(
        guard.check_and_record(HEIGHT - 1, 5, STEP_PRECOMMIT, &PAYLOAD_A),
        Err(GuardError::Regression { .. })
    ));
    // The approved payload itself may be signed again (no signature was stored).
    assert_eq!(
        guard
            .check_and_record(HEIGHT, ROUND, STEP_PRECOMMIT, &PAYLOAD_A)
            .unwrap(),
        Decision::Sign
    );
}

#[test]
fn recorded_signature_survives_sigkill_and_is_re_served() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("signer-guard");
    run_child_and_kill(&path, true);
    let mut guard = SignerGuard::open(&path).unwrap();
    assert_eq!(
        guard
            .check_and_record(HEIGHT, ROUND, STEP_PRECOMMIT, &PAYLOAD_A)
            .unwrap(),
        Decision::Previous(SIGNATURE.to_vec())
    );
    assert!(matches!(
        guard.check_and_record(HEIGHT, ROUND, STEP_PRECOMMIT, &PAYLOAD_B),
        Err(GuardError::Conflict { .. })
    ));
    // Moving on is allowed.
    assert_eq!(
        guard
            .check_and_record(HEIGHT + 1, 0, STEP_PREVOTE, &PAYLOAD_B)
            .unwrap(),
        Decision::Sign
    );
}
