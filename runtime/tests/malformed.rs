//! Hostile extrinsic bytes: every one is refused without a panic and without a state change.
use hm_primitives::{
    FalconPublicKey, FalconSignature, InvalidTransaction, SignedExtra, SignedPart, Signer,
    UncheckedExtrinsic, H256, MAX_EXTRINSIC_BYTES, UNITS,
};
use hm_runtime::*;
use hm_support::MemoryExt;
use parity_scale_codec::Encode;
use proptest::prelude::*;

const GENESIS_HASH: H256 = H256([7; 32]);

fn key() -> FalconPublicKey {
    FalconPublicKey::from_bytes(&[5u8; 1793]).unwrap()
}

/// Genesis with one funded account; `MemoryExt` accepts the signature `b"valid"`.
fn chain() -> MemoryExt {
    let mut ext = MemoryExt::default();
    let config = GenesisConfig {
        accounts: vec![GenesisAccount {
            account: key().account_id(),
            public_key: None,
            balance: 1_000 * UNITS,
        }],
        root_key: None,
        existential_deposit: UNITS / 1_000,
        fees: FeeParams::default(),
        max_block_weight: hm_pallet_system::DEFAULT_MAX_BLOCK_WEIGHT,
        max_block_length: hm_pallet_system::DEFAULT_MAX_BLOCK_LENGTH,
        staking: StakingGenesis::default(),
        governance: GovernanceGenesis::default(),
    };
    build_genesis(&mut ext, &config).unwrap();
    initialize_block(&mut ext, &ctx());
    ext
}

fn ctx() -> BlockContext {
    BlockContext {
        number: 1,
        timestamp_ms: 1,
        parent_hash: H256::ZERO,
        author: Default::default(),
        genesis_hash: GENESIS_HASH,
    }
}

fn valid_xt() -> Vec<u8> {
    let call = Call::Caesar(hm_pallet_caesar::Call::Transfer {
        dest: Default::default(),
        value: UNITS,
    });
    let extra = SignedExtra {
        nonce: 0,
        tip: 0,
        valid_until: 10,
    };
    let signed = SignedPart {
        signer: Signer::FullKey(key()),
        extra,
        signature: FalconSignature(b"valid".to_vec()),
    };
    UncheckedExtrinsic {
        signed: Some(signed),
        call,
    }
    .encode()
}

/// Both entry points refuse `bytes` with `expected`, and apply leaves the state as it was.
fn assert_refused(bytes: &[u8], expected: InvalidTransaction) {
    let mut ext = chain();
    let before = ext.state.clone();
    let tx = TxContext {
        genesis_hash: GENESIS_HASH,
        best_number: 0,
    };
    assert_eq!(
        validate_transaction(&ext, &tx, bytes),
        Err(expected.clone())
    );
    assert_eq!(apply_extrinsic(&mut ext, &ctx(), bytes), Err(expected));
    assert!(ext.state == before);
}

/// An unsigned extrinsic whose call is `depth` nested `Root`s around a remark.
fn nested_root(depth: usize) -> Vec<u8> {
    let mut bytes = vec![0u8]; // signed: None
    bytes.extend(std::iter::repeat_n(255u8, depth));
    bytes.extend(Call::System(hm_pallet_system::Call::Remark { data: vec![] }).encode());
    bytes
}

#[test]
fn the_reference_extrinsic_is_valid() {
    let mut ext = chain();
    let outcome = apply_extrinsic(&mut ext, &ctx(), &valid_xt()).unwrap();
    assert_eq!(outcome.result, Ok(()));
}

#[test]
fn empty_truncated_and_trailing_bytes_are_malformed() {
    let xt = valid_xt();
    assert_refused(&[], InvalidTransaction::Malformed);
    for cut in [1, 2, 40, 1_800, xt.len() - 1] {
        assert_refused(&xt[..cut], InvalidTransaction::Malformed);
    }
    let mut trailing = xt.clone();
    trailing.push(0);
    assert_refused(&trailing, InvalidTransaction::Malformed);
}

#[test]
fn oversized_bytes_are_malformed() {
    let mut huge = valid_xt();
    huge.resize(MAX_EXTRINSIC_BYTES + 1, 0);
    assert_refused(&huge, InvalidTransaction::Malformed);
    // A remark that makes the extrinsic just too large, encoded honestly.
    let call = Call::System(hm_pallet_system::Call::Remark {
        data: vec![0u8; MAX_EXTRINSIC_BYTES],
    });
    assert_refused(
        &UncheckedExtrinsic::<Call> { signed: None, call }.encode(),
        InvalidTransaction::Malformed,
    );
}

#[test]
fn deeply_nested_calls_are_malformed() {
    assert_refused(&nested_root(10), InvalidTransaction::UnsignedNotAllowed);
    assert_refused(&nested_root(300), InvalidTransaction::Malformed);
    assert_refused(&nested_root(100_000), InvalidTransaction::Malformed);
}

#[test]
fn unknown_pallet_or_call_index_is_malformed() {
    let xt = valid_xt();
    // The call starts right after the signed part; locate it by re-encoding that part.
    let decoded: Extrinsic = parity_scale_codec::Decode::decode(&mut &xt[..]).unwrap();
    let call_at = xt.len() - decoded.call.encoded_size();
    assert_eq!(xt[call_at], 1, "Caesar's index");
    for (offset, bad) in [(0, 2u8), (0, 254), (1, 3), (1, 255)] {
        let mut mutated = xt.clone();
        mutated[call_at + offset] = bad;
        assert_refused(&mutated, InvalidTransaction::Malformed);
    }
}

#[test]
fn oversized_signature_length_is_malformed() {
    let mut ext_bytes = vec![1u8]; // signed: Some
    ext_bytes.push(1); // Signer::FullKey
    ext_bytes.extend([5u8; 1793]);
    ext_bytes.extend(
        SignedExtra {
            nonce: 0,
            tip: 0,
            valid_until: 10,
        }
        .encode(),
    );
    ext_bytes.extend(parity_scale_codec::Compact(u32::MAX).encode());
    assert_refused(&ext_bytes, InvalidTransaction::Malformed);
}

#[test]
fn unsigned_is_refused() {
    let call = Call::Caesar(hm_pallet_caesar::Call::Transfer {
        dest: Default::default(),
        value: 1,
    });
    assert_refused(
        &UncheckedExtrinsic::<Call> { signed: None, call }.encode(),
        InvalidTransaction::UnsignedNotAllowed,
    );
}

#[test]
fn fee_info_refuses_malformed_bytes() {
    let ext = chain();
    assert_eq!(
        fee_info(&ext, &[1, 2, 3]),
        Err(InvalidTransaction::Malformed)
    );
    assert!(fee_info(&ext, &valid_xt()).is_ok());
}

proptest! {
    #[test]
    fn random_bytes_never_panic_or_change_state(bytes in prop::collection::vec(any::<u8>(), 0..4_000)) {
        let mut ext = chain();
        let before = ext.state.clone();
        let tx = TxContext { genesis_hash: GENESIS_HASH, best_number: 0 };
        let _ = validate_transaction(&ext, &tx, &bytes);
        if apply_extrinsic(&mut ext, &ctx(), &bytes).is_err() {
            prop_assert!(ext.state == before);
        }
    }

    #[test]
    fn mutated_extrinsics_never_panic_or_change_state_when_refused(
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let mut bytes = valid_xt();
        for (at, value) in flips {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        if truncate {
            bytes.truncate(cut.index(bytes.len()));
        }
        let mut ext = chain();
        let before = ext.state.clone();
        if apply_extrinsic(&mut ext, &ctx(), &bytes).is_err() {
            prop_assert!(ext.state == before);
        } else {
            prop_assert!(ext.state != before);
        }
    }
}
