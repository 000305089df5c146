//! Slashing protection for a validator's consensus key (CometBFT privval,
//! EIP-3076): before anything is signed, the guard durably records the
//! (height, round, step, payload) it approves, and it refuses to approve a
//! lower slot or a different payload for the same slot, across restarts.
//!
//! Use it as: `check_and_record` → sign → `record_signature` → send. The record
//! is fsynced before `check_and_record` returns, so a crash anywhere after it
//! leaves a guard that still refuses a conflicting vote. Payloads (the signing
//! message's hash) are compared, never signatures: Falcon signatures are
//! randomized, so the same vote signs differently each time.
//!
//! Steps are ordered numbers inside a round; consensus uses 1 = proposal,
//! 2 = prevote, 3 = precommit ([`STEP_PROPOSAL`], [`STEP_PREVOTE`], [`STEP_PRECOMMIT`]).
mod file;
mod lock;

pub use file::{SignedState, MAX_FILE_BYTES, MAX_SIGNATURE_BYTES};

use hm_primitives::H256;
use std::io;
use std::path::{Path, PathBuf};

pub const STEP_PROPOSAL: u8 = 1;
pub const STEP_PREVOTE: u8 = 2;
pub const STEP_PRECOMMIT: u8 = 3;

/// What the caller may do with an approved request.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Decision {
    /// Sign the payload, then call [`SignerGuard::record_signature`].
    Sign,
    /// This exact payload was signed before: send these stored signature bytes again.
    Previous(Vec<u8>),
}

#[derive(Debug, thiserror::Error)]
pub enum GuardError {
    #[error("signer guard {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("signer guard {path} is corrupt ({reason}); refusing to sign rather than start over")]
    Corrupt { path: PathBuf, reason: String },
    #[error("signer guard {0} is in use by another process")]
    InUse(PathBuf),
    #[error("refusing to sign {requested:?}: already signed the later slot {last:?} (height, round, step)")]
    Regression {
        last: (u64, u32, u8),
        requested: (u64, u32, u8),
    },
    #[error("refusing to sign a second, different payload for height {height}, round {round}, step {step}")]
    Conflict { height: u64, round: u32, step: u8 },
    #[error("no approval for this slot and payload; call check_and_record first")]
    NotApproved,
    #[error("signature of {0} bytes exceeds the {MAX_SIGNATURE_BYTES}-byte limit")]
    SignatureTooLarge(usize),
    #[error("an earlier write failed; reopen the guard to continue from what is on disk")]
    Poisoned,
}

/// The slashing-protection record of one validator key on one chain.
#[derive(Debug)]
pub struct SignerGuard {
    path: PathBuf,
    temp: PathBuf,
    last: Option<SignedState>,
    /// Set when a write failed midway: what is on disk is then unknown.
    poisoned: bool,
    _lock: lock::LockFile,
}

impl SignerGuard {
    /// Open the state file at `path` (its directory must exist), creating it on
    /// first use. A damaged file is an error: the node must not sign until an
    /// operator looks. An unfinished temporary file from a crash is discarded;
    /// its write never completed, so nothing it approved was signed.
    pub fn open(path: &Path) -> Result<Self, GuardError> {
        let io_err = |source| GuardError::Io {
            path: path.to_path_buf(),
            source,
        };
        let lock_path = with_suffix(path, ".lock");
        let lock = match lock::try_lock(&lock_path).map_err(io_err)? {
            lock::Locking::Acquired(lock) => lock,
            lock::Locking::HeldElsewhere => return Err(GuardError::InUse(path.to_path_buf())),
        };
        let temp = with_suffix(path, ".tmp");
        match std::fs::remove_file(&temp) {
            Ok(()) => file::sync_parent(path).map_err(io_err)?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_err(e)),
        }
        let last = match read_bounded(path) {
            Ok(bytes) => Some(
                file::decode_file(&bytes).map_err(|reason| GuardError::Corrupt {
                    path: path.to_path_buf(),
                    reason,
                })?,
            ),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(io_err(e)),
        };
        Ok(SignerGuard {
            path: path.to_path_buf(),
            temp,
            last,
            poisoned: false,
            _lock: lock,
        })
    }

    /// The last approved slot, if any.
    pub fn last_signed(&self) -> Option<&SignedState> {
        self.last.as_ref()
    }

    /// Decide whether signing `payload` at (height, round, step) is safe.
    ///
    /// A new, higher slot is recorded durably before `Ok(Decision::Sign)` is
    /// returned. The same slot with the same payload is allowed again
    /// (`Previous` with the stored signature if one was recorded, else `Sign`).
    /// A lower slot is a `Regression`; the same slot with another payload is a `Conflict`.
    pub fn check_and_record(
        &mut self,
        height: u64,
        round: u32,
        step: u8,
        payload: &H256,
    ) -> Result<Decision, GuardError> {
        if self.poisoned {
            return Err(GuardError::Poisoned);
        }
        let requested = (height, round, step);
        if let Some(last) = &self.last {
            if requested < last.slot() {
                return Err(GuardError::Regression {
                    last: last.slot(),
                    requested,
                });
            }
            if requested == last.slot() {
                if last.payload != *payload {
                    return Err(GuardError::Conflict {
                        height,
                        round,
                        step,
                    });
                }
                return Ok(match &last.signature {
                    Some(signature) => Decision::Previous(signature.clone()),
                    None => Decision::Sign,
                });
            }
        }
        self.persist(SignedState {
            height,
            round,
            step,
            payload: *payload,
            signature: None,
        })?;
        Ok(Decision::Sign)
    }

    /// Store the signature made for the approved slot so an identical request
    /// can be answered with it. The first recorded signature is kept.
    pub fn record_signature(
        &mut self,
        height: u64,
        round: u32,
        step: u8,
        payload: &H256,
        signature: &[u8],
    ) -> Result<(), GuardError> {
        if self.poisoned {
            return Err(GuardError::Poisoned);
        }
        if signature.len() > MAX_SIGNATURE_BYTES {
            return Err(GuardError::SignatureTooLarge(signature.len()));
        }
        let Some(last) = &self.last else {
            return Err(GuardError::NotApproved);
        };
        if last.slot() != (height, round, step) || last.payload != *payload {
            return Err(GuardError::NotApproved);
        }
        if last.signature.is_some() {
            return Ok(());
        }
        let mut updated = last.clone();
        updated.signature = Some(signature.to_vec());
        self.persist(updated)
    }

    fn persist(&mut self, state: SignedState) -> Result<(), GuardError> {
        let bytes = file::encode_file(&state);
        if let Err(source) = file::write_atomically(&self.path, &self.temp, &bytes) {
            // The rename may or may not have happened: trust neither the old
            // nor the new state until the file is read back by a reopen.
            self.poisoned = true;
            return Err(GuardError::Io {
                path: self.path.clone(),
                source,
            });
        }
        self.last = Some(state);
        Ok(())
    }
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
}

/// Read at most one byte more than a valid file can hold, so a huge file is
/// reported as corrupt without being loaded.
fn read_bounded(path: &Path) -> io::Result<Vec<u8>> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    let limit = u64::try_from(MAX_FILE_BYTES)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    file.take(limit).read_to_end(&mut bytes)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests;
