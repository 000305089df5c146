//! The `hm` import module, version 1 (docs/contracts-abi.md): names and exact
//! signatures. The validator refuses any other import and the linker defines exactly
//! these, so this table is the single source of truth for both.

use wasmparser::{FuncType, ValType};

/// Import module name.
pub const HOST_MODULE: &str = "hm";

const I32: ValType = ValType::I32;
const I64: ValType = ValType::I64;

/// One host function: name, parameter types, result types.
pub(crate) struct HostSig {
    pub name: &'static str,
    pub params: &'static [ValType],
    pub results: &'static [ValType],
}

const fn sig(
    name: &'static str,
    params: &'static [ValType],
    results: &'static [ValType],
) -> HostSig {
    HostSig {
        name,
        params,
        results,
    }
}

pub(crate) const HOST_FUNCTIONS: &[HostSig] = &[
    sig("input_len", &[], &[I32]),
    sig("input_read", &[I32], &[]),
    sig("return_value", &[I32, I32, I32], &[]),
    sig("storage_get", &[I32, I32, I32, I32], &[I32]),
    sig("storage_set", &[I32, I32, I32, I32], &[I32]),
    sig("storage_remove", &[I32, I32], &[I32]),
    sig("storage_contains", &[I32, I32], &[I32]),
    sig("caller", &[I32], &[]),
    sig("address", &[I32], &[]),
    sig("value_transferred", &[I32], &[]),
    sig("balance", &[I32], &[]),
    sig("block_number", &[], &[I64]),
    sig("timestamp", &[], &[I64]),
    sig("gas_left", &[], &[I64]),
    sig("transfer", &[I32, I32], &[I32]),
    sig("deposit_event", &[I32, I32, I32, I32], &[]),
    sig("call", &[I32, I32, I64, I32, I32], &[I32]),
    sig(
        "instantiate",
        &[I32, I32, I64, I32, I32, I32, I32, I32],
        &[I32],
    ),
    sig("call_runtime", &[I32, I32], &[I32]),
    sig("return_data_len", &[], &[I32]),
    sig("return_data_read", &[I32], &[]),
    sig("blake3", &[I32, I32, I32], &[]),
    sig("falcon_verify", &[I32, I32, I32, I32, I32, I32], &[I32]),
    sig("debug_log", &[I32, I32], &[]),
];

/// Names of all host functions, for documentation and tests.
pub fn host_function_names() -> impl Iterator<Item = &'static str> {
    HOST_FUNCTIONS.iter().map(|s| s.name)
}

pub(crate) fn lookup(name: &str) -> Option<&'static HostSig> {
    HOST_FUNCTIONS.iter().find(|s| s.name == name)
}

impl HostSig {
    pub(crate) fn matches(&self, ty: &FuncType) -> bool {
        ty.params() == self.params && ty.results() == self.results
    }

    pub(crate) fn describe(&self) -> String {
        describe(self.params, self.results)
    }
}

pub(crate) fn describe(params: &[ValType], results: &[ValType]) -> String {
    let list = |tys: &[ValType]| {
        tys.iter()
            .map(|t| t.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!("({}) -> ({})", list(params), list(results))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linker_defines_every_documented_function() {
        let imports: String = HOST_FUNCTIONS
            .iter()
            .map(|s| {
                let list = |tys: &[ValType]| {
                    tys.iter()
                        .map(|t| t.to_string())
                        .collect::<Vec<_>>()
                        .join(" ")
                };
                format!(
                    r#"(import "hm" "{}" (func (param {}) (result {})))"#,
                    s.name,
                    list(s.params),
                    list(s.results)
                )
            })
            .collect();
        let code = wat::parse_str(format!(
            r#"(module {imports} (memory (export "memory") 1)
                (func (export "deploy")) (func (export "call")))"#
        ))
        .unwrap();
        let exec = crate::Executor::new(crate::ExecutorConfig {
            pool_instances: 1,
            ..Default::default()
        })
        .unwrap();
        // `prepare` links through `InstancePre`, which fails on any missing or
        // mistyped definition.
        exec.prepare(&code).unwrap();
    }

    #[test]
    fn every_function_is_in_the_abi_document() {
        let doc = include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../docs/contracts-abi.md"
        ));
        for name in host_function_names() {
            assert!(
                doc.contains(&format!("| `{name}` |")),
                "{name} undocumented"
            );
        }
        let documented = doc.lines().filter(|l| l.starts_with("| `")).count();
        assert_eq!(documented, HOST_FUNCTIONS.len());
    }
}
