//! Placing and cancelling tasks, for the calls and for other pallets. Each function
//! checks everything before its first write, so an `Err` changes nothing.
use crate::{
    agenda, deposit_event, lookup, storage, BoundedCall, Error, Event, ScheduledOrigin, Task,
    TaskAddress, TaskName, MAX_INLINE_CALL_BYTES, MAX_SCHEDULED_PER_BLOCK,
};
use alloc::vec::Vec;
use hm_pallet_preimage as preimage;
use hm_pallet_system as system;
use hm_primitives::BlockNumber;
use hm_support::{put, Externalities};

/// Schedule `call` as `origin` at block `when`, unnamed.
pub fn schedule_task(
    ext: &mut dyn Externalities,
    when: BlockNumber,
    origin: ScheduledOrigin,
    call: BoundedCall,
) -> Result<TaskAddress, Error> {
    place(
        ext,
        when,
        Task {
            call,
            origin,
            maybe_id: None,
        },
    )
}

/// Schedule `call` as `origin` at block `when`, under the name `id` (unused).
pub fn schedule_named_task(
    ext: &mut dyn Externalities,
    id: TaskName,
    when: BlockNumber,
    origin: ScheduledOrigin,
    call: BoundedCall,
) -> Result<TaskAddress, Error> {
    if lookup(ext, &id).is_some() {
        return Err(Error::IdInUse);
    }
    let task = Task {
        call,
        origin,
        maybe_id: Some(id),
    };
    place(ext, when, task)
}

/// Remove the task at `address` (named or not) without running it.
pub fn cancel_task(ext: &mut dyn Externalities, address: TaskAddress) -> Result<Task, Error> {
    let task = take_task(ext, address)?;
    let (when, index) = address;
    deposit_event(ext, Event::Canceled { when, index });
    Ok(task)
}

/// Remove the task named `id` without running it; returns where it was.
pub fn cancel_named_task(ext: &mut dyn Externalities, id: &TaskName) -> Result<TaskAddress, Error> {
    let address = lookup(ext, id).ok_or(Error::NotFound)?;
    cancel_task(ext, address)?;
    Ok(address)
}

fn check_call(ext: &dyn Externalities, call: &BoundedCall) -> Result<(), Error> {
    match call {
        BoundedCall::Inline(bytes) if bytes.is_empty() => Err(Error::EmptyCall),
        BoundedCall::Inline(bytes) if bytes.len() > MAX_INLINE_CALL_BYTES as usize => {
            Err(Error::InlineCallTooBig)
        }
        BoundedCall::Inline(_) => Ok(()),
        BoundedCall::Lookup { hash, len } => {
            let noted_len = preimage::len(ext, hash);
            let fits = (1..=preimage::MAX_PREIMAGE_BYTES).contains(len);
            if !fits || noted_len.is_some_and(|noted| noted != *len) {
                return Err(Error::BadLookupLen);
            }
            Ok(())
        }
    }
}

/// Put `task` in the agenda of `when`: appended while there is room (so tasks run in
/// the order they were scheduled), else in the first emptied slot.
fn place(ext: &mut dyn Externalities, when: BlockNumber, task: Task) -> Result<TaskAddress, Error> {
    if when <= system::block_number(ext) {
        return Err(Error::TargetBlockNumberInPast);
    }
    check_call(ext, &task.call)?;
    let mut agenda = agenda(ext, when);
    let index = if agenda.len() < MAX_SCHEDULED_PER_BLOCK as usize {
        agenda.push(None);
        agenda.len() - 1
    } else {
        agenda
            .iter()
            .position(Option::is_none)
            .ok_or(Error::AgendaFull)?
    };
    let index32 = u32::try_from(index).map_err(|_| Error::AgendaFull)?;
    if let Some(hash) = task.call.lookup_hash() {
        preimage::request(ext, &hash).map_err(|_| Error::Overflow)?;
    }
    if let Some(id) = &task.maybe_id {
        put(ext, &storage::lookup(id), &(when, index32));
    }
    if let Some(slot) = agenda.get_mut(index) {
        *slot = Some(task);
    }
    put(ext, &storage::agenda(when), &agenda);
    deposit_event(
        ext,
        Event::Scheduled {
            when,
            index: index32,
        },
    );
    Ok((when, index32))
}

/// Take the task at `address` out of its agenda, its name out of `Lookup` and its
/// request off its preimage.
pub(crate) fn take_task(
    ext: &mut dyn Externalities,
    (when, index): TaskAddress,
) -> Result<Task, Error> {
    let mut agenda = agenda(ext, when);
    let task = usize::try_from(index)
        .ok()
        .and_then(|i| agenda.get_mut(i))
        .and_then(Option::take)
        .ok_or(Error::NotFound)?;
    store_agenda(ext, when, agenda);
    if let Some(id) = &task.maybe_id {
        ext.storage_remove(&storage::lookup(id));
    }
    if let Some(hash) = task.call.lookup_hash() {
        // The request was made when the task was placed. Root's `unrequest_preimage`
        // can withdraw it early; then there is nothing left to withdraw here.
        let _ = preimage::unrequest(ext, &hash);
    }
    Ok(task)
}

/// Store an agenda without its trailing empty slots, or remove it when none is left.
pub(crate) fn store_agenda(
    ext: &mut dyn Externalities,
    when: BlockNumber,
    mut agenda: Vec<Option<Task>>,
) {
    while agenda.last().is_some_and(Option::is_none) {
        agenda.pop();
    }
    if agenda.is_empty() {
        ext.storage_remove(&storage::agenda(when));
    } else {
        put(ext, &storage::agenda(when), &agenda);
    }
}
