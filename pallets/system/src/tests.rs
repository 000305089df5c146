//! Unit tests over an in-memory state (the mock runtime is just `MemoryExt`).
use super::*;
use hm_primitives::{FalconPublicKey, MAX_BLOCK_BYTES, MAX_EXTRINSIC_BYTES};
use hm_support::MemoryExt;

const ALICE: AccountId = AccountId([1; 32]);
const BOB: AccountId = AccountId([2; 32]);

fn new_ext() -> MemoryExt {
    let mut ext = MemoryExt::default();
    GenesisConfig {
        root_key: Some(ALICE),
        ..Default::default()
    }
    .build(&mut ext)
    .unwrap();
    on_initialize(&mut ext, 1, &H256([9; 32]), 1_000, &BOB);
    ext
}

fn events(ext: &MemoryExt) -> Vec<Event> {
    pallet_events(ext, PALLET_INDEX)
}

#[test]
fn nonce_counts_up_and_refuses_to_wrap() {
    let mut ext = new_ext();
    assert_eq!(account_nonce(&ext, &ALICE), 0);
    assert_eq!(inc_account_nonce(&mut ext, &ALICE), Some(1));
    assert_eq!(account_nonce(&ext, &ALICE), 1);
    put(&mut ext, &storage::account_nonce(&BOB), &Nonce::MAX);
    assert_eq!(inc_account_nonce(&mut ext, &BOB), None);
    assert_eq!(account_nonce(&ext, &BOB), Nonce::MAX);
}

#[test]
fn public_key_is_stored_once_under_its_hash() {
    let mut ext = new_ext();
    let key = FalconPublicKey::from_bytes(&[7u8; 1793]).unwrap();
    let who = key.account_id();
    assert!(public_key(&ext, &who).is_none());
    assert!(register_public_key(&mut ext, &key));
    assert_eq!(public_key(&ext, &who), Some(key.clone()));
    assert!(!register_public_key(&mut ext, &key));
    assert_eq!(events(&ext), vec![Event::KeyRegistered { who }]);
}

#[test]
fn block_context_is_recorded() {
    let ext = new_ext();
    assert_eq!(block_number(&ext), 1);
    assert_eq!(parent_hash(&ext), H256([9; 32]));
    assert_eq!(timestamp(&ext), 1_000);
    assert_eq!(author(&ext), Some(BOB));
    assert_eq!(phase(&ext), Phase::Initialization);
}

#[test]
fn events_carry_their_phase_and_are_cleared_by_the_next_block() {
    let mut ext = new_ext();
    deposit_event(&mut ext, PALLET_INDEX, &Event::KeyRegistered { who: ALICE });
    assert_eq!(start_extrinsic(&mut ext), 0);
    note_applied_extrinsic(&mut ext, &Ok(()), 5);
    assert_eq!(start_extrinsic(&mut ext), 1);
    note_applied_extrinsic(&mut ext, &Err(Error::BadOrigin.into()), 6);
    on_finalize(&mut ext);
    deposit_event(&mut ext, 7, &42u8);
    let records: Vec<(Phase, u8, Vec<u8>)> = event_records(&ext)
        .iter()
        .map(|raw| {
            let (phase, pallet) = <(Phase, u8)>::decode(&mut &raw[..]).unwrap();
            (phase, pallet, raw[phase.encoded_size() + 1..].to_vec())
        })
        .collect();
    assert_eq!(records.len(), 4);
    assert_eq!(records[0].0, Phase::Initialization);
    assert_eq!(records[1].0, Phase::ApplyExtrinsic(0));
    assert_eq!(records[2].0, Phase::ApplyExtrinsic(1));
    assert_eq!(
        (records[3].0, records[3].1, records[3].2.clone()),
        (Phase::Finalization, 7, vec![42])
    );
    assert_eq!(
        events(&ext)[2],
        Event::ExtrinsicFailed {
            error: DispatchErrorInfo {
                pallet: PALLET_INDEX,
                error: 0
            },
            weight: 6
        }
    );
    on_initialize(&mut ext, 2, &H256([1; 32]), 2_000, &ALICE);
    assert!(event_records(&ext).is_empty());
    // No stale record is left behind in state.
    assert!(ext.storage_get(&storage::event(0)).is_none());
    assert!(ext.storage_get(&storage::event(3)).is_none());
}

#[test]
fn event_log_is_capped() {
    let mut ext = new_ext();
    for _ in 0..MAX_EVENTS_PER_BLOCK + 10 {
        deposit_event(&mut ext, 9, &());
    }
    let count: u32 = get(&ext, &storage::event_count()).unwrap();
    assert_eq!(count, MAX_EVENTS_PER_BLOCK);
    assert!(ext
        .storage_get(&storage::event(MAX_EVENTS_PER_BLOCK))
        .is_none());
    on_initialize(&mut ext, 2, &H256::ZERO, 0, &ALICE);
    assert!(ext
        .storage_get(&storage::event(MAX_EVENTS_PER_BLOCK - 1))
        .is_none());
}

#[test]
fn block_resources_are_bounded_and_refusal_changes_nothing() {
    let mut ext = new_ext();
    let max = parameters(&ext).max_block_weight;
    assert_eq!(reserve_block_resources(&mut ext, max - 1, 100), Ok(()));
    let before = ext.state.clone();
    assert_eq!(reserve_block_resources(&mut ext, 2, 1), Err(BlockFull));
    assert_eq!(
        reserve_block_resources(&mut ext, Weight::MAX, 1),
        Err(BlockFull)
    );
    assert_eq!(
        reserve_block_resources(&mut ext, 0, usize::MAX),
        Err(BlockFull)
    );
    assert_eq!(
        reserve_block_resources(&mut ext, 0, DEFAULT_MAX_BLOCK_LENGTH as usize),
        Err(BlockFull)
    );
    assert_eq!(ext.state, before);
    assert_eq!(reserve_block_resources(&mut ext, 1, 0), Ok(()));
    assert_eq!((block_weight(&ext), block_length(&ext)), (max, 100));
    on_initialize(&mut ext, 2, &H256::ZERO, 0, &ALICE);
    assert_eq!((block_weight(&ext), block_length(&ext)), (0, 0));
}

#[test]
fn set_parameters_needs_root_and_sane_values() {
    let mut ext = new_ext();
    let new = Parameters {
        max_block_weight: MIN_MAX_BLOCK_WEIGHT,
        ..Parameters::default()
    };
    let call = Call::SetParameters { parameters: new };
    let before = ext.state.clone();
    assert_eq!(
        dispatch(&mut ext, Origin::Signed(ALICE), call.clone()),
        Err(Error::BadOrigin.into())
    );
    let insane = Parameters {
        max_block_weight: MIN_MAX_BLOCK_WEIGHT - 1,
        ..new
    };
    assert_eq!(
        dispatch(
            &mut ext,
            Origin::Root,
            Call::SetParameters { parameters: insane }
        ),
        Err(Error::InvalidParameters.into())
    );
    assert_eq!(ext.state, before);
    assert_eq!(dispatch(&mut ext, Origin::Root, call), Ok(()));
    assert_eq!(parameters(&ext), new);
    assert_eq!(events(&ext), vec![Event::ParametersSet { parameters: new }]);
}

#[test]
fn parameter_sanity_bounds() {
    let ok = Parameters::default();
    assert!(ok.is_sane());
    let short = Parameters {
        max_block_length: MAX_EXTRINSIC_BYTES as u32 - 1,
        ..ok
    };
    assert!(!short.is_sane());
    let long = Parameters {
        max_block_length: MAX_BLOCK_BYTES as u32 + 1,
        ..ok
    };
    assert!(!long.is_sane());
    let exact = Parameters {
        max_block_length: MAX_EXTRINSIC_BYTES as u32,
        ..ok
    };
    assert!(exact.is_sane());
    let pricey = Parameters {
        fees: FeeParams {
            length_fee_per_byte: u128::MAX / 2,
            weight_fee_per_unit: 0,
        },
        ..ok
    };
    assert!(!pricey.is_sane());
}

#[test]
fn fee_is_exact_and_overflow_is_none() {
    let fees = FeeParams {
        length_fee_per_byte: 3,
        weight_fee_per_unit: 2,
    };
    assert_eq!(fees.fee(10, 100, 7), Some(30 + 200 + 7));
    assert_eq!(fees.fee(0, 0, u128::MAX), Some(u128::MAX));
    assert_eq!(fees.fee(1, 0, u128::MAX), None);
    let huge = FeeParams {
        length_fee_per_byte: u128::MAX,
        weight_fee_per_unit: 0,
    };
    assert_eq!(huge.fee(2, 0, 0), None);
}

#[test]
fn root_key_can_be_handed_over_and_removed() {
    let mut ext = new_ext();
    assert_eq!(ensure_root_key(&ext, Origin::Signed(ALICE)), Ok(()));
    assert_eq!(
        ensure_root_key(&ext, Origin::Signed(BOB)),
        Err(Error::BadOrigin.into())
    );
    assert_eq!(ensure_root_key(&ext, Origin::Root), Ok(()));
    assert_eq!(
        dispatch(
            &mut ext,
            Origin::Signed(ALICE),
            Call::SetRootKey { new: Some(BOB) }
        ),
        Err(Error::BadOrigin.into())
    );
    assert_eq!(
        dispatch(&mut ext, Origin::Root, Call::SetRootKey { new: Some(BOB) }),
        Ok(())
    );
    assert_eq!(root_key(&ext), Some(BOB));
    assert_eq!(
        dispatch(&mut ext, Origin::Root, Call::SetRootKey { new: None }),
        Ok(())
    );
    assert_eq!(root_key(&ext), None);
    assert_eq!(
        ensure_root_key(&ext, Origin::Signed(BOB)),
        Err(Error::BadOrigin.into())
    );
    assert_eq!(
        events(&ext),
        vec![
            Event::RootKeyChanged {
                old: Some(ALICE),
                new: Some(BOB)
            },
            Event::RootKeyChanged {
                old: Some(BOB),
                new: None
            }
        ]
    );
}

#[test]
fn remark_needs_a_signed_origin() {
    let mut ext = new_ext();
    assert_eq!(
        dispatch(
            &mut ext,
            Origin::Signed(BOB),
            Call::Remark { data: vec![1, 2] }
        ),
        Ok(())
    );
    assert_eq!(
        dispatch(&mut ext, Origin::Root, Call::Remark { data: vec![] }),
        Err(Error::BadOrigin.into())
    );
}

#[test]
fn genesis_refuses_insane_parameters_and_stores_keys() {
    let mut ext = MemoryExt::default();
    let bad = GenesisConfig {
        parameters: Parameters {
            max_block_weight: 0,
            ..Default::default()
        },
        ..Default::default()
    };
    assert!(bad.build(&mut ext).is_err());
    let key = FalconPublicKey::from_bytes(&[3u8; 1793]).unwrap();
    let good = GenesisConfig {
        public_keys: vec![key.clone()],
        ..Default::default()
    };
    good.build(&mut ext).unwrap();
    assert_eq!(public_key(&ext, &key.account_id()), Some(key));
    assert_eq!(root_key(&ext), None);
}

#[test]
fn hostile_call_bytes_do_not_decode() {
    use parity_scale_codec::DecodeAll;
    assert!(
        Call::decode_all(&mut &[3u8][..]).is_err(),
        "unknown call index"
    );
    assert!(Call::decode_all(&mut &[][..]).is_err());
    assert!(
        Call::decode_all(&mut &[0u8, 1, 2][..]).is_err(),
        "truncated parameters"
    );
    // A remark claiming 4 GiB of data with 2 bytes present.
    let mut lying = vec![2u8];
    lying.extend(parity_scale_codec::Compact(u32::MAX).encode());
    lying.extend([0, 0]);
    assert!(Call::decode_all(&mut &lying[..]).is_err());
    let call = Call::SetRootKey { new: Some(BOB) };
    assert_eq!(Call::decode_all(&mut &call.encode()[..]).unwrap(), call);
}
