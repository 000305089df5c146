//! `debug_log` output is bounded per execution, in message size and count, while gas
//! stays what the whole message costs.

mod common;

use common::*;
use hm_executor::{Entry, MAX_DEBUG_MESSAGES_PER_EXECUTION, MAX_DEBUG_MESSAGE_BYTES};
use hm_primitives::AccountId;

const C: AccountId = AccountId([0xC0; 32]);
const GAS_LIMIT: u64 = 1_000_000_000;

/// Logs the first `len` bytes of memory (all `x`) `times` times.
fn logger(len: usize, times: u32) -> Vec<u8> {
    let imports = r#"(import "hm" "debug_log" (func $log (param i32 i32)))"#;
    let body = format!(
        r#"(local $i i32)
           (memory.fill (i32.const 0) (i32.const 120) (i32.const {len}))
           (block $done (loop $l
               (br_if $done (i32.ge_u (local.get $i) (i32.const {times})))
               (call $log (i32.const 0) (i32.const {len}))
               (local.set $i (i32.add (local.get $i) (i32.const 1)))
               (br $l)))"#
    );
    contract(imports, &body)
}

fn logs_of(code: &[u8]) -> (Vec<String>, u64) {
    let exec = executor();
    let mut world = World::default();
    install(&exec, &mut world, C, code);
    let out = run(&exec, &mut world, C, Entry::Call, b"", GAS_LIMIT);
    ok_output(&out);
    (world.logs, out.gas_used)
}

#[test]
fn messages_are_cut_to_the_size_limit_and_charged_in_full() {
    let long = MAX_DEBUG_MESSAGE_BYTES * 8;
    let (logs, gas_long) = logs_of(&logger(long, 1));
    assert_eq!(logs.len(), 1);
    let cut = long - MAX_DEBUG_MESSAGE_BYTES;
    assert!(logs[0].starts_with(&"x".repeat(MAX_DEBUG_MESSAGE_BYTES)));
    assert!(
        logs[0].ends_with(&format!("[... {cut} more bytes]")),
        "{}",
        logs[0]
    );
    assert!(logs[0].len() < MAX_DEBUG_MESSAGE_BYTES + 64);

    // Gas still pays for every byte of the message: one byte more costs more.
    let (_, gas_longer) = logs_of(&logger(long + 1, 1));
    assert!(gas_longer > gas_long, "{gas_longer} vs {gas_long}");
}

#[test]
fn messages_past_the_count_limit_are_dropped_after_one_notice() {
    let times = MAX_DEBUG_MESSAGES_PER_EXECUTION * 4;
    let (logs, _) = logs_of(&logger(8, times));
    let limit = MAX_DEBUG_MESSAGES_PER_EXECUTION as usize;
    assert_eq!(logs.len(), limit + 1);
    assert!(logs[..limit].iter().all(|m| m == "xxxxxxxx"));
    assert!(logs[limit].contains("dropped"), "{}", logs[limit]);

    // The next execution starts with a fresh budget.
    let (logs, _) = logs_of(&logger(8, 2));
    assert_eq!(logs, vec!["xxxxxxxx".to_string(); 2]);
}
