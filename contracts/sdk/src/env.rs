//! Safe wrappers over the `hm` host functions (wasm32 only).
//!
//! Every wrapper passes pointers to buffers it owns, so the host never sees an out-of-range
//! pointer from this SDK. Results the ABI defines as lengths or `-1` become `Option`s; a
//! value the ABI does not allow (a negative length other than `-1`) means the host broke
//! the ABI, and the frame traps rather than guess.

use alloc::vec::Vec;

use crate::call::CallError;
use crate::{sys, AccountId, Balance, Hash};

/// Revert flag of `return_value` (bit 0 of `flags`).
const FLAG_REVERT: i32 = 1;

/// Buffer size tried first by [`storage_get`]; larger values cost a second host call.
const STORAGE_READ_GUESS: usize = 128;

/// Stops the frame with a wasm trap (status 2 for the caller).
pub(crate) fn trap() -> ! {
    core::arch::wasm32::unreachable()
}

/// Slices live in a memory of at most 1 MiB, so their length always fits; saturating keeps
/// the conversion total, and the host rejects an out-of-range length by trapping.
fn len_i32(len: usize) -> i32 {
    i32::try_from(len).unwrap_or(i32::MAX)
}

/// Maps an ABI "length or -1" result.
fn optional_len(result: i32) -> Option<usize> {
    match result {
        -1 => None,
        n => match usize::try_from(n) {
            Ok(len) => Some(len),
            Err(_) => trap(),
        },
    }
}

/// Reads a host-written buffer of `len` bytes with `read`.
fn read_exact(len: usize, read: impl FnOnce(*mut u8)) -> Vec<u8> {
    let mut buf = Vec::with_capacity(len);
    read(buf.as_mut_ptr());
    // SAFETY: the host wrote exactly `len` bytes (the ABI's contract for these readers).
    unsafe { buf.set_len(len) };
    buf
}

/// Generic over the reader (not a fn pointer) so calls stay direct: no table, no
/// `call_indirect`.
fn read_32(read: impl FnOnce(*mut u8)) -> [u8; 32] {
    let mut out = [0u8; 32];
    read(out.as_mut_ptr());
    out
}

fn read_u128(read: impl FnOnce(*mut u8)) -> u128 {
    let mut out = [0u8; 16];
    read(out.as_mut_ptr());
    u128::from_le_bytes(out)
}

/// The whole call (or deploy) input.
pub fn input() -> Vec<u8> {
    // SAFETY: no pointers involved.
    let len = optional_len(unsafe { sys::input_len() }).unwrap_or_else(|| trap());
    // SAFETY: the buffer has room for `len` bytes.
    read_exact(len, |ptr| unsafe { sys::input_read(ptr) })
}

/// Ends the frame successfully with `data` as its output.
pub fn return_value(data: &[u8]) -> ! {
    // SAFETY: `data` is a live slice.
    unsafe { sys::return_value(0, data.as_ptr(), len_i32(data.len())) }
}

/// Ends the frame with `data` as output and rolls back its state changes and events.
pub fn revert(data: &[u8]) -> ! {
    // SAFETY: `data` is a live slice.
    unsafe { sys::return_value(FLAG_REVERT, data.as_ptr(), len_i32(data.len())) }
}

/// The value stored under `key`, if any.
pub fn storage_get(key: &[u8]) -> Option<Vec<u8>> {
    let mut buf: Vec<u8> = Vec::with_capacity(STORAGE_READ_GUESS);
    // SAFETY: `key` is live; `buf` has `STORAGE_READ_GUESS` writable bytes.
    let len = optional_len(unsafe {
        sys::storage_get(
            key.as_ptr(),
            len_i32(key.len()),
            buf.as_mut_ptr(),
            len_i32(STORAGE_READ_GUESS),
        )
    })?;
    if len > STORAGE_READ_GUESS {
        buf.reserve_exact(len);
        // SAFETY: as above, with room for the now known `len` bytes.
        let again = optional_len(unsafe {
            sys::storage_get(
                key.as_ptr(),
                len_i32(key.len()),
                buf.as_mut_ptr(),
                len_i32(len),
            )
        });
        if again != Some(len) {
            trap();
        }
    }
    // SAFETY: the host copied `len` bytes, and `len` is within the capacity.
    unsafe { buf.set_len(len) };
    Some(buf)
}

/// Stores `value` under `key`; returns the previous value's length.
pub fn storage_set(key: &[u8], value: &[u8]) -> Option<usize> {
    // SAFETY: both slices are live.
    optional_len(unsafe {
        sys::storage_set(
            key.as_ptr(),
            len_i32(key.len()),
            value.as_ptr(),
            len_i32(value.len()),
        )
    })
}

/// Removes `key`; returns the removed value's length.
pub fn storage_remove(key: &[u8]) -> Option<usize> {
    // SAFETY: `key` is live.
    optional_len(unsafe { sys::storage_remove(key.as_ptr(), len_i32(key.len())) })
}

/// The length of the value under `key`, if any, without reading it.
pub fn storage_contains(key: &[u8]) -> Option<usize> {
    // SAFETY: `key` is live.
    optional_len(unsafe { sys::storage_contains(key.as_ptr(), len_i32(key.len())) })
}

/// The account that called this frame (a user or a contract).
pub fn caller() -> AccountId {
    // SAFETY: the host writes 32 bytes into the buffer `read_32` passes.
    AccountId(read_32(|ptr| unsafe { sys::caller(ptr) }))
}

/// This contract's own address.
pub fn address() -> AccountId {
    // SAFETY: the host writes 32 bytes into the buffer `read_32` passes.
    AccountId(read_32(|ptr| unsafe { sys::address(ptr) }))
}

/// CAES sent along with this call.
pub fn value_transferred() -> Balance {
    // SAFETY: the host writes 16 bytes into the buffer `read_u128` passes.
    read_u128(|ptr| unsafe { sys::value_transferred(ptr) })
}

/// This contract's free CAES balance.
pub fn balance() -> Balance {
    // SAFETY: the host writes 16 bytes into the buffer `read_u128` passes.
    read_u128(|ptr| unsafe { sys::balance(ptr) })
}

/// The current block's number.
pub fn block_number() -> u64 {
    // SAFETY: no pointers involved. The host never returns a negative number.
    u64::try_from(unsafe { sys::block_number() }).unwrap_or_else(|_| trap())
}

/// The current block's timestamp in milliseconds (from the header, so deterministic).
pub fn timestamp() -> u64 {
    // SAFETY: no pointers involved.
    u64::try_from(unsafe { sys::timestamp() }).unwrap_or_else(|_| trap())
}

/// Gas left to this frame.
pub fn gas_left() -> u64 {
    // SAFETY: no pointers involved.
    u64::try_from(unsafe { sys::gas_left() }).unwrap_or(0)
}

/// Sends `value` CAES from this contract to `to`.
pub fn transfer(to: &AccountId, value: Balance) -> Result<(), CallError> {
    let value = value.to_le_bytes();
    // SAFETY: 32- and 16-byte buffers, as the ABI requires.
    let status = unsafe { sys::transfer(to.0.as_ptr(), value.as_ptr()) };
    CallError::check(status, Vec::new)
}

/// Emits an event with up to four 32-byte topics. More than four topics traps, as the host
/// would.
pub fn deposit_event(topics: &[Hash], data: &[u8]) {
    if topics.len() > crate::event::MAX_TOPICS {
        trap();
    }
    // SAFETY: `[[u8; 32]]` is laid out as `topics.len() * 32` contiguous bytes.
    unsafe {
        sys::deposit_event(
            topics.as_ptr().cast::<u8>(),
            len_i32(topics.len()),
            data.as_ptr(),
            len_i32(data.len()),
        )
    }
}

/// Dispatches the SCALE-encoded runtime call `call` (build it with [`crate::runtime`])
/// with this contract as the signed origin. A failure rolls the call back and is
/// returned; the contract decides whether to revert.
pub fn call_runtime(call: &[u8]) -> Result<(), crate::runtime::RuntimeCallError> {
    // SAFETY: the buffer is live for the call.
    let status = unsafe { sys::call_runtime(call.as_ptr(), len_i32(call.len())) };
    crate::runtime::RuntimeCallError::check(status, return_data)
}

/// Output of the last `call`/`instantiate` (the callee's return or revert data), or the
/// error of the last failed `call_runtime`.
pub fn return_data() -> Vec<u8> {
    // SAFETY: no pointers involved.
    let len = optional_len(unsafe { sys::return_data_len() }).unwrap_or_else(|| trap());
    // SAFETY: the buffer has room for `len` bytes.
    read_exact(len, |ptr| unsafe { sys::return_data_read(ptr) })
}

/// Raw `call`: returns the status code; output via [`return_data`]. Prefer
/// [`crate::CallBuilder`].
pub fn call_raw(callee: &AccountId, value: Balance, gas_limit: u64, input: &[u8]) -> i32 {
    let value = value.to_le_bytes();
    // SAFETY: all buffers are live and of the sizes the ABI requires.
    unsafe {
        sys::call(
            callee.0.as_ptr(),
            value.as_ptr(),
            gas_to_i64(gas_limit),
            input.as_ptr(),
            len_i32(input.len()),
        )
    }
}

/// Raw `instantiate`: returns the status code and writes the new address to
/// `address_out` on success. Prefer [`crate::InstantiateBuilder`].
pub fn instantiate_raw(
    code_hash: &Hash,
    value: Balance,
    gas_limit: u64,
    input: &[u8],
    salt: &[u8],
    address_out: &mut AccountId,
) -> i32 {
    let value = value.to_le_bytes();
    // SAFETY: all buffers are live and of the sizes the ABI requires.
    unsafe {
        sys::instantiate(
            code_hash.as_ptr(),
            value.as_ptr(),
            gas_to_i64(gas_limit),
            input.as_ptr(),
            len_i32(input.len()),
            salt.as_ptr(),
            len_i32(salt.len()),
            address_out.0.as_mut_ptr(),
        )
    }
}

/// Gas above `i64::MAX` cannot exist in a frame, so saturating does not change meaning.
fn gas_to_i64(gas: u64) -> i64 {
    i64::try_from(gas).unwrap_or(i64::MAX)
}

/// BLAKE3-256 of `data`, computed by the host.
pub fn blake3(data: &[u8]) -> Hash {
    let mut out = [0u8; 32];
    // SAFETY: `data` is live; `out` has the 32 bytes the host writes.
    unsafe { sys::blake3(data.as_ptr(), len_i32(data.len()), out.as_mut_ptr()) };
    out
}

/// Whether `signature` is a valid Falcon signature of `message` under `public_key`.
pub fn falcon_verify(public_key: &[u8], message: &[u8], signature: &[u8]) -> bool {
    // SAFETY: all slices are live.
    let result = unsafe {
        sys::falcon_verify(
            public_key.as_ptr(),
            len_i32(public_key.len()),
            message.as_ptr(),
            len_i32(message.len()),
            signature.as_ptr(),
            len_i32(signature.len()),
        )
    };
    result == 1
}

/// Writes `message` to the node log on dev chains; a no-op elsewhere (still costs gas).
pub fn debug_log(message: &str) {
    // SAFETY: `message` is live.
    unsafe { sys::debug_log(message.as_ptr(), len_i32(message.len())) }
}
