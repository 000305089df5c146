//! `on_initialize`: running the tasks that are due, within the block's budget (see the
//! crate docs for the order and what is dropped).
use crate::{
    agenda, deposit_event, incomplete_since, max_scheduler_weight, schedule, storage, weights,
    BoundedCall, Event, Task, TaskAddress, MAX_AGENDAS_PER_BLOCK,
};
use alloc::vec::Vec;
use hm_pallet_preimage as preimage;
use hm_pallet_system::DispatchErrorInfo;
use hm_primitives::BlockNumber;
use hm_support::{put, with_transaction, EncodedCalls, Externalities, Weight};

/// Weight spent so far against the block's budget.
struct Meter {
    used: Weight,
    budget: Weight,
}

impl Meter {
    fn can_consume(&self, weight: Weight) -> bool {
        self.used
            .checked_add(weight)
            .is_some_and(|total| total <= self.budget)
    }
    fn consume(&mut self, weight: Weight) {
        self.used = self.used.saturating_add(weight);
    }
}

/// Whether a task was dealt with, or must wait for the next block.
enum Outcome {
    Done,
    Postponed,
}

/// The weight of fetching a preimage of `len` bytes: linear between nothing and the
/// benchmarked `MAX_PREIMAGE_BYTES` fetch.
pub fn lookup_weight(len: u32) -> Weight {
    let extra = u128::from(weights::SERVICE_TASK_LOOKUP_MAX).saturating_mul(u128::from(len))
        / u128::from(preimage::MAX_PREIMAGE_BYTES);
    Weight::try_from(extra).unwrap_or(Weight::MAX)
}

/// Weight of servicing `call`, beyond the call's own.
fn task_overhead(call: &BoundedCall) -> Weight {
    match call {
        BoundedCall::Inline(_) => weights::SERVICE_TASK,
        BoundedCall::Lookup { len, .. } => {
            weights::SERVICE_TASK.saturating_add(lookup_weight(*len))
        }
    }
}

/// Service the agendas due by block `now`, dispatching through `calls`; returns the
/// weight used, at most [`max_scheduler_weight`] (`SERVICE_BASE` at the least).
pub fn service_agendas(
    ext: &mut dyn Externalities,
    now: BlockNumber,
    calls: Option<&'static dyn EncodedCalls>,
) -> Weight {
    let mut meter = Meter {
        used: weights::SERVICE_BASE,
        budget: max_scheduler_weight(ext),
    };
    let mut when = incomplete_since(ext).filter(|w| *w <= now).unwrap_or(now);
    let mut examined = 0u32;
    let mut stopped_at = None;
    while when <= now {
        if examined >= MAX_AGENDAS_PER_BLOCK || !meter.can_consume(weights::SERVICE_AGENDA) {
            stopped_at = Some(when);
            break;
        }
        examined = examined.saturating_add(1);
        meter.consume(weights::SERVICE_AGENDA);
        if !service_agenda(ext, when, calls, &mut meter) {
            stopped_at = Some(when);
            break;
        }
        match when.checked_add(1) {
            Some(next) => when = next,
            None => break,
        }
    }
    match stopped_at {
        Some(when) => put(ext, &storage::incomplete_since(), &when),
        None => ext.storage_remove(&storage::incomplete_since()),
    }
    meter.used
}

/// Service the agenda of `when` in slot order; `false` when a task had to wait.
fn service_agenda(
    ext: &mut dyn Externalities,
    when: BlockNumber,
    calls: Option<&'static dyn EncodedCalls>,
    meter: &mut Meter,
) -> bool {
    // Read afresh for each slot: a dispatched call may have cancelled later tasks.
    let mut index = 0u32;
    loop {
        let slots = agenda(ext, when);
        let Some(slot) = usize::try_from(index).ok().and_then(|i| slots.get(i)) else {
            break;
        };
        if let Some(task) = slot.clone() {
            if let Outcome::Postponed = service_task(ext, (when, index), task, calls, meter) {
                return false;
            }
        }
        match index.checked_add(1) {
            Some(next) => index = next,
            None => break,
        }
    }
    // Every slot is empty now: no call can schedule into a block that has begun.
    let left: Vec<Option<Task>> = agenda(ext, when);
    if left.iter().all(Option::is_none) {
        ext.storage_remove(&storage::agenda(when));
        true
    } else {
        false
    }
}

/// What happened to a task that was not dispatched.
fn drop_task(ext: &mut dyn Externalities, task: TaskAddress, event: Event) -> Outcome {
    if schedule::take_task(ext, task).is_ok() {
        deposit_event(ext, event);
    }
    Outcome::Done
}

fn service_task(
    ext: &mut dyn Externalities,
    address: TaskAddress,
    task: Task,
    calls: Option<&'static dyn EncodedCalls>,
    meter: &mut Meter,
) -> Outcome {
    let id = task.maybe_id;
    let overhead = task_overhead(&task.call);
    // What the task costs as the first in a block: more than the budget, it never runs.
    let alone = weights::SERVICE_BASE
        .saturating_add(weights::SERVICE_AGENDA)
        .saturating_add(overhead);
    let overweight = Event::PermanentlyOverweight { task: address, id };
    if alone > meter.budget {
        return drop_task(ext, address, overweight);
    }
    if !meter.can_consume(overhead) {
        return Outcome::Postponed;
    }
    meter.consume(overhead);
    let bytes = match task.call {
        BoundedCall::Inline(bytes) => bytes,
        BoundedCall::Lookup { hash, len } => {
            match preimage::preimage(ext, &hash).filter(|b| b.len() == len as usize) {
                Some(bytes) => bytes,
                None => {
                    let unavailable = Event::CallUnavailable { task: address, id };
                    return drop_task(ext, address, unavailable);
                }
            }
        }
    };
    let Some((calls, declared)) = calls.and_then(|c| c.weigh(&bytes).map(|w| (c, w))) else {
        return drop_task(ext, address, Event::CallRefused { task: address, id });
    };
    if alone.saturating_add(declared) > meter.budget {
        return drop_task(ext, address, overweight);
    }
    if !meter.can_consume(declared) {
        return Outcome::Postponed;
    }
    if schedule::take_task(ext, address).is_err() {
        return Outcome::Done;
    }
    let mut used = declared;
    let result = with_transaction(ext, |ext| {
        match calls.dispatch(ext, task.origin.into(), &bytes) {
            Ok(post) => {
                used = post.charged_weight(declared);
                Ok(())
            }
            Err(failure) => {
                used = failure.post_info.charged_weight(declared);
                Err(DispatchErrorInfo::from(failure.error))
            }
        }
    });
    meter.consume(used);
    let event = Event::Dispatched {
        task: address,
        id,
        result,
    };
    deposit_event(ext, event);
    Outcome::Done
}
