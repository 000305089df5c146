//! Input, output, context getters, gas and return data.

use super::{charge, len_arg, read_bytes, write_bytes, Cx, HostResult, HostTrap, ReturnedValue};

pub(super) fn input_len(cx: &mut Cx<'_>) -> HostResult<i32> {
    charge(cx, 0)?;
    super::len_result(cx.data().input.len())
}

pub(super) fn input_read(cx: &mut Cx<'_>, out_ptr: i32) -> HostResult<()> {
    charge(cx, 0)?;
    // Moved out and back so it can be written without cloning.
    let input = std::mem::take(&mut cx.data_mut().input);
    let written = write_bytes(cx, "input_read", out_ptr, &input);
    cx.data_mut().input = input;
    written
}

pub(super) fn return_value(cx: &mut Cx<'_>, flags: i32, ptr: i32, len: i32) -> HostResult<()> {
    charge(cx, 0)?;
    let data = read_bytes(cx, "return_value", ptr, len_arg(len))?;
    cx.data_mut().returned = Some(ReturnedValue {
        reverted: flags & 1 != 0,
        data,
    });
    Err(HostTrap::Returned)
}

pub(super) fn caller(cx: &mut Cx<'_>, out_ptr: i32) -> HostResult<()> {
    charge(cx, 0)?;
    let who = cx.data_mut().env().caller();
    write_bytes(cx, "caller", out_ptr, &who.0)
}

pub(super) fn address(cx: &mut Cx<'_>, out_ptr: i32) -> HostResult<()> {
    charge(cx, 0)?;
    let me = cx.data_mut().env().address();
    write_bytes(cx, "address", out_ptr, &me.0)
}

pub(super) fn value_transferred(cx: &mut Cx<'_>, out_ptr: i32) -> HostResult<()> {
    charge(cx, 0)?;
    let value = cx.data_mut().env().value_transferred();
    write_bytes(cx, "value_transferred", out_ptr, &value.to_le_bytes())
}

pub(super) fn balance(cx: &mut Cx<'_>, out_ptr: i32) -> HostResult<()> {
    // A balance lookup touches state: priced like a storage read.
    let cost = cx.data().schedule.storage_read_base;
    charge(cx, cost)?;
    super::check_region(cx, "balance", out_ptr, 16)?;
    let value = cx.data_mut().env().balance();
    write_bytes(cx, "balance", out_ptr, &value.to_le_bytes())
}

pub(super) fn block_number(cx: &mut Cx<'_>) -> HostResult<i64> {
    charge(cx, 0)?;
    Ok(cx.data_mut().env().block_number() as i64)
}

pub(super) fn timestamp(cx: &mut Cx<'_>) -> HostResult<i64> {
    charge(cx, 0)?;
    Ok(cx.data_mut().env().timestamp() as i64)
}

pub(super) fn gas_left(cx: &mut Cx<'_>) -> HostResult<i64> {
    charge(cx, 0)?;
    let left = cx.get_fuel().map_err(|e| HostTrap::Fatal(e.to_string()))?;
    Ok(i64::try_from(left).unwrap_or(i64::MAX))
}

pub(super) fn return_data_len(cx: &mut Cx<'_>) -> HostResult<i32> {
    charge(cx, 0)?;
    super::len_result(cx.data().return_data.len())
}

pub(super) fn return_data_read(cx: &mut Cx<'_>, out_ptr: i32) -> HostResult<()> {
    charge(cx, 0)?;
    let data = std::mem::take(&mut cx.data_mut().return_data);
    let written = write_bytes(cx, "return_data_read", out_ptr, &data);
    cx.data_mut().return_data = data;
    written
}
