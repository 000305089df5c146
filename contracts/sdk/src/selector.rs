//! Compile-time BLAKE3 for short names, and the selector scheme built on it.
//!
//! A message's selector is the first 4 bytes of `blake3(name)`, where `name` is the Rust
//! function name as written (`"transfer_from"`). An event's signature topic is the full
//! `blake3(name)` of its struct name. Both are evaluated in `const` context, so they cost
//! no code and no gas at run time. Only single-chunk inputs (≤ 1024 bytes) are supported,
//! which covers every identifier; a longer name is a compile-time error.

/// The 4-byte message selector: the first bytes of a contract call's input.
pub type Selector = [u8; 4];

/// Longest input the const hasher accepts (one BLAKE3 chunk).
pub const MAX_CONST_HASH_INPUT: usize = 1024;

const IV: [u32; 8] = [
    0x6A09_E667,
    0xBB67_AE85,
    0x3C6E_F372,
    0xA54F_F53A,
    0x510E_527F,
    0x9B05_688C,
    0x1F83_D9AB,
    0x5BE0_CD19,
];
const MSG_PERMUTATION: [usize; 16] = [2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8];
const CHUNK_START: u32 = 1;
const CHUNK_END: u32 = 2;
const ROOT: u32 = 8;
const BLOCK_LEN: usize = 64;

/// The selector of a message named `name`: `blake3(name)[..4]`. Call it in a `const` (or
/// use [`crate::selector!`]): outside one, the hash may be computed at run time.
pub const fn selector(name: &str) -> Selector {
    let hash = const_blake3(name.as_bytes());
    [hash[0], hash[1], hash[2], hash[3]]
}

/// The selector of message `$name`, always computed at compile time.
///
/// ```
/// const TRANSFER: hm_contract_sdk::Selector = hm_contract_sdk::selector("transfer");
/// assert_eq!(hm_contract_sdk::selector!("transfer"), TRANSFER);
/// ```
#[macro_export]
macro_rules! selector {
    ($name:expr) => {{
        const SELECTOR: $crate::Selector = $crate::selector::selector($name);
        SELECTOR
    }};
}

/// The first topic of an event named `name`: `blake3(name)`.
pub const fn event_signature(name: &str) -> [u8; 32] {
    const_blake3(name.as_bytes())
}

/// Fails compilation (when used in a `const`) if two names share a selector, including
/// the same name listed twice. The `contract!` macro calls it for every contract.
pub const fn assert_distinct_selectors(names: &[&str]) {
    let mut i = 0;
    while i < names.len() {
        let a = selector(names[i]);
        let mut j = i + 1;
        while j < names.len() {
            let b = selector(names[j]);
            if a[0] == b[0] && a[1] == b[1] && a[2] == b[2] && a[3] == b[3] {
                panic!("two contract messages have the same selector (rename one)");
            }
            j += 1;
        }
        i += 1;
    }
}

/// BLAKE3-256 of `input` (at most [`MAX_CONST_HASH_INPUT`] bytes), usable in `const`.
pub const fn const_blake3(input: &[u8]) -> [u8; 32] {
    assert!(
        input.len() <= MAX_CONST_HASH_INPUT,
        "const_blake3 input is longer than one chunk"
    );
    // One chunk: blocks chained through the chaining value; the last block is the root.
    let blocks = if input.is_empty() {
        1
    } else {
        input.len().div_ceil(BLOCK_LEN)
    };
    let mut cv = IV;
    let mut block = 0;
    loop {
        let start = block * BLOCK_LEN;
        let end = if start + BLOCK_LEN < input.len() {
            start + BLOCK_LEN
        } else {
            input.len()
        };
        let words = block_words(input, start, end);
        let mut flags = 0;
        if block == 0 {
            flags |= CHUNK_START;
        }
        let last = block + 1 == blocks;
        if last {
            flags |= CHUNK_END | ROOT;
        }
        let state = compress(&cv, &words, (end - start) as u32, flags);
        let mut i = 0;
        while i < 8 {
            cv[i] = state[i];
            i += 1;
        }
        if last {
            break;
        }
        block += 1;
    }
    let mut out = [0u8; 32];
    let mut i = 0;
    while i < 8 {
        let bytes = cv[i].to_le_bytes();
        out[4 * i] = bytes[0];
        out[4 * i + 1] = bytes[1];
        out[4 * i + 2] = bytes[2];
        out[4 * i + 3] = bytes[3];
        i += 1;
    }
    out
}

/// Little-endian words of `input[start..end]`, zero-padded to a full block.
const fn block_words(input: &[u8], start: usize, end: usize) -> [u32; 16] {
    let mut bytes = [0u8; BLOCK_LEN];
    let mut i = start;
    while i < end {
        bytes[i - start] = input[i];
        i += 1;
    }
    let mut words = [0u32; 16];
    let mut w = 0;
    while w < 16 {
        words[w] = u32::from_le_bytes([
            bytes[4 * w],
            bytes[4 * w + 1],
            bytes[4 * w + 2],
            bytes[4 * w + 3],
        ]);
        w += 1;
    }
    words
}

const fn g(state: &mut [u32; 16], a: usize, b: usize, c: usize, d: usize, x: u32, y: u32) {
    state[a] = state[a].wrapping_add(state[b]).wrapping_add(x);
    state[d] = (state[d] ^ state[a]).rotate_right(16);
    state[c] = state[c].wrapping_add(state[d]);
    state[b] = (state[b] ^ state[c]).rotate_right(12);
    state[a] = state[a].wrapping_add(state[b]).wrapping_add(y);
    state[d] = (state[d] ^ state[a]).rotate_right(8);
    state[c] = state[c].wrapping_add(state[d]);
    state[b] = (state[b] ^ state[c]).rotate_right(7);
}

/// The BLAKE3 compression function (chunk counter 0: single-chunk inputs only).
const fn compress(cv: &[u32; 8], block: &[u32; 16], block_len: u32, flags: u32) -> [u32; 16] {
    let mut state = [
        cv[0], cv[1], cv[2], cv[3], cv[4], cv[5], cv[6], cv[7], IV[0], IV[1], IV[2], IV[3], 0, 0,
        block_len, flags,
    ];
    let mut m = *block;
    let mut round = 0;
    while round < 7 {
        g(&mut state, 0, 4, 8, 12, m[0], m[1]);
        g(&mut state, 1, 5, 9, 13, m[2], m[3]);
        g(&mut state, 2, 6, 10, 14, m[4], m[5]);
        g(&mut state, 3, 7, 11, 15, m[6], m[7]);
        g(&mut state, 0, 5, 10, 15, m[8], m[9]);
        g(&mut state, 1, 6, 11, 12, m[10], m[11]);
        g(&mut state, 2, 7, 8, 13, m[12], m[13]);
        g(&mut state, 3, 4, 9, 14, m[14], m[15]);
        let mut permuted = [0u32; 16];
        let mut i = 0;
        while i < 16 {
            permuted[i] = m[MSG_PERMUTATION[i]];
            i += 1;
        }
        m = permuted;
        round += 1;
    }
    let mut i = 0;
    while i < 8 {
        state[i] ^= state[i + 8];
        state[i + 8] ^= cv[i];
        i += 1;
    }
    state
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(len: usize) -> std::vec::Vec<u8> {
        (0..len).map(|i| (i % 251) as u8).collect()
    }

    #[test]
    fn const_blake3_matches_reference_for_every_single_chunk_length() {
        for len in 0..=MAX_CONST_HASH_INPUT {
            let data = pattern(len);
            assert_eq!(
                const_blake3(&data),
                *blake3::hash(&data).as_bytes(),
                "length {len}"
            );
        }
    }

    #[test]
    fn selector_is_the_first_four_bytes_of_blake3_of_the_name() {
        for name in ["transfer", "transfer_from", "balance_of", "a", ""] {
            let full = blake3::hash(name.as_bytes());
            assert_eq!(selector(name), full.as_bytes()[..4], "{name}");
        }
        // Pinned (and listed in contracts/README.md) so a change to the scheme cannot go
        // unnoticed by off-chain encoders.
        const TRANSFER: Selector = selector("transfer");
        assert_eq!(TRANSFER, [0xa4, 0x4d, 0xcb, 0x4d]);
        assert_eq!(crate::selector!("balance_of"), [0xc8, 0x81, 0x9c, 0x61]);
        assert_eq!(selector("transfer_from"), [0xf4, 0x77, 0x82, 0x15]);
    }

    #[test]
    fn event_signature_is_blake3_of_the_name() {
        assert_eq!(
            event_signature("Transfer"),
            *blake3::hash(b"Transfer").as_bytes()
        );
    }

    #[test]
    fn distinct_selectors_pass() {
        const _: () = assert_distinct_selectors(&["transfer", "approve", "transfer_from"]);
        assert_distinct_selectors(&[]);
    }

    #[test]
    #[should_panic(expected = "same selector")]
    fn duplicate_names_are_rejected() {
        assert_distinct_selectors(&["transfer", "approve", "transfer"]);
    }

    #[test]
    #[should_panic(expected = "longer than one chunk")]
    fn over_long_const_input_is_rejected() {
        let _ = const_blake3(&[0u8; MAX_CONST_HASH_INPUT + 1]);
    }
}
