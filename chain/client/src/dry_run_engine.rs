//! The engine upload dry runs use: it validates and prices code but never compiles it.
//!
//! The executor caches what it compiles, in memory and on disk. An upload extrinsic pays
//! its deposit and fee for that; a dry run over RPC is free, so compiling there would let
//! anyone fill the node's disk with artifacts of code never stored on chain. The
//! [`ContractEngine`] contract says code whose charge exceeds the gas limit is refused
//! *before* it is compiled, so probing with limits below the full charge yields the
//! validator's verdict and the exact gas, as the real upload would see them.
use hm_contracts_api::{
    ContractEngine, ContractEnv, Entry, ExecOutcome, PrepareOutcome, PreparedCode, UploadError,
};
use hm_primitives::{blake3_256, AccountId, H256};
use std::sync::Arc;

pub(crate) struct ValidateOnly {
    pub(crate) inner: Arc<dyn ContractEngine>,
}

fn out_of_gas(required: u64, limit: u64, gas_used: u64) -> PrepareOutcome {
    PrepareOutcome {
        result: Err(UploadError::OutOfGas { required, limit }),
        gas_used,
    }
}

impl ContractEngine for ValidateOnly {
    fn prepare(&self, code: &[u8], gas_limit: u64) -> PrepareOutcome {
        // With no gas at all the executor names the validation charge (or refuses code
        // over the size cap, free of charge).
        let probe = self.inner.prepare(code, 0);
        let check_cost = match probe.result {
            Err(UploadError::OutOfGas { required, .. }) => required,
            _ => return probe,
        };
        if check_cost > gas_limit {
            return out_of_gas(check_cost, gas_limit, gas_limit);
        }
        // With exactly the validation charge it validates, then refuses to compile and
        // names the full charge. (A module with no functions costs no more than its
        // check and would be compiled here; it is a few bytes and fails validation.)
        let probe = self.inner.prepare(code, check_cost);
        match probe.result {
            Err(UploadError::OutOfGas { required, .. }) if required > gas_limit => {
                out_of_gas(required, gas_limit, check_cost)
            }
            Err(UploadError::OutOfGas { required, .. }) => PrepareOutcome {
                result: Ok(PreparedCode {
                    code_hash: blake3_256(code),
                    upload_gas: required,
                }),
                gas_used: required,
            },
            _ => probe,
        }
    }

    fn execute(
        &self,
        code_hash: &H256,
        entry: Entry,
        input: &[u8],
        gas_limit: u64,
        env: &mut dyn ContractEnv,
    ) -> ExecOutcome {
        self.inner.execute(code_hash, entry, input, gas_limit, env)
    }

    fn debug_log_enabled(&self) -> bool {
        self.inner.debug_log_enabled()
    }

    fn debug_log(&self, contract: &AccountId, message: &str) {
        self.inner.debug_log(contract, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hm_contracts_api::ExecError;
    use parking_lot::Mutex;

    /// Follows the engine contract: size cap, then the check charge, validation (code
    /// starting with `bad` is invalid), the full charge, then compiling (counted).
    struct Metered {
        compiled: Mutex<u32>,
    }

    const CHECK: u64 = 100;
    const FULL: u64 = 1_000;

    impl ContractEngine for Metered {
        fn prepare(&self, code: &[u8], gas_limit: u64) -> PrepareOutcome {
            if code.len() > 16 {
                return PrepareOutcome {
                    result: Err(UploadError::CodeTooLarge {
                        size: code.len(),
                        max: 16,
                    }),
                    gas_used: 0,
                };
            }
            if CHECK > gas_limit {
                return out_of_gas(CHECK, gas_limit, gas_limit);
            }
            if code.starts_with(b"bad") {
                return PrepareOutcome {
                    result: Err(UploadError::Malformed("bad magic".into())),
                    gas_used: CHECK,
                };
            }
            if FULL > gas_limit {
                return out_of_gas(FULL, gas_limit, CHECK);
            }
            *self.compiled.lock() += 1;
            PrepareOutcome {
                result: Ok(PreparedCode {
                    code_hash: blake3_256(code),
                    upload_gas: FULL,
                }),
                gas_used: FULL,
            }
        }

        fn execute(
            &self,
            _: &H256,
            _: Entry,
            _: &[u8],
            _: u64,
            _: &mut dyn ContractEnv,
        ) -> ExecOutcome {
            ExecOutcome::failed(ExecError::Timeout)
        }
    }

    #[test]
    fn gives_the_real_verdict_and_gas_without_compiling() {
        let inner = Arc::new(Metered {
            compiled: Mutex::new(0),
        });
        let dry = ValidateOnly {
            inner: inner.clone(),
        };
        for (code, limit) in [
            (b"good".as_slice(), 5_000),
            (b"good", FULL),
            (b"good", FULL - 1),
            (b"good", CHECK - 1),
            (b"bad", 5_000),
            (b"bad", 0),
            (&[0u8; 17], 5_000),
        ] {
            let real = Metered {
                compiled: Mutex::new(0),
            }
            .prepare(code, limit);
            assert_eq!(dry.prepare(code, limit), real, "{code:?} with {limit}");
        }
        assert_eq!(*inner.compiled.lock(), 0, "nothing was compiled");
    }
}
