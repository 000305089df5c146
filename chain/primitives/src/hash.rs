//! BLAKE3 hashes and the 32-byte hash type.
use alloc::string::String;
use core::fmt;
use parity_scale_codec::{Decode, Encode, MaxEncodedLen};

/// A 32-byte BLAKE3-256 digest. Shown as `0x`-hex in JSON and logs.
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    Encode,
    Decode,
    MaxEncodedLen,
    scale_info::TypeInfo,
)]
pub struct H256(pub [u8; 32]);

impl H256 {
    pub const ZERO: H256 = H256([0u8; 32]);

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    pub fn to_hex(&self) -> String {
        let mut s = String::with_capacity(66);
        s.push_str("0x");
        s.push_str(&hex::encode(self.0));
        s
    }

    /// Parse `0x`-prefixed (or bare) 64-digit hex.
    pub fn from_hex(s: &str) -> Result<Self, String> {
        let digits = s.strip_prefix("0x").unwrap_or(s);
        if digits.len() != 64 {
            return Err(alloc::format!(
                "expected 32 bytes (64 hex digits), got {} digits",
                digits.len()
            ));
        }
        let mut out = [0u8; 32];
        hex::decode_to_slice(digits, &mut out).map_err(|e| alloc::format!("invalid hex: {e}"))?;
        Ok(H256(out))
    }
}

impl From<[u8; 32]> for H256 {
    fn from(b: [u8; 32]) -> Self {
        H256(b)
    }
}

impl AsRef<[u8]> for H256 {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for H256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{}", hex::encode(self.0))
    }
}

impl fmt::Display for H256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Short form for logs: 0x1234…cdef
        write!(
            f,
            "0x{}…{}",
            hex::encode(&self.0[..2]),
            hex::encode(&self.0[30..])
        )
    }
}

impl serde::Serialize for H256 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> serde::Deserialize<'de> for H256 {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s: String = serde::Deserialize::deserialize(d)?;
        H256::from_hex(&s).map_err(serde::de::Error::custom)
    }
}

/// BLAKE3-256 of `data`.
pub fn blake3_256(data: &[u8]) -> H256 {
    H256(*blake3::hash(data).as_bytes())
}

/// The first 16 bytes of BLAKE3-256, used in storage keys.
pub fn blake3_128(data: &[u8]) -> [u8; 16] {
    let full = blake3::hash(data);
    let mut out = [0u8; 16];
    out.copy_from_slice(&full.as_bytes()[..16]);
    out
}
