//! Contract-private storage: keys ≤ 128 B, values ≤ 16 KiB.

use super::{
    charge, charge_bytes, check_region, len_arg, optional_len, read_bytes, write_bytes, Cx,
    HostResult, HostTrap,
};
use crate::config::{MAX_STORAGE_KEY_BYTES, MAX_STORAGE_VALUE_BYTES};
use crate::env::EnvError;

pub(super) fn env_error(e: EnvError) -> HostTrap {
    match e {
        EnvError::Trap(msg) => HostTrap::Env(msg),
        EnvError::Fatal(msg) => HostTrap::Fatal(msg),
    }
}

fn read_key(cx: &mut Cx<'_>, func: &'static str, ptr: i32, len: i32) -> HostResult<Vec<u8>> {
    let len = len_arg(len);
    if len > MAX_STORAGE_KEY_BYTES {
        return Err(HostTrap::Limit(format!(
            "`hm.{func}`: storage key of {len} bytes exceeds {MAX_STORAGE_KEY_BYTES}"
        )));
    }
    read_bytes(cx, func, ptr, len)
}

pub(super) fn get(
    cx: &mut Cx<'_>,
    key_ptr: i32,
    key_len: i32,
    out_ptr: i32,
    out_cap: i32,
) -> HostResult<i32> {
    let cost = cx.data().schedule.storage_read_base;
    charge(cx, cost)?;
    let key = read_key(cx, "storage_get", key_ptr, key_len)?;
    let out_cap = len_arg(out_cap);
    check_region(cx, "storage_get", out_ptr, out_cap)?;
    charge_bytes(cx, |s| s.storage_read_per_byte, key.len())?;
    let Some(value) = cx.data_mut().env().storage_get(&key) else {
        return Ok(-1);
    };
    charge_bytes(cx, |s| s.storage_read_per_byte, value.len())?;
    if value.len() <= out_cap {
        write_bytes(cx, "storage_get", out_ptr, &value)?;
    }
    super::len_result(value.len())
}

pub(super) fn set(
    cx: &mut Cx<'_>,
    key_ptr: i32,
    key_len: i32,
    val_ptr: i32,
    val_len: i32,
) -> HostResult<i32> {
    let cost = cx.data().schedule.storage_write_base;
    charge(cx, cost)?;
    let key = read_key(cx, "storage_set", key_ptr, key_len)?;
    let val_len = len_arg(val_len);
    if val_len > MAX_STORAGE_VALUE_BYTES {
        return Err(HostTrap::Limit(format!(
            "`hm.storage_set`: value of {val_len} bytes exceeds {MAX_STORAGE_VALUE_BYTES}"
        )));
    }
    let value = read_bytes(cx, "storage_set", val_ptr, val_len)?;
    charge_bytes(cx, |s| s.storage_write_per_byte, key.len() + value.len())?;
    let previous = cx
        .data_mut()
        .env()
        .storage_set(&key, &value)
        .map_err(env_error)?;
    optional_len(previous)
}

pub(super) fn remove(cx: &mut Cx<'_>, key_ptr: i32, key_len: i32) -> HostResult<i32> {
    let cost = cx.data().schedule.storage_write_base;
    charge(cx, cost)?;
    let key = read_key(cx, "storage_remove", key_ptr, key_len)?;
    charge_bytes(cx, |s| s.storage_write_per_byte, key.len())?;
    let previous = cx
        .data_mut()
        .env()
        .storage_remove(&key)
        .map_err(env_error)?;
    optional_len(previous)
}

pub(super) fn contains(cx: &mut Cx<'_>, key_ptr: i32, key_len: i32) -> HostResult<i32> {
    let cost = cx.data().schedule.storage_read_base;
    charge(cx, cost)?;
    let key = read_key(cx, "storage_contains", key_ptr, key_len)?;
    charge_bytes(cx, |s| s.storage_read_per_byte, key.len())?;
    let len = cx.data_mut().env().storage_len(&key);
    optional_len(len)
}
