//! Verification of dev-chain blocks: one known authority seals and finalizes.
use hm_consensus_api::{check_timestamp, BlockVerifier, VerifyContext, VerifyError};
use hm_primitives::{AccountId, FalconSignature, Header, Justification, H256};
use parity_scale_codec::Decode;

pub const DEV_ENGINE_ID: [u8; 4] = *b"dev0";
/// How far ahead of local time a block timestamp may be.
pub const MAX_FUTURE_DRIFT_MS: u64 = 2_000;

/// The message an authority signs to finalize `hash` (distinct from the seal's message).
pub fn finality_message(hash: &H256) -> H256 {
    let mut h = blake3::Hasher::new();
    h.update(b"hypermesh/dev/finality");
    h.update(hash.as_bytes());
    H256(*h.finalize().as_bytes())
}

pub struct DevVerifier {
    authority: AccountId,
}

impl DevVerifier {
    pub fn new(authority: AccountId) -> Self {
        DevVerifier { authority }
    }

    fn authority_key(
        &self,
        header: &Header,
        ctx: &VerifyContext,
    ) -> Result<hm_primitives::FalconPublicKey, VerifyError> {
        if header.proposer != self.authority {
            return Err(VerifyError::UnknownProposer(header.proposer));
        }
        (ctx.public_key_of)(&header.proposer).ok_or(VerifyError::UnknownProposer(header.proposer))
    }
}

impl BlockVerifier for DevVerifier {
    fn verify_header(
        &self,
        header: &Header,
        parent: &Header,
        ctx: &VerifyContext,
    ) -> Result<(), VerifyError> {
        let key = self.authority_key(header, ctx)?;
        if !header.consensus.is_empty() {
            return Err(VerifyError::BadProof(
                "dev blocks carry no consensus proof".into(),
            ));
        }
        if !hm_crypto::falcon::verify_raw(key.as_bytes(), header.hash().as_bytes(), &header.seal) {
            return Err(VerifyError::BadSeal);
        }
        check_timestamp(header, parent, ctx.now_ms, MAX_FUTURE_DRIFT_MS)
    }

    fn verify_justification(
        &self,
        header: &Header,
        j: &Justification,
        ctx: &VerifyContext,
    ) -> Result<(), VerifyError> {
        if j.engine_id != DEV_ENGINE_ID {
            return Err(VerifyError::BadJustification(format!(
                "engine id {:?} is not dev0",
                j.engine_id
            )));
        }
        let key = self.authority_key(header, ctx)?;
        let sig = FalconSignature::decode(&mut &j.data[..])
            .map_err(|e| VerifyError::BadJustification(format!("undecodable signature: {e}")))?;
        if !hm_crypto::verify(&key, finality_message(&header.hash()).as_bytes(), &sig) {
            return Err(VerifyError::BadJustification(
                "authority signature does not verify".into(),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hm_crypto::Keypair;
    use parity_scale_codec::Encode;

    fn header(kp: &Keypair, ts: u64) -> Header {
        let mut h = Header {
            parent_hash: H256::ZERO,
            number: 1,
            state_root: H256::ZERO,
            extrinsics_root: H256::ZERO,
            timestamp_ms: ts,
            proposer: kp.account_id(),
            consensus: vec![],
            seal: vec![],
        };
        h.seal = kp.sign(h.hash().as_bytes()).0;
        h
    }

    #[test]
    fn seal_justification_and_timestamp_rules() {
        let kp = Keypair::generate();
        let pk = kp.public().clone();
        let lookup = move |_: &AccountId| Some(pk.clone());
        let state = hm_support::MemoryExt::default();
        let ctx = VerifyContext {
            public_key_of: &lookup,
            parent_state: &state,
            now_ms: 10_000,
        };
        let v = DevVerifier::new(kp.account_id());
        let mut parent = header(&kp, 1_000);
        parent.number = 0;
        let h = header(&kp, 2_000);
        assert_eq!(v.verify_header(&h, &parent, &ctx), Ok(()));

        let mut bad_seal = h.clone();
        bad_seal.seal[50] ^= 1;
        assert_eq!(
            v.verify_header(&bad_seal, &parent, &ctx),
            Err(VerifyError::BadSeal)
        );
        let mut unsigned = h.clone();
        unsigned.seal.clear();
        assert_eq!(
            v.verify_header(&unsigned, &parent, &ctx),
            Err(VerifyError::BadSeal)
        );
        let stale = header(&kp, 1_000);
        assert!(matches!(
            v.verify_header(&stale, &parent, &ctx),
            Err(VerifyError::TimestampNotIncreasing { .. })
        ));
        let future = header(&kp, 10_000 + MAX_FUTURE_DRIFT_MS + 1);
        assert!(matches!(
            v.verify_header(&future, &parent, &ctx),
            Err(VerifyError::TimestampTooFarAhead { .. })
        ));
        let other = Keypair::generate();
        assert!(matches!(
            v.verify_header(&header(&other, 2_000), &parent, &ctx),
            Err(VerifyError::UnknownProposer(_))
        ));

        let good = Justification {
            engine_id: DEV_ENGINE_ID,
            data: kp.sign(finality_message(&h.hash()).as_bytes()).encode(),
        };
        assert_eq!(v.verify_justification(&h, &good, &ctx), Ok(()));
        // A seal is not a justification: the messages are domain-separated.
        let seal_as_j = Justification {
            engine_id: DEV_ENGINE_ID,
            data: FalconSignature(h.seal.clone()).encode(),
        };
        assert!(v.verify_justification(&h, &seal_as_j, &ctx).is_err());
        let garbage = Justification {
            engine_id: DEV_ENGINE_ID,
            data: vec![0xff; 7],
        };
        assert!(v.verify_justification(&h, &garbage, &ctx).is_err());
        let wrong_engine = Justification {
            engine_id: *b"bft0",
            ..good
        };
        assert!(v.verify_justification(&h, &wrong_engine, &ctx).is_err());
    }
}
