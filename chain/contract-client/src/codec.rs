//! SCALE encoding of contract arguments and decoding of outputs from the command line,
//! without metadata: the user names each type (contracts/README.md's conventions).
//!
//! Types: `bool`, `u8`…`u128`, `i8`…`i128`, `account` (32 bytes, written `hm1…` or
//! `0x…`), `hash` (32 bytes), `bytes` (`Vec<u8>`, written `0x…`), `text` (`Vec<u8>` of
//! UTF-8), `vec<T>`, `option<T>`, `result<T,E>` and tuples `(T1,T2,…)` (a struct encodes
//! as the tuple of its fields). Values: `[a,b]` for vectors, `(a,b)` for tuples, `none`
//! / `some(v)`, `ok(v)` / `err(v)`; a top-level `text` takes the rest of the argument.
use hm_primitives::AccountId;
use parity_scale_codec::{Compact, Decode, Encode};

/// Deepest nesting of types accepted (bounds recursion on user input).
const MAX_DEPTH: usize = 32;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ty {
    Bool,
    Uint(u32),
    Int(u32),
    Account,
    Hash,
    Bytes,
    Text,
    Vec(Box<Ty>),
    Option(Box<Ty>),
    Result(Box<Ty>, Box<Ty>),
    Tuple(Vec<Ty>),
}

/// Parse a type such as `option<(account,u128,u32,bool)>`.
pub fn parse_type(s: &str) -> Result<Ty, String> {
    let mut rest = s.trim();
    let ty = type_at(&mut rest, 0)?;
    if !rest.trim().is_empty() {
        return Err(format!(
            "unexpected `{}` after the type in `{s}`",
            rest.trim()
        ));
    }
    Ok(ty)
}

fn eat(rest: &mut &str, token: char) -> bool {
    let trimmed = rest.trim_start();
    match trimmed.strip_prefix(token) {
        Some(after) => {
            *rest = after;
            true
        }
        None => false,
    }
}

fn expect(rest: &mut &str, token: char, context: &str) -> Result<(), String> {
    if eat(rest, token) {
        Ok(())
    } else {
        Err(format!(
            "expected `{token}` {context}, found `{}`",
            rest.trim()
        ))
    }
}

fn type_at(rest: &mut &str, depth: usize) -> Result<Ty, String> {
    if depth > MAX_DEPTH {
        return Err(format!("types nest at most {MAX_DEPTH} deep"));
    }
    if eat(rest, '(') {
        let mut items = Vec::new();
        if !eat(rest, ')') {
            loop {
                items.push(type_at(rest, depth + 1)?);
                if eat(rest, ')') {
                    break;
                }
                expect(rest, ',', "between tuple types")?;
            }
        }
        return Ok(Ty::Tuple(items));
    }
    let trimmed = rest.trim_start();
    let end = trimmed
        .find(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .unwrap_or(trimmed.len());
    let (name, after) = trimmed.split_at(end);
    *rest = after;
    let inner = |rest: &mut &str| -> Result<Ty, String> {
        expect(rest, '<', &format!("after `{name}`"))?;
        let ty = type_at(rest, depth + 1)?;
        Ok(ty)
    };
    let ty = match name.to_ascii_lowercase().as_str() {
        "bool" => Ty::Bool,
        "u8" => Ty::Uint(8),
        "u16" => Ty::Uint(16),
        "u32" => Ty::Uint(32),
        "u64" => Ty::Uint(64),
        "u128" | "balance" => Ty::Uint(128),
        "i8" => Ty::Int(8),
        "i16" => Ty::Int(16),
        "i32" => Ty::Int(32),
        "i64" => Ty::Int(64),
        "i128" => Ty::Int(128),
        "account" | "accountid" | "address" => Ty::Account,
        "hash" | "h256" => Ty::Hash,
        "bytes" => Ty::Bytes,
        "text" | "string" => Ty::Text,
        "vec" => {
            let ty = Ty::Vec(Box::new(inner(rest)?));
            expect(rest, '>', "to close `vec<`")?;
            ty
        }
        "option" => {
            let ty = Ty::Option(Box::new(inner(rest)?));
            expect(rest, '>', "to close `option<`")?;
            ty
        }
        "result" => {
            let ok = inner(rest)?;
            expect(rest, ',', "between `result`'s types")?;
            let err = type_at(rest, depth + 1)?;
            expect(rest, '>', "to close `result<`")?;
            Ty::Result(Box::new(ok), Box::new(err))
        }
        "" => return Err(format!("expected a type, found `{}`", rest.trim())),
        other => return Err(format!("unknown type `{other}`")),
    };
    Ok(ty)
}

/// SCALE encoding of `value` read as `ty`. A top-level `text` is the whole value.
pub fn encode_value(ty: &Ty, value: &str) -> Result<Vec<u8>, String> {
    if *ty == Ty::Text {
        return Ok(value.as_bytes().to_vec().encode());
    }
    let mut rest = value;
    let mut out = Vec::new();
    value_at(ty, &mut rest, &mut out)?;
    if !rest.trim().is_empty() {
        return Err(format!("unexpected `{}` after the value", rest.trim()));
    }
    Ok(out)
}

/// The next scalar token: up to `,`, `)` or `]`.
fn token<'a>(rest: &mut &'a str) -> &'a str {
    let trimmed = rest.trim_start();
    let end = trimmed.find([',', ')', ']']).unwrap_or(trimmed.len());
    let (token, after) = trimmed.split_at(end);
    *rest = after;
    token.trim()
}

fn hex_bytes(s: &str) -> Result<Vec<u8>, String> {
    let digits = s
        .strip_prefix("0x")
        .ok_or_else(|| format!("`{s}` must be 0x-prefixed hex"))?;
    hex::decode(digits).map_err(|e| format!("`{s}` is not hex: {e}"))
}

fn value_at(ty: &Ty, rest: &mut &str, out: &mut Vec<u8>) -> Result<(), String> {
    match ty {
        Ty::Bool => match token(rest) {
            "true" => out.push(1),
            "false" => out.push(0),
            other => return Err(format!("`{other}` is not a bool (true or false)")),
        },
        Ty::Uint(bits) => {
            let t = token(rest);
            let n: u128 = t.parse().map_err(|_| format!("`{t}` is not a u{bits}"))?;
            if *bits < 128 && n >> bits != 0 {
                return Err(format!("{n} does not fit in u{bits}"));
            }
            out.extend_from_slice(&n.to_le_bytes()[..(*bits / 8) as usize]);
        }
        Ty::Int(bits) => {
            let t = token(rest);
            let n: i128 = t.parse().map_err(|_| format!("`{t}` is not an i{bits}"))?;
            let (min, max) = if *bits == 128 {
                (i128::MIN, i128::MAX)
            } else {
                (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
            };
            if n < min || n > max {
                return Err(format!("{n} does not fit in i{bits}"));
            }
            out.extend_from_slice(&n.to_le_bytes()[..(*bits / 8) as usize]);
        }
        Ty::Account => {
            let t = token(rest);
            let account = AccountId::from_address(t).map_err(|e| format!("account `{t}`: {e}"))?;
            out.extend_from_slice(&account.0);
        }
        Ty::Hash => {
            let t = token(rest);
            let bytes = hex_bytes(t)?;
            if bytes.len() != 32 {
                return Err(format!("hash `{t}` is {} bytes, not 32", bytes.len()));
            }
            out.extend_from_slice(&bytes);
        }
        Ty::Bytes => hex_bytes(token(rest))?.encode_to(out),
        Ty::Text => token(rest).as_bytes().to_vec().encode_to(out),
        Ty::Vec(item) => {
            expect(rest, '[', "to open a vector")?;
            let mut items = Vec::new();
            let mut count: u32 = 0;
            if !eat(rest, ']') {
                loop {
                    value_at(item, rest, &mut items)?;
                    count += 1;
                    if eat(rest, ']') {
                        break;
                    }
                    expect(rest, ',', "between vector items")?;
                }
            }
            Compact(count).encode_to(out);
            out.extend_from_slice(&items);
        }
        Ty::Option(item) => {
            if rest.trim_start().starts_with("none") {
                token(rest);
                out.push(0);
            } else {
                let trimmed = rest.trim_start();
                let Some(after) = trimmed.strip_prefix("some") else {
                    return Err(format!("expected none or some(..), found `{trimmed}`"));
                };
                *rest = after;
                expect(rest, '(', "after `some`")?;
                out.push(1);
                value_at(item, rest, out)?;
                expect(rest, ')', "to close `some(`")?;
            }
        }
        Ty::Result(ok, err) => {
            let trimmed = rest.trim_start();
            let (tag, ty, after) = if let Some(after) = trimmed.strip_prefix("ok") {
                (0u8, ok, after)
            } else if let Some(after) = trimmed.strip_prefix("err") {
                (1u8, err, after)
            } else {
                return Err(format!("expected ok(..) or err(..), found `{trimmed}`"));
            };
            *rest = after;
            expect(rest, '(', "after ok/err")?;
            out.push(tag);
            value_at(ty, rest, out)?;
            expect(rest, ')', "to close ok/err")?;
        }
        Ty::Tuple(items) => {
            expect(rest, '(', "to open a tuple")?;
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    expect(rest, ',', "between tuple items")?;
                }
                value_at(item, rest, out)?;
            }
            expect(rest, ')', "to close a tuple")?;
        }
    }
    Ok(())
}

/// `bytes` decoded as `ty`, rendered in the value syntax; all bytes must be used.
pub fn decode_value(ty: &Ty, bytes: &[u8]) -> Result<String, String> {
    let mut input = bytes;
    let text = render(ty, &mut input)?;
    if !input.is_empty() {
        return Err(format!(
            "{} bytes left over after decoding (wrong type?)",
            input.len()
        ));
    }
    Ok(text)
}

fn take<'a>(input: &mut &'a [u8], n: usize) -> Result<&'a [u8], String> {
    if input.len() < n {
        return Err(format!("needs {n} more bytes, {} left", input.len()));
    }
    let (head, tail) = input.split_at(n);
    *input = tail;
    Ok(head)
}

/// A length prefix, refused when longer than the bytes left (every item is ≥ 1 byte,
/// except in `vec<()>`, which no contract returns).
fn length(input: &mut &[u8]) -> Result<usize, String> {
    let n = <Compact<u32>>::decode(input).map_err(|e| format!("bad length prefix: {e}"))?;
    let n = n.0 as usize;
    if n > input.len() {
        return Err(format!(
            "length {n} is more than the {} bytes left",
            input.len()
        ));
    }
    Ok(n)
}

fn render(ty: &Ty, input: &mut &[u8]) -> Result<String, String> {
    Ok(match ty {
        Ty::Bool => match take(input, 1)?[0] {
            0 => "false".into(),
            1 => "true".into(),
            b => return Err(format!("byte {b} is not a bool")),
        },
        Ty::Uint(bits) => {
            let mut le = [0u8; 16];
            le[..(*bits / 8) as usize].copy_from_slice(take(input, (*bits / 8) as usize)?);
            u128::from_le_bytes(le).to_string()
        }
        Ty::Int(bits) => {
            let n = (*bits / 8) as usize;
            let raw = take(input, n)?;
            let fill = if raw[n - 1] & 0x80 != 0 { 0xff } else { 0 };
            let mut le = [fill; 16];
            le[..n].copy_from_slice(raw);
            i128::from_le_bytes(le).to_string()
        }
        Ty::Account => {
            let raw: [u8; 32] = take(input, 32)?.try_into().map_err(|_| "account")?;
            AccountId(raw).to_address()
        }
        Ty::Hash => format!("0x{}", hex::encode(take(input, 32)?)),
        Ty::Bytes => {
            let n = length(input)?;
            format!("0x{}", hex::encode(take(input, n)?))
        }
        Ty::Text => {
            let n = length(input)?;
            let raw = take(input, n)?;
            match std::str::from_utf8(raw) {
                Ok(s) => format!("{s:?}"),
                Err(_) => format!("0x{}", hex::encode(raw)),
            }
        }
        Ty::Vec(item) => {
            let n = length(input)?;
            let items = (0..n)
                .map(|_| render(item, input))
                .collect::<Result<Vec<_>, _>>()?;
            format!("[{}]", items.join(","))
        }
        Ty::Option(item) => match take(input, 1)?[0] {
            0 => "none".into(),
            1 => format!("some({})", render(item, input)?),
            b => return Err(format!("byte {b} is not an option tag")),
        },
        Ty::Result(ok, err) => match take(input, 1)?[0] {
            0 => format!("ok({})", render(ok, input)?),
            1 => format!("err({})", render(err, input)?),
            b => return Err(format!("byte {b} is not a result tag")),
        },
        Ty::Tuple(items) => {
            let items = items
                .iter()
                .map(|item| render(item, input))
                .collect::<Result<Vec<_>, _>>()?;
            format!("({})", items.join(","))
        }
    })
}

/// Call or deploy input from `TYPE=VALUE` arguments, after an optional selector.
pub fn encode_args(prefix: &[u8], args: &[String]) -> Result<Vec<u8>, String> {
    let mut input = prefix.to_vec();
    for arg in args {
        let (ty, value) = arg
            .split_once('=')
            .ok_or_else(|| format!("--arg `{arg}` must be TYPE=VALUE, e.g. u128=1000"))?;
        let ty = parse_type(ty).map_err(|e| format!("--arg `{arg}`: {e}"))?;
        let encoded = encode_value(&ty, value).map_err(|e| format!("--arg `{arg}`: {e}"))?;
        input.extend_from_slice(&encoded);
    }
    Ok(input)
}

/// Revert data, readably: the SDK's ASCII reasons (`hm:…`) as text, else hex (a
/// one-byte payload is a field-less error enum's variant index).
pub fn describe_revert(data: &[u8]) -> String {
    if data.starts_with(b"hm:") {
        if let Ok(text) = std::str::from_utf8(data) {
            return text.to_owned();
        }
    }
    match data {
        [index] => format!("0x{index:02x} (error variant {index})"),
        _ => format!("0x{}", hex::encode(data)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calls::selector;

    fn round_trip(ty: &str, value: &str) -> String {
        let ty = parse_type(ty).unwrap();
        let bytes = encode_value(&ty, value).unwrap();
        decode_value(&ty, &bytes).unwrap()
    }

    #[test]
    fn scalars_and_composites_round_trip() {
        assert_eq!(
            round_trip("u128", "340282366920938463463374607431768211455"),
            u128::MAX.to_string()
        );
        assert_eq!(round_trip("i32", "-5"), "-5");
        assert_eq!(round_trip("bool", "true"), "true");
        assert_eq!(round_trip("vec<u64>", "[1, 2,3]"), "[1,2,3]");
        assert_eq!(round_trip("option<u8>", "none"), "none");
        assert_eq!(
            round_trip("option<(u32,bool)>", "some((7,false))"),
            "some((7,false))"
        );
        assert_eq!(round_trip("result<u64,u8>", "err(3)"), "err(3)");
        assert_eq!(round_trip("bytes", "0x0102"), "0x0102");
        let alice = AccountId([7; 32]).to_address();
        assert_eq!(
            round_trip("vec<account>", &format!("[{alice}]")),
            format!("[{alice}]")
        );
        assert_eq!(round_trip("(u32,u32)", "(1,2)"), "(1,2)");
        assert_eq!(
            round_trip("text", "hello, world (really)"),
            "\"hello, world (really)\""
        );
    }

    #[test]
    fn encodings_are_scale() {
        let ty = parse_type("(u32,vec<u8>,option<bool>)").unwrap();
        let bytes = encode_value(&ty, "(1,[2,3],some(true))").unwrap();
        assert_eq!(bytes, (1u32, vec![2u8, 3], Some(true)).encode());
        assert_eq!(
            encode_args(&selector("transfer"), &["u128=5".into()]).unwrap(),
            [&[0xa4, 0x4d, 0xcb, 0x4d][..], &5u128.encode()].concat()
        );
    }

    #[test]
    fn bad_types_and_values_are_refused() {
        for bad in [
            "u7",
            "vec<u8",
            "option<>",
            "(u8,",
            "result<u8>",
            "u8 u8",
            "",
        ] {
            assert!(parse_type(bad).is_err(), "{bad}");
        }
        let deep = format!("{}u8{}", "vec<".repeat(40), ">".repeat(40));
        assert!(parse_type(&deep).unwrap_err().contains("nest"));
        for (ty, value) in [
            ("u8", "256"),
            ("i8", "-129"),
            ("u64", "-1"),
            ("bool", "yes"),
            ("account", "hm1nope"),
            ("hash", "0x01"),
            ("bytes", "0xzz"),
            ("vec<u8>", "[1,2"),
            ("option<u8>", "maybe"),
            ("(u8,u8)", "(1)"),
            ("u8", "1 2"),
        ] {
            let ty = parse_type(ty).unwrap();
            assert!(encode_value(&ty, value).is_err(), "{ty:?} {value}");
        }
        assert!(encode_args(&[], &["u8".into()])
            .unwrap_err()
            .contains("TYPE=VALUE"));
    }

    #[test]
    fn hostile_outputs_do_not_decode() {
        let vec_u8 = parse_type("vec<u8>").unwrap();
        // A length prefix of 2^30 with 2 bytes behind it.
        assert!(decode_value(&vec_u8, &[0xfe, 0xff, 0xff, 0xff, 1, 2]).is_err());
        let u32_ty = parse_type("u32").unwrap();
        assert!(decode_value(&u32_ty, &[1, 2, 3]).is_err());
        assert!(decode_value(&u32_ty, &[1, 2, 3, 4, 5])
            .unwrap_err()
            .contains("left over"));
        assert!(decode_value(&parse_type("bool").unwrap(), &[2]).is_err());
    }

    #[test]
    fn reverts_are_described() {
        assert_eq!(describe_revert(b"hm:non-payable"), "hm:non-payable");
        assert_eq!(describe_revert(&[1]), "0x01 (error variant 1)");
        assert_eq!(describe_revert(&[1, 2]), "0x0102");
    }
}
