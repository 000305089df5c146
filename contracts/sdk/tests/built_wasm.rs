//! Checks contracts built by scripts/build-contracts.sh (contracts/target-wasm/*.wasm)
//! against docs/contracts-abi.md: imports only `hm` functions with the ABI's exact
//! signatures, exports exactly `memory`, `deploy` and `call`, and stays inside the upload
//! limits and the allowed wasm feature set. Without built files that test is skipped with
//! a message; the checks of the checker itself, of `sys.rs` and of the ABI doc always run.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use wasmparser::{ExternalKind, Parser, Payload, TypeRef, ValType, Validator, WasmFeatures};

/// Wasm value types the ABI uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ty {
    I32,
    I64,
}

/// (name, params, results) of every `hm` function, from docs/contracts-abi.md.
const ABI: &[(&str, &[Ty], &[Ty])] = {
    use Ty::{I32, I64};
    &[
        ("input_len", &[], &[I32]),
        ("input_read", &[I32], &[]),
        ("return_value", &[I32, I32, I32], &[]),
        ("storage_get", &[I32, I32, I32, I32], &[I32]),
        ("storage_set", &[I32, I32, I32, I32], &[I32]),
        ("storage_remove", &[I32, I32], &[I32]),
        ("storage_contains", &[I32, I32], &[I32]),
        ("caller", &[I32], &[]),
        ("address", &[I32], &[]),
        ("value_transferred", &[I32], &[]),
        ("balance", &[I32], &[]),
        ("block_number", &[], &[I64]),
        ("timestamp", &[], &[I64]),
        ("gas_left", &[], &[I64]),
        ("transfer", &[I32, I32], &[I32]),
        ("deposit_event", &[I32, I32, I32, I32], &[]),
        ("call", &[I32, I32, I64, I32, I32], &[I32]),
        (
            "instantiate",
            &[I32, I32, I64, I32, I32, I32, I32, I32],
            &[I32],
        ),
        ("call_runtime", &[I32, I32], &[I32]),
        ("return_data_len", &[], &[I32]),
        ("return_data_read", &[I32], &[]),
        ("blake3", &[I32, I32, I32], &[]),
        ("falcon_verify", &[I32, I32, I32, I32, I32, I32], &[I32]),
        ("debug_log", &[I32, I32], &[]),
    ]
};

/// Upload limits (docs/contracts-abi.md, "Limits").
const MAX_CODE_BYTES: usize = 128 * 1024;
const MAX_FUNCTIONS: usize = 1024;
const MAX_LOCALS: u64 = 1024;
const MAX_PARAMS: usize = 128;
const MAX_PAGES: u64 = 16;
const MAX_TABLE_ELEMENTS: u64 = 1024;
const EXAMPLES: &[&str] = &["caller", "limit-order", "multisig", "token", "voting"];

/// WebAssembly 1.0 plus what the ABI does not refuse and our build uses: sign extension,
/// non-trapping float-to-int, and of bulk memory only `memory.copy`/`memory.fill`.
fn allowed_features() -> WasmFeatures {
    WasmFeatures::FLOATS
        | WasmFeatures::MUTABLE_GLOBAL
        | WasmFeatures::SIGN_EXTENSION
        | WasmFeatures::SATURATING_FLOAT_TO_INT
        | WasmFeatures::BULK_MEMORY_OPT
}

fn contracts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn ty(value: ValType) -> Result<Ty, String> {
    match value {
        ValType::I32 => Ok(Ty::I32),
        ValType::I64 => Ok(Ty::I64),
        other => Err(format!("value type {other:?} is not used by the ABI")),
    }
}

fn tys(values: &[ValType]) -> Result<Vec<Ty>, String> {
    values.iter().map(|v| ty(*v)).collect()
}

/// Every rule a contract must satisfy; returns the first violation.
fn check_contract(bytes: &[u8]) -> Result<(), String> {
    if bytes.len() > MAX_CODE_BYTES {
        return Err(format!(
            "{} bytes is over the {MAX_CODE_BYTES}-byte code cap",
            bytes.len()
        ));
    }
    Validator::new_with_features(allowed_features())
        .validate_all(bytes)
        .map_err(|e| format!("invalid under the allowed feature set: {e}"))?;

    let abi: BTreeMap<&str, (&[Ty], &[Ty])> = ABI.iter().map(|(n, p, r)| (*n, (*p, *r))).collect();
    let mut types = Vec::new();
    let mut functions = Vec::new(); // type index of every function, imports first
    let mut exports = BTreeMap::new();
    let mut memories = Vec::new();
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.map_err(|e| e.to_string())? {
            Payload::TypeSection(reader) => {
                for func in reader.into_iter_err_on_gc_types() {
                    let func = func.map_err(|e| e.to_string())?;
                    types.push((tys(func.params()), tys(func.results())));
                }
            }
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    let import = import.map_err(|e| e.to_string())?;
                    if import.module != "hm" {
                        return Err(format!("imports from module `{}`", import.module));
                    }
                    let TypeRef::Func(index) = import.ty else {
                        return Err(format!("imports `{}` as a non-function", import.name));
                    };
                    let Some((params, results)) = abi.get(import.name) else {
                        return Err(format!("imports unknown host function `{}`", import.name));
                    };
                    let (got_params, got_results) = types
                        .get(index as usize)
                        .ok_or_else(|| format!("type index {index} out of range"))?;
                    if got_params.as_deref() != Ok(params) || got_results.as_deref() != Ok(results)
                    {
                        return Err(format!(
                            "imports `{}` with {got_params:?} -> {got_results:?}, ABI says {params:?} -> {results:?}",
                            import.name
                        ));
                    }
                    functions.push(index);
                }
            }
            Payload::FunctionSection(reader) => {
                for index in reader {
                    functions.push(index.map_err(|e| e.to_string())?);
                }
            }
            Payload::TableSection(reader) => {
                for (count, table) in reader.into_iter().enumerate() {
                    let table = table.map_err(|e| e.to_string())?;
                    if count > 0 {
                        return Err("more than one table".into());
                    }
                    if table.ty.initial > MAX_TABLE_ELEMENTS
                        || table.ty.maximum.is_some_and(|max| max > MAX_TABLE_ELEMENTS)
                    {
                        return Err("table over 1024 elements".into());
                    }
                }
            }
            Payload::MemorySection(reader) => {
                for memory in reader {
                    memories.push(memory.map_err(|e| e.to_string())?);
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export.map_err(|e| e.to_string())?;
                    exports.insert(export.name.to_string(), (export.kind, export.index));
                }
            }
            Payload::StartSection { .. } => return Err("has a start function".into()),
            Payload::CodeSectionEntry(body) => {
                let mut locals = 0u64;
                for group in body.get_locals_reader().map_err(|e| e.to_string())? {
                    locals += u64::from(group.map_err(|e| e.to_string())?.0);
                }
                if locals > MAX_LOCALS {
                    return Err(format!("a function has {locals} locals"));
                }
            }
            _ => {}
        }
    }

    if functions.len() > MAX_FUNCTIONS {
        return Err(format!("{} functions", functions.len()));
    }
    for index in &functions {
        let (params, _) = &types[*index as usize];
        if params.as_ref().map_or(0, Vec::len) > MAX_PARAMS {
            return Err("a function has more than 128 parameters".into());
        }
    }
    match memories.as_slice() {
        [memory] => {
            if memory.memory64 || memory.shared {
                return Err("memory is 64-bit or shared".into());
            }
            if memory.initial > MAX_PAGES || memory.maximum.is_none_or(|max| max > MAX_PAGES) {
                return Err(format!(
                    "memory {}..{:?} pages: must start and be capped at ≤ 16",
                    memory.initial, memory.maximum
                ));
            }
        }
        _ => return Err(format!("defines {} memories, expected 1", memories.len())),
    }
    let names: Vec<&str> = exports.keys().map(String::as_str).collect();
    if names != ["call", "deploy", "memory"] {
        return Err(format!(
            "exports {names:?}, expected exactly call, deploy, memory"
        ));
    }
    if exports["memory"] != (ExternalKind::Memory, 0) {
        return Err("`memory` does not export memory 0".into());
    }
    for entry in ["deploy", "call"] {
        let (kind, index) = exports[entry];
        let signature = functions.get(index as usize).map(|t| &types[*t as usize]);
        let unit = matches!(signature, Some((Ok(p), Ok(r))) if p.is_empty() && r.is_empty());
        if kind != ExternalKind::Func || !unit {
            return Err(format!("`{entry}` is not a function of type () -> ()"));
        }
    }
    Ok(())
}

#[test]
fn built_contracts_follow_the_abi() {
    let dir = contracts_dir().join("target-wasm");
    let mut files: Vec<PathBuf> = match fs::read_dir(&dir) {
        Ok(entries) => entries
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|path| path.extension().is_some_and(|ext| ext == "wasm"))
            .collect(),
        Err(_) => Vec::new(),
    };
    if files.is_empty() {
        eprintln!(
            "SKIPPED built_contracts_follow_the_abi: no .wasm in {} (run scripts/build-contracts.sh)",
            dir.display()
        );
        return;
    }
    files.sort();
    for example in EXAMPLES {
        assert!(
            files
                .iter()
                .any(|f| f.file_stem().is_some_and(|s| s == *example)),
            "{example}.wasm missing from {}",
            dir.display()
        );
    }
    for file in &files {
        let bytes = fs::read(file).expect("readable .wasm");
        if let Err(violation) = check_contract(&bytes) {
            panic!("{}: {violation}", file.display());
        }
        eprintln!("{}: {} bytes, follows the ABI", file.display(), bytes.len());
    }
}

/// The smallest module the checker accepts, with `extra` spliced into it.
fn module(extra_imports: &str, extra: &str, memory: &str) -> Vec<u8> {
    let text = format!(
        r#"(module
            (import "hm" "input_len" (func (result i32)))
            {extra_imports}
            (memory (export "memory") {memory})
            (func (export "deploy"))
            (func (export "call"))
            {extra})"#
    );
    wat::parse_str(text).expect("test module parses")
}

#[test]
fn checker_accepts_a_minimal_contract() {
    assert_eq!(check_contract(&module("", "", "1 16")), Ok(()));
    let copy = r#"(func (param i32) (memory.copy (local.get 0) (local.get 0) (local.get 0))
                                   (memory.fill (local.get 0) (local.get 0) (local.get 0))
                                   (drop (i32.extend8_s (local.get 0))))"#;
    assert_eq!(check_contract(&module("", copy, "1 16")), Ok(()));
}

#[test]
fn checker_refuses_what_upload_refuses() {
    let cases: &[(&str, Vec<u8>)] = &[
        (
            "foreign module",
            module(r#"(import "env" "abort" (func))"#, "", "1 16"),
        ),
        (
            "unknown host function",
            module(r#"(import "hm" "seal_call" (func))"#, "", "1 16"),
        ),
        (
            "wrong signature",
            module(
                r#"(import "hm" "gas_left" (func (result i32)))"#,
                "",
                "1 16",
            ),
        ),
        (
            "imported memory",
            module(r#"(import "hm" "mem" (memory 1))"#, "", "1 16"),
        ),
        ("uncapped memory", module("", "", "1")),
        ("memory over 16 pages", module("", "", "1 17")),
        (
            "extra export",
            module("", r#"(func (export "__heap_base"))"#, "1 16"),
        ),
        ("start function", module("", "(func $s) (start $s)", "1 16")),
        ("huge table", module("", "(table 2000 funcref)", "1 16")),
        (
            "memory.init",
            module(
                "",
                r#"(data "x") (func (memory.init 0 (i32.const 0) (i32.const 0) (i32.const 0)))"#,
                "1 16",
            ),
        ),
        (
            "reference types",
            module("", "(func (drop (ref.null func)))", "1 16"),
        ),
        (
            "simd",
            module("", "(func (drop (v128.const i64x2 0 0)))", "1 16"),
        ),
        (
            "threads",
            module("", "(func (drop (i32.atomic.load (i32.const 0))))", "1 16"),
        ),
        (
            "multi-value",
            module(
                "",
                "(func (result i32 i32) (i32.const 0) (i32.const 0))",
                "1 16",
            ),
        ),
    ];
    for (what, bytes) in cases {
        let verdict = check_contract(bytes);
        eprintln!("{what}: {verdict:?}");
        assert!(verdict.is_err(), "accepted a module with {what}");
    }
    let no_call =
        wat::parse_str(r#"(module (memory (export "memory") 1 16) (func (export "deploy")))"#)
            .unwrap();
    assert!(check_contract(&no_call).is_err());
    let wrong_type = wat::parse_str(
        r#"(module (memory (export "memory") 1 16) (func (export "deploy")) (func (export "call") (param i32)))"#,
    )
    .unwrap();
    assert!(check_contract(&wrong_type).is_err());
    assert!(check_contract(b"\0asm\x01\0\0\0garbage").is_err());
    assert!(check_contract(&[]).is_err());
}

/// Parses the signature column of the ABI doc: `(a, b: i64) -> i32`.
fn parse_doc_signature(text: &str) -> Option<(Vec<Ty>, Vec<Ty>)> {
    let text = text.trim().strip_prefix('(')?;
    let (params, rest) = text.split_once(')')?;
    let params = params
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once(':').map(|(_, t)| t.trim()) {
            Some("i64") => Ty::I64,
            // Pointers, lengths and counts are i32 (the doc's convention).
            _ => Ty::I32,
        })
        .collect();
    let results = match rest.trim() {
        "-> i32" => vec![Ty::I32],
        "-> i64" => vec![Ty::I64],
        "-> !" | "" => vec![],
        _ => return None,
    };
    Some((params, results))
}

#[test]
fn abi_table_matches_the_documentation() {
    let path = contracts_dir().join("../docs/contracts-abi.md");
    let Ok(doc) = fs::read_to_string(&path) else {
        eprintln!(
            "SKIPPED abi_table_matches_the_documentation: {} not found",
            path.display()
        );
        return;
    };
    let mut documented = BTreeMap::new();
    for line in doc.lines() {
        let columns: Vec<&str> = line.split('|').map(str::trim).collect();
        let (Some(name), Some(signature)) = (columns.get(1), columns.get(2)) else {
            continue;
        };
        let (Some(name), Some(signature)) = (
            name.strip_prefix('`').and_then(|n| n.strip_suffix('`')),
            signature
                .strip_prefix('`')
                .and_then(|s| s.strip_suffix('`')),
        ) else {
            continue;
        };
        if let Some(parsed) = parse_doc_signature(signature) {
            documented.insert(name.to_string(), parsed);
        }
    }
    let ours: BTreeMap<String, (Vec<Ty>, Vec<Ty>)> = ABI
        .iter()
        .map(|(n, p, r)| (n.to_string(), (p.to_vec(), r.to_vec())))
        .collect();
    assert_eq!(ours, documented);
}

#[test]
fn sys_declarations_match_the_abi() {
    let source =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/sys.rs")).unwrap();
    let code: String = source
        .lines()
        .map(str::trim)
        .filter(|line| !line.starts_with("//") && !line.starts_with('#'))
        .collect::<Vec<_>>()
        .join(" ");
    let mut declared = BTreeMap::new();
    for chunk in code.split("pub fn ").skip(1) {
        let (name, rest) = chunk.split_once('(').unwrap();
        let (params, rest) = rest.split_once(')').unwrap();
        let ret = rest.split_once(';').unwrap().0.trim();
        let params: Vec<Ty> = params
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| match p.split_once(':').unwrap().1.trim() {
                "i64" => Ty::I64,
                "i32" | "*const u8" | "*mut u8" => Ty::I32,
                other => panic!("{name}: unexpected parameter type {other}"),
            })
            .collect();
        let results = match ret {
            "" | "-> !" => vec![],
            "-> i32" => vec![Ty::I32],
            "-> i64" => vec![Ty::I64],
            other => panic!("{name}: unexpected return {other}"),
        };
        declared.insert(name.trim().to_string(), (params, results));
    }
    let ours: BTreeMap<String, (Vec<Ty>, Vec<Ty>)> = ABI
        .iter()
        .map(|(n, p, r)| (n.to_string(), (p.to_vec(), r.to_vec())))
        .collect();
    assert_eq!(declared, ours);
}
