//! Typed contract storage.
//!
//! A [`StorageValue`] lives under its own key. A [`StorageMap`] stores each entry under
//! `prefix ‖ SCALE(key)`, which off-chain readers (`contracts_getStorage`) can derive the
//! same way. Values are SCALE-encoded.
//!
//! Give every item of a contract a distinct prefix of the same length (one byte each is
//! enough): then no item's keys can overlap another's, because SCALE encodings of one type
//! are distinct. Keys longer than the ABI's 128 bytes are refused; hash unbounded keys
//! first (`env::blake3(&key)` into a `[u8; 32]`). Prefer value types with a non-empty
//! encoding (`bool` over `()`) for markers: the ABI does not say whether an empty value is
//! distinguishable from an absent one.

use alloc::vec::Vec;
use core::marker::PhantomData;

#[cfg(target_arch = "wasm32")]
use parity_scale_codec::Decode;
use parity_scale_codec::Encode;

/// Longest storage key the ABI accepts.
pub const MAX_KEY_LEN: usize = 128;

/// Why a storage key could not be formed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageError {
    /// `prefix ‖ SCALE(key)` is longer than [`MAX_KEY_LEN`].
    KeyTooLong,
}

/// Checks a prefix when a storage item is declared (a `const` turns failures into compile
/// errors).
const fn check_prefix(prefix: &[u8]) {
    assert!(!prefix.is_empty(), "storage prefix must not be empty");
    assert!(
        prefix.len() <= MAX_KEY_LEN,
        "storage prefix is longer than 128 bytes"
    );
}

/// `prefix ‖ SCALE(key)`, or an error if that exceeds [`MAX_KEY_LEN`].
pub fn map_key<K: Encode + ?Sized>(prefix: &[u8], key: &K) -> Result<Vec<u8>, StorageError> {
    let mut out = Vec::with_capacity(prefix.len() + key.size_hint());
    out.extend_from_slice(prefix);
    key.encode_to(&mut out);
    if out.len() > MAX_KEY_LEN {
        return Err(StorageError::KeyTooLong);
    }
    Ok(out)
}

/// One typed value under a fixed key.
pub struct StorageValue<T> {
    key: &'static [u8],
    _type: PhantomData<fn() -> T>,
}

impl<T> StorageValue<T> {
    /// Declares the value stored under `key` (1 to 128 bytes).
    pub const fn new(key: &'static [u8]) -> Self {
        check_prefix(key);
        Self {
            key,
            _type: PhantomData,
        }
    }

    /// The raw storage key.
    pub const fn key(&self) -> &'static [u8] {
        self.key
    }
}

/// Typed entries under `prefix ‖ SCALE(key)`.
pub struct StorageMap<K, V> {
    prefix: &'static [u8],
    _types: PhantomData<fn(K) -> V>,
}

impl<K: Encode, V> StorageMap<K, V> {
    /// Declares a map whose entries live under `prefix` (1 to 128 bytes).
    pub const fn new(prefix: &'static [u8]) -> Self {
        check_prefix(prefix);
        Self {
            prefix,
            _types: PhantomData,
        }
    }

    /// The map's key prefix.
    pub const fn prefix(&self) -> &'static [u8] {
        self.prefix
    }

    /// The raw storage key of `key`'s entry.
    pub fn storage_key(&self, key: &K) -> Result<Vec<u8>, StorageError> {
        map_key(self.prefix, key)
    }
}

#[cfg(target_arch = "wasm32")]
mod access {
    use super::*;
    use crate::{dispatch, env};

    /// Reads and decodes; a value that does not decode as `T` means the contract changed
    /// a layout incompatibly, so the frame reverts instead of acting on garbage.
    fn read<T: Decode>(key: &[u8]) -> Option<T> {
        let bytes = env::storage_get(key)?;
        match crate::codec::decode_exact(&bytes) {
            Ok(value) => Some(value),
            Err(_) => env::revert(dispatch::REVERT_STORAGE_DECODE),
        }
    }

    fn key_or_revert<K: Encode>(prefix: &[u8], key: &K) -> Vec<u8> {
        map_key(prefix, key).unwrap_or_else(|_| env::revert(dispatch::REVERT_KEY_TOO_LONG))
    }

    impl<T: Encode + Decode> StorageValue<T> {
        /// The stored value, if any.
        pub fn get(&self) -> Option<T> {
            read(self.key)
        }

        /// The stored value, or `T::default()` if absent.
        pub fn get_or_default(&self) -> T
        where
            T: Default,
        {
            self.get().unwrap_or_default()
        }

        /// Stores `value`.
        pub fn set(&self, value: &T) {
            env::storage_set(self.key, &value.encode());
        }

        /// Removes the value (refunding its storage deposit).
        pub fn remove(&self) {
            env::storage_remove(self.key);
        }

        /// Whether a value is stored.
        pub fn exists(&self) -> bool {
            env::storage_contains(self.key).is_some()
        }
    }

    impl<K: Encode, V: Encode + Decode> StorageMap<K, V> {
        /// The entry for `key`, if any. Reverts if the key is too long.
        pub fn get(&self, key: &K) -> Option<V> {
            read(&key_or_revert(self.prefix, key))
        }

        /// The entry for `key`, or `V::default()` if absent.
        pub fn get_or_default(&self, key: &K) -> V
        where
            V: Default,
        {
            self.get(key).unwrap_or_default()
        }

        /// Stores `value` for `key`.
        pub fn insert(&self, key: &K, value: &V) {
            env::storage_set(&key_or_revert(self.prefix, key), &value.encode());
        }

        /// Removes the entry for `key` (refunding its storage deposit).
        pub fn remove(&self, key: &K) {
            env::storage_remove(&key_or_revert(self.prefix, key));
        }

        /// Removes and returns the entry for `key`.
        pub fn take(&self, key: &K) -> Option<V> {
            let storage_key = key_or_revert(self.prefix, key);
            let value = read(&storage_key)?;
            env::storage_remove(&storage_key);
            Some(value)
        }

        /// Whether `key` has an entry.
        pub fn contains(&self, key: &K) -> bool {
            env::storage_contains(&key_or_revert(self.prefix, key)).is_some()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AccountId;
    use alloc::vec;

    const BALANCES: StorageMap<AccountId, u128> = StorageMap::new(b"b");
    const ALLOWANCES: StorageMap<(AccountId, AccountId), u128> = StorageMap::new(b"a");
    const TOTAL: StorageValue<u128> = StorageValue::new(b"s");

    #[test]
    fn map_key_is_prefix_then_scale_key() {
        let who = AccountId([9; 32]);
        let key = BALANCES.storage_key(&who).unwrap();
        assert_eq!(key[0], b'b');
        assert_eq!(&key[1..], &[9; 32]);
        let pair = ALLOWANCES
            .storage_key(&(AccountId([1; 32]), AccountId([2; 32])))
            .unwrap();
        assert_eq!(pair.len(), 65);
        assert_eq!(&pair[..1], b"a");
        assert_eq!(&pair[1..33], &[1; 32]);
        assert_eq!(&pair[33..], &[2; 32]);
        assert_eq!(TOTAL.key(), b"s");
    }

    #[test]
    fn compound_keys_use_scale_encoding() {
        let map: StorageMap<(u64, AccountId), ()> = StorageMap::new(b"c");
        let key = map.storage_key(&(0x0102u64, AccountId([3; 32]))).unwrap();
        assert_eq!(&key[..9], &[b'c', 2, 1, 0, 0, 0, 0, 0, 0]);
        let vec_map: StorageMap<Vec<u8>, u8> = StorageMap::new(b"v");
        assert_eq!(
            vec_map.storage_key(&vec![5, 6]).unwrap(),
            vec![b'v', 8, 5, 6]
        );
    }

    #[test]
    fn distinct_keys_and_prefixes_never_collide() {
        let a = BALANCES.storage_key(&AccountId([1; 32])).unwrap();
        let b = BALANCES.storage_key(&AccountId([2; 32])).unwrap();
        assert_ne!(a, b);
        let other: StorageMap<AccountId, u128> = StorageMap::new(b"c");
        assert_ne!(other.storage_key(&AccountId([1; 32])).unwrap(), a);
    }

    #[test]
    fn keys_at_the_limit_pass_and_longer_keys_fail() {
        let map: StorageMap<Vec<u8>, u8> = StorageMap::new(b"k");
        // 1 prefix byte + 2 compact-length bytes + 125 = 128.
        assert_eq!(map.storage_key(&vec![0; 125]).unwrap().len(), MAX_KEY_LEN);
        assert_eq!(
            map.storage_key(&vec![0; 126]),
            Err(StorageError::KeyTooLong)
        );
        assert_eq!(
            map.storage_key(&vec![0; 100_000]),
            Err(StorageError::KeyTooLong)
        );
    }

    #[test]
    #[should_panic(expected = "must not be empty")]
    fn empty_prefix_is_rejected() {
        let _ = StorageValue::<u8>::new(b"");
    }

    #[test]
    #[should_panic(expected = "longer than 128")]
    fn over_long_prefix_is_rejected() {
        let _ = StorageMap::<u8, u8>::new(&[0; MAX_KEY_LEN + 1]);
    }
}
