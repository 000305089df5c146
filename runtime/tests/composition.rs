//! The runtime composed by `construct_runtime!`: the pallet list, codec indices,
//! hook weights against what was reserved, invariants after every block, and the
//! metadata that `state_getMetadata` serves.
mod common;

use common::*;
use frame_metadata::{RuntimeMetadata, RuntimeMetadataPrefixed};
use hm_primitives::H256;
use hm_runtime::*;
use hm_support::Externalities;
use parity_scale_codec::{Decode, Encode};
use scale_info::TypeDef;

#[test]
fn the_list_names_every_pallet_with_its_index() {
    assert_eq!(
        PALLETS,
        &[
            ("System", 0),
            ("Caesar", 1),
            ("Staking", 2),
            ("Contracts", 3),
            ("Tokens", 4),
            ("Dex", 5),
            ("Preimage", 6),
            ("Scheduler", 7),
            ("ConvictionVoting", 8),
            ("Referenda", 9)
        ]
    );
    let call = transfer(bob().account_id(), 5);
    assert_eq!(call.encode()[0], 1);
    assert_eq!(call.pallet_name(), "Caesar");
    let root = Call::Root(Box::new(call));
    assert_eq!(root.encode()[..2], [255, 1]);
    assert_eq!(root.pallet_name(), "Root");
}

#[test]
fn finalize_hooks_use_no_more_than_initialize_reserved_across_an_epoch() {
    let mut ext = chain_with(&validator_genesis());
    finalize_checked(&mut ext, &block_by(1, alice()));
    let epoch = epoch_length(&ext);
    for number in 2..=2 * epoch + 1 {
        // `initialize_block` and `finalize_block`, with the hooks' weights in view.
        let author = alice().account_id();
        hm_pallet_system::on_initialize(&mut ext, number, &H256::ZERO, 0, &author);
        let reserved = on_initialize_pallets(&mut ext, number);
        let used_by_finalize = on_finalize_pallets(&mut ext, number);
        hm_pallet_system::on_finalize(&mut ext);
        assert!(
            used_by_finalize <= reserved,
            "block #{number}: on_finalize used {used_by_finalize} of {reserved} reserved"
        );
        assert_eq!(try_state(&ext), Ok(()), "block #{number}");
    }
}

#[test]
fn try_state_reports_the_pallet_whose_invariant_broke() {
    let mut ext = chain();
    assert_eq!(try_state(&ext), Ok(()));
    let key = account_storage_key(&bob().account_id());
    let mut data =
        hm_pallet_caesar::AccountData::decode(&mut &ext.storage_get(&key).unwrap()[..]).unwrap();
    data.free += 1;
    ext.storage_set(&key, &data.encode());
    assert_eq!(
        try_state(&ext),
        Err(("Caesar", "total issuance differs from the sum of balances"))
    );
}

fn decoded_metadata() -> frame_metadata::v15::RuntimeMetadataV15 {
    let bytes = metadata();
    assert_eq!(&bytes[..4], b"meta", "the magic Substrate tools look for");
    assert_eq!(bytes[4], 15, "metadata version");
    match RuntimeMetadataPrefixed::decode(&mut &bytes[..]).unwrap().1 {
        RuntimeMetadata::V15(meta) => meta,
        other => panic!("version {}", other.version()),
    }
}

#[test]
fn metadata_describes_pallets_calls_events_errors_storage_and_constants() {
    let meta = decoded_metadata();
    let pallets: Vec<(&str, u8)> = meta
        .pallets
        .iter()
        .map(|p| (p.name.as_str(), p.index))
        .collect();
    assert_eq!(pallets, PALLETS.to_vec());
    let caesar = &meta.pallets[1];
    let variants = |ty: u32| match &meta.types.resolve(ty).unwrap().type_def {
        TypeDef::Variant(v) => v.variants.clone(),
        other => panic!("not an enum: {other:?}"),
    };
    let calls = variants(caesar.calls.as_ref().unwrap().ty.id);
    let transfer = calls.iter().find(|c| c.name == "Transfer").unwrap();
    let args: Vec<_> = transfer
        .fields
        .iter()
        .map(|f| f.name.clone().unwrap())
        .collect();
    assert_eq!(args, ["dest", "value"]);
    let errors = variants(caesar.error.as_ref().unwrap().ty.id);
    let insufficient = errors
        .iter()
        .find(|e| e.name == "InsufficientBalance")
        .unwrap();
    assert_eq!(insufficient.index, 0);
    assert!(insufficient.docs.concat().contains("lower than the amount"));
    let events = variants(caesar.event.as_ref().unwrap().ty.id);
    assert!(events.iter().any(|e| e.name == "FeePaid"));
    let storage: Vec<&str> = caesar
        .storage
        .as_ref()
        .unwrap()
        .entries
        .iter()
        .map(|e| e.name.as_str())
        .collect();
    assert_eq!(
        storage,
        ["Account", "TotalIssuance", "ExistentialDeposit", "Locks"]
    );
    assert_eq!(caesar.constants[0].name, "Decimals");
    assert_eq!(
        u32::decode(&mut &caesar.constants[0].value[..]).unwrap(),
        12
    );
    // Every pallet declares storage, and the outer enums cover every pallet.
    assert!(meta.pallets.iter().all(|p| p.storage.is_some()));
    let outer_calls = variants(meta.outer_enums.call_enum_ty.id);
    let mut indices: Vec<u8> = outer_calls.iter().map(|v| v.index).collect();
    indices.sort();
    assert_eq!(indices, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 255]);
}

#[test]
fn metadata_encodes_a_call_exactly_as_the_runtime_decodes_it() {
    // The outer call type in the registry is the runtime's `Call`: a value encoded
    // against it with scale-value decodes as the native call.
    let meta = decoded_metadata();
    let dest = bob().account_id();
    let value = scale_value::Value::unnamed_variant(
        "Caesar",
        [scale_value::Value::named_variant(
            "Transfer",
            [
                ("dest", scale_value::Value::from_bytes(dest.0)),
                ("value", scale_value::Value::u128(7)),
            ],
        )],
    );
    let mut bytes = Vec::new();
    scale_value::scale::encode_as_type(
        &value,
        meta.outer_enums.call_enum_ty.id,
        &meta.types,
        &mut bytes,
    )
    .unwrap();
    assert_eq!(Call::decode(&mut &bytes[..]).unwrap(), transfer(dest, 7));
}
