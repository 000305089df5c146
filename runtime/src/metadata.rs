//! The runtime's self-description for `state_getMetadata`: FRAME metadata V15,
//! built with `scale-info` from the pallet list, so any tool that reads
//! Substrate metadata can list the pallets, calls (with argument types),
//! events, errors, storage items and constants, and encode or decode them.
//!
//! The extrinsic is HyperMesh's own envelope (`Signer`, `SignedExtra`, a
//! Falcon-1024 signature): it is described as such, with no signed extensions.
use crate::{pallets_metadata, Call, RuntimeError, RuntimeEvent};
use alloc::{collections::BTreeMap, vec::Vec};
use frame_metadata::{
    v15::{CustomMetadata, ExtrinsicMetadata, OuterEnums, RuntimeMetadataV15},
    RuntimeMetadataPrefixed,
};
use hm_primitives::{FalconSignature, SignedExtra, Signer};
use parity_scale_codec::Encode;
use scale_info::{meta_type, TypeInfo};

/// The runtime as a type, for the metadata's `ty`.
#[derive(TypeInfo)]
pub struct Runtime;

/// Version of HyperMesh's extrinsic envelope (`UncheckedExtrinsic`).
pub const EXTRINSIC_FORMAT_VERSION: u8 = 1;

/// SCALE-encoded `RuntimeMetadataPrefixed` ("meta" magic, then V15).
pub fn metadata() -> Vec<u8> {
    RuntimeMetadataPrefixed::from(metadata_v15()).encode()
}

/// The runtime's metadata V15, for native readers of names (event and error names for
/// `chain_getEvents`) that need not decode it.
pub fn metadata_v15() -> RuntimeMetadataV15 {
    let extrinsic = ExtrinsicMetadata {
        version: EXTRINSIC_FORMAT_VERSION,
        address_ty: meta_type::<Signer>(),
        call_ty: meta_type::<Call>(),
        signature_ty: meta_type::<FalconSignature>(),
        extra_ty: meta_type::<SignedExtra>(),
        signed_extensions: Vec::new(),
    };
    let outer_enums = OuterEnums {
        call_enum_ty: meta_type::<Call>(),
        event_enum_ty: meta_type::<RuntimeEvent>(),
        error_enum_ty: meta_type::<RuntimeError>(),
    };
    RuntimeMetadataV15::new(
        pallets_metadata(),
        extrinsic,
        meta_type::<Runtime>(),
        Vec::new(),
        outer_enums,
        CustomMetadata {
            map: BTreeMap::new(),
        },
    )
}
