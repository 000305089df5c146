use super::*;

fn payload(tag: u8) -> H256 {
    H256([tag; 32])
}

fn guard_path() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("signer-guard");
    (dir, path)
}

fn approve(guard: &mut SignerGuard, h: u64, r: u32, s: u8, p: &H256) -> Decision {
    match guard.check_and_record(h, r, s, p) {
        Ok(decision) => decision,
        Err(e) => panic!("({h}, {r}, {s}) refused: {e}"),
    }
}

fn stored(path: &Path) -> SignedState {
    file::decode_file(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn first_use_creates_nothing_until_a_vote_is_approved() {
    let (_dir, path) = guard_path();
    let guard = SignerGuard::open(&path).unwrap();
    assert!(guard.last_signed().is_none());
    assert!(!path.exists());
}

#[test]
fn higher_slots_are_approved_and_persisted_before_returning() {
    let (_dir, path) = guard_path();
    let mut guard = SignerGuard::open(&path).unwrap();
    let slots = [
        (1, 0, STEP_PROPOSAL),
        (1, 0, STEP_PREVOTE),
        (1, 0, STEP_PRECOMMIT),
        (1, 1, STEP_PREVOTE),
        (1, 7, STEP_PROPOSAL),
        (2, 0, STEP_PREVOTE),
    ];
    for (i, (h, r, s)) in slots.into_iter().enumerate() {
        let p = payload(i as u8);
        assert_eq!(approve(&mut guard, h, r, s, &p), Decision::Sign);
        assert_eq!(guard.last_signed().unwrap().slot(), (h, r, s));
        let on_disk = stored(&path);
        assert_eq!((on_disk.slot(), on_disk.payload), ((h, r, s), p));
    }
}

#[test]
fn regressions_are_refused() {
    let (_dir, path) = guard_path();
    let mut guard = SignerGuard::open(&path).unwrap();
    approve(&mut guard, 10, 3, STEP_PREVOTE, &payload(1));
    for (h, r, s) in [
        (9, 99, STEP_PRECOMMIT),
        (10, 2, STEP_PRECOMMIT),
        (10, 3, STEP_PROPOSAL),
        (0, 0, 0),
    ] {
        match guard.check_and_record(h, r, s, &payload(1)) {
            Err(GuardError::Regression { last, requested }) => {
                assert_eq!(last, (10, 3, STEP_PREVOTE));
                assert_eq!(requested, (h, r, s));
            }
            other => panic!("expected a regression, got {other:?}"),
        }
    }
    // Nothing changed on disk.
    assert_eq!(stored(&path).slot(), (10, 3, STEP_PREVOTE));
}

#[test]
fn a_different_payload_for_the_same_slot_is_refused() {
    let (_dir, path) = guard_path();
    let mut guard = SignerGuard::open(&path).unwrap();
    approve(&mut guard, 4, 0, STEP_PRECOMMIT, &payload(1));
    assert!(matches!(
        guard.check_and_record(4, 0, STEP_PRECOMMIT, &payload(2)),
        Err(GuardError::Conflict {
            height: 4,
            round: 0,
            step: STEP_PRECOMMIT
        })
    ));
    assert_eq!(stored(&path).payload, payload(1));
}

#[test]
fn an_identical_payload_is_re_served_with_the_stored_signature() {
    let (_dir, path) = guard_path();
    let mut guard = SignerGuard::open(&path).unwrap();
    // Approved but not yet signed: signing the same payload again is harmless.
    assert_eq!(
        approve(&mut guard, 4, 1, STEP_PREVOTE, &payload(3)),
        Decision::Sign
    );
    assert_eq!(
        approve(&mut guard, 4, 1, STEP_PREVOTE, &payload(3)),
        Decision::Sign
    );
    guard
        .record_signature(4, 1, STEP_PREVOTE, &payload(3), &[9; 1462])
        .unwrap();
    assert_eq!(
        approve(&mut guard, 4, 1, STEP_PREVOTE, &payload(3)),
        Decision::Previous(vec![9; 1462])
    );
    // A second signature for the same payload does not replace the first.
    guard
        .record_signature(4, 1, STEP_PREVOTE, &payload(3), &[8; 10])
        .unwrap();
    assert_eq!(stored(&path).signature, Some(vec![9; 1462]));
}

#[test]
fn signatures_are_only_recorded_for_the_approved_slot_and_payload() {
    let (_dir, path) = guard_path();
    let mut guard = SignerGuard::open(&path).unwrap();
    assert!(matches!(
        guard.record_signature(1, 0, STEP_PREVOTE, &payload(1), &[1]),
        Err(GuardError::NotApproved)
    ));
    approve(&mut guard, 1, 0, STEP_PREVOTE, &payload(1));
    for (h, r, s, p) in [
        (1, 0, STEP_PREVOTE, payload(2)),
        (1, 0, STEP_PRECOMMIT, payload(1)),
        (1, 1, STEP_PREVOTE, payload(1)),
        (2, 0, STEP_PREVOTE, payload(1)),
    ] {
        assert!(matches!(
            guard.record_signature(h, r, s, &p, &[1]),
            Err(GuardError::NotApproved)
        ));
    }
    assert!(matches!(
        guard.record_signature(
            1,
            0,
            STEP_PREVOTE,
            &payload(1),
            &vec![0; MAX_SIGNATURE_BYTES + 1]
        ),
        Err(GuardError::SignatureTooLarge(_))
    ));
    assert_eq!(stored(&path).signature, None);
}

#[test]
fn state_survives_reopening() {
    let (_dir, path) = guard_path();
    {
        let mut guard = SignerGuard::open(&path).unwrap();
        approve(&mut guard, 7, 2, STEP_PRECOMMIT, &payload(5));
        guard
            .record_signature(7, 2, STEP_PRECOMMIT, &payload(5), b"sig")
            .unwrap();
    }
    let mut guard = SignerGuard::open(&path).unwrap();
    assert!(matches!(
        guard.check_and_record(7, 2, STEP_PRECOMMIT, &payload(6)),
        Err(GuardError::Conflict { .. })
    ));
    assert!(matches!(
        guard.check_and_record(7, 2, STEP_PREVOTE, &payload(5)),
        Err(GuardError::Regression { .. })
    ));
    assert_eq!(
        approve(&mut guard, 7, 2, STEP_PRECOMMIT, &payload(5)),
        Decision::Previous(b"sig".to_vec())
    );
    assert_eq!(
        approve(&mut guard, 7, 3, STEP_PREVOTE, &payload(6)),
        Decision::Sign
    );
}

#[test]
fn a_second_holder_is_refused_while_the_first_lives() {
    let (_dir, path) = guard_path();
    let first = SignerGuard::open(&path).unwrap();
    assert!(matches!(
        SignerGuard::open(&path),
        Err(GuardError::InUse(_))
    ));
    drop(first);
    SignerGuard::open(&path).unwrap();
}

#[test]
fn damaged_files_refuse_to_open() {
    let (_dir, path) = guard_path();
    {
        let mut guard = SignerGuard::open(&path).unwrap();
        approve(&mut guard, 3, 0, STEP_PREVOTE, &payload(1));
    }
    let good = std::fs::read(&path).unwrap();
    let mut flipped = good.clone();
    flipped[20] ^= 0x40;
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", vec![]),
        ("truncated", good[..good.len() - 1].to_vec()),
        ("half", good[..good.len() / 2].to_vec()),
        ("bit flip", flipped),
        ("garbage", b"{\"height\": 3}".to_vec()),
        ("oversized", vec![0xAB; MAX_FILE_BYTES * 4]),
    ];
    for (name, bytes) in cases {
        std::fs::write(&path, &bytes).unwrap();
        match SignerGuard::open(&path) {
            Err(GuardError::Corrupt { .. }) => {}
            other => panic!("{name}: expected Corrupt, got {other:?}"),
        }
        // Still there, untouched: refusing never means resetting.
        assert_eq!(std::fs::read(&path).unwrap(), bytes, "{name}");
    }
}

#[test]
fn an_unfinished_temporary_file_is_discarded() {
    let (_dir, path) = guard_path();
    {
        let mut guard = SignerGuard::open(&path).unwrap();
        approve(&mut guard, 5, 0, STEP_PREVOTE, &payload(1));
    }
    // A crash after writing the temporary file but before the rename.
    let temp = with_suffix(&path, ".tmp");
    std::fs::write(&temp, b"half-written").unwrap();
    let mut guard = SignerGuard::open(&path).unwrap();
    assert!(!temp.exists());
    assert_eq!(guard.last_signed().unwrap().slot(), (5, 0, STEP_PREVOTE));
    assert!(matches!(
        guard.check_and_record(5, 0, STEP_PREVOTE, &payload(2)),
        Err(GuardError::Conflict { .. })
    ));
}

#[test]
fn a_failed_write_poisons_the_guard() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("chain");
    std::fs::create_dir(&sub).unwrap();
    let path = sub.join("signer-guard");
    let mut guard = SignerGuard::open(&path).unwrap();
    approve(&mut guard, 1, 0, STEP_PREVOTE, &payload(1));
    // The directory disappears underneath us: the next write cannot complete.
    std::fs::remove_dir_all(&sub).unwrap();
    assert!(matches!(
        guard.check_and_record(2, 0, STEP_PREVOTE, &payload(2)),
        Err(GuardError::Io { .. })
    ));
    // From now on nothing is approved, not even what would have been fine.
    assert!(matches!(
        guard.check_and_record(3, 0, STEP_PREVOTE, &payload(3)),
        Err(GuardError::Poisoned)
    ));
    assert!(matches!(
        guard.record_signature(1, 0, STEP_PREVOTE, &payload(1), b"s"),
        Err(GuardError::Poisoned)
    ));
}

#[test]
fn a_missing_directory_is_an_error_not_a_fresh_start() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no-such-dir").join("signer-guard");
    assert!(matches!(
        SignerGuard::open(&path),
        Err(GuardError::Io { .. })
    ));
}
