use super::*;
#[cfg(unix)]
use std::os::unix::fs::PermissionsExt;

#[cfg(unix)]
fn mode_of(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn save_load_round_trip_and_corruption() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys/k.json");
    let kp = Keypair::generate();
    KeyFile::from_keypair("k", &kp).save(&path).unwrap();
    assert_eq!(KeyFile::load(&path).unwrap().account_id(), kp.account_id());
    let bad = dir.path().join("bad.json");
    fs::write(
        &bad,
        "{\"scheme\":\"falcon1024\",\"public_key\":\"zz\",\"secret_key\":\"00\"}",
    )
    .unwrap();
    assert!(matches!(
        KeyFile::load(&bad),
        Err(KeystoreError::Invalid { .. })
    ));
    assert!(matches!(
        KeyFile::load(&dir.path().join("missing")),
        Err(KeystoreError::Read { .. })
    ));
}

#[cfg(unix)]
#[test]
fn key_files_are_owner_only_and_new_dirs_too() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a/b/k.json");
    KeyFile::from_keypair("k", &Keypair::generate())
        .save(&path)
        .unwrap();
    assert_eq!(mode_of(&path), 0o600);
    assert_eq!(mode_of(&dir.path().join("a/b")), 0o700);
    assert_eq!(mode_of(&dir.path().join("a")), 0o700);
}

#[test]
fn save_never_replaces_a_file_and_leaves_no_temp_behind() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.json");
    fs::write(&path, "precious").unwrap();
    let err = KeyFile::from_keypair("k", &Keypair::generate())
        .save(&path)
        .unwrap_err();
    assert!(matches!(err, KeystoreError::Exists { .. }), "{err}");
    assert_eq!(fs::read_to_string(&path).unwrap(), "precious");
    // A sibling named like the old fixed temp name is not touched either.
    let sibling = path.with_extension("tmp");
    fs::write(&sibling, "sibling").unwrap();
    let other = dir.path().join("k2.json");
    KeyFile::from_keypair("k2", &Keypair::generate())
        .save(&other)
        .unwrap();
    assert_eq!(fs::read_to_string(&sibling).unwrap(), "sibling");
    let names: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().all(|n| !n.starts_with(".hm-key-")),
        "a temporary file was left: {names:?}"
    );
    assert_eq!(names.len(), 3, "{names:?}");
}

#[cfg(unix)]
#[test]
fn a_symlink_at_the_target_is_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let victim = dir.path().join("victim");
    fs::write(&victim, "victim").unwrap();
    let path = dir.path().join("k.json");
    std::os::unix::fs::symlink(&victim, &path).unwrap();
    let err = KeyFile::from_keypair("k", &Keypair::generate())
        .save(&path)
        .unwrap_err();
    assert!(matches!(err, KeystoreError::Exists { .. }), "{err}");
    assert_eq!(fs::read_to_string(&victim).unwrap(), "victim");
}

#[cfg(unix)]
#[test]
fn validator_keystore_dir_is_made_owner_only() {
    let dir = tempfile::tempdir().unwrap();
    let keystore = dir.path().join("keystore");
    fs::create_dir(&keystore).unwrap();
    fs::set_permissions(&keystore, fs::Permissions::from_mode(0o755)).unwrap();
    let path = keystore.join("validator.json");
    let kp = Keypair::generate();
    KeyFile::from_keypair("", &kp)
        .save_validator(&path)
        .unwrap();
    assert_eq!(mode_of(&keystore), 0o700);
    assert_eq!(
        KeyFile::load_validator(&path).unwrap().account_id(),
        kp.account_id()
    );
}

#[cfg(unix)]
#[test]
fn a_validator_key_others_can_read_is_refused_with_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("validator.json");
    KeyFile::from_keypair("", &Keypair::generate())
        .save(&path)
        .unwrap();
    for loose in [0o644, 0o640, 0o604, 0o660, 0o606] {
        fs::set_permissions(&path, fs::Permissions::from_mode(loose)).unwrap();
        let err = KeyFile::load_validator(&path).unwrap_err();
        assert!(
            matches!(err, KeystoreError::Permissions { mode, .. } if mode == loose),
            "{err}"
        );
        let text = err.to_string();
        assert!(
            text.contains(&format!("chmod 600 {}", path.display())),
            "{text}"
        );
        // A wallet key (not a validator key) still loads.
        KeyFile::load(&path).unwrap();
    }
    fs::set_permissions(&path, fs::Permissions::from_mode(0o400)).unwrap();
    KeyFile::load_validator(&path).unwrap();
}
