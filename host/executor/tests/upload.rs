//! Upload validation: limits, ABI conformance and disabled features, all refused before
//! compilation with a clear error.

mod common;

use common::*;
use hm_executor::{Executor, ExecutorConfig, UploadError};

fn prepare_err(exec: &Executor, code: &[u8]) -> UploadError {
    exec.prepare(code).expect_err("must be rejected")
}

fn module(extra: &str) -> Vec<u8> {
    wasm(&format!(
        r#"(module {extra}
            (memory (export "memory") 1)
            (func (export "deploy"))
            (func (export "call")))"#
    ))
}

fn leb(mut v: u64, out: &mut Vec<u8>) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn section(id: u8, body: &[u8], out: &mut Vec<u8>) {
    out.push(id);
    leb(body.len() as u64, out);
    out.extend_from_slice(body);
}

/// A binary module with `count` empty functions of type `() -> ()`, each with `locals`
/// declared i32 locals (one local group), built without `wat` so huge counts are cheap.
fn binary_module(count: u32, locals: u32) -> Vec<u8> {
    let mut out = b"\0asm\x01\0\0\0".to_vec();
    section(1, &[1, 0x60, 0, 0], &mut out); // one type: () -> ()
    let mut funcs = Vec::new();
    leb(count.into(), &mut funcs);
    funcs.extend(std::iter::repeat_n(0u8, count as usize));
    section(3, &funcs, &mut out);
    section(5, &[1, 0, 1], &mut out); // one memory, min 1
    let mut exports = vec![3];
    for (name, kind, idx) in [("memory", 2u8, 0u8), ("deploy", 0, 0), ("call", 0, 0)] {
        exports.push(name.len() as u8);
        exports.extend_from_slice(name.as_bytes());
        exports.extend_from_slice(&[kind, idx]);
    }
    section(7, &exports, &mut out);
    let mut body = Vec::new();
    if locals > 0 {
        body.push(1);
        leb(locals.into(), &mut body);
        body.push(0x7f);
    } else {
        body.push(0);
    }
    body.push(0x0b);
    let mut code = Vec::new();
    leb(count.into(), &mut code);
    for _ in 0..count {
        leb(body.len() as u64, &mut code);
        code.extend_from_slice(&body);
    }
    section(10, &code, &mut out);
    out
}

#[test]
fn minimal_module_is_accepted_and_charged() {
    let exec = executor();
    let code = module("");
    let p = exec.prepare(&code).unwrap();
    assert_eq!(p.code_hash.0, *blake3::hash(&code).as_bytes());
    let s = &exec.config().schedule;
    // Two functions, no control-flow instructions.
    assert_eq!(
        p.upload_gas,
        s.upload_cost(code.len()) + 2 * s.upload_per_function
    );
    // Branchy code pays per control-flow instruction, deterministically.
    let branchy = module("(func (loop (br_if 0 (i32.const 0))) (block (br 0)))");
    let expected =
        s.upload_cost(branchy.len()) + 3 * s.upload_per_function + 4 * s.upload_per_control_op;
    assert_eq!(exec.prepare(&branchy).unwrap().upload_gas, expected);
    assert_eq!(
        exec.prepare(&branchy).unwrap().upload_gas,
        expected,
        "cache hit"
    );
    assert!(exec.is_cached(&p.code_hash));
    assert!(exec.prepare(&binary_module(2, 3)).is_ok());
}

#[test]
fn oversized_code_is_rejected_before_parsing() {
    let exec = executor();
    let max = exec.config().max_code_bytes;
    // Garbage: if it were parsed the error would be `Malformed`.
    let err = prepare_err(&exec, &vec![0xff; max + 1]);
    assert_eq!(err, UploadError::CodeTooLarge { size: max + 1, max });
    assert_eq!(exec.cache_stats().compiles, 0);
}

#[test]
fn malformed_wasm_is_rejected() {
    let exec = executor();
    let good = module("");
    for bad in [
        Vec::new(),
        b"not wasm at all".to_vec(),
        b"\0asm".to_vec(),
        b"\0asm\x02\0\0\0".to_vec(),
        good[..good.len() - 3].to_vec(),
        [good.as_slice(), &[0x0b]].concat(),
    ] {
        assert!(
            matches!(prepare_err(&exec, &bad), UploadError::Malformed(_)),
            "{bad:?}"
        );
    }
    assert_eq!(exec.cache_stats().compiles, 0);
}

#[test]
fn imports_must_be_known_hm_functions_with_exact_signatures() {
    let exec = executor();
    let cases = [
        (r#"(import "hm" "nope" (func))"#, "unknown"),
        (
            r#"(import "env" "input_len" (func (result i32)))"#,
            "unknown",
        ),
        (
            r#"(import "hm" "input_len" (func (result i64)))"#,
            "signature",
        ),
        (
            r#"(import "hm" "call" (func (param i32 i32 i32 i32 i32) (result i32)))"#,
            "signature",
        ),
        (r#"(import "hm" "g" (global i32))"#, "non-function"),
        (r#"(import "hm" "t" (table 1 funcref))"#, "non-function"),
    ];
    for (import, expected) in cases {
        let err = prepare_err(&exec, &module(import));
        let ok = match expected {
            "unknown" => matches!(err, UploadError::UnknownImport { .. }),
            "signature" => matches!(err, UploadError::ImportSignature { .. }),
            _ => matches!(err, UploadError::NonFunctionImport { .. }),
        };
        assert!(ok, "{import}: {err}");
    }
    // Imported memory is refused too (and the module then has no own memory).
    let err = prepare_err(
        &exec,
        &wasm(
            r#"(module (import "hm" "memory" (memory 1)) (export "memory" (memory 0))
                (func (export "deploy")) (func (export "call")))"#,
        ),
    );
    assert!(
        matches!(err, UploadError::NonFunctionImport { .. }),
        "{err}"
    );
    // Every documented import at once is fine.
    let all: String = [
        r#"(import "hm" "input_len" (func (result i32)))"#,
        r#"(import "hm" "call" (func (param i32 i32 i64 i32 i32) (result i32)))"#,
        r#"(import "hm" "instantiate" (func (param i32 i32 i64 i32 i32 i32 i32 i32) (result i32)))"#,
        r#"(import "hm" "gas_left" (func (result i64)))"#,
    ]
    .concat();
    exec.prepare(&module(&all)).unwrap();
}

#[test]
fn disabled_features_are_rejected() {
    let exec = executor();
    let cases = [
        ("simd", r#"(func (drop (v128.const i64x2 0 0)))"#),
        (
            "relaxed simd",
            r#"(func (drop (i32x4.relaxed_trunc_f32x4_s (v128.const i64x2 0 0))))"#,
        ),
        ("reference types", r#"(func (param externref))"#),
        ("tail calls", r#"(func $f (return_call $f))"#),
        (
            "bulk memory init",
            r#"(data $d "x") (func (memory.init $d (i32.const 0) (i32.const 0) (i32.const 0)))"#,
        ),
        ("exceptions", r#"(tag $e) (func (throw $e))"#),
        (
            "wide arithmetic",
            r#"(func (drop (drop (i64.add128 (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0)))))"#,
        ),
    ];
    for (name, extra) in cases {
        let err = prepare_err(&exec, &module(extra));
        assert!(
            matches!(err, UploadError::DisabledFeature(_)),
            "{name}: {err}"
        );
    }
    let memories = [
        ("memory64", r#"(memory (export "memory") i64 1)"#),
        ("threads", r#"(memory (export "memory") 1 1 shared)"#),
        ("multi-memory", r#"(memory (export "memory") 1) (memory 1)"#),
    ];
    for (name, mem) in memories {
        let code = wasm(&format!(
            r#"(module {mem} (func (export "deploy")) (func (export "call")))"#
        ));
        let err = prepare_err(&exec, &code);
        assert!(
            matches!(
                err,
                UploadError::DisabledFeature(_) | UploadError::TooMany { .. }
            ),
            "{name}: {err}"
        );
    }
    let atomics = wasm(
        r#"(module (memory (export "memory") 1)
            (func (export "deploy")) (func (export "call") (drop (i32.atomic.load (i32.const 0)))))"#,
    );
    let err = prepare_err(&exec, &atomics);
    assert!(
        matches!(err, UploadError::DisabledFeature(_)),
        "atomics: {err}"
    );
    assert_eq!(exec.cache_stats().compiles, 0);
}

#[test]
fn allowed_post_mvp_features_compile() {
    let exec = executor();
    let code = module(
        r#"(func (result i32 i32) (i32.const 1) (i32.const 2))
           (func (drop (i32.extend8_s (i32.const 255))))
           (func (drop (i32.trunc_sat_f32_s (f32.const 1e30))))
           (func (memory.copy (i32.const 0) (i32.const 8) (i32.const 8))
                 (memory.fill (i32.const 0) (i32.const 0) (i32.const 8)))
           (global (mut i32) (i32.add (i32.const 1) (i32.const 2)))"#,
    );
    exec.prepare(&code).unwrap();
}

#[test]
fn huge_function_count_is_rejected() {
    // 100k functions do not fit in 128 KiB; allow 1 MiB of code to reach the count check.
    let exec = Executor::new(ExecutorConfig {
        max_code_bytes: 1 << 20,
        pool_instances: 2,
        ..ExecutorConfig::default()
    })
    .unwrap();
    let err = prepare_err(&exec, &binary_module(100_000, 0));
    assert!(
        matches!(
            err,
            UploadError::TooMany {
                what: "functions",
                count: 100_000,
                ..
            }
        ),
        "{err}"
    );
    let max = exec.config().max_functions;
    assert!(exec.prepare(&binary_module(max, 0)).is_ok());
    assert!(matches!(
        prepare_err(&exec, &binary_module(max + 1, 0)),
        UploadError::TooMany {
            what: "functions",
            ..
        }
    ));
    // Imports count towards the function limit.
    let mut wat = String::from(r#"(module (import "hm" "input_len" (func (result i32)))"#);
    wat.push_str(r#"(memory (export "memory") 1) (func (export "deploy")) (func (export "call"))"#);
    for _ in 0..max - 2 {
        wat.push_str("(func)");
    }
    wat.push(')');
    assert!(matches!(
        prepare_err(&exec, &wasm(&wat)),
        UploadError::TooMany {
            what: "functions",
            ..
        }
    ));
    assert_eq!(exec.cache_stats().compiles, 1);

    // The declared count is refused before the entries are read: a function section
    // claiming u32::MAX entries and holding none.
    let mut lying = b"\0asm\x01\0\0\0".to_vec();
    section(1, &[1, 0x60, 0, 0], &mut lying);
    let mut funcs = Vec::new();
    leb(u32::MAX.into(), &mut funcs);
    section(3, &funcs, &mut lying);
    assert!(matches!(
        prepare_err(&executor(), &lying),
        UploadError::TooMany {
            what: "functions",
            ..
        }
    ));
}

#[test]
fn huge_local_count_is_rejected() {
    let exec = executor();
    for locals in [1025, 100_000, u32::MAX] {
        let err = prepare_err(&exec, &binary_module(1, locals));
        assert!(
            matches!(
                err,
                UploadError::TooMany {
                    what: "locals in a function",
                    ..
                }
            ),
            "{locals}: {err}"
        );
    }
    assert!(exec.prepare(&binary_module(1, 1024)).is_ok());
    // Split over many groups.
    let many = format!("(func (local {}))", "i32 i64 ".repeat(513));
    assert!(matches!(
        prepare_err(&exec, &module(&many)),
        UploadError::TooMany {
            what: "locals in a function",
            count: 1025,
            ..
        }
    ));
    let fits = format!("(func (local {}))", "i32 i64 ".repeat(512));
    assert!(exec.prepare(&module(&fits)).is_ok());
}

#[test]
fn structural_limits() {
    let exec = executor();
    let params: String = "i32 ".repeat(129);
    let cases: Vec<(String, &str)> = vec![
        (
            format!("(func (param {params}))"),
            "parameters in a function type",
        ),
        (
            format!("(type (func (result {params})))"),
            "results in a function type",
        ),
        ("(table 1025 funcref)".into(), "initial table elements"),
        ("(global i32 (i32.const 0))".repeat(257), "globals"),
    ];
    for (extra, what) in cases {
        match prepare_err(&exec, &module(&extra)) {
            UploadError::TooMany { what: w, .. } => assert_eq!(w, what),
            other => panic!("{what}: {other}"),
        }
    }
    let big_memory = wasm(
        r#"(module (memory (export "memory") 17) (func (export "deploy")) (func (export "call")))"#,
    );
    assert!(matches!(
        prepare_err(&exec, &big_memory),
        UploadError::TooMany {
            what: "initial memory pages",
            ..
        }
    ));
    let data_oob = wasm(
        r#"(module (memory (export "memory") 1) (data (i32.const 65535) "xy")
            (func (export "deploy")) (func (export "call")))"#,
    );
    assert!(matches!(
        prepare_err(&exec, &data_oob),
        UploadError::Limit(_)
    ));
}

#[test]
fn exports_and_start_function() {
    let exec = executor();
    let cases = [
        (
            r#"(module (memory (export "memory") 1) (func (export "call")))"#,
            "missing deploy",
        ),
        (
            r#"(module (memory 1) (func (export "deploy")) (func (export "call")))"#,
            "missing memory",
        ),
        (
            r#"(module (memory (export "mem") 1) (func (export "deploy")) (func (export "call")))"#,
            "missing memory",
        ),
        (
            r#"(module (memory (export "memory") 1) (func (export "deploy") (param i32)) (func (export "call")))"#,
            "bad type",
        ),
        (
            r#"(module (memory (export "memory") 1) (func (export "deploy")) (func (export "call") (result i32) (i32.const 0)))"#,
            "bad type",
        ),
        (
            r#"(module (memory 1) (global (export "memory") i32 (i32.const 0)) (func (export "deploy")) (func (export "call")))"#,
            "bad type",
        ),
        (
            r#"(module (memory (export "memory") 1) (func $s) (start $s) (func (export "deploy")) (func (export "call")))"#,
            "start",
        ),
    ];
    for (wat, what) in cases {
        let err = prepare_err(&exec, &wasm(wat));
        let ok = match what {
            "missing deploy" => err == UploadError::MissingExport("deploy"),
            "missing memory" => err == UploadError::MissingExport("memory"),
            "bad type" => matches!(err, UploadError::ExportType { .. }),
            _ => err == UploadError::StartFunction,
        };
        assert!(ok, "{what}: {err}");
    }
    assert_eq!(
        prepare_err(&exec, &wasm("(component)")),
        UploadError::NotAModule
    );
}

#[test]
fn config_limits_are_respected() {
    let exec = Executor::new(ExecutorConfig {
        max_functions: 4,
        max_code_bytes: 1000,
        pool_instances: 2,
        ..ExecutorConfig::default()
    })
    .unwrap();
    assert!(exec.prepare(&binary_module(4, 0)).is_ok());
    assert!(exec.prepare(&binary_module(5, 0)).is_err());
    assert!(matches!(
        exec.prepare(&binary_module(4, 0).repeat(20)),
        Err(UploadError::CodeTooLarge { .. })
    ));
}
