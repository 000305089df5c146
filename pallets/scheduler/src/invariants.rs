//! `try_state` of the scheduler: agendas are within the cap, non-empty and trimmed;
//! their calls within bounds; every named task is where `Lookup` says and every
//! `Lookup` entry names a task; and no agenda due by the current block is left where
//! servicing will not reach it (before `IncompleteSince`, or anywhere without it).
use crate::{
    incomplete_since, lookup, BoundedCall, Task, MAX_INLINE_CALL_BYTES, MAX_SCHEDULED_PER_BLOCK,
    PALLET,
};
use alloc::vec::Vec;
use hm_pallet_preimage::MAX_PREIMAGE_BYTES;
use hm_pallet_system as system;
use hm_primitives::{storage_key::value_key, BlockNumber};
use hm_support::{iter_prefix, Externalities};
use parity_scale_codec::Decode;

/// A map key is the item's 32-byte prefix, a 16-byte hash of the key, then the key.
const KEY_OFFSET: usize = 48;

pub(crate) fn check(ext: &dyn Externalities) -> Result<(), &'static str> {
    let now = system::block_number(ext);
    let incomplete = incomplete_since(ext);
    if incomplete.is_some_and(|since| since > now) {
        return Err("IncompleteSince is after the current block");
    }
    let mut named = 0usize;
    for (key, raw) in iter_prefix(ext, &value_key(PALLET, b"Agenda")) {
        let when = key
            .get(KEY_OFFSET..)
            .and_then(|mut rest| BlockNumber::decode(&mut rest).ok())
            .ok_or("an agenda key does not decode")?;
        let agenda =
            Vec::<Option<Task>>::decode(&mut &raw[..]).map_err(|_| "an agenda does not decode")?;
        if agenda.len() > MAX_SCHEDULED_PER_BLOCK as usize {
            return Err("an agenda holds more than MAX_SCHEDULED_PER_BLOCK tasks");
        }
        if !agenda.last().is_some_and(Option::is_some) {
            return Err("an agenda is empty or ends in an empty slot");
        }
        if when <= now && incomplete.is_none_or(|since| when < since) {
            return Err("an agenda due by the current block will never be serviced");
        }
        for (index, task) in agenda.iter().enumerate() {
            let Some(task) = task else { continue };
            check_call(&task.call)?;
            if let Some(id) = &task.maybe_id {
                let index = u32::try_from(index).map_err(|_| "an agenda index overflows")?;
                if lookup(ext, id) != Some((when, index)) {
                    return Err("a named task is not where Lookup says");
                }
                named += 1;
            }
        }
    }
    if iter_prefix(ext, &value_key(PALLET, b"Lookup")).count() != named {
        return Err("a Lookup entry names no task");
    }
    Ok(())
}

fn check_call(call: &BoundedCall) -> Result<(), &'static str> {
    let ok = match call {
        BoundedCall::Inline(bytes) => (1..=MAX_INLINE_CALL_BYTES as usize).contains(&bytes.len()),
        BoundedCall::Lookup { len, .. } => (1..=MAX_PREIMAGE_BYTES).contains(len),
    };
    ok.then_some(()).ok_or("a task's call is out of bounds")
}
