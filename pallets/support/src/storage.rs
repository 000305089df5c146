//! Typed access to SCALE-encoded values, and an in-memory `Externalities` for tests.
use crate::Externalities;
use alloc::{collections::BTreeMap, vec::Vec};
use parity_scale_codec::{Decode, Encode};

/// Read and decode. A value that fails to decode reads as absent: state is
/// only ever written by the runtime itself, so this means a bug, not input.
pub fn get<T: Decode>(ext: &dyn Externalities, key: &[u8]) -> Option<T> {
    ext.storage_get(key)
        .and_then(|v| T::decode(&mut &v[..]).ok())
}

pub fn put<T: Encode>(ext: &mut dyn Externalities, key: &[u8], value: &T) {
    value.using_encoded(|v| ext.storage_set(key, v))
}

pub fn remove(ext: &mut dyn Externalities, key: &[u8]) {
    ext.storage_remove(key)
}

pub fn take<T: Decode>(ext: &mut dyn Externalities, key: &[u8]) -> Option<T> {
    let v = get(ext, key);
    ext.storage_remove(key);
    v
}

/// `BTreeMap` state for unit tests. Signatures verify iff they equal `b"valid"`.
#[derive(Default, Clone, Debug)]
pub struct MemoryExt {
    pub state: BTreeMap<Vec<u8>, Vec<u8>>,
}

impl Externalities for MemoryExt {
    fn storage_get(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.state.get(key).cloned()
    }
    fn storage_set(&mut self, key: &[u8], value: &[u8]) {
        self.state.insert(key.to_vec(), value.to_vec());
    }
    fn storage_remove(&mut self, key: &[u8]) {
        self.state.remove(key);
    }
    fn falcon_verify(&self, _pk: &[u8], _msg: &[u8], sig: &[u8]) -> bool {
        sig == b"valid"
    }
    fn storage_next_key(&self, key: &[u8]) -> Option<Vec<u8>> {
        use core::ops::Bound;
        self.state
            .range::<[u8], _>((Bound::Excluded(key), Bound::Unbounded))
            .next()
            .map(|(k, _)| k.clone())
    }
}

/// Every `(key, value)` under `prefix`, in key order (through `storage_next_key`).
pub fn iter_prefix<'a>(
    ext: &'a dyn Externalities,
    prefix: &'a [u8],
) -> impl Iterator<Item = (Vec<u8>, Vec<u8>)> + 'a {
    let mut cursor = prefix.to_vec();
    let mut first = true;
    core::iter::from_fn(move || loop {
        let key = if first && ext.storage_get(&cursor).is_some() {
            cursor.clone()
        } else {
            ext.storage_next_key(&cursor)?
        };
        first = false;
        if !key.starts_with(prefix) {
            return None;
        }
        cursor = key.clone();
        if let Some(value) = ext.storage_get(&key) {
            return Some((key, value));
        }
    })
}
