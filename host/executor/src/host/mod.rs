//! The `hm` host functions: per-store state, gas charging, checked memory access and
//! registration in the linker.
//!
//! Every host function follows the same order: charge its fixed gas, enforce ABI size
//! caps, bounds-check each pointer/length against linear memory, charge the per-byte gas
//! for what passed those checks, then do the work. So a bad pointer is reported as such
//! rather than as running out of gas, and no work happens before it is paid for. Failures end the frame through a
//! [`HostTrap`] error, never a panic.

pub(crate) mod abi;
mod crypto;
pub(crate) mod debug;
mod effects;
mod io;
mod storage;

use crate::config::GasSchedule;
use crate::env::ContractEnv;
use std::fmt;
use std::ops::Range;
use std::ptr::NonNull;
use wasmtime::{Caller, Linker, Memory, StoreLimits};

pub(crate) type Cx<'a> = Caller<'a, HostState>;

/// `&mut dyn ContractEnv` with its lifetime erased, because `Store<T>` needs `T: 'static`.
///
/// SAFETY contract: an `EnvPtr` is only created in `Executor::execute` from the
/// `&mut dyn ContractEnv` argument, is stored only in the `HostState` of a `Store` that
/// `execute` creates and drops before it returns, and is never copied out of it. The
/// pointee therefore outlives every use, and the exclusive borrow held by `execute`
/// guarantees no other access while the store runs.
pub(crate) struct EnvPtr(NonNull<dyn ContractEnv + 'static>);

impl EnvPtr {
    /// # Safety
    /// The returned value must not outlive `env` (see the type's safety contract).
    pub(crate) unsafe fn new(env: &mut dyn ContractEnv) -> Self {
        let ptr: NonNull<dyn ContractEnv + '_> = NonNull::from(env);
        // SAFETY: only the trait-object lifetime bound changes; layout is identical.
        // Validity for the store's lifetime is the caller's obligation (above).
        Self(unsafe {
            std::mem::transmute::<NonNull<dyn ContractEnv + '_>, NonNull<dyn ContractEnv + 'static>>(
                ptr,
            )
        })
    }
}

/// Output recorded by `return_value`.
pub(crate) struct ReturnedValue {
    pub reverted: bool,
    pub data: Vec<u8>,
}

/// Data of one execution's `Store`.
pub(crate) struct HostState {
    env: EnvPtr,
    pub(crate) schedule: GasSchedule,
    pub(crate) limits: StoreLimits,
    pub(crate) memory: Option<Memory>,
    pub(crate) input: Vec<u8>,
    /// Output of the last nested `call`/`instantiate`.
    pub(crate) return_data: Vec<u8>,
    pub(crate) returned: Option<ReturnedValue>,
}

impl HostState {
    pub(crate) fn new(
        env: EnvPtr,
        schedule: GasSchedule,
        limits: StoreLimits,
        input: Vec<u8>,
    ) -> Self {
        Self {
            env,
            schedule,
            limits,
            memory: None,
            input,
            return_data: Vec::new(),
            returned: None,
        }
    }

    pub(crate) fn env(&mut self) -> &mut dyn ContractEnv {
        // SAFETY: see `EnvPtr`; `&mut self` makes this the only live reference.
        unsafe { self.env.0.as_mut() }
    }
}

/// Why a host function ended the frame.
#[derive(Debug)]
pub(crate) enum HostTrap {
    /// `return_value` was called; the output is in `HostState::returned`.
    Returned,
    OutOfGas,
    BadPointer(&'static str),
    Limit(String),
    Env(String),
    Fatal(String),
}

impl fmt::Display for HostTrap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HostTrap::Returned => f.write_str("frame returned"),
            HostTrap::OutOfGas => f.write_str("out of gas in a host function"),
            HostTrap::BadPointer(func) => {
                write!(f, "`hm.{func}`: pointer/length outside linear memory")
            }
            HostTrap::Limit(msg) | HostTrap::Env(msg) | HostTrap::Fatal(msg) => f.write_str(msg),
        }
    }
}

impl std::error::Error for HostTrap {}

pub(crate) type HostResult<T> = Result<T, HostTrap>;

fn fatal(e: impl fmt::Display) -> HostTrap {
    HostTrap::Fatal(e.to_string())
}

/// `base + per_unit * units`, saturating: an absurd length simply runs out of gas.
pub(crate) fn price(base: u64, per_unit: u64, units: usize) -> u64 {
    per_unit
        .saturating_mul(u64::try_from(units).unwrap_or(u64::MAX))
        .saturating_add(base)
}

/// Take `amount` gas (plus the per-call base) from the frame's fuel, or trap out of gas
/// with the fuel drained.
pub(crate) fn charge(cx: &mut Cx<'_>, amount: u64) -> HostResult<()> {
    let amount = amount.saturating_add(cx.data().schedule.host_call_base);
    let left = cx.get_fuel().map_err(fatal)?;
    match left.checked_sub(amount) {
        Some(rest) => cx.set_fuel(rest).map_err(fatal),
        None => {
            cx.set_fuel(0).map_err(fatal)?;
            Err(HostTrap::OutOfGas)
        }
    }
}

/// Take gas without the per-call base (for costs known only after the work started,
/// like the callee's gas or a value's length).
pub(crate) fn charge_more(cx: &mut Cx<'_>, amount: u64) -> HostResult<()> {
    let left = cx.get_fuel().map_err(fatal)?;
    match left.checked_sub(amount) {
        Some(rest) => cx.set_fuel(rest).map_err(fatal),
        None => {
            cx.set_fuel(0).map_err(fatal)?;
            Err(HostTrap::OutOfGas)
        }
    }
}

/// Take `per_byte(schedule) * n` gas, for bytes already bounds-checked.
pub(crate) fn charge_bytes(
    cx: &mut Cx<'_>,
    per_byte: fn(&GasSchedule) -> u64,
    n: usize,
) -> HostResult<()> {
    let cost = price(0, per_byte(&cx.data().schedule), n);
    charge_more(cx, cost)
}

/// A wasm `i32` length: negative values read as huge unsigned ones and fail bounds checks.
pub(crate) fn len_arg(len: i32) -> usize {
    len as u32 as usize
}

/// `ptr..ptr+len` if it lies inside a memory of `mem_len` bytes.
pub(crate) fn checked_range(
    func: &'static str,
    ptr: i32,
    len: usize,
    mem_len: usize,
) -> HostResult<Range<usize>> {
    let start = ptr as u32 as usize;
    match start.checked_add(len) {
        Some(end) if end <= mem_len => Ok(start..end),
        _ => Err(HostTrap::BadPointer(func)),
    }
}

pub(crate) fn memory(cx: &Cx<'_>) -> HostResult<Memory> {
    cx.data()
        .memory
        .ok_or_else(|| HostTrap::Fatal("contract memory not bound".into()))
}

/// Copy `len` bytes at `ptr` out of linear memory: bounds first, then `copy_per_byte`
/// gas, then the copy.
pub(crate) fn read_bytes(
    cx: &mut Cx<'_>,
    func: &'static str,
    ptr: i32,
    len: usize,
) -> HostResult<Vec<u8>> {
    check_region(cx, func, ptr, len)?;
    let cost = price(0, cx.data().schedule.copy_per_byte, len);
    charge_more(cx, cost)?;
    let data = memory(cx)?.data(&*cx);
    let range = checked_range(func, ptr, len, data.len())?;
    data.get(range)
        .map(<[u8]>::to_vec)
        .ok_or(HostTrap::BadPointer(func))
}

/// Read a fixed-size value (address, balance, hash) at `ptr`.
pub(crate) fn read_array<const N: usize>(
    cx: &mut Cx<'_>,
    func: &'static str,
    ptr: i32,
) -> HostResult<[u8; N]> {
    let bytes = read_bytes(cx, func, ptr, N)?;
    <[u8; N]>::try_from(bytes.as_slice()).map_err(|_| HostTrap::BadPointer(func))
}

/// Copy `bytes` into linear memory at `ptr`: bounds first, then `copy_per_byte` gas.
pub(crate) fn write_bytes(
    cx: &mut Cx<'_>,
    func: &'static str,
    ptr: i32,
    bytes: &[u8],
) -> HostResult<()> {
    check_region(cx, func, ptr, bytes.len())?;
    let cost = price(0, cx.data().schedule.copy_per_byte, bytes.len());
    charge_more(cx, cost)?;
    let data = memory(cx)?.data_mut(&mut *cx);
    let range = checked_range(func, ptr, bytes.len(), data.len())?;
    data.get_mut(range)
        .ok_or(HostTrap::BadPointer(func))?
        .copy_from_slice(bytes);
    Ok(())
}

/// Check that `ptr..ptr+len` is inside memory without reading it.
pub(crate) fn check_region(
    cx: &Cx<'_>,
    func: &'static str,
    ptr: i32,
    len: usize,
) -> HostResult<()> {
    let mem_len = memory(cx)?.data(cx).len();
    checked_range(func, ptr, len, mem_len).map(|_| ())
}

/// Lengths the ABI returns as `i32`.
pub(crate) fn len_result(len: usize) -> HostResult<i32> {
    i32::try_from(len).map_err(|_| HostTrap::Limit(format!("length {len} exceeds i32")))
}

pub(crate) fn optional_len(len: Option<u32>) -> HostResult<i32> {
    match len {
        Some(l) => i32::try_from(l).map_err(|_| HostTrap::Limit(format!("length {l} exceeds i32"))),
        None => Ok(-1),
    }
}

macro_rules! host_fn {
    ($linker:ident, $name:literal, $f:path, ($($arg:ident : $ty:ty),*)) => {
        $linker.func_wrap(
            abi::HOST_MODULE,
            $name,
            |mut cx: Caller<'_, HostState>, $($arg: $ty),*| {
                $f(&mut cx, $($arg),*).map_err(wasmtime::Error::new)
            },
        )?;
    };
}

/// Define every function of [`abi::HOST_FUNCTIONS`] in `linker`.
pub(crate) fn link(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    host_fn!(linker, "input_len", io::input_len, ());
    host_fn!(linker, "input_read", io::input_read, (p: i32));
    host_fn!(linker, "return_value", io::return_value, (f: i32, p: i32, l: i32));
    host_fn!(linker, "storage_get", storage::get, (k: i32, kl: i32, o: i32, c: i32));
    host_fn!(linker, "storage_set", storage::set, (k: i32, kl: i32, v: i32, vl: i32));
    host_fn!(linker, "storage_remove", storage::remove, (k: i32, kl: i32));
    host_fn!(linker, "storage_contains", storage::contains, (k: i32, kl: i32));
    host_fn!(linker, "caller", io::caller, (p: i32));
    host_fn!(linker, "address", io::address, (p: i32));
    host_fn!(linker, "value_transferred", io::value_transferred, (p: i32));
    host_fn!(linker, "balance", io::balance, (p: i32));
    host_fn!(linker, "block_number", io::block_number, ());
    host_fn!(linker, "timestamp", io::timestamp, ());
    host_fn!(linker, "gas_left", io::gas_left, ());
    host_fn!(linker, "transfer", effects::transfer, (to: i32, v: i32));
    host_fn!(linker, "deposit_event", effects::deposit_event, (t: i32, tc: i32, d: i32, dl: i32));
    host_fn!(linker, "call", effects::call, (c: i32, v: i32, g: i64, i: i32, il: i32));
    host_fn!(
        linker,
        "instantiate",
        effects::instantiate,
        (h: i32, v: i32, g: i64, i: i32, il: i32, s: i32, sl: i32, out: i32)
    );
    host_fn!(linker, "call_runtime", effects::call_runtime, (c: i32, cl: i32));
    host_fn!(linker, "return_data_len", io::return_data_len, ());
    host_fn!(linker, "return_data_read", io::return_data_read, (p: i32));
    host_fn!(linker, "blake3", crypto::blake3, (p: i32, l: i32, out: i32));
    host_fn!(
        linker,
        "falcon_verify",
        crypto::falcon_verify,
        (pk: i32, pkl: i32, m: i32, ml: i32, s: i32, sl: i32)
    );
    host_fn!(linker, "debug_log", crypto::debug_log, (p: i32, l: i32));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_reject_overflow_and_negative_lengths() {
        assert_eq!(checked_range("f", 0, 10, 10).ok(), Some(0..10));
        assert!(checked_range("f", 1, 10, 10).is_err());
        assert!(checked_range("f", -1, 1, 1 << 20).is_err());
        assert!(checked_range("f", 0, len_arg(-1), 1 << 20).is_err());
        assert!(checked_range("f", i32::MAX, len_arg(i32::MAX), usize::MAX).is_ok());
        assert_eq!(checked_range("f", 10, 0, 10).ok(), Some(10..10));
        assert!(checked_range("f", 11, 0, 10).is_err());
    }

    #[test]
    fn price_saturates() {
        assert_eq!(price(5, 2, 3), 11);
        assert_eq!(price(5, u64::MAX, 2), u64::MAX);
    }
}
