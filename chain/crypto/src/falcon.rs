//! Falcon-1024 through `pqcrypto-falcon` (PQClean).
use hm_primitives::{AccountId, FalconPublicKey, FalconSignature, H256};
use pqcrypto_falcon::falcon1024;
use pqcrypto_traits::sign::{DetachedSignature as _, PublicKey as _, SecretKey as _};

/// A Falcon-1024 key pair.
#[derive(Clone)]
pub struct Keypair {
    public: FalconPublicKey,
    secret: falcon1024::SecretKey,
}

impl Keypair {
    /// A fresh key pair from the operating system's randomness.
    pub fn generate() -> Self {
        let (pk, sk) = falcon1024::keypair();
        let public = FalconPublicKey::from_bytes(pk.as_bytes())
            .expect("pqcrypto returns 1793-byte public keys");
        Keypair { public, secret: sk }
    }

    /// Rebuild from stored key bytes, checking that the halves belong together.
    pub fn from_bytes(public: &[u8], secret: &[u8]) -> Result<Self, String> {
        let public = FalconPublicKey::from_bytes(public)
            .ok_or_else(|| format!("public key must be 1793 bytes, got {}", public.len()))?;
        let secret = falcon1024::SecretKey::from_bytes(secret).map_err(|_| {
            format!(
                "secret key must be {} bytes",
                falcon1024::secret_key_bytes()
            )
        })?;
        let kp = Keypair { public, secret };
        let probe = H256(*blake3::hash(b"hypermesh key pair check").as_bytes());
        if !verify(&kp.public, probe.as_bytes(), &kp.sign(probe.as_bytes())) {
            return Err("secret key does not match public key".into());
        }
        Ok(kp)
    }

    pub fn public(&self) -> &FalconPublicKey {
        &self.public
    }

    pub fn secret_bytes(&self) -> &[u8] {
        self.secret.as_bytes()
    }

    pub fn account_id(&self) -> AccountId {
        self.public.account_id()
    }

    pub fn sign(&self, message: &[u8]) -> FalconSignature {
        FalconSignature(
            falcon1024::detached_sign(message, &self.secret)
                .as_bytes()
                .to_vec(),
        )
    }
}

impl std::fmt::Debug for Keypair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Keypair({})", self.account_id())
    }
}

/// Verify a detached Falcon-1024 signature. Malformed signatures are simply invalid.
pub fn verify(public: &FalconPublicKey, message: &[u8], signature: &FalconSignature) -> bool {
    verify_raw(public.as_bytes(), message, &signature.0)
}

/// Verify from raw bytes (the host-function form used by the runtime).
pub fn verify_raw(public: &[u8], message: &[u8], signature: &[u8]) -> bool {
    let Ok(pk) = falcon1024::PublicKey::from_bytes(public) else {
        return false;
    };
    let Ok(sig) = falcon1024::DetachedSignature::from_bytes(signature) else {
        return false;
    };
    falcon1024::verify_detached_signature(&sig, message, &pk).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_verify_and_reject() {
        let kp = Keypair::generate();
        let sig = kp.sign(b"payload");
        assert!(verify(kp.public(), b"payload", &sig));
        assert!(!verify(kp.public(), b"payloae", &sig));
        let other = Keypair::generate();
        assert!(!verify(other.public(), b"payload", &sig));
        let mut bent = sig.clone();
        bent.0[40] ^= 1;
        assert!(!verify(kp.public(), b"payload", &bent));
        assert!(!verify_raw(&[0u8; 10], b"payload", &sig.0));
        assert!(!verify_raw(kp.public().as_bytes(), b"payload", &[]));
    }

    #[test]
    fn mismatched_halves_are_refused() {
        let a = Keypair::generate();
        let b = Keypair::generate();
        assert!(Keypair::from_bytes(a.public().as_bytes(), b.secret_bytes()).is_err());
        assert!(Keypair::from_bytes(a.public().as_bytes(), a.secret_bytes()).is_ok());
    }
}
