//! Artifact caching: memory LRU, disk across executors, corruption handling, and lazy
//! recompilation from the environment's copy of the code.

mod common;

use common::*;
use hm_executor::{CacheStats, ContractEngine, Entry, ExecError, Executor, ExecutorConfig};
use hm_primitives::{AccountId, H256};
use std::fs;
use std::path::Path;

const C: AccountId = AccountId([0xC0; 32]);

fn echo() -> Vec<u8> {
    contract(
        "",
        r#"(call $input_read (i32.const 0))
           (call $return_value (i32.const 0) (i32.const 0) (call $input_len))"#,
    )
}

fn with_dir(dir: &Path) -> Executor {
    Executor::new(ExecutorConfig {
        cache_dir: Some(dir.to_path_buf()),
        pool_instances: 8,
        ..ExecutorConfig::default()
    })
    .unwrap()
}

fn artifacts(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "cwasm"))
        .collect();
    v.sort();
    v
}

fn echo_works(exec: &Executor, code: &[u8]) -> u64 {
    let mut world = World::default();
    world
        .contracts
        .insert(C, H256(*blake3::hash(code).as_bytes()));
    let out = run(exec, &mut world, C, Entry::Call, b"cached", GAS);
    assert_eq!(ok_output(&out), b"cached");
    out.gas_used
}

#[test]
fn second_prepare_hits_the_memory_cache() {
    let exec = executor();
    let code = echo();
    let a = exec.prepare(&code).unwrap();
    let b = exec.prepare(&code).unwrap();
    assert_eq!(a, b);
    let stats = exec.cache_stats();
    assert_eq!((stats.compiles, stats.memory_hits), (1, 1));
    echo_works(&exec, &code);
    assert_eq!(exec.cache_stats().compiles, 1, "execute does not recompile");
}

#[test]
fn fresh_executor_loads_from_disk_without_compiling() {
    let dir = tempfile::tempdir().unwrap();
    let code = echo();
    let first = with_dir(dir.path());
    let prepared = first.prepare(&code).unwrap();
    let gas_fresh = echo_works(&first, &code);
    assert_eq!(artifacts(dir.path()).len(), 1);
    drop(first);

    let second = with_dir(dir.path());
    // Execute straight from disk, with an environment that has no code to offer.
    let gas_disk = echo_works(&second, &code);
    assert_eq!(
        second.cache_stats(),
        CacheStats {
            disk_hits: 1,
            ..CacheStats::default()
        }
    );
    assert_eq!(gas_fresh, gas_disk, "gas does not depend on the cache path");
    assert_eq!(second.prepare(&code).unwrap(), prepared);
    assert_eq!(second.cache_stats().compiles, 0);
}

#[test]
fn corrupted_disk_artifact_is_detected_and_recompiled() {
    let dir = tempfile::tempdir().unwrap();
    let code = echo();
    with_dir(dir.path()).prepare(&code).unwrap();
    let path = artifacts(dir.path()).pop().unwrap();
    let mut bytes = fs::read(&path).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x40;
    fs::write(&path, &bytes).unwrap();

    let exec = with_dir(dir.path());
    exec.prepare(&code).unwrap();
    let stats = exec.cache_stats();
    assert_eq!(
        (stats.disk_rejected, stats.disk_hits, stats.compiles),
        (1, 0, 1)
    );
    echo_works(&exec, &code);
    // The recompiled artifact replaced the corrupt one.
    let again = with_dir(dir.path());
    echo_works(&again, &code);
    assert_eq!(again.cache_stats().disk_hits, 1);

    // Truncated and garbage files are refused as well.
    for garbage in [bytes[..10].to_vec(), vec![0u8; 4096]] {
        fs::write(&path, &garbage).unwrap();
        let exec = with_dir(dir.path());
        exec.prepare(&code).unwrap();
        assert_eq!(exec.cache_stats().disk_rejected, 1);
        echo_works(&exec, &code);
    }
}

#[test]
fn changed_limits_invalidate_disk_entries() {
    let dir = tempfile::tempdir().unwrap();
    let code = echo();
    with_dir(dir.path()).prepare(&code).unwrap();
    let stricter = Executor::new(ExecutorConfig {
        cache_dir: Some(dir.path().to_path_buf()),
        max_functions: 2,
        pool_instances: 2,
        ..ExecutorConfig::default()
    })
    .unwrap();
    // The echo contract has 5 functions (3 imports + 2): no longer valid, and the stale
    // artifact must not be used to run it.
    assert!(stricter.prepare(&code).is_err());
    let mut world = World::default();
    world
        .codes
        .insert(H256(*blake3::hash(&code).as_bytes()), code.clone());
    world
        .contracts
        .insert(C, H256(*blake3::hash(&code).as_bytes()));
    let out = run(&stricter, &mut world, C, Entry::Call, b"", GAS);
    assert!(
        matches!(out.result, Err(ExecError::CodeRejected(_))),
        "{:?}",
        out.result
    );
    assert_eq!(stricter.cache_stats().disk_rejected, 1);
}

#[test]
fn unknown_code_is_compiled_from_the_environment_or_not_found() {
    let exec = executor();
    let code = echo();
    let hash = H256(*blake3::hash(&code).as_bytes());
    let mut world = World::default();
    world.contracts.insert(C, hash);
    let out = run(&exec, &mut world, C, Entry::Call, b"", GAS);
    assert_eq!(out.result, Err(ExecError::CodeNotFound));
    assert_eq!(out.gas_used, 0);

    world.codes.insert(hash, code);
    let out = run(&exec, &mut world, C, Entry::Call, b"lazy", GAS);
    assert_eq!(ok_output(&out), b"lazy");
    assert_eq!(exec.cache_stats().compiles, 1);

    exec.forget(&hash);
    assert!(!exec.is_cached(&hash));
}

#[test]
fn memory_cache_is_bounded() {
    let exec = Executor::new(ExecutorConfig {
        memory_cache_entries: 2,
        pool_instances: 2,
        ..ExecutorConfig::default()
    })
    .unwrap();
    let codes: Vec<Vec<u8>> = (0..3)
        .map(|i| contract("", &format!("(drop (i32.const {i}))")))
        .collect();
    for c in &codes {
        exec.prepare(c).unwrap();
    }
    // The first was evicted: preparing it again compiles.
    exec.prepare(&codes[0]).unwrap();
    assert_eq!(exec.cache_stats().compiles, 4);
}

#[test]
fn removed_code_leaves_no_artifact_behind() {
    let dir = tempfile::tempdir().unwrap();
    let exec = with_dir(dir.path());
    let code = echo();
    let prepared = exec.prepare(&code).unwrap();
    assert_eq!(artifacts(dir.path()).len(), 1);
    ContractEngine::code_removed(&exec, &prepared.code_hash);
    assert!(artifacts(dir.path()).is_empty());
    assert!(!exec.is_cached(&prepared.code_hash));
}

#[test]
fn disk_cache_stays_under_its_byte_cap() {
    let codes: Vec<Vec<u8>> = (0..4)
        .map(|i| contract("", &format!("(drop (i32.const {i}))")))
        .collect();
    // Measure one artifact, then allow room for two and a half.
    let scratch = tempfile::tempdir().unwrap();
    with_dir(scratch.path()).prepare(&codes[0]).unwrap();
    let size = fs::metadata(artifacts(scratch.path()).pop().unwrap())
        .unwrap()
        .len();
    let cap = size * 5 / 2;

    let dir = tempfile::tempdir().unwrap();
    let exec = Executor::new(ExecutorConfig {
        cache_dir: Some(dir.path().to_path_buf()),
        disk_cache_max_bytes: cap,
        pool_instances: 2,
        ..ExecutorConfig::default()
    })
    .unwrap();
    for code in &codes {
        exec.prepare(code).unwrap();
    }
    let kept = artifacts(dir.path());
    assert_eq!(kept.len(), 2);
    assert_eq!(exec.cache_stats().disk_evictions, 2);
    let on_disk: u64 = kept.iter().map(|p| fs::metadata(p).unwrap().len()).sum();
    assert!(on_disk <= cap, "{on_disk} > {cap}");
    // The newest two stayed; an evicted one still runs (recompiled from the chain's copy).
    let hash = |c: &[u8]| H256(*blake3::hash(c).as_bytes());
    let names: Vec<_> = kept
        .iter()
        .map(|p| p.file_stem().unwrap().to_owned())
        .collect();
    for code in &codes[2..] {
        let hex: String = hash(code).0.iter().map(|b| format!("{b:02x}")).collect();
        assert!(names.iter().any(|n| *n == *hex), "{hex} kept");
    }
}
