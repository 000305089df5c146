//! Accounts, Falcon-1024 key and signature containers, and `hm1…` bech32m addresses.
use crate::hash::{blake3_256, H256};
use alloc::{boxed::Box, string::String, vec::Vec};
use core::fmt;
use parity_scale_codec::{Compact, Decode, Encode, Error as CodecError, Input, MaxEncodedLen};

/// Human-readable part of every address.
pub const ADDRESS_HRP: &str = "hm";
/// Falcon-1024 public key length (PQClean encoding).
pub const FALCON_PUBLIC_KEY_BYTES: usize = 1793;
/// Upper bound of a detached Falcon-1024 signature (PQClean `CRYPTO_BYTES`).
pub const FALCON_MAX_SIGNATURE_BYTES: usize = 1462;

/// `AccountId = blake3(falcon1024_public_key)`.
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
pub struct AccountId(pub [u8; 32]);

impl AccountId {
    pub fn from_public_key(pk: &FalconPublicKey) -> Self {
        AccountId(blake3_256(pk.as_bytes()).0)
    }

    /// bech32m string with the `hm` prefix.
    pub fn to_address(&self) -> String {
        let hrp = bech32::Hrp::parse_unchecked(ADDRESS_HRP);
        // Encoding 32 bytes under a 2-char hrp cannot exceed bech32's length limit.
        bech32::encode::<bech32::Bech32m>(hrp, &self.0).unwrap_or_default()
    }

    /// Parse an `hm1…` bech32m address. Also accepts `0x` + 64 hex digits.
    pub fn from_address(s: &str) -> Result<Self, AddressError> {
        if let Some(hex_digits) = s.strip_prefix("0x") {
            return H256::from_hex(hex_digits)
                .map(|h| AccountId(h.0))
                .map_err(AddressError::Hex);
        }
        let parsed = bech32::primitives::decode::CheckedHrpstring::new::<bech32::Bech32m>(s)
            .map_err(|e| AddressError::Bech32(alloc::format!("{e}")))?;
        if parsed.hrp().as_str() != ADDRESS_HRP {
            return Err(AddressError::WrongPrefix(String::from(
                parsed.hrp().as_str(),
            )));
        }
        let bytes: Vec<u8> = parsed.byte_iter().collect();
        let arr: [u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| AddressError::WrongLength(bytes.len()))?;
        Ok(AccountId(arr))
    }
}

impl fmt::Debug for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_address())
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_address())
    }
}

impl serde::Serialize for AccountId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_address())
    }
}

impl<'de> serde::Deserialize<'de> for AccountId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s: String = serde::Deserialize::deserialize(d)?;
        AccountId::from_address(&s).map_err(serde::de::Error::custom)
    }
}

/// Why an address string was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddressError {
    Bech32(String),
    WrongPrefix(String),
    WrongLength(usize),
    Hex(String),
}

impl fmt::Display for AddressError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AddressError::Bech32(e) => write!(f, "not a bech32m address: {e}"),
            AddressError::WrongPrefix(p) => {
                write!(f, "address prefix is `{p}`, expected `{ADDRESS_HRP}`")
            }
            AddressError::WrongLength(n) => write!(f, "address holds {n} bytes, expected 32"),
            AddressError::Hex(e) => write!(f, "{e}"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for AddressError {}

/// A Falcon-1024 public key, exactly 1793 bytes (encoded without a length prefix).
#[derive(Clone, PartialEq, Eq)]
pub struct FalconPublicKey(Box<[u8; FALCON_PUBLIC_KEY_BYTES]>);

impl FalconPublicKey {
    pub fn from_bytes(b: &[u8]) -> Option<Self> {
        let arr: [u8; FALCON_PUBLIC_KEY_BYTES] = b.try_into().ok()?;
        Some(FalconPublicKey(Box::new(arr)))
    }
    pub fn as_bytes(&self) -> &[u8] {
        &self.0[..]
    }
    pub fn account_id(&self) -> AccountId {
        AccountId::from_public_key(self)
    }
}

impl fmt::Debug for FalconPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FalconPublicKey({})", self.account_id())
    }
}

impl Encode for FalconPublicKey {
    fn size_hint(&self) -> usize {
        FALCON_PUBLIC_KEY_BYTES
    }
    fn encode_to<T: parity_scale_codec::Output + ?Sized>(&self, dest: &mut T) {
        dest.write(&self.0[..]);
    }
}

/// Encoded as the bare 1793 bytes, so it describes itself as that array.
impl scale_info::TypeInfo for FalconPublicKey {
    type Identity = Self;
    fn type_info() -> scale_info::Type {
        scale_info::Type::builder()
            .path(scale_info::Path::new("FalconPublicKey", module_path!()))
            .composite(
                scale_info::build::Fields::unnamed()
                    .field(|f| f.ty::<[u8; FALCON_PUBLIC_KEY_BYTES]>()),
            )
    }
}

impl Decode for FalconPublicKey {
    fn decode<I: Input>(input: &mut I) -> Result<Self, CodecError> {
        let mut arr = Box::new([0u8; FALCON_PUBLIC_KEY_BYTES]);
        input.read(&mut arr[..])?;
        Ok(FalconPublicKey(arr))
    }
}

/// A detached Falcon-1024 signature. Its length prefix is checked before allocating.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct FalconSignature(pub Vec<u8>);

impl fmt::Debug for FalconSignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FalconSignature({} bytes)", self.0.len())
    }
}

impl Encode for FalconSignature {
    fn size_hint(&self) -> usize {
        self.0.size_hint()
    }
    fn encode_to<T: parity_scale_codec::Output + ?Sized>(&self, dest: &mut T) {
        self.0.encode_to(dest)
    }
}

/// Encoded as a `Vec<u8>` (at most 1462 bytes).
impl scale_info::TypeInfo for FalconSignature {
    type Identity = Self;
    fn type_info() -> scale_info::Type {
        scale_info::Type::builder()
            .path(scale_info::Path::new("FalconSignature", module_path!()))
            .composite(scale_info::build::Fields::unnamed().field(|f| f.ty::<Vec<u8>>()))
    }
}

impl Decode for FalconSignature {
    fn decode<I: Input>(input: &mut I) -> Result<Self, CodecError> {
        let len = Compact::<u32>::decode(input)?.0 as usize;
        if len > FALCON_MAX_SIGNATURE_BYTES {
            return Err("Falcon signature longer than 1462 bytes".into());
        }
        let mut v = alloc::vec![0u8; len];
        input.read(&mut v)?;
        Ok(FalconSignature(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_round_trip_and_rejections() {
        let id = AccountId([7u8; 32]);
        let addr = id.to_address();
        assert!(addr.starts_with("hm1"));
        assert_eq!(AccountId::from_address(&addr).unwrap(), id);
        // One flipped character breaks the checksum.
        let mut bad = addr.clone().into_bytes();
        let last = bad.len() - 1;
        bad[last] = if bad[last] == b'q' { b'p' } else { b'q' };
        assert!(AccountId::from_address(core::str::from_utf8(&bad).unwrap()).is_err());
        // Other prefix.
        let other =
            bech32::encode::<bech32::Bech32m>(bech32::Hrp::parse("bc").unwrap(), &id.0).unwrap();
        assert_eq!(
            AccountId::from_address(&other),
            Err(AddressError::WrongPrefix("bc".into()))
        );
        // bech32 (not m) checksum is refused.
        let legacy =
            bech32::encode::<bech32::Bech32>(bech32::Hrp::parse("hm").unwrap(), &id.0).unwrap();
        assert!(AccountId::from_address(&legacy).is_err());
        assert!(AccountId::from_address("").is_err());
        assert!(AccountId::from_address("0x1234").is_err());
    }

    #[test]
    fn oversized_signature_length_is_refused_before_allocation() {
        let mut bytes = Compact(u32::MAX).encode();
        bytes.extend_from_slice(&[0u8; 8]);
        assert!(FalconSignature::decode(&mut &bytes[..]).is_err());
    }

    #[test]
    fn public_key_needs_all_bytes() {
        let short = [0u8; 100];
        assert!(FalconPublicKey::decode(&mut &short[..]).is_err());
        assert!(FalconPublicKey::from_bytes(&short).is_none());
    }
}
