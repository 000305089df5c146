//! Human-friendly CAES amounts: "1.5" ⇄ 1_500_000_000_000 plancks.
use crate::Balance;
use alloc::string::String;
use core::fmt;

pub const CAES_DECIMALS: u32 = 12;
/// One CAES in plancks.
pub const UNITS: Balance = 1_000_000_000_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AmountError {
    Empty,
    InvalidCharacter(char),
    TooManyDecimals,
    Overflow,
}

impl fmt::Display for AmountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AmountError::Empty => write!(f, "amount is empty; write it in CAES, e.g. 1.5"),
            AmountError::InvalidCharacter(c) => {
                write!(
                    f,
                    "unexpected character {c:?} in amount; use digits and one '.', e.g. 12.25"
                )
            }
            AmountError::TooManyDecimals => write!(
                f,
                "CAES has {CAES_DECIMALS} decimals; drop the extra digits"
            ),
            AmountError::Overflow => write!(f, "amount is too large"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for AmountError {}

/// Parse a decimal CAES amount ("10", "0.001", "1_000.5") into plancks.
pub fn parse_caes(s: &str) -> Result<Balance, AmountError> {
    parse_units(s, CAES_DECIMALS)
}

/// Parse a decimal amount of a token with `decimals` decimals (at most 38) into its
/// smallest unit: `parse_units("1.5", 6) == Ok(1_500_000)`.
pub fn parse_units(s: &str, decimals: u32) -> Result<Balance, AmountError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(AmountError::Empty);
    }
    let (whole, frac) = match s.split_once('.') {
        Some((w, f)) => (w, f),
        None => (s, ""),
    };
    let digits = |part: &str| -> Result<Balance, AmountError> {
        let mut v: Balance = 0;
        for c in part.chars().filter(|c| *c != '_') {
            let d = c.to_digit(10).ok_or(AmountError::InvalidCharacter(c))?;
            v = v
                .checked_mul(10)
                .and_then(|v| v.checked_add(d as Balance))
                .ok_or(AmountError::Overflow)?;
        }
        Ok(v)
    };
    let frac_clean: String = frac.chars().filter(|c| *c != '_').collect();
    if frac_clean.len() > decimals as usize {
        return Err(AmountError::TooManyDecimals);
    }
    if whole.is_empty() && frac_clean.is_empty() {
        return Err(AmountError::Empty);
    }
    let one = 10u128.checked_pow(decimals).ok_or(AmountError::Overflow)?;
    let w = digits(whole)?;
    let f = digits(&frac_clean)?;
    let scale = 10u128.pow(decimals - frac_clean.len() as u32);
    w.checked_mul(one)
        .and_then(|w| f.checked_mul(scale).and_then(|f| w.checked_add(f)))
        .ok_or(AmountError::Overflow)
}

/// Format plancks as decimal CAES without trailing zeros ("1.5", "0", "0.000000000001").
pub fn format_caes(v: Balance) -> String {
    let whole = v / UNITS;
    let frac = v % UNITS;
    if frac == 0 {
        return alloc::format!("{whole}");
    }
    let mut f = alloc::format!("{frac:012}");
    while f.ends_with('0') {
        f.pop();
    }
    alloc::format!("{whole}.{f}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats() {
        assert_eq!(parse_caes("1.5"), Ok(1_500_000_000_000));
        assert_eq!(parse_caes("0.000000000001"), Ok(1));
        assert_eq!(parse_caes("1_000"), Ok(1000 * UNITS));
        assert_eq!(parse_caes(".5"), Ok(UNITS / 2));
        assert_eq!(parse_units("1.5", 6), Ok(1_500_000));
        assert_eq!(parse_units("7", 0), Ok(7));
        assert_eq!(parse_units("0.1", 0), Err(AmountError::TooManyDecimals));
        assert_eq!(
            parse_caes("0.0000000000001"),
            Err(AmountError::TooManyDecimals)
        );
        assert_eq!(parse_caes("-1"), Err(AmountError::InvalidCharacter('-')));
        assert_eq!(parse_caes("1e3"), Err(AmountError::InvalidCharacter('e')));
        assert_eq!(parse_caes(""), Err(AmountError::Empty));
        assert_eq!(parse_caes("."), Err(AmountError::Empty));
        assert_eq!(
            parse_caes("999999999999999999999999999999"),
            Err(AmountError::Overflow)
        );
        assert_eq!(format_caes(1_500_000_000_000), "1.5");
        assert_eq!(format_caes(0), "0");
        assert_eq!(format_caes(1), "0.000000000001");
    }
}
