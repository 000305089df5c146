//! `0x`-hex on the wire: [`Bytes`] for what the node returns, [`HexString`] for
//! what it receives, and [`NumberOrHex`] for block numbers.
use hm_primitives::H256;
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Bytes shown as `0x`-prefixed lowercase hex. Deserializing insists on the prefix
/// and on well-formed hex, so a client never silently accepts a garbled answer.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Bytes(pub Vec<u8>);

impl Bytes {
    pub fn to_hex(&self) -> String {
        to_hex(&self.0)
    }
}

impl fmt::Debug for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl From<Vec<u8>> for Bytes {
    fn from(v: Vec<u8>) -> Self {
        Bytes(v)
    }
}

impl From<&[u8]> for Bytes {
    fn from(v: &[u8]) -> Self {
        Bytes(v.to_vec())
    }
}

impl From<Bytes> for Vec<u8> {
    fn from(b: Bytes) -> Self {
        b.0
    }
}

impl AsRef<[u8]> for Bytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl Serialize for Bytes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        decode_hex(&s).map(Bytes).map_err(de::Error::custom)
    }
}

/// Hex text exactly as a caller sent it.
///
/// Method parameters use this instead of [`Bytes`] so the server, not the JSON
/// layer, decodes the hex: its error can then name the parameter that is wrong.
/// Build one from bytes or a hash with `From`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct HexString(pub String);

impl HexString {
    /// The bytes, or why the text is not `0x`-prefixed hex.
    pub fn decode(&self) -> Result<Vec<u8>, HexError> {
        decode_hex(&self.0)
    }

    /// A 32-byte hash.
    pub fn decode_hash(&self) -> Result<H256, HexError> {
        let bytes = self.decode()?;
        let arr: [u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| HexError::WrongLength {
                expected: 32,
                got: bytes.len(),
            })?;
        Ok(H256(arr))
    }
}

impl From<&[u8]> for HexString {
    fn from(b: &[u8]) -> Self {
        HexString(to_hex(b))
    }
}

impl From<Vec<u8>> for HexString {
    fn from(b: Vec<u8>) -> Self {
        HexString(to_hex(&b))
    }
}

impl From<&Bytes> for HexString {
    fn from(b: &Bytes) -> Self {
        HexString(b.to_hex())
    }
}

impl From<H256> for HexString {
    fn from(h: H256) -> Self {
        HexString(h.to_hex())
    }
}

/// Why hex text was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HexError {
    MissingPrefix,
    OddLength(usize),
    InvalidChar { ch: char, index: usize },
    WrongLength { expected: usize, got: usize },
}

impl fmt::Display for HexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HexError::MissingPrefix => write!(f, "hex must start with 0x"),
            HexError::OddLength(n) => {
                write!(f, "odd number of hex digits ({n}); each byte takes two")
            }
            HexError::InvalidChar { ch, index } => {
                write!(
                    f,
                    "invalid hex character {ch:?} at position {index} (after the 0x)"
                )
            }
            HexError::WrongLength { expected, got } => {
                write!(f, "expected {expected} bytes, got {got}")
            }
        }
    }
}

impl std::error::Error for HexError {}

pub fn to_hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(2 + bytes.len() * 2);
    s.push_str("0x");
    s.push_str(&hex::encode(bytes));
    s
}

/// Strict `0x`-hex decoding with errors that say what to fix.
pub fn decode_hex(s: &str) -> Result<Vec<u8>, HexError> {
    let digits = s
        .strip_prefix("0x")
        .or_else(|| s.strip_prefix("0X"))
        .ok_or(HexError::MissingPrefix)?;
    if let Some((index, ch)) = digits.char_indices().find(|(_, c)| !c.is_ascii_hexdigit()) {
        return Err(HexError::InvalidChar { ch, index });
    }
    if digits.len() % 2 != 0 {
        return Err(HexError::OddLength(digits.len()));
    }
    // Every character was checked above and the length is even, so this cannot fail;
    // mapping the error keeps the function total anyway.
    hex::decode(digits).map_err(|_| HexError::OddLength(digits.len()))
}

/// A block number as Substrate accepts it: a JSON integer or a `0x`-hex string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumberOrHex {
    Number(u64),
    Hex(u64),
}

impl NumberOrHex {
    pub fn value(self) -> u64 {
        match self {
            NumberOrHex::Number(n) | NumberOrHex::Hex(n) => n,
        }
    }
}

impl From<u64> for NumberOrHex {
    fn from(n: u64) -> Self {
        NumberOrHex::Number(n)
    }
}

impl Serialize for NumberOrHex {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            NumberOrHex::Number(n) => s.serialize_u64(*n),
            NumberOrHex::Hex(n) => s.serialize_str(&format!("{n:#x}")),
        }
    }
}

impl<'de> Deserialize<'de> for NumberOrHex {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NumberOrHexVisitor)
    }
}

struct NumberOrHexVisitor;

impl de::Visitor<'_> for NumberOrHexVisitor {
    type Value = NumberOrHex;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "a block number: a non-negative integer or a 0x-hex string of at most 16 digits",
        )
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(NumberOrHex::Number(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        u64::try_from(v)
            .map(NumberOrHex::Number)
            .map_err(|_| E::custom(format!("block number {v} is negative")))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        parse_hex_u64(v).map(NumberOrHex::Hex).map_err(E::custom)
    }
}

/// `0x1a` → 26. At most 16 digits, so the value always fits a `u64`.
pub fn parse_hex_u64(s: &str) -> Result<u64, String> {
    let digits = s
        .strip_prefix("0x")
        .ok_or_else(|| format!("number {s:?} must be 0x-prefixed hex"))?;
    if digits.is_empty() || digits.len() > 16 {
        return Err(format!("number {s:?} must have 1 to 16 hex digits"));
    }
    u64::from_str_radix(digits, 16).map_err(|e| format!("number {s:?} is not hex: {e}"))
}

/// Serde adapter: `u64` as a `0x`-hex string (Substrate's header `number`).
pub mod hex_u64 {
    use serde::{de, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(n: &u64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{n:#x}"))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        let s = String::deserialize(d)?;
        super::parse_hex_u64(&s).map_err(de::Error::custom)
    }
}

/// Serde adapter: `u128` as a decimal string, since JavaScript numbers lose precision above 2^53.
pub mod u128_string {
    use serde::{de, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(n: &u128, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&n.to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u128, D::Error> {
        let s = String::deserialize(d)?;
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(de::Error::custom(format!(
                "amount {s:?} must be a decimal string of plancks"
            )));
        }
        s.parse::<u128>()
            .map_err(|e| de::Error::custom(format!("amount {s:?}: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_round_trip_and_strictness() {
        let b = Bytes(vec![0, 1, 0xab]);
        let json = serde_json::to_string(&b).unwrap();
        assert_eq!(json, r#""0x0001ab""#);
        assert_eq!(serde_json::from_str::<Bytes>(&json).unwrap(), b);
        assert_eq!(
            serde_json::from_str::<Bytes>(r#""0x""#).unwrap(),
            Bytes(vec![])
        );
        for bad in [
            r#""0001ab""#,
            r#""0x0""#,
            r#""0xzz""#,
            "12",
            "null",
            r#""0x 1""#,
        ] {
            assert!(serde_json::from_str::<Bytes>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn hex_errors_say_what_is_wrong() {
        assert_eq!(decode_hex("abcd"), Err(HexError::MissingPrefix));
        assert_eq!(decode_hex("0xabc"), Err(HexError::OddLength(3)));
        assert_eq!(
            decode_hex("0xabgd"),
            Err(HexError::InvalidChar { ch: 'g', index: 2 })
        );
        assert_eq!(
            decode_hex("0xé0"),
            Err(HexError::InvalidChar { ch: 'é', index: 0 })
        );
        assert_eq!(decode_hex("0XAB"), Ok(vec![0xab]));
        let short = HexString("0x0102".into());
        assert_eq!(
            short.decode_hash(),
            Err(HexError::WrongLength {
                expected: 32,
                got: 2
            })
        );
        let h = H256([9; 32]);
        assert_eq!(HexString::from(h).decode_hash(), Ok(h));
        assert!(HexError::OddLength(3).to_string().contains("odd number"));
    }

    #[test]
    fn hex_string_accepts_any_text_so_the_server_can_name_the_parameter() {
        let h: HexString = serde_json::from_str(r#""not hex""#).unwrap();
        assert!(h.decode().is_err());
        assert!(
            serde_json::from_str::<HexString>("42").is_err(),
            "wrong JSON type is still refused"
        );
    }

    #[test]
    fn number_or_hex_forms() {
        assert_eq!(
            serde_json::from_str::<NumberOrHex>("26").unwrap().value(),
            26
        );
        assert_eq!(
            serde_json::from_str::<NumberOrHex>(r#""0x1a""#)
                .unwrap()
                .value(),
            26
        );
        assert_eq!(
            serde_json::from_str::<NumberOrHex>(r#""0xffffffffffffffff""#)
                .unwrap()
                .value(),
            u64::MAX
        );
        for bad in [
            "-1",
            "1.5",
            r#""26""#,
            r#""0x""#,
            r#""0x10000000000000000""#,
            r#""0xzz""#,
            "true",
            "18446744073709551616",
        ] {
            assert!(serde_json::from_str::<NumberOrHex>(bad).is_err(), "{bad}");
        }
        assert_eq!(
            serde_json::to_string(&NumberOrHex::Hex(26)).unwrap(),
            r#""0x1a""#
        );
        assert_eq!(
            serde_json::to_string(&NumberOrHex::Number(26)).unwrap(),
            "26"
        );
    }

    #[test]
    fn u128_strings() {
        #[derive(Serialize, Deserialize, PartialEq, Debug)]
        struct W(#[serde(with = "u128_string")] u128);
        assert_eq!(
            serde_json::to_string(&W(u128::MAX)).unwrap(),
            format!("\"{}\"", u128::MAX)
        );
        assert_eq!(serde_json::from_str::<W>(r#""12""#).unwrap(), W(12));
        for bad in [
            r#""""#,
            r#""-1""#,
            r#""1e3""#,
            "12",
            r#""340282366920938463463374607431768211456""#,
        ] {
            assert!(serde_json::from_str::<W>(bad).is_err(), "{bad}");
        }
    }
}
