//! Cache of signatures this node has already verified.
//!
//! A transaction is verified when it enters the pool and again when its block
//! is imported. The second check is on the same bytes, so a hit on
//! `blake3(pk ‖ msg ‖ sig)` proves the same verification already succeeded.
//! Only successes are cached; a failure is always re-checked.
use crate::falcon::verify_raw;
use parking_lot::Mutex;
use std::num::NonZeroUsize;

pub struct VerifyCache {
    seen: Mutex<lru::LruCache<[u8; 32], ()>>,
}

impl VerifyCache {
    pub fn new(capacity: usize) -> Self {
        let cap = NonZeroUsize::new(capacity.max(1)).expect("capacity is at least one");
        VerifyCache {
            seen: Mutex::new(lru::LruCache::new(cap)),
        }
    }

    pub fn verify(&self, public: &[u8], message: &[u8], signature: &[u8]) -> bool {
        let mut h = blake3::Hasher::new();
        h.update(&(public.len() as u32).to_le_bytes());
        h.update(public);
        h.update(&(message.len() as u32).to_le_bytes());
        h.update(message);
        h.update(signature);
        let key = *h.finalize().as_bytes();
        if self.seen.lock().get(&key).is_some() {
            return true;
        }
        let ok = verify_raw(public, message, signature);
        if ok {
            self.seen.lock().put(key, ());
        }
        ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Keypair;

    #[test]
    fn caches_only_successes() {
        let cache = VerifyCache::new(16);
        let kp = Keypair::generate();
        let sig = kp.sign(b"m");
        assert!(cache.verify(kp.public().as_bytes(), b"m", &sig.0));
        assert!(cache.verify(kp.public().as_bytes(), b"m", &sig.0));
        assert!(!cache.verify(kp.public().as_bytes(), b"n", &sig.0));
        assert!(!cache.verify(kp.public().as_bytes(), b"n", &sig.0));
    }
}
