//! Key files: JSON with hex halves, owner-only on disk.
//!
//! A key file is written under a random temporary name opened with `O_EXCL` (so it can
//! neither follow a planted link nor clobber a sibling), synced, then linked into place
//! without replacing anything, and the directory is synced so the name survives a crash.
//! Directories created on the way are owner-only. A validator key is loaded only when
//! nobody but its owner can read it, as OpenSSH does for private keys.
use crate::falcon::Keypair;
use serde::{Deserialize, Serialize};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Mode of a key file: owner read and write.
#[cfg(unix)]
pub const KEY_FILE_MODE: u32 = 0o600;
/// Mode of a directory that holds keys: owner only.
#[cfg(unix)]
pub const KEYSTORE_DIR_MODE: u32 = 0o700;

#[derive(Debug, thiserror::Error)]
pub enum KeystoreError {
    #[error("cannot read key file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write key file {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} already exists; refusing to overwrite a key")]
    Exists { path: PathBuf },
    #[error("key file {path} is not valid: {reason}")]
    Invalid { path: PathBuf, reason: String },
    #[error(
        "key file {path} has mode {mode:03o}, so other users may read it; \
         run `chmod 600 {path}` and start again"
    )]
    Permissions { path: PathBuf, mode: u32 },
}

/// On-disk form of a key pair.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeyFile {
    #[serde(default)]
    pub name: String,
    pub scheme: String,
    pub public_key: String,
    pub secret_key: String,
}

impl KeyFile {
    pub fn from_keypair(name: &str, kp: &Keypair) -> Self {
        KeyFile {
            name: name.to_string(),
            scheme: "falcon1024".into(),
            public_key: format!("0x{}", hex::encode(kp.public().as_bytes())),
            secret_key: format!("0x{}", hex::encode(kp.secret_bytes())),
        }
    }

    pub fn keypair(&self) -> Result<Keypair, String> {
        if self.scheme != "falcon1024" {
            return Err(format!(
                "unsupported scheme `{}`, expected falcon1024",
                self.scheme
            ));
        }
        let decode = |s: &str, what: &str| {
            hex::decode(s.strip_prefix("0x").unwrap_or(s))
                .map_err(|e| format!("{what} is not hex: {e}"))
        };
        Keypair::from_bytes(
            &decode(&self.public_key, "public_key")?,
            &decode(&self.secret_key, "secret_key")?,
        )
    }

    /// Read any key file (a wallet key, a plot owner).
    pub fn load(path: &Path) -> Result<Keypair, KeystoreError> {
        let text = fs::read_to_string(path).map_err(|source| KeystoreError::Read {
            path: path.to_owned(),
            source,
        })?;
        let file: KeyFile = serde_json::from_str(&text).map_err(|e| KeystoreError::Invalid {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
        file.keypair().map_err(|reason| KeystoreError::Invalid {
            path: path.to_owned(),
            reason,
        })
    }

    /// Read a validator key, refusing one that group or others may read or write.
    pub fn load_validator(path: &Path) -> Result<Keypair, KeystoreError> {
        check_owner_only(path)?;
        Self::load(path)
    }

    /// Write a new key file at `path`; an existing file is never replaced. Missing parent
    /// directories are created owner-only.
    pub fn save(&self, path: &Path) -> Result<(), KeystoreError> {
        let werr = |source| KeystoreError::Write {
            path: path.to_owned(),
            source,
        };
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        create_private_dirs(dir).map_err(werr)?;
        let json =
            serde_json::to_string_pretty(self).map_err(|e| werr(std::io::Error::other(e)))?;
        let mut tmp = temp_builder().tempfile_in(dir).map_err(werr)?;
        tmp.write_all(json.as_bytes()).map_err(werr)?;
        tmp.as_file().sync_all().map_err(werr)?;
        tmp.persist_noclobber(path).map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                KeystoreError::Exists {
                    path: path.to_owned(),
                }
            } else {
                werr(e.error)
            }
        })?;
        sync_dir(dir).map_err(werr)
    }

    /// [`save`](Self::save) a validator key into a keystore directory, which is made
    /// owner-only whether or not it existed.
    pub fn save_validator(&self, path: &Path) -> Result<(), KeystoreError> {
        self.save(path)?;
        #[cfg(unix)]
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(dir, fs::Permissions::from_mode(KEYSTORE_DIR_MODE)).map_err(
                |source| KeystoreError::Write {
                    path: dir.to_owned(),
                    source,
                },
            )?;
        }
        Ok(())
    }
}

/// A builder for the random, exclusive temporary name a key is written under.
fn temp_builder() -> tempfile::Builder<'static, 'static> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".hm-key-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(KEY_FILE_MODE));
    }
    builder
}

fn create_private_dirs(dir: &Path) -> std::io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(KEYSTORE_DIR_MODE);
    }
    builder.create(dir)
}

/// Make a new directory entry durable: fsync the directory that holds it.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    fs::File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

#[cfg(unix)]
fn check_owner_only(path: &Path) -> Result<(), KeystoreError> {
    use std::os::unix::fs::PermissionsExt;
    let meta = fs::metadata(path).map_err(|source| KeystoreError::Read {
        path: path.to_owned(),
        source,
    })?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(KeystoreError::Permissions {
            path: path.to_owned(),
            mode,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_owner_only(_path: &Path) -> Result<(), KeystoreError> {
    Ok(())
}

#[cfg(test)]
mod tests;
