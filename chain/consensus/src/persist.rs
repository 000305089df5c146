//! Durable Tendermint recovery state (round, lock, valid value): written with
//! temp file, fsync, rename and directory fsync before any action that
//! follows it, read back at start-up. A damaged file stops the node rather
//! than letting it forget a lock.
use hm_consensus_bft::RecoveryState;
use parity_scale_codec::{Decode, Encode};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

const MAGIC: &[u8; 8] = b"HMBFTRS1";
const CHECKSUM_LEN: usize = 32;
/// Magic, the largest RecoveryState (8 + 4 + 2 × 37), checksum; anything longer is damage.
pub const MAX_STATE_FILE_BYTES: usize = 8 + 90 + CHECKSUM_LEN;

#[derive(Debug, thiserror::Error)]
pub enum PersistError {
    #[error("consensus state {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("consensus state {path} is damaged ({reason}); refusing to start without it")]
    Corrupt { path: PathBuf, reason: &'static str },
}

/// The recovery-state file of one validator on one chain.
#[derive(Debug)]
pub struct StateFile {
    path: PathBuf,
    temp: PathBuf,
}

impl StateFile {
    /// Use `path`, creating its directory if needed.
    pub fn new(path: &Path) -> Result<Self, PersistError> {
        let io_err = |source| PersistError::Io {
            path: path.to_path_buf(),
            source,
        };
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(io_err)?;
        }
        let mut temp = path.as_os_str().to_os_string();
        temp.push(".tmp");
        Ok(StateFile {
            path: path.to_path_buf(),
            temp: PathBuf::from(temp),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The stored state, `None` if none was ever written.
    pub fn load(&self) -> Result<Option<RecoveryState>, PersistError> {
        let file = match File::open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(self.io(source)),
        };
        let mut bytes = Vec::new();
        file.take(MAX_STATE_FILE_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|source| self.io(source))?;
        decode_file(&bytes)
            .map(Some)
            .map_err(|reason| PersistError::Corrupt {
                path: self.path.clone(),
                reason,
            })
    }

    /// Replace the stored state durably: when this returns, a crash cannot lose it.
    pub fn store(&self, state: &RecoveryState) -> Result<(), PersistError> {
        let bytes = encode_file(state);
        let write = || -> io::Result<()> {
            let mut file = OpenOptions::new()
                .create(true)
                .truncate(true)
                .write(true)
                .open(&self.temp)?;
            file.write_all(&bytes)?;
            file.sync_all()?;
            drop(file);
            fs::rename(&self.temp, &self.path)?;
            sync_dir(&self.path)
        };
        write().map_err(|source| self.io(source))
    }

    fn io(&self, source: io::Error) -> PersistError {
        PersistError::Io {
            path: self.path.clone(),
            source,
        }
    }
}

#[cfg(unix)]
fn sync_dir(path: &Path) -> io::Result<()> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => File::open(dir)?.sync_all(),
        _ => File::open(".")?.sync_all(),
    }
}

#[cfg(not(unix))]
fn sync_dir(_path: &Path) -> io::Result<()> {
    Ok(())
}

fn encode_file(state: &RecoveryState) -> Vec<u8> {
    let mut bytes = MAGIC.to_vec();
    state.encode_to(&mut bytes);
    let checksum = blake3::hash(&bytes);
    bytes.extend_from_slice(checksum.as_bytes());
    bytes
}

fn decode_file(bytes: &[u8]) -> Result<RecoveryState, &'static str> {
    if bytes.len() > MAX_STATE_FILE_BYTES {
        return Err("file is longer than any valid state");
    }
    let body_len = bytes
        .len()
        .checked_sub(CHECKSUM_LEN)
        .ok_or("file is shorter than its checksum")?;
    let (body, checksum) = bytes.split_at(body_len);
    if blake3::hash(body).as_bytes()[..] != *checksum {
        return Err("checksum mismatch");
    }
    let payload = body.strip_prefix(&MAGIC[..]).ok_or("bad magic")?;
    let mut input = payload;
    let state = RecoveryState::decode(&mut input).map_err(|_| "undecodable state")?;
    if !input.is_empty() {
        return Err("trailing bytes after the state");
    }
    Ok(state)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hm_primitives::H256;

    fn sample() -> RecoveryState {
        RecoveryState {
            height: 42,
            round: 3,
            locked: Some((2, H256([7; 32]))),
            valid: Some((3, H256([8; 32]))),
        }
    }

    #[test]
    fn store_load_round_trip_and_replace() {
        let dir = tempfile::tempdir().unwrap();
        let file = StateFile::new(&dir.path().join("sub/bft-state")).unwrap();
        assert_eq!(file.load().unwrap(), None);
        file.store(&sample()).unwrap();
        assert_eq!(file.load().unwrap(), Some(sample()));
        let later = RecoveryState {
            height: 43,
            round: 0,
            locked: None,
            valid: None,
        };
        file.store(&later).unwrap();
        assert_eq!(
            StateFile::new(file.path()).unwrap().load().unwrap(),
            Some(later)
        );
        assert!(encode_file(&sample()).len() <= MAX_STATE_FILE_BYTES);
    }

    #[test]
    fn damage_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bft-state");
        let file = StateFile::new(&path).unwrap();
        file.store(&sample()).unwrap();
        let good = fs::read(&path).unwrap();
        let mut cases: Vec<Vec<u8>> = (0..good.len()).map(|cut| good[..cut].to_vec()).collect();
        for i in 0..good.len() {
            let mut flipped = good.clone();
            flipped[i] ^= 0x10;
            cases.push(flipped);
        }
        let mut long = good.clone();
        long.extend(vec![0; MAX_STATE_FILE_BYTES]);
        cases.push(long);
        // Valid checksum over a body with a bad magic or trailing bytes.
        for body in [b"XXBFTRS1".to_vec(), {
            let mut b = MAGIC.to_vec();
            sample().encode_to(&mut b);
            b.push(0);
            b
        }] {
            let mut bytes = body.clone();
            bytes.extend_from_slice(blake3::hash(&body).as_bytes());
            cases.push(bytes);
        }
        for bad in cases {
            fs::write(&path, &bad).unwrap();
            assert!(
                matches!(file.load(), Err(PersistError::Corrupt { .. })),
                "{} bytes accepted",
                bad.len()
            );
        }
    }
}
