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
    /// Disk entries deleted to keep the directory under its byte cap.
    pub disk_evictions: u64,
}

#[derive(Default)]
pub(crate) struct Stats {
    memory_hits: AtomicU64,
    disk_hits: AtomicU64,
    compiles: AtomicU64,
    disk_rejected: AtomicU64,
    disk_write_failures: AtomicU64,
    disk_evictions: AtomicU64,
}

pub(crate) enum Event {
    MemoryHit,
    DiskHit,
    Compile,
    DiskRejected,
    DiskWriteFailure,
    DiskEviction,
}

impl Stats {
    pub(crate) fn record(&self, event: Event) {
        let counter = match event {
            Event::MemoryHit => &self.memory_hits,
            Event::DiskHit => &self.disk_hits,
            Event::Compile => &self.compiles,
            Event::DiskRejected => &self.disk_rejected,
            Event::DiskWriteFailure => &self.disk_write_failures,
            Event::DiskEviction => &self.disk_evictions,
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
            disk_evictions: self.disk_evictions.load(Ordering::Relaxed),
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

/// Directory of `<code hash hex>.cwasm` files, at most `max_bytes` in all: the least
/// recently used entries are deleted to make room (they are recompiled when needed).
pub(crate) struct DiskCache {
    dir: PathBuf,
    fingerprint: [u8; 32],
    temp_counter: AtomicU64,
    max_bytes: u64,
    index: Mutex<DiskIndex>,
}

/// File sizes of the entries, least recently used first, and their sum.
struct DiskIndex {
    sizes: LruCache<H256, u64>,
    total: u64,
}

impl DiskIndex {
    fn insert(&mut self, hash: H256, size: u64) {
        if let Some(old) = self.sizes.put(hash, size) {
            self.total = self.total.saturating_sub(old);
        }
        self.total = self.total.saturating_add(size);
    }

    fn remove(&mut self, hash: &H256) {
        if let Some(size) = self.sizes.pop(hash) {
            self.total = self.total.saturating_sub(size);
        }
    }
}

const ARTIFACT_EXTENSION: &str = "cwasm";

/// The code hash a cache file name stands for, if it is an entry's name.
fn entry_hash(name: &str) -> Option<H256> {
    let hex = name.strip_suffix(".cwasm")?;
    if hex.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (byte, pair) in out.iter_mut().zip(hex.as_bytes().chunks_exact(2)) {
        let pair = std::str::from_utf8(pair).ok()?;
        *byte = u8::from_str_radix(pair, 16).ok()?;
    }
    Some(H256(out))
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
    /// were produced under. Entries already there are indexed oldest first (by
    /// modification time) and trimmed to `max_bytes`; temp files a crash left behind
    /// are deleted.
    pub(crate) fn open(
        dir: &Path,
        fingerprint: [u8; 32],
        max_bytes: u64,
    ) -> Result<Self, ExecutorError> {
        let dir_error =
            |e: std::io::Error| ExecutorError::CacheDir(format!("{}: {e}", dir.display()));
        fs::create_dir_all(dir).map_err(dir_error)?;
        let mut found = Vec::new();
        for entry in fs::read_dir(dir).map_err(dir_error)? {
            let entry = entry.map_err(dir_error)?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            let Ok(meta) = entry.metadata() else { continue };
            if let Some(hash) = entry_hash(name) {
                let modified = meta.modified().unwrap_or(std::time::UNIX_EPOCH);
                found.push((modified, hash, meta.len()));
            } else if name.contains(".tmp.") {
                let _ = fs::remove_file(entry.path());
            }
        }
        found.sort();
        let mut index = DiskIndex {
            sizes: LruCache::unbounded(),
            total: 0,
        };
        for (_, hash, size) in found {
            index.insert(hash, size);
        }
        let cache = Self {
            dir: dir.to_path_buf(),
            fingerprint,
            temp_counter: AtomicU64::new(0),
            max_bytes,
            index: Mutex::new(index),
        };
        cache.evict_to_cap();
        Ok(cache)
    }

    /// Delete least recently used entries until the directory fits the cap; returns
    /// how many went.
    pub(crate) fn evict_to_cap(&self) -> u64 {
        let mut evicted = 0u64;
        let mut index = self.index.lock();
        while index.total > self.max_bytes {
            let Some((hash, size)) = index.sizes.pop_lru() else {
                break;
            };
            index.total = index.total.saturating_sub(size);
            let _ = fs::remove_file(self.path(&hash));
            evicted = evicted.saturating_add(1);
        }
        evicted
    }

    /// Bytes the indexed entries take.
    #[cfg(test)]
    pub(crate) fn total_bytes(&self) -> u64 {
        self.index.lock().total
    }

    pub(crate) fn path(&self, hash: &H256) -> PathBuf {
        let hex: String = hash.0.iter().map(|b| format!("{b:02x}")).collect();
        self.dir.join(format!("{hex}.{ARTIFACT_EXTENSION}"))
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
        // A hit makes the entry the most recently used (an unindexed one is adopted).
        let mut index = self.index.lock();
        if index.sizes.get(hash).is_none() {
            index.insert(*hash, meta.len());
        }
        drop(index);
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
    /// the final name, then evict least recently used entries beyond the cap. Returns
    /// how many were evicted. An artifact larger than the whole cap is not written.
    pub(crate) fn store(&self, hash: &H256, artifact: &[u8]) -> std::io::Result<u64> {
        let size = u64::try_from(HEADER_BYTES.saturating_add(artifact.len())).unwrap_or(u64::MAX);
        if size > self.max_bytes {
            return Err(std::io::Error::other(format!(
                "artifact of {size} bytes exceeds the disk cache cap of {} bytes",
                self.max_bytes
            )));
        }
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
        if let Err(e) = result {
            let _ = fs::remove_file(&tmp);
            return Err(e);
        }
        self.index.lock().insert(*hash, size);
        Ok(self.evict_to_cap())
    }

    pub(crate) fn remove(&self, hash: &H256) {
        self.index.lock().remove(hash);
        let _ = fs::remove_file(self.path(hash));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_corruption() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DiskCache::open(dir.path(), [7; 32], u64::MAX).unwrap();
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
        let cache = DiskCache::open(dir.path(), [7; 32], u64::MAX).unwrap();
        let (a, b) = (H256([1; 32]), H256([2; 32]));
        cache.store(&a, b"x").unwrap();
        fs::copy(cache.path(&a), cache.path(&b)).unwrap();
        assert_eq!(cache.load(&b), Err(()));

        let other_limits = DiskCache::open(dir.path(), [8; 32], u64::MAX).unwrap();
        assert_eq!(other_limits.load(&a), Err(()));
    }

    fn h(i: u8) -> H256 {
        H256([i; 32])
    }

    #[test]
    fn least_recently_used_entries_go_to_keep_under_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let entry = (HEADER_BYTES + 100) as u64;
        let cache = DiskCache::open(dir.path(), [7; 32], entry * 3).unwrap();
        for i in 1..=3 {
            assert_eq!(cache.store(&h(i), &[i; 100]).unwrap(), 0);
        }
        // Using 1 makes 2 the least recently used; a fourth entry evicts it.
        assert!(cache.load(&h(1)).unwrap().is_some());
        assert_eq!(cache.store(&h(4), &[4; 100]).unwrap(), 1);
        assert_eq!(cache.load(&h(2)), Ok(None));
        assert!(!cache.path(&h(2)).exists());
        for i in [1, 3, 4] {
            assert!(cache.load(&h(i)).unwrap().is_some(), "entry {i}");
        }
        assert_eq!(cache.total_bytes(), entry * 3);

        // Removing frees its bytes; an artifact larger than the cap is not written.
        cache.remove(&h(3));
        assert_eq!(cache.total_bytes(), entry * 2);
        assert!(cache.store(&h(5), &vec![5; entry as usize * 3]).is_err());
        assert!(!cache.path(&h(5)).exists());
    }

    #[test]
    fn reopening_indexes_what_is_there_and_trims_to_a_lower_cap() {
        let dir = tempfile::tempdir().unwrap();
        let entry = (HEADER_BYTES + 100) as u64;
        {
            let cache = DiskCache::open(dir.path(), [7; 32], u64::MAX).unwrap();
            for i in 1..=4 {
                cache.store(&h(i), &[i; 100]).unwrap();
            }
        }
        let torn = format!("{}.tmp.1.0", "cd".repeat(32));
        fs::write(dir.path().join(torn), b"torn").unwrap();
        let cache = DiskCache::open(dir.path(), [7; 32], entry * 2).unwrap();
        assert_eq!(cache.total_bytes(), entry * 2);
        let left = fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(left, 2, "two entries fit; the temp file is gone");
    }

    #[test]
    fn entry_names_parse_only_as_hashes() {
        let name = format!("{}.cwasm", "ab".repeat(32));
        assert_eq!(entry_hash(&name), Some(H256([0xab; 32])));
        assert_eq!(entry_hash("ab.cwasm"), None);
        assert_eq!(entry_hash(&format!("{}.cwasm", "zz".repeat(32))), None);
        assert_eq!(entry_hash(&"ab".repeat(32)), None);
    }
}
