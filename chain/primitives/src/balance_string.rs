//! Serde form of balances in chain specs and genesis configs: a decimal string,
//! since plancks overflow JSON's safe integers from about 18M CAES. Reads a string or a
//! non-negative JSON number. Use with `#[serde(with = "hm_primitives::balance_string")]`.
use crate::Balance;
use alloc::string::{String, ToString};
use core::fmt;
use serde::{de, Deserializer, Serializer};

pub fn serialize<S: Serializer>(value: &Balance, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&value.to_string())
}

pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Balance, D::Error> {
    d.deserialize_any(BalanceVisitor)
}

struct BalanceVisitor;

impl de::Visitor<'_> for BalanceVisitor {
    type Value = Balance;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a non-negative integer number of plancks, as a number or a decimal string")
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Balance, E> {
        Ok(Balance::from(v))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Balance, E> {
        Ok(v)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Balance, E> {
        Balance::try_from(v).map_err(|_| E::custom("balance must not be negative"))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Balance, E> {
        if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
            return Err(E::custom("balance string must be decimal digits only"));
        }
        v.parse()
            .map_err(|_| E::custom("balance does not fit in 128 bits"))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Balance, E> {
        self.visit_str(&v)
    }
}
