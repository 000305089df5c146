//! Hashing, signature verification and debug output.

use super::{
    charge, charge_bytes, check_region, checked_range, debug, len_arg, memory, read_bytes,
    write_bytes, Cx, HostResult, HostTrap,
};

pub(super) fn blake3(cx: &mut Cx<'_>, ptr: i32, len: i32, out_ptr: i32) -> HostResult<()> {
    let cost = cx.data().schedule.blake3_base;
    charge(cx, cost)?;
    check_region(cx, "blake3", out_ptr, 32)?;
    let data = read_bytes(cx, "blake3", ptr, len_arg(len))?;
    charge_bytes(cx, |s| s.blake3_per_byte, data.len())?;
    let digest = ::blake3::hash(&data);
    write_bytes(cx, "blake3", out_ptr, digest.as_bytes())
}

pub(super) fn falcon_verify(
    cx: &mut Cx<'_>,
    pk_ptr: i32,
    pk_len: i32,
    msg_ptr: i32,
    msg_len: i32,
    sig_ptr: i32,
    sig_len: i32,
) -> HostResult<i32> {
    const F: &str = "falcon_verify";
    let cost = cx.data().schedule.falcon_verify_base;
    charge(cx, cost)?;
    let pk = read_bytes(cx, F, pk_ptr, len_arg(pk_len))?;
    let msg = read_bytes(cx, F, msg_ptr, len_arg(msg_len))?;
    let sig = read_bytes(cx, F, sig_ptr, len_arg(sig_len))?;
    charge_bytes(
        cx,
        |s| s.falcon_verify_per_byte,
        pk.len() + msg.len() + sig.len(),
    )?;
    let valid = cx.data_mut().env().falcon_verify(&pk, &msg, &sig);
    Ok(i32::from(valid))
}

/// Charges the whole message whether or not it is printed (printing is node-local), but
/// copies at most [`debug::MAX_DEBUG_MESSAGE_BYTES`] of it, within the execution's budget.
pub(super) fn debug_log(cx: &mut Cx<'_>, ptr: i32, len: i32) -> HostResult<()> {
    const F: &str = "debug_log";
    charge(cx, 0)?;
    let len = len_arg(len);
    check_region(cx, F, ptr, len)?;
    charge_bytes(cx, |s| s.copy_per_byte, len)?;
    let text = match debug::admit() {
        debug::Admission::Drop => return Ok(()),
        debug::Admission::Notice(notice) => notice,
        debug::Admission::Pass => {
            let data = memory(cx)?.data(&*cx);
            let kept = len.min(debug::MAX_DEBUG_MESSAGE_BYTES);
            let range = checked_range(F, ptr, kept, data.len())?;
            let bytes = data.get(range).ok_or(HostTrap::BadPointer(F))?;
            debug::bounded_text(bytes, len)
        }
    };
    cx.data_mut().env().debug_log(&text);
    Ok(())
}
