//! The guard's on-disk record and its atomic, durable replacement.
//!
//! Layout: `MAGIC (8) ‖ VERSION (1) ‖ body length (u32 LE) ‖ SCALE(SignedState) ‖
//! BLAKE3 of everything before it (32)`. Anything else is corruption, which
//! the guard reports instead of starting from scratch.
use hm_primitives::{blake3_256, H256};
use parity_scale_codec::{Decode, Encode};
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::Path;

const MAGIC: &[u8; 8] = b"HMSGUARD";
const VERSION: u8 = 1;
const HEADER_BYTES: usize = MAGIC.len() + 1 + 4;
const CHECKSUM_BYTES: usize = 32;

/// Longest signature the guard stores (Falcon-1024 needs at most 1462 bytes).
pub const MAX_SIGNATURE_BYTES: usize = 4096;
/// Largest well-formed state file.
pub const MAX_FILE_BYTES: usize =
    HEADER_BYTES + 8 + 4 + 1 + 32 + 1 + 5 + MAX_SIGNATURE_BYTES + CHECKSUM_BYTES;

/// The last slot this validator approved for signing, and the signature once known.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub struct SignedState {
    pub height: u64,
    pub round: u32,
    pub step: u8,
    /// Hash of the exact message approved for this slot.
    pub payload: H256,
    /// The signature released for `payload`, re-served on identical requests.
    pub signature: Option<Vec<u8>>,
}

impl SignedState {
    pub fn slot(&self) -> (u64, u32, u8) {
        (self.height, self.round, self.step)
    }
}

pub fn encode_file(state: &SignedState) -> Vec<u8> {
    let body = state.encode();
    let mut bytes = Vec::with_capacity(HEADER_BYTES + body.len() + CHECKSUM_BYTES);
    bytes.extend_from_slice(MAGIC);
    bytes.push(VERSION);
    // Bodies are bounded by MAX_FILE_BYTES, far below u32::MAX.
    bytes.extend_from_slice(&u32::try_from(body.len()).unwrap_or(u32::MAX).to_le_bytes());
    bytes.extend_from_slice(&body);
    let checksum = blake3_256(&bytes);
    bytes.extend_from_slice(checksum.as_bytes());
    bytes
}

/// Parse a state file, refusing anything that is not exactly one intact record.
pub fn decode_file(bytes: &[u8]) -> Result<SignedState, String> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(format!(
            "{} bytes exceeds the {MAX_FILE_BYTES}-byte limit",
            bytes.len()
        ));
    }
    if bytes.len() < HEADER_BYTES + CHECKSUM_BYTES {
        return Err(format!("truncated: only {} bytes", bytes.len()));
    }
    let (content, checksum) = bytes.split_at(bytes.len() - CHECKSUM_BYTES);
    if blake3_256(content).as_bytes()[..] != checksum[..] {
        return Err("checksum mismatch".into());
    }
    let (header, body) = content.split_at(HEADER_BYTES);
    if &header[..MAGIC.len()] != MAGIC {
        return Err("not a signer-guard file (bad magic)".into());
    }
    if header[MAGIC.len()] != VERSION {
        return Err(format!("unsupported version {}", header[MAGIC.len()]));
    }
    let mut len_bytes = [0u8; 4];
    len_bytes.copy_from_slice(&header[MAGIC.len() + 1..]);
    if usize::try_from(u32::from_le_bytes(len_bytes)).ok() != Some(body.len()) {
        return Err("body length does not match the header".into());
    }
    let state =
        SignedState::decode(&mut &body[..]).map_err(|e| format!("malformed record: {e}"))?;
    if state.encode().len() != body.len() {
        return Err("trailing bytes after the record".into());
    }
    if state
        .signature
        .as_ref()
        .is_some_and(|s| s.len() > MAX_SIGNATURE_BYTES)
    {
        return Err("stored signature is too long".into());
    }
    Ok(state)
}

/// Replace `path` with `bytes` so that a crash at any moment leaves either the
/// old or the new file, and the new one survives power loss once this returns:
/// write a temporary file, fsync it, rename it over `path`, fsync the directory.
pub fn write_atomically(path: &Path, temp: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(temp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    fs::rename(temp, path)?;
    sync_parent(path)
}

/// fsync the directory holding `path`, making a rename or creation durable.
pub fn sync_parent(path: &Path) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(signature: Option<Vec<u8>>) -> SignedState {
        SignedState {
            height: 9,
            round: 2,
            step: 3,
            payload: H256([4; 32]),
            signature,
        }
    }

    #[test]
    fn round_trip() {
        for s in [state(None), state(Some(vec![1; 1462])), state(Some(vec![]))] {
            assert_eq!(decode_file(&encode_file(&s)).unwrap(), s);
            assert!(encode_file(&s).len() <= MAX_FILE_BYTES);
        }
    }

    #[test]
    fn every_truncation_and_every_bit_flip_is_refused() {
        let bytes = encode_file(&state(Some(vec![7; 40])));
        for cut in 0..bytes.len() {
            assert!(decode_file(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        for i in 0..bytes.len() {
            for bit in 0..8 {
                let mut flipped = bytes.clone();
                flipped[i] ^= 1 << bit;
                assert!(decode_file(&flipped).is_err(), "byte {i} bit {bit}");
            }
        }
        let mut extended = bytes.clone();
        extended.push(0);
        assert!(decode_file(&extended).is_err());
        assert!(decode_file(&[]).is_err());
        assert!(decode_file(&vec![0u8; MAX_FILE_BYTES + 1]).is_err());
    }

    /// Structural errors behind a valid checksum (a buggy writer, not bit rot).
    #[test]
    fn well_checksummed_nonsense_is_refused() {
        let seal = |content: Vec<u8>| {
            let mut bytes = content.clone();
            bytes.extend_from_slice(blake3_256(&content).as_bytes());
            bytes
        };
        let good = encode_file(&state(None));
        let content = good[..good.len() - CHECKSUM_BYTES].to_vec();
        let mut bad_magic = content.clone();
        bad_magic[0] = b'X';
        assert!(decode_file(&seal(bad_magic)).unwrap_err().contains("magic"));
        let mut bad_version = content.clone();
        bad_version[8] = 2;
        assert!(decode_file(&seal(bad_version))
            .unwrap_err()
            .contains("version"));
        let mut bad_length = content.clone();
        bad_length[9] ^= 1;
        assert!(decode_file(&seal(bad_length))
            .unwrap_err()
            .contains("length"));
        // A body whose option tag is invalid.
        let mut bad_body = content.clone();
        let tag_at = HEADER_BYTES + 8 + 4 + 1 + 32;
        bad_body[tag_at] = 9;
        assert!(decode_file(&seal(bad_body))
            .unwrap_err()
            .contains("malformed"));
        // Body with an extra byte, header length adjusted to match.
        let mut trailing = content.clone();
        trailing.push(0);
        let len = (trailing.len() - HEADER_BYTES) as u32;
        trailing[9..13].copy_from_slice(&len.to_le_bytes());
        assert!(decode_file(&seal(trailing))
            .unwrap_err()
            .contains("trailing"));
        // Over-long stored signature.
        let long = encode_file(&state(Some(vec![0; MAX_SIGNATURE_BYTES + 1])));
        assert!(decode_file(&long).is_err());
    }

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("guard");
        let temp = dir.path().join("guard.tmp");
        write_atomically(&path, &temp, b"one").unwrap();
        write_atomically(&path, &temp, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        assert!(!temp.exists());
    }
}
