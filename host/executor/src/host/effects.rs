//! Effects: transfers, events, nested calls and instantiation.

use super::storage::env_error;
use super::{
    charge, charge_bytes, charge_more, check_region, len_arg, read_array, read_bytes, write_bytes,
    Cx, HostResult, HostTrap,
};
use crate::config::{MAX_EVENT_DATA_BYTES, MAX_EVENT_TOPICS, MAX_RUNTIME_CALL_BYTES};
use crate::env::{CallResult, CallStatus, RuntimeCallOutcome};
use hm_primitives::{AccountId, H256};

pub(super) fn transfer(cx: &mut Cx<'_>, to_ptr: i32, value_ptr: i32) -> HostResult<i32> {
    let cost = cx.data().schedule.transfer;
    charge(cx, cost)?;
    let to = AccountId(read_array::<32>(cx, "transfer", to_ptr)?);
    let value = u128::from_le_bytes(read_array::<16>(cx, "transfer", value_ptr)?);
    let status = cx
        .data_mut()
        .env()
        .transfer(&to, value)
        .map_err(env_error)?;
    Ok(status.code())
}

pub(super) fn deposit_event(
    cx: &mut Cx<'_>,
    topics_ptr: i32,
    topic_count: i32,
    data_ptr: i32,
    data_len: i32,
) -> HostResult<()> {
    let cost = cx.data().schedule.event_base;
    charge(cx, cost)?;
    let (topic_count, data_len) = (len_arg(topic_count), len_arg(data_len));
    if topic_count > MAX_EVENT_TOPICS {
        return Err(HostTrap::Limit(format!(
            "`hm.deposit_event`: {topic_count} topics exceed {MAX_EVENT_TOPICS}"
        )));
    }
    if data_len > MAX_EVENT_DATA_BYTES {
        return Err(HostTrap::Limit(format!(
            "`hm.deposit_event`: {data_len} data bytes exceed {MAX_EVENT_DATA_BYTES}"
        )));
    }
    let raw = read_bytes(cx, "deposit_event", topics_ptr, topic_count * 32)?;
    let data = read_bytes(cx, "deposit_event", data_ptr, data_len)?;
    charge_bytes(cx, |s| s.event_per_topic, topic_count)?;
    charge_bytes(cx, |s| s.event_per_byte, data_len)?;
    let topics = raw
        .chunks_exact(32)
        .filter_map(|c| <[u8; 32]>::try_from(c).ok().map(H256))
        .collect();
    cx.data_mut()
        .env()
        .deposit_event(topics, data)
        .map_err(env_error)
}

/// Gas the callee may use: `0` means everything left, larger requests are clamped.
fn callee_gas(cx: &Cx<'_>, requested: i64) -> HostResult<u64> {
    let left = cx.get_fuel().map_err(|e| HostTrap::Fatal(e.to_string()))?;
    Ok(match requested as u64 {
        0 => left,
        r => r.min(left),
    })
}

/// Charge what the callee used and keep its output as return data.
fn settle(cx: &mut Cx<'_>, limit: u64, result: CallResult) -> HostResult<CallStatus> {
    charge_more(cx, result.gas_used.min(limit))?;
    cx.data_mut().return_data = result.output;
    Ok(result.status)
}

pub(super) fn call(
    cx: &mut Cx<'_>,
    callee_ptr: i32,
    value_ptr: i32,
    gas_limit: i64,
    input_ptr: i32,
    input_len: i32,
) -> HostResult<i32> {
    let cost = cx.data().schedule.call_base;
    charge(cx, cost)?;
    let callee = AccountId(read_array::<32>(cx, "call", callee_ptr)?);
    let value = u128::from_le_bytes(read_array::<16>(cx, "call", value_ptr)?);
    let input = read_bytes(cx, "call", input_ptr, len_arg(input_len))?;
    let limit = callee_gas(cx, gas_limit)?;
    let result = cx
        .data_mut()
        .env()
        .call(&callee, value, limit, &input)
        .map_err(env_error)?;
    Ok(settle(cx, limit, result)?.code())
}

#[allow(clippy::too_many_arguments)] // the ABI's signature
pub(super) fn instantiate(
    cx: &mut Cx<'_>,
    code_hash_ptr: i32,
    value_ptr: i32,
    gas_limit: i64,
    input_ptr: i32,
    input_len: i32,
    salt_ptr: i32,
    salt_len: i32,
    address_out_ptr: i32,
) -> HostResult<i32> {
    const F: &str = "instantiate";
    let cost = cx.data().schedule.instantiate_base;
    charge(cx, cost)?;
    let code_hash = H256(read_array::<32>(cx, F, code_hash_ptr)?);
    let value = u128::from_le_bytes(read_array::<16>(cx, F, value_ptr)?);
    let input = read_bytes(cx, F, input_ptr, len_arg(input_len))?;
    let salt = read_bytes(cx, F, salt_ptr, len_arg(salt_len))?;
    // Checked before deploying so a bad pointer cannot strand a fresh contract.
    check_region(cx, F, address_out_ptr, 32)?;
    let limit = callee_gas(cx, gas_limit)?;
    let (result, address) = cx
        .data_mut()
        .env()
        .instantiate(&code_hash, value, limit, &input, &salt)
        .map_err(env_error)?;
    let status = settle(cx, limit, result)?;
    if status == CallStatus::Success {
        write_bytes(cx, F, address_out_ptr, &address.0)?;
    }
    Ok(status.code())
}

/// Dispatch a runtime call as this contract. The call's declared weight must fit in the
/// gas left (else the frame runs out of gas and nothing ran); its actual weight is
/// charged. A failed call leaves `(pallet index, error index)` as return data.
pub(super) fn call_runtime(cx: &mut Cx<'_>, call_ptr: i32, call_len: i32) -> HostResult<i32> {
    const F: &str = "call_runtime";
    let cost = cx.data().schedule.call_runtime_base;
    charge(cx, cost)?;
    let call_len = len_arg(call_len);
    if call_len > MAX_RUNTIME_CALL_BYTES {
        return Err(HostTrap::Limit(format!(
            "`hm.call_runtime`: a call of {call_len} bytes exceeds {MAX_RUNTIME_CALL_BYTES}"
        )));
    }
    let call = read_bytes(cx, F, call_ptr, call_len)?;
    let gas_left = cx.get_fuel().map_err(|e| HostTrap::Fatal(e.to_string()))?;
    let outcome = cx
        .data_mut()
        .env()
        .call_runtime(&call, gas_left)
        .map_err(env_error)?;
    let (status, return_data) = match outcome {
        RuntimeCallOutcome::Dispatched { gas_used, error } => {
            charge_more(cx, gas_used)?;
            match error {
                None => (CallStatus::Success, Vec::new()),
                Some((pallet, error)) => (CallStatus::RuntimeCallFailed, vec![pallet, error]),
            }
        }
        RuntimeCallOutcome::Refused => (CallStatus::RuntimeCallRefused, Vec::new()),
        RuntimeCallOutcome::OutOfGas => {
            charge_more(cx, u64::MAX)?;
            return Err(HostTrap::OutOfGas);
        }
    };
    cx.data_mut().return_data = return_data;
    Ok(status.code())
}
