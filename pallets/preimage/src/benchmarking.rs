//! Benchmarks of the preimage pallet's calls (feature `runtime-benchmarks`), to be run by
//! the runtime's `bench_weights` (see [`hm_support::bench::COMMAND`]) once
//! `runtime/src/benchmarking.rs` lists `pallets/preimage/src/weights.rs`. Each call is
//! timed on its worst-case path: a deposit reserved or returned, bytes stored or removed.
use crate::{self as preimage, Call, MAX_PREIMAGE_BYTES};
use hm_pallet_caesar::benchmarking::populate;
use hm_pallet_system::{benchmarking::new_block, Origin};
use hm_primitives::{blake3_256, AccountId, H256, UNITS};
use hm_support::bench::{
    account, measure_prepared, BenchConfig, Benchmarks, CountingExt, Measurement, POPULATION,
};

/// Timed runs per call.
const RUNS: usize = 1_000;
/// Timed runs of noting `MAX_PREIMAGE_BYTES` (each hashes and copies 120 KiB).
const MAX_RUNS: usize = 20;

fn ok(ext: &mut CountingExt, origin: Origin, call: Call) {
    let result = preimage::dispatch(ext, origin, call.clone());
    assert!(result.is_ok(), "{:.100}: {result:?}", format!("{call:?}"));
}

/// The `i`-th distinct preimage of `len` bytes (at least 4).
fn bytes(i: usize, len: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; len.max(4)];
    bytes[..4].copy_from_slice(&(i as u32).to_le_bytes());
    bytes
}

fn noter(i: usize) -> AccountId {
    account(0, i as u32 % POPULATION)
}

/// Time `call` after `prepare`, as one weights item, on a state of funded accounts.
fn item(
    items: &mut Vec<Measurement>,
    runs: usize,
    constant: &'static str,
    doc: &str,
    mut prepare: impl FnMut(&mut CountingExt, usize) -> (Origin, Call),
) {
    let mut ext = CountingExt::new(hm_support::bench::refuse_signatures);
    populate(&mut ext, 1_000 * UNITS, &[]);
    let m = measure_prepared(
        &mut ext,
        runs,
        |ext, i| {
            new_block(ext, i);
            prepare(ext, i)
        },
        |ext, (origin, call)| ok(ext, origin, call),
    );
    items.push(Measurement::new(constant, doc, m));
}

fn note(ext: &mut CountingExt, i: usize, len: usize) -> H256 {
    let bytes = bytes(i, len);
    let hash = blake3_256(&bytes);
    ok(ext, Origin::Signed(noter(i)), Call::NotePreimage { bytes });
    hash
}

pub fn benchmarks(config: &BenchConfig) -> Benchmarks {
    let runs = config.runs(RUNS);
    let max_runs = config.runs(MAX_RUNS);
    let mut items = Vec::new();

    item(
        &mut items,
        runs,
        "NOTE_PREIMAGE_MIN",
        "`note_preimage` of 4 bytes, worst case: reserves the deposit.",
        |_, i| {
            let call = Call::NotePreimage { bytes: bytes(i, 4) };
            (Origin::Signed(noter(i)), call)
        },
    );
    let max = MAX_PREIMAGE_BYTES as usize;
    item(
        &mut items,
        max_runs,
        "NOTE_PREIMAGE_MAX",
        "`note_preimage` of `MAX_PREIMAGE_BYTES` bytes: hashing and storing 120 KiB.",
        |ext, i| {
            // Keep one largest preimage at a time in memory.
            if let Some(previous) = i.checked_sub(1) {
                let hash = blake3_256(&bytes(previous, max));
                ok(ext, Origin::Root, Call::UnnotePreimage { hash });
            }
            let call = Call::NotePreimage {
                bytes: bytes(i, max),
            };
            (Origin::Signed(noter(i)), call)
        },
    );
    item(
        &mut items,
        runs,
        "UNNOTE_PREIMAGE",
        "`unnote_preimage`: returns the deposit and removes the bytes.",
        |ext, i| {
            let hash = note(ext, i, 1_024);
            (Origin::Signed(noter(i)), Call::UnnotePreimage { hash })
        },
    );
    item(
        &mut items,
        runs,
        "REQUEST_PREIMAGE",
        "`request_preimage`: the first request of noted bytes.",
        |ext, i| {
            (
                Origin::Root,
                Call::RequestPreimage {
                    hash: note(ext, i, 1_024),
                },
            )
        },
    );
    item(
        &mut items,
        runs,
        "UNREQUEST_PREIMAGE",
        "`unrequest_preimage`, worst case: the last request of bytes noted for free, removed.",
        |ext, i| {
            let hash = blake3_256(&bytes(i, 1_024));
            ok(ext, Origin::Root, Call::RequestPreimage { hash });
            note(ext, i, 1_024);
            (Origin::Root, Call::UnrequestPreimage { hash })
        },
    );

    Benchmarks {
        title: "Weights of the preimage pallet's calls",
        method: vec![
            format!(
                "weight = median time of the worst-case path ({runs} runs; largest notes {max_runs})"
            ),
            format!("against an in-memory state of {POPULATION} accounts, plus"),
        ],
        items,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_benchmark_runs() {
        let config = hm_support::bench::BenchConfig { quick: true };
        let benchmarks = super::benchmarks(&config);
        let names: Vec<_> = benchmarks.items.iter().map(|m| m.constant).collect();
        assert_eq!(
            names,
            [
                "NOTE_PREIMAGE_MIN",
                "NOTE_PREIMAGE_MAX",
                "UNNOTE_PREIMAGE",
                "REQUEST_PREIMAGE",
                "UNREQUEST_PREIMAGE"
            ]
        );
    }
}
