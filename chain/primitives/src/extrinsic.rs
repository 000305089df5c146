//! Extrinsics: `{ signer, nonce, tip, mortality, call, signature }` (DESIGN §3).
//!
//! The signature covers `blake3(genesis_hash ‖ spec_version_le ‖ SCALE(account, extra, call))`.
//! Genesis hash, nonce and mortality together give replay protection across
//! chains, within a chain and over time.
use crate::{
    account::{AccountId, FalconPublicKey, FalconSignature},
    hash::H256,
    Balance, BlockNumber, Nonce,
};
use parity_scale_codec::{Decode, Encode};

/// Who signed: the full key on an account's first transaction, the id after.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, scale_info::TypeInfo)]
pub enum Signer {
    Id(AccountId),
    FullKey(FalconPublicKey),
}

impl Signer {
    pub fn account_id(&self) -> AccountId {
        match self {
            Signer::Id(id) => *id,
            Signer::FullKey(pk) => pk.account_id(),
        }
    }
}

/// The signed fields besides the call.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, scale_info::TypeInfo)]
pub struct SignedExtra {
    #[codec(compact)]
    pub nonce: Nonce,
    #[codec(compact)]
    pub tip: Balance,
    /// Last block number at which this transaction may be included.
    #[codec(compact)]
    pub valid_until: BlockNumber,
}

/// A signature envelope around a call.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub struct SignedPart {
    pub signer: Signer,
    pub extra: SignedExtra,
    pub signature: FalconSignature,
}

/// An extrinsic as it travels: signed, or unsigned for inherents and evidence.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub struct UncheckedExtrinsic<Call> {
    pub signed: Option<SignedPart>,
    pub call: Call,
}

impl<Call: Encode> UncheckedExtrinsic<Call> {
    /// The 32-byte message a signer signs for this extrinsic.
    pub fn signing_message(&self, genesis_hash: &H256, spec_version: u32) -> Option<H256> {
        let s = self.signed.as_ref()?;
        Some(signing_message(
            genesis_hash,
            spec_version,
            &s.signer.account_id(),
            &s.extra,
            &self.call,
        ))
    }
}

/// `blake3(genesis_hash ‖ spec_version_le ‖ SCALE((who, extra, call)))`.
pub fn signing_message<Call: Encode>(
    genesis_hash: &H256,
    spec_version: u32,
    who: &AccountId,
    extra: &SignedExtra,
    call: &Call,
) -> H256 {
    let mut h = blake3::Hasher::new();
    h.update(&genesis_hash.0);
    h.update(&spec_version.to_le_bytes());
    let mut feed = |bytes: &[u8]| {
        h.update(bytes);
    };
    who.using_encoded(&mut feed);
    extra.using_encoded(&mut feed);
    call.using_encoded(&mut feed);
    H256(*h.finalize().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    #[test]
    fn message_binds_genesis_version_and_every_field() {
        let who = AccountId([1; 32]);
        let extra = SignedExtra {
            nonce: 1,
            tip: 0,
            valid_until: 100,
        };
        let call: Vec<u8> = alloc::vec![1, 2];
        let base = signing_message(&H256([0; 32]), 1, &who, &extra, &call);
        assert_ne!(
            base,
            signing_message(&H256([1; 32]), 1, &who, &extra, &call)
        );
        assert_ne!(
            base,
            signing_message(&H256([0; 32]), 2, &who, &extra, &call)
        );
        assert_ne!(
            base,
            signing_message(&H256([0; 32]), 1, &AccountId([2; 32]), &extra, &call)
        );
        let later = SignedExtra { nonce: 2, ..extra };
        assert_ne!(
            base,
            signing_message(&H256([0; 32]), 1, &who, &later, &call)
        );
        let mortal = SignedExtra {
            valid_until: 101,
            ..extra
        };
        assert_ne!(
            base,
            signing_message(&H256([0; 32]), 1, &who, &mortal, &call)
        );
    }

    #[test]
    fn truncated_extrinsic_is_rejected() {
        let xt = UncheckedExtrinsic::<Vec<u8>> {
            signed: None,
            call: alloc::vec![1, 2, 3],
        };
        let enc = xt.encode();
        let r: Result<UncheckedExtrinsic<Vec<u8>>, _> =
            crate::decode_untrusted(&enc[..enc.len() - 1], crate::MAX_EXTRINSIC_BYTES);
        assert!(r.is_err());
        let r: Result<UncheckedExtrinsic<Vec<u8>>, _> = crate::decode_untrusted(&enc, 2);
        assert!(matches!(r, Err(crate::DecodeError::TooLarge { .. })));
        let mut trailing = enc.clone();
        trailing.push(0);
        let r: Result<UncheckedExtrinsic<Vec<u8>>, _> = crate::decode_untrusted(&trailing, 1000);
        assert!(r.is_err(), "trailing bytes must be refused");
    }
}
