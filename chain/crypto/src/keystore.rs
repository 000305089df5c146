//! Key files: JSON with hex halves, written with 0600 permissions.
use crate::falcon::Keypair;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

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
    #[error("key file {path} is not valid: {reason}")]
    Invalid { path: PathBuf, reason: String },
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

    pub fn load(path: &Path) -> Result<Keypair, KeystoreError> {
        let text = std::fs::read_to_string(path).map_err(|source| KeystoreError::Read {
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

    /// Write atomically (temp file + rename) with owner-only permissions.
    pub fn save(&self, path: &Path) -> Result<(), KeystoreError> {
        let werr = |source| KeystoreError::Write {
            path: path.to_owned(),
            source,
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(werr)?;
        }
        let tmp = path.with_extension("tmp");
        let json = serde_json::to_string_pretty(self).expect("key file serializes");
        {
            use std::io::Write;
            #[cfg(unix)]
            use std::os::unix::fs::OpenOptionsExt;
            let mut opts = std::fs::OpenOptions::new();
            opts.write(true).create(true).truncate(true);
            #[cfg(unix)]
            opts.mode(0o600);
            let mut f = opts.open(&tmp).map_err(werr)?;
            f.write_all(json.as_bytes()).map_err(werr)?;
            f.sync_all().map_err(werr)?;
        }
        std::fs::rename(&tmp, path).map_err(werr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_load_round_trip_and_corruption() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys/k.json");
        let kp = Keypair::generate();
        KeyFile::from_keypair("k", &kp).save(&path).unwrap();
        assert_eq!(KeyFile::load(&path).unwrap().account_id(), kp.account_id());
        std::fs::write(
            &path,
            "{\"scheme\":\"falcon1024\",\"public_key\":\"zz\",\"secret_key\":\"00\"}",
        )
        .unwrap();
        assert!(matches!(
            KeyFile::load(&path),
            Err(KeystoreError::Invalid { .. })
        ));
        assert!(matches!(
            KeyFile::load(&dir.path().join("missing")),
            Err(KeystoreError::Read { .. })
        ));
    }
}
