//! Compiled-artifact caches: an in-memory LRU of ready-to-instantiate modules and a
//! directory of serialized artifacts that survives restarts.
//!
//! A disk entry is never trusted blindly: its header binds it to the code hash and to the
//! validation limits it was checked under, and a BLAKE3 checksum covers header and
//! artifact. Anything that does not match (truncation, bit rot, another version's
//! limits) is deleted and the code recompiled. wasmtime itself refuses artifacts from
//! another wasmtime version or engine configuration. The checksum is not a MAC: whoever
//! can write the node's data directory can already replace the node binary.

use crate::error::ExecutorError;
use hm_primitives::H256;
use lru::LruCache;
use parking_lot::Mutex;
use std::fs;
use std::io::Write;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

const MAGIC: &[u8; 8] = b"HMWASMC1";
const HEADER_BYTES: usize = 8 + 32 + 32 + 32;
/// Larger files are not artifacts of ≤ 128 KiB code; refuse to read them into memory.
const MAX_ARTIFACT_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Counters for observing the caches (and for tests).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Lookups answered by the in-memory LRU.
    pub memory_hits: u64,
    /// Artifacts loaded from disk (checksum verified, accepted by wasmtime).
    pub disk_hits: u64,
    /// Modules compiled by Cranelift.
    pub compiles: u64,
    /// Disk entries refused (corrupt, stale or rejected by wasmtime) and deleted.
    pub disk_rejected: u64,
    /// Artifacts that could not be written to disk (the node keeps running).
    pub disk_write_failures: u64,
}

#[derive(Default)]
pub(crate) struct Stats {
    memory_hits: AtomicU64,
    disk_hits: AtomicU64,
    compiles: AtomicU64,
    disk_rejected: AtomicU64,
    disk_write_failures: AtomicU64,
}

pub(crate) enum Event {
    MemoryHit,
    DiskHit,
    Compile,
    DiskRejected,
    DiskWriteFailure,
}

impl Stats {
    pub(crate) fn record(&self, event: Event) {
        let counter = match event {
            Event::MemoryHit => &self.memory_hits,
            Event::DiskHit => &self.disk_hits,
            Event::Compile => &self.compiles,
            Event::DiskRejected => &self.disk_rejected,
            Event::DiskWriteFailure => &self.disk_write_failures,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> CacheStats {
        CacheStats {
            memory_hits: self.memory_hits.load(Ordering::Relaxed),
            disk_hits: self.disk_hits.load(Ordering::Relaxed),
            compiles: self.compiles.load(Ordering::Relaxed),
            disk_rejected: self.disk_rejected.load(Ordering::Relaxed),
            disk_write_failures: self.disk_write_failures.load(Ordering::Relaxed),
        }
    }
}

/// Bounded map from code hash to a compiled value.
pub(crate) struct MemoryCache<V> {
    entries: Mutex<LruCache<H256, Arc<V>>>,
}

impl<V> MemoryCache<V> {
    pub(crate) fn new(capacity: usize) -> Self {
        let capacity = NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN);
        Self {
            entries: Mutex::new(LruCache::new(capacity)),
        }
    }

    pub(crate) fn get(&self, hash: &H256) -> Option<Arc<V>> {
        self.entries.lock().get(hash).cloned()
    }

    pub(crate) fn insert(&self, hash: H256, value: Arc<V>) {
        self.entries.lock().put(hash, value);
    }

    pub(crate) fn remove(&self, hash: &H256) {
        self.entries.lock().pop(hash);
    }
}

/// Directory of `<code hash hex>.cwasm` files.
pub(crate) struct DiskCache {
    dir: PathBuf,
    fingerprint: [u8; 32],
    temp_counter: AtomicU64,
}

fn checksum(fingerprint: &[u8; 32], hash: &H256, artifact: &[u8]) -> [u8; 32] {
    let mut h = blake3::Hasher::new();
    h.update(MAGIC);
    h.update(fingerprint);
    h.update(&hash.0);
    h.update(artifact);
    *h.finalize().as_bytes()
}

impl DiskCache {
    /// `fingerprint` identifies the validation limits (and validator version) entries
    /// were produced under.
    pub(crate) fn open(dir: &Path, fingerprint: [u8; 32]) -> Result<Self, ExecutorError> {
        fs::create_dir_all(dir)
            .map_err(|e| ExecutorError::CacheDir(format!("{}: {e}", dir.display())))?;
        Ok(Self {
            dir: dir.to_path_buf(),
            fingerprint,
            temp_counter: AtomicU64::new(0),
        })
    }

    pub(crate) fn path(&self, hash: &H256) -> PathBuf {
        let hex: String = hash.0.iter().map(|b| format!("{b:02x}")).collect();
        self.dir.join(format!("{hex}.cwasm"))
    }

    /// The verified artifact for `hash`, or `None` if there is no usable entry. A bad
    /// entry is deleted and reported as `Err(())` so the caller can count it.
    pub(crate) fn load(&self, hash: &H256) -> Result<Option<Vec<u8>>, ()> {
        let path = self.path(hash);
        let Ok(meta) = fs::metadata(&path) else {
            return Ok(None);
        };
        if meta.len() > MAX_ARTIFACT_FILE_BYTES {
            self.remove(hash);
            return Err(());
        }
        let Ok(mut bytes) = fs::read(&path) else {
            return Ok(None);
        };
        if !self.verify(hash, &bytes) {
            tracing::warn!(path = %path.display(), "corrupt or stale contract artifact; recompiling");
            self.remove(hash);
            return Err(());
        }
        bytes.drain(..HEADER_BYTES);
        Ok(Some(bytes))
    }

    fn verify(&self, hash: &H256, bytes: &[u8]) -> bool {
        let Some((header, artifact)) = bytes.split_at_checked(HEADER_BYTES) else {
            return false;
        };
        let (magic, rest) = header.split_at(8);
        let (fingerprint, rest) = rest.split_at(32);
        let (code_hash, sum) = rest.split_at(32);
        magic == MAGIC
            && fingerprint == self.fingerprint
            && code_hash == hash.0
            && sum == checksum(&self.fingerprint, hash, artifact)
    }

    /// Write atomically (temp file + rename) so a crash never leaves a torn entry under
    /// the final name.
    pub(crate) fn store(&self, hash: &H256, artifact: &[u8]) -> std::io::Result<()> {
        let path = self.path(hash);
        let n = self.temp_counter.fetch_add(1, Ordering::Relaxed);
        let tmp = path.with_extension(format!("tmp.{}.{n}", std::process::id()));
        let result = (|| {
            let mut file = fs::File::create(&tmp)?;
            file.write_all(MAGIC)?;
            file.write_all(&self.fingerprint)?;
            file.write_all(&hash.0)?;
            file.write_all(&checksum(&self.fingerprint, hash, artifact))?;
            file.write_all(artifact)?;
            file.sync_all()?;
            fs::rename(&tmp, &path)
        })();
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result
    }

    pub(crate) fn remove(&self, hash: &H256) {
        let _ = fs::remove_file(self.path(hash));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_corruption() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DiskCache::open(dir.path(), [7; 32]).unwrap();
        let hash = H256([1; 32]);
        assert_eq!(cache.load(&hash), Ok(None));
        cache.store(&hash, b"artifact bytes").unwrap();
        assert_eq!(cache.load(&hash), Ok(Some(b"artifact bytes".to_vec())));

        // Flip one artifact byte: refused and deleted.
        let path = cache.path(&hash);
        let mut bytes = fs::read(&path).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        fs::write(&path, &bytes).unwrap();
        assert_eq!(cache.load(&hash), Err(()));
        assert!(!path.exists());

        // Truncated header.
        fs::write(&path, b"HMWASMC1").unwrap();
        assert_eq!(cache.load(&hash), Err(()));
    }

    #[test]
    fn entry_is_bound_to_hash_and_fingerprint() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DiskCache::open(dir.path(), [7; 32]).unwrap();
        let (a, b) = (H256([1; 32]), H256([2; 32]));
        cache.store(&a, b"x").unwrap();
        fs::copy(cache.path(&a), cache.path(&b)).unwrap();
        assert_eq!(cache.load(&b), Err(()));

        let other_limits = DiskCache::open(dir.path(), [8; 32]).unwrap();
        assert_eq!(other_limits.load(&a), Err(()));
    }
}
