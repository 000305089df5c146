//! The node's libp2p identity: an ed25519 key persisted at `<base>/network/secret_ed25519`.
//!
//! The file holds the 32-byte secret, raw (as Substrate writes it) or as 64 hex digits.
//! It is created with mode 0600 on first start and loaded afterwards. A file that is
//! present but unreadable or malformed is an error: replacing it silently would change the
//! node's PeerId and break every `--bootnodes` entry that names it.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use libp2p::identity::{ed25519, Keypair};

use crate::error::NetworkError;

const SECRET_LEN: usize = 32;

/// Load the node key at `path`, or create it (and its directory) if there is no file.
pub fn load_or_create_node_key(path: &Path) -> Result<Keypair, NetworkError> {
    match fs::read(path) {
        Ok(bytes) => {
            let keypair = decode_secret(&bytes).map_err(|reason| key_error(path, reason))?;
            warn_if_readable_by_others(path);
            Ok(keypair)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => create(path),
        Err(e) => Err(key_error(path, format!("cannot read: {e}"))),
    }
}

fn decode_secret(bytes: &[u8]) -> Result<Keypair, String> {
    let mut secret = [0u8; SECRET_LEN];
    if bytes.len() == SECRET_LEN {
        secret.copy_from_slice(bytes);
    } else {
        let text = std::str::from_utf8(bytes).map_err(|_| {
            format!(
                "expected {SECRET_LEN} raw bytes or 64 hex digits, got {} bytes",
                bytes.len()
            )
        })?;
        let digits = text.trim();
        let digits = digits.strip_prefix("0x").unwrap_or(digits);
        hex::decode_to_slice(digits, &mut secret).map_err(|_| {
            format!(
                "expected {SECRET_LEN} raw bytes or 64 hex digits, got {} bytes that are neither",
                bytes.len()
            )
        })?;
    }
    let secret = ed25519::SecretKey::try_from_bytes(&mut secret)
        .map_err(|e| format!("not an ed25519 secret key: {e}"))?;
    Ok(Keypair::from(ed25519::Keypair::from(secret)))
}

fn create(path: &Path) -> Result<Keypair, NetworkError> {
    let keypair = ed25519::Keypair::generate();
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_private_dir(dir)
            .map_err(|e| key_error(path, format!("cannot create directory: {e}")))?;
    }
    // Write to a temporary name and rename, so a crash never leaves a half-written key
    // that the next start would refuse.
    let tmp = tmp_path(path);
    let written = write_private(&tmp, keypair.secret().as_ref())
        .and_then(|()| fs::rename(&tmp, path))
        .and_then(|()| sync_parent(path));
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(key_error(path, format!("cannot write: {e}")));
    }
    tracing::info!(path = %path.display(), "Generated a new node key");
    Ok(Keypair::from(keypair))
}

fn tmp_path(path: &Path) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".tmp");
    path.with_file_name(name)
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    fs::create_dir_all(dir)
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

fn sync_parent(path: &Path) -> std::io::Result<()> {
    match path.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(dir) => fs::File::open(dir)?.sync_all(),
        None => Ok(()),
    }
}

#[cfg(unix)]
fn warn_if_readable_by_others(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = fs::metadata(path) {
        if meta.permissions().mode() & 0o077 != 0 {
            tracing::warn!(path = %path.display(), "Node key file is readable by other users; chmod 600 it");
        }
    }
}

#[cfg(not(unix))]
fn warn_if_readable_by_others(_path: &Path) {}

fn key_error(path: &Path, reason: String) -> NetworkError {
    NetworkError::NodeKey {
        path: path.to_path_buf(),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_once_then_loaded_with_the_same_identity() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("network").join("secret_ed25519");
        let first = load_or_create_node_key(&path).unwrap();
        assert_eq!(fs::read(&path).unwrap().len(), SECRET_LEN);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let second = load_or_create_node_key(&path).unwrap();
        assert_eq!(first.public().to_peer_id(), second.public().to_peer_id());
        assert!(!tmp_path(&path).exists());
    }

    #[test]
    fn hex_encoded_secret_is_accepted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret_ed25519");
        let raw = load_or_create_node_key(&path).unwrap();
        let bytes = fs::read(&path).unwrap();
        fs::write(&path, format!("0x{}\n", hex::encode(&bytes))).unwrap();
        let from_hex = load_or_create_node_key(&path).unwrap();
        assert_eq!(raw.public(), from_hex.public());
    }

    #[test]
    fn corrupt_files_are_errors_and_are_left_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret_ed25519");
        let hostile: [&[u8]; 5] = [b"", b"short", &[0xff; 31], &[7u8; 33], &[0xc3; 64]];
        for content in hostile {
            fs::write(&path, content).unwrap();
            let err = load_or_create_node_key(&path).unwrap_err();
            assert!(matches!(err, NetworkError::NodeKey { .. }), "{err}");
            assert!(err.to_string().contains("secret_ed25519"), "{err}");
            assert_eq!(
                fs::read(&path).unwrap(),
                content,
                "file must not be replaced"
            );
        }
    }

    #[test]
    fn unreadable_path_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        // A directory where the file should be.
        let path = dir.path().join("secret_ed25519");
        fs::create_dir(&path).unwrap();
        assert!(load_or_create_node_key(&path).is_err());
    }
}
