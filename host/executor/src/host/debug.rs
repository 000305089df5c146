//! `debug_log` output budget: a contract may print only so much per execution.
//!
//! A dev node prints every `debug_log` message and a dry run returns them, so without a
//! bound one call could flood the node's log or an RPC reply with gigabytes of text for
//! the price of the gas. The budget covers one top-level [`Executor::execute`] with all
//! its nested frames (they run re-entrantly on the same thread). It never changes gas or
//! results: the host function charges the full message either way.
//!
//! [`Executor::execute`]: crate::Executor::execute

use std::cell::Cell;

/// Longest `debug_log` message passed on, in bytes; longer ones are cut.
pub const MAX_DEBUG_MESSAGE_BYTES: usize = 1024;
/// Most `debug_log` messages passed on per execution (nested frames included); later
/// ones are dropped after one notice saying so.
pub const MAX_DEBUG_MESSAGES_PER_EXECUTION: u32 = 256;

#[derive(Clone, Copy, Default)]
struct Budget {
    /// Frames of the current execution running on this thread.
    depth: u32,
    /// Messages passed on so far in the current execution (the notice included).
    messages: u32,
}

thread_local! {
    static BUDGET: Cell<Budget> = const { Cell::new(Budget { depth: 0, messages: 0 }) };
}

/// Held for the duration of one frame; the outermost one starts a fresh budget.
pub(crate) struct ExecutionScope(());

impl ExecutionScope {
    pub(crate) fn enter() -> Self {
        BUDGET.with(|b| {
            let mut budget = b.get();
            if budget.depth == 0 {
                budget.messages = 0;
            }
            budget.depth = budget.depth.saturating_add(1);
            b.set(budget);
        });
        ExecutionScope(())
    }
}

impl Drop for ExecutionScope {
    fn drop(&mut self) {
        BUDGET.with(|b| {
            let mut budget = b.get();
            budget.depth = budget.depth.saturating_sub(1);
            b.set(budget);
        });
    }
}

/// What to do with the next message of the current execution.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Admission {
    /// Pass it on (cut to [`MAX_DEBUG_MESSAGE_BYTES`]).
    Pass,
    /// The budget just ran out: pass this notice instead of the message.
    Notice(String),
    /// Drop it.
    Drop,
}

/// Count one message against the current execution's budget.
pub(crate) fn admit() -> Admission {
    BUDGET.with(|b| {
        let mut budget = b.get();
        let admission = match budget.messages {
            n if n < MAX_DEBUG_MESSAGES_PER_EXECUTION => Admission::Pass,
            MAX_DEBUG_MESSAGES_PER_EXECUTION => Admission::Notice(format!(
                "debug_log: {MAX_DEBUG_MESSAGES_PER_EXECUTION} messages printed; \
                 the rest of this execution's messages are dropped"
            )),
            _ => Admission::Drop,
        };
        if admission != Admission::Drop {
            budget.messages = budget.messages.saturating_add(1);
            b.set(budget);
        }
        admission
    })
}

/// `bytes` as text, cut to [`MAX_DEBUG_MESSAGE_BYTES`] with a note of what was cut.
pub(crate) fn bounded_text(bytes: &[u8], full_len: usize) -> String {
    let kept = bytes.get(..MAX_DEBUG_MESSAGE_BYTES).unwrap_or(bytes);
    let mut text = String::from_utf8_lossy(kept).into_owned();
    let cut = full_len.saturating_sub(kept.len());
    if cut > 0 {
        text.push_str(&format!(" [... {cut} more bytes]"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_spans_nested_frames_and_resets_per_execution() {
        for _ in 0..2 {
            let outer = ExecutionScope::enter();
            for _ in 0..MAX_DEBUG_MESSAGES_PER_EXECUTION / 2 {
                assert_eq!(admit(), Admission::Pass);
            }
            {
                // A nested frame does not reset the count.
                let _inner = ExecutionScope::enter();
                for _ in 0..MAX_DEBUG_MESSAGES_PER_EXECUTION / 2 {
                    assert_eq!(admit(), Admission::Pass);
                }
                assert!(matches!(admit(), Admission::Notice(_)));
            }
            assert_eq!(admit(), Admission::Drop);
            assert_eq!(admit(), Admission::Drop);
            drop(outer);
        }
    }

    #[test]
    fn long_messages_are_cut() {
        let long = vec![b'a'; MAX_DEBUG_MESSAGE_BYTES + 10];
        let text = bounded_text(&long, long.len());
        assert!(text.starts_with(&"a".repeat(MAX_DEBUG_MESSAGE_BYTES)));
        assert!(text.ends_with("[... 10 more bytes]"), "{text}");
        assert_eq!(bounded_text(b"short", 5), "short");
    }
}
