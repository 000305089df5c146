//! Builders for the pieces of FRAME metadata (V15) a pallet describes itself with.
//!
//! Storage keys are `blake3_128(pallet) ‖ blake3_128(item)` for a value and, for a
//! map, `‖ blake3_128(key) ‖ key`. Metadata V15 has no BLAKE3 hasher, so map
//! entries declare `Blake2_128Concat`, the hasher of the same shape (a 16-byte
//! hash, then the SCALE key); docs/ARCHITECTURE.md records this deviation.
use alloc::vec::Vec;
use frame_metadata::v15::{
    PalletConstantMetadata, StorageEntryMetadata, StorageEntryModifier, StorageEntryType,
    StorageHasher,
};
use parity_scale_codec::Encode;
use scale_info::{meta_type, TypeInfo};

/// A single-value item; absent reads as `None`.
pub fn storage_value<V: TypeInfo + 'static>(
    name: &'static str,
    docs: &[&'static str],
) -> StorageEntryMetadata {
    StorageEntryMetadata {
        name,
        modifier: StorageEntryModifier::Optional,
        ty: StorageEntryType::Plain(meta_type::<V>()),
        default: Vec::new(),
        docs: docs.to_vec(),
    }
}

/// A map from `K` to `V`; absent entries read as `None`.
pub fn storage_map<K: TypeInfo + 'static, V: TypeInfo + 'static>(
    name: &'static str,
    docs: &[&'static str],
) -> StorageEntryMetadata {
    StorageEntryMetadata {
        name,
        modifier: StorageEntryModifier::Optional,
        ty: StorageEntryType::Map {
            hashers: alloc::vec![StorageHasher::Blake2_128Concat],
            key: meta_type::<K>(),
            value: meta_type::<V>(),
        },
        default: Vec::new(),
        docs: docs.to_vec(),
    }
}

/// A constant and its SCALE-encoded value.
pub fn constant<V: Encode + TypeInfo + 'static>(
    name: &'static str,
    value: &V,
    docs: &[&'static str],
) -> PalletConstantMetadata {
    PalletConstantMetadata {
        name,
        ty: meta_type::<V>(),
        value: value.encode(),
        docs: docs.to_vec(),
    }
}
