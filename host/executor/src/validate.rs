//! Upload-time validation: everything that could make compilation or instantiation
//! expensive, non-deterministic or outside the ABI is refused here, before Cranelift sees
//! the code. Each cap is checked from a section's declared count before its entries are
//! read, so hostile counts are refused in time independent of the count.

use crate::config::{ExecutorConfig, WASM_PAGE_BYTES};
use crate::error::UploadError;
use crate::host::abi::{self, HOST_MODULE};
use crate::stack::{self, FrameInfo, STACK_EXPORT};
use wasmparser::types::TypesRef;
use wasmparser::{
    CompositeInnerType, DataKind, Encoding, ExternalKind, FuncType, FuncValidatorAllocations,
    Operator, Parser, Payload, TypeRef, ValidPayload, Validator, WasmFeatures,
};

/// The wasm feature set contracts may use: "lime1" (MVP + mutable globals, sign
/// extension, saturating float-to-int, multi-value, extended-const, `memory.copy`/`fill`
/// and the overlong `call_indirect` table encoding current LLVM emits). No SIMD, threads,
/// memory64, multi-memory, reference types, GC, exceptions, tail calls or components.
/// (`GC_TYPES`, part of wasmparser's MVP set, only gates `externref`-like types; it is
/// removed because the engine is built without GC.)
pub(crate) fn contract_features() -> WasmFeatures {
    WasmFeatures::LIME1.difference(WasmFeatures::GC_TYPES)
}

/// Facts about validated code the executor needs later.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ModuleInfo {
    pub functions: u32,
    /// Control-flow instructions in all bodies; priced at upload (see `GasSchedule`).
    pub control_ops: u64,
    /// Per defined function, for the stack instrumentation.
    pub frames: Vec<FrameInfo>,
    pub type_count: u32,
    pub global_count: u32,
}

/// Parameter count and results of function `index`.
fn signature(types: &TypesRef<'_>, index: u32) -> Option<(u32, Vec<wasmparser::ValType>)> {
    if index >= types.function_count() {
        return None;
    }
    match &types[types.core_function_at(index)].composite_type.inner {
        CompositeInnerType::Func(f) => {
            Some((u32::try_from(f.params().len()).ok()?, f.results().to_vec()))
        }
        _ => None,
    }
}

pub(crate) fn wasm_error(e: wasmparser::BinaryReaderError) -> UploadError {
    let msg = e.to_string();
    let lower = msg.to_ascii_lowercase();
    let feature = e.missing_wasm_feature().is_some()
        || lower.contains("not enabled")
        || lower.contains("proposal not")
        || lower.contains("support is not");
    if feature {
        UploadError::DisabledFeature(msg)
    } else {
        UploadError::Malformed(msg)
    }
}

fn cap(what: &'static str, count: u64, max: u64) -> Result<(), UploadError> {
    if count > max {
        Err(UploadError::TooMany { what, count, max })
    } else {
        Ok(())
    }
}

fn func_type<'t>(types: &'t TypesRef<'_>, type_index: u32) -> Option<&'t FuncType> {
    if type_index >= types.core_type_count_in_module() {
        return None;
    }
    match &types[types.core_type_at_in_module(type_index)]
        .composite_type
        .inner
    {
        CompositeInnerType::Func(f) => Some(f),
        _ => None,
    }
}

struct Checker<'c> {
    config: &'c ExecutorConfig,
    functions: u64,
    initial_pages: u32,
}

impl Checker<'_> {
    fn check_types(&self, types: &TypesRef<'_>) -> Result<(), UploadError> {
        let max = u64::from(self.config.max_params);
        for index in 0..types.core_type_count_in_module() {
            let f = func_type(types, index)
                .ok_or_else(|| UploadError::DisabledFeature("non-function type".into()))?;
            cap(
                "parameters in a function type",
                f.params().len() as u64,
                max,
            )?;
            cap("results in a function type", f.results().len() as u64, max)?;
        }
        Ok(())
    }

    fn check_imports(
        &mut self,
        reader: &wasmparser::ImportSectionReader<'_>,
        types: &TypesRef<'_>,
    ) -> Result<(), UploadError> {
        for import in reader.clone().into_imports() {
            let import = import.map_err(wasm_error)?;
            let (module, name) = (import.module, import.name);
            let TypeRef::Func(type_index) = import.ty else {
                return Err(UploadError::NonFunctionImport {
                    module: module.into(),
                    name: name.into(),
                });
            };
            let known = (module == HOST_MODULE)
                .then(|| abi::lookup(name))
                .flatten()
                .ok_or_else(|| UploadError::UnknownImport {
                    module: module.into(),
                    name: name.into(),
                })?;
            let ty = func_type(types, type_index)
                .ok_or_else(|| UploadError::Malformed("import type index out of range".into()))?;
            if !known.matches(ty) {
                return Err(UploadError::ImportSignature {
                    name: name.into(),
                    expected: known.describe(),
                    found: abi::describe(ty.params(), ty.results()),
                });
            }
            self.functions += 1;
        }
        cap(
            "functions",
            self.functions,
            u64::from(self.config.max_functions),
        )
    }

    fn check_locals(&self, body: &wasmparser::FunctionBody<'_>) -> Result<(), UploadError> {
        let mut locals = body.get_locals_reader().map_err(wasm_error)?;
        let mut total: u64 = 0;
        for _ in 0..locals.get_count() {
            let (count, _) = locals.read().map_err(wasm_error)?;
            total = total.saturating_add(u64::from(count));
            cap(
                "locals in a function",
                total,
                u64::from(self.config.max_locals),
            )?;
        }
        Ok(())
    }

    fn check_memory(
        &mut self,
        reader: &wasmparser::MemorySectionReader<'_>,
    ) -> Result<(), UploadError> {
        cap("memories", u64::from(reader.count()), 1)?;
        for memory in reader.clone() {
            let memory = memory.map_err(wasm_error)?;
            if memory.memory64 || memory.shared || memory.page_size_log2.is_some() {
                return Err(UploadError::DisabledFeature(
                    "memory64/shared/custom-page memory".into(),
                ));
            }
            cap(
                "initial memory pages",
                memory.initial,
                u64::from(self.config.max_memory_pages),
            )?;
            self.initial_pages = u32::try_from(memory.initial).unwrap_or(u32::MAX);
        }
        Ok(())
    }

    fn check_tables(&self, reader: &wasmparser::TableSectionReader<'_>) -> Result<(), UploadError> {
        cap("tables", u64::from(reader.count()), 1)?;
        for table in reader.clone() {
            let table = table.map_err(wasm_error)?;
            cap(
                "initial table elements",
                table.ty.initial,
                u64::from(self.config.max_table_elements),
            )?;
        }
        Ok(())
    }

    /// Refuse active data segments with a constant offset that cannot fit in the initial
    /// memory, so they fail at upload rather than at every instantiation.
    fn check_data(&self, reader: &wasmparser::DataSectionReader<'_>) -> Result<(), UploadError> {
        let memory_bytes = u64::from(self.initial_pages).saturating_mul(WASM_PAGE_BYTES as u64);
        for data in reader.clone() {
            let data = data.map_err(wasm_error)?;
            let DataKind::Active { offset_expr, .. } = data.kind else {
                continue;
            };
            let mut ops = offset_expr.get_operators_reader();
            let (Ok(Operator::I32Const { value }), Ok(Operator::End)) = (ops.read(), ops.read())
            else {
                continue;
            };
            let end = u64::from(value as u32).saturating_add(data.data.len() as u64);
            if end > memory_bytes {
                return Err(UploadError::Limit(format!(
                    "data segment ends at byte {end}, beyond the initial memory of {memory_bytes}"
                )));
            }
        }
        Ok(())
    }
}

fn check_exports(
    types: &TypesRef<'_>,
    exports: &[(String, ExternalKind, u32)],
) -> Result<(), UploadError> {
    let find = |name: &str| exports.iter().find(|(n, _, _)| n == name);
    if find(STACK_EXPORT).is_some() {
        return Err(UploadError::Limit(format!(
            "export name `{STACK_EXPORT}` is reserved"
        )));
    }
    match find("memory") {
        Some((_, ExternalKind::Memory, 0)) => {}
        Some(_) => {
            return Err(UploadError::ExportType {
                name: "memory",
                expected: "the module's memory",
            })
        }
        None => return Err(UploadError::MissingExport("memory")),
    }
    for name in ["deploy", "call"] {
        let &(_, kind, index) = find(name).ok_or(UploadError::MissingExport(name))?;
        let ok = kind == ExternalKind::Func
            && index < types.function_count()
            && matches!(
                &types[types.core_function_at(index)].composite_type.inner,
                CompositeInnerType::Func(f) if f.params().is_empty() && f.results().is_empty()
            );
        if !ok {
            return Err(UploadError::ExportType {
                name,
                expected: "a function of type () -> ()",
            });
        }
    }
    Ok(())
}

/// Validate contract code against `config` and the `hm` ABI.
pub(crate) fn validate(code: &[u8], config: &ExecutorConfig) -> Result<ModuleInfo, UploadError> {
    if code.len() > config.max_code_bytes {
        return Err(UploadError::CodeTooLarge {
            size: code.len(),
            max: config.max_code_bytes,
        });
    }
    let mut validator = Validator::new_with_features(contract_features());
    let mut allocations = FuncValidatorAllocations::default();
    let mut checker = Checker {
        config,
        functions: 0,
        initial_pages: 0,
    };
    let mut exports: Vec<(String, ExternalKind, u32)> = Vec::new();
    let mut control_ops = 0u64;
    let mut frames = Vec::new();

    for payload in Parser::new(0).parse_all(code) {
        let payload = payload.map_err(wasm_error)?;
        // Declared counts first: refuse before the validator walks the entries.
        match &payload {
            Payload::Version { encoding, .. } if *encoding != Encoding::Module => {
                return Err(UploadError::NotAModule)
            }
            Payload::TypeSection(r) => {
                cap("types", u64::from(r.count()), u64::from(config.max_types))?
            }
            Payload::ImportSection(r) => cap(
                "imports",
                u64::from(r.count()),
                abi::HOST_FUNCTIONS.len() as u64 * 4,
            )?,
            Payload::FunctionSection(r) => {
                let total = checker.functions.saturating_add(u64::from(r.count()));
                cap("functions", total, u64::from(config.max_functions))?
            }
            Payload::GlobalSection(r) => cap(
                "globals",
                u64::from(r.count()),
                u64::from(config.max_globals),
            )?,
            Payload::ExportSection(r) => {
                let max = u64::from(config.max_functions)
                    .saturating_add(u64::from(config.max_globals) + 2);
                cap("exports", u64::from(r.count()), max)?
            }
            Payload::MemorySection(r) => checker.check_memory(r)?,
            Payload::TableSection(r) => checker.check_tables(r)?,
            Payload::StartSection { .. } => return Err(UploadError::StartFunction),
            Payload::CodeSectionEntry(body) => checker.check_locals(body)?,
            _ => {}
        }
        let valid = validator.payload(&payload).map_err(wasm_error)?;
        match &payload {
            Payload::TypeSection(_) => {
                if let Some(types) = validator.types(0) {
                    checker.check_types(&types)?;
                }
            }
            Payload::ImportSection(r) => {
                let types = validator
                    .types(0)
                    .ok_or_else(|| UploadError::Malformed("imports outside a module".into()))?;
                checker.check_imports(r, &types)?;
            }
            Payload::FunctionSection(r) => {
                checker.functions = checker.functions.saturating_add(u64::from(r.count()));
            }
            Payload::DataSection(r) => checker.check_data(r)?,
            Payload::ExportSection(r) => {
                for export in r.clone() {
                    let e = export.map_err(wasm_error)?;
                    exports.push((e.name.to_owned(), e.kind, e.index));
                }
            }
            _ => {}
        }
        match valid {
            ValidPayload::Func(func, body) => {
                let (params, results) = validator
                    .types(0)
                    .and_then(|types| signature(&types, func.index))
                    .ok_or_else(|| UploadError::Malformed("function without a type".into()))?;
                let mut v = func.into_validator(std::mem::take(&mut allocations));
                let (frame, ops) = stack::analyze_body(&mut v, &body, params, results)?;
                allocations = v.into_allocations();
                control_ops = control_ops.saturating_add(ops);
                frames.push(frame);
            }
            ValidPayload::End(types) => {
                let types = types.as_ref();
                check_exports(&types, &exports)?;
                return Ok(ModuleInfo {
                    functions: u32::try_from(checker.functions).unwrap_or(u32::MAX),
                    control_ops,
                    frames,
                    type_count: types.core_type_count_in_module(),
                    global_count: types.global_count(),
                });
            }
            ValidPayload::Parser(_) => return Err(UploadError::NotAModule),
            ValidPayload::Ok => {}
        }
    }
    Err(UploadError::Malformed("unexpected end of module".into()))
}
