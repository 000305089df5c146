//! ML-KEM-1024 (FIPS 203) key agreement, used by STOQ and TrustChain certificates.
use pqcrypto_mlkem::mlkem1024;
use pqcrypto_traits::kem::{Ciphertext as _, PublicKey as _, SharedSecret as _};

pub struct KemKeypair {
    pub public: Vec<u8>,
    secret: mlkem1024::SecretKey,
}

impl KemKeypair {
    pub fn generate() -> Self {
        let (pk, sk) = mlkem1024::keypair();
        KemKeypair {
            public: pk.as_bytes().to_vec(),
            secret: sk,
        }
    }

    /// Recover the shared secret from a ciphertext sent to this key.
    pub fn decapsulate(&self, ciphertext: &[u8]) -> Result<[u8; 32], String> {
        let ct = mlkem1024::Ciphertext::from_bytes(ciphertext)
            .map_err(|e| format!("bad ML-KEM ciphertext: {e}"))?;
        let ss = mlkem1024::decapsulate(&ct, &self.secret);
        ss.as_bytes()
            .try_into()
            .map_err(|_| "ML-KEM shared secret is not 32 bytes".into())
    }
}

/// Encapsulate a fresh shared secret to `public`; returns (secret, ciphertext).
pub fn encapsulate(public: &[u8]) -> Result<([u8; 32], Vec<u8>), String> {
    let pk = mlkem1024::PublicKey::from_bytes(public)
        .map_err(|e| format!("bad ML-KEM public key: {e}"))?;
    let (ss, ct) = mlkem1024::encapsulate(&pk);
    let ss: [u8; 32] = ss
        .as_bytes()
        .try_into()
        .map_err(|_| "ML-KEM shared secret is not 32 bytes".to_string())?;
    Ok((ss, ct.as_bytes().to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_sides_agree_and_garbage_is_refused() {
        let bob = KemKeypair::generate();
        let (ss, ct) = encapsulate(&bob.public).unwrap();
        assert_eq!(bob.decapsulate(&ct).unwrap(), ss);
        assert!(encapsulate(&[1, 2, 3]).is_err());
        assert!(bob.decapsulate(&[0u8; 5]).is_err());
        // Implicit rejection: a tampered ciphertext yields a different secret.
        let mut bent = ct.clone();
        bent[0] ^= 1;
        assert_ne!(bob.decapsulate(&bent).unwrap(), ss);
    }
}
