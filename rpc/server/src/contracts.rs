//! `contracts_*`: dry runs, gas estimates and reads of contract code and storage.
//!
//! Every input is bounded before it reaches the runtime: hex lengths are checked before
//! decoding, gas limits against the per-extrinsic maximum, and dry runs (each up to
//! 0.4 s of wasm) share execution slots, half the cores, so callers cannot occupy them all.
use crate::errors::{address_param, hash_param, hex_param, invalid_param, state_error};
use hm_client_api::{
    ChainApi, ClientError, ContractCode, ContractEvent as Event, ContractExecResult as Exec,
    ContractFailure, ContractInstance, ContractUploadResult as Upload, StorageDepositAmount,
};
use hm_pallet_contracts::{MAX_CODE_BYTES, MAX_GAS_PER_EXTRINSIC, MAX_SALT_BYTES};
use hm_primitives::{AccountId, H256, MAX_EXTRINSIC_BYTES};
use hm_rpc_api::{
    error_codes, Bytes, ContractCallRequest, ContractCodeInfo, ContractError, ContractEvent,
    ContractExecResult, ContractInstanceInfo, ContractInstantiateRequest, ContractUploadRequest,
    ContractUploadResult, ContractsApiServer, GasEstimate, GasEstimateRequest, HexString,
    StorageDeposit,
};
use jsonrpsee::core::RpcResult;
use jsonrpsee::types::error::INTERNAL_ERROR_CODE;
use jsonrpsee::types::{ErrorObject, ErrorObjectOwned};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// Largest call or deploy input: it has to fit in an extrinsic to be submitted at all.
pub const MAX_INPUT_BYTES: usize = MAX_EXTRINSIC_BYTES;
/// Longest contract storage key (the ABI's limit: no contract stores under a longer one).
pub const MAX_STORAGE_KEY_BYTES: usize = 128;
/// `contracts_estimateGas` answers `gasRequired + gasRequired / GAS_MARGIN_DIVISOR +
/// GAS_MARGIN_FIXED` (capped at the per-extrinsic maximum): 10 % for state that changes
/// before inclusion and code that branches on `gas_left`, plus a fixed part for cheap
/// calls. Unused gas is refunded, so the margin costs nothing but block space.
pub const GAS_MARGIN_DIVISOR: u64 = 10;
pub const GAS_MARGIN_FIXED: u64 = 100_000;
/// How long a dry run waits for a free slot before the server answers "busy".
pub const DRY_RUN_QUEUE_WAIT: Duration = Duration::from_secs(10);

/// Dry runs executing at once on a machine with `cores` cores: half of them (at
/// least one), so queries can never occupy the cores that build and check blocks.
pub fn default_dry_run_slots(cores: usize) -> usize {
    (cores / 2).max(1)
}

/// The gas limit to submit with after a dry run that required `gas_required`.
pub fn gas_with_margin(gas_required: u64) -> u64 {
    gas_required
        .saturating_add(gas_required / GAS_MARGIN_DIVISOR)
        .saturating_add(GAS_MARGIN_FIXED)
        .min(MAX_GAS_PER_EXTRINSIC)
}

/// The contract queries, and the dry-run slots they share with `system_dryRun`.
#[derive(Clone)]
pub struct ContractsRpc {
    chain: Arc<dyn ChainApi>,
    /// One permit per dry run allowed to execute at once.
    slots: Arc<Semaphore>,
    queue_wait: Duration,
}

impl ContractsRpc {
    /// [`default_dry_run_slots`] for this machine.
    pub fn new(chain: Arc<dyn ChainApi>) -> Self {
        let slots = default_dry_run_slots(crate::runtime::available_cores());
        Self::with_slots(chain, slots, DRY_RUN_QUEUE_WAIT)
    }

    /// `slots` dry runs at once; a caller waits at most `queue_wait` for one.
    pub fn with_slots(chain: Arc<dyn ChainApi>, slots: usize, queue_wait: Duration) -> Self {
        ContractsRpc {
            chain,
            slots: Arc::new(Semaphore::new(slots.max(1))),
            queue_wait,
        }
    }

    /// Run `job` on a blocking thread once a slot is free.
    pub(crate) async fn execute<T: Send + 'static>(
        &self,
        job: impl FnOnce(&dyn ChainApi) -> Result<T, ClientError> + Send + 'static,
    ) -> RpcResult<T> {
        let permit = tokio::time::timeout(self.queue_wait, self.slots.clone().acquire_owned())
            .await
            .ok()
            .and_then(Result::ok)
            .ok_or_else(|| busy(self.queue_wait))?;
        let chain = self.chain.clone();
        let joined = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            job(&*chain)
        })
        .await;
        match joined {
            Ok(result) => result.map_err(|e| client_error(&e)),
            Err(join) => {
                tracing::error!(target: "rpc", "contract dry run failed: {join}");
                Err(ErrorObject::owned(
                    INTERNAL_ERROR_CODE,
                    "the contract dry run failed inside the node; see its log",
                    None::<()>,
                ))
            }
        }
    }
}

fn busy(waited: Duration) -> ErrorObjectOwned {
    ErrorObject::owned(
        error_codes::SERVER_BUSY,
        format!(
            "server is busy: every dry-run slot stayed taken for {} ms; retry shortly",
            waited.as_millis()
        ),
        None::<()>,
    )
}

fn client_error(e: &ClientError) -> ErrorObjectOwned {
    match e {
        ClientError::Execution(reason) => ErrorObject::owned(
            error_codes::CONTRACTS_RUNTIME_ERROR,
            format!("the node could not finish the contract query: {reason}"),
            None::<()>,
        ),
        other => state_error(other),
    }
}

fn contract_not_found(address: &AccountId) -> ErrorObjectOwned {
    ErrorObject::owned(
        error_codes::CONTRACT_NOT_FOUND,
        format!("no contract at {address}"),
        None::<()>,
    )
}

/// Decode hex of at most `max` bytes; the length is checked before decoding, so a
/// huge parameter costs no allocation.
fn bounded_hex(param: &str, value: &HexString, max: usize) -> RpcResult<Vec<u8>> {
    let digits = value.0.len().saturating_sub(2);
    if digits / 2 > max {
        return Err(invalid_param(
            param,
            format!("{} bytes; at most {max} are accepted", digits / 2),
        ));
    }
    hex_param(param, value)
}

fn at_param(at: Option<HexString>) -> RpcResult<Option<H256>> {
    at.map(|h| hash_param("at", &h)).transpose()
}

fn gas_param(gas_limit: Option<u64>) -> RpcResult<u64> {
    match gas_limit {
        None => Ok(MAX_GAS_PER_EXTRINSIC),
        Some(gas) if gas > MAX_GAS_PER_EXTRINSIC => Err(invalid_param(
            "request.gasLimit",
            format!("{gas} is above the per-extrinsic maximum of {MAX_GAS_PER_EXTRINSIC}"),
        )),
        Some(gas) => Ok(gas),
    }
}

fn call_request(r: ContractCallRequest) -> RpcResult<hm_client_api::ContractCallRequest> {
    Ok(hm_client_api::ContractCallRequest {
        origin: address_param("request.origin", &r.origin)?,
        dest: address_param("request.dest", &r.dest)?,
        value: r.value,
        gas_limit: gas_param(r.gas_limit)?,
        storage_deposit_limit: r.storage_deposit_limit,
        input: bounded_hex("request.inputData", &r.input_data, MAX_INPUT_BYTES)?,
    })
}

fn instantiate_request(
    r: ContractInstantiateRequest,
) -> RpcResult<hm_client_api::ContractInstantiateRequest> {
    let salt = match &r.salt {
        Some(salt) => bounded_hex("request.salt", salt, MAX_SALT_BYTES)?,
        None => Vec::new(),
    };
    Ok(hm_client_api::ContractInstantiateRequest {
        origin: address_param("request.origin", &r.origin)?,
        code_hash: hash_param("request.codeHash", &r.code_hash)?,
        value: r.value,
        gas_limit: gas_param(r.gas_limit)?,
        storage_deposit_limit: r.storage_deposit_limit,
        input: bounded_hex("request.data", &r.data, MAX_INPUT_BYTES)?,
        salt,
    })
}

fn upload_request(r: ContractUploadRequest) -> RpcResult<hm_client_api::ContractUploadRequest> {
    Ok(hm_client_api::ContractUploadRequest {
        origin: address_param("request.origin", &r.origin)?,
        code: bounded_hex("request.code", &r.code, MAX_CODE_BYTES)?,
        storage_deposit_limit: r.storage_deposit_limit,
    })
}

fn deposit(d: StorageDepositAmount) -> StorageDeposit {
    match d {
        StorageDepositAmount::Charge(n) => StorageDeposit::Charge(n),
        StorageDepositAmount::Refund(n) => StorageDeposit::Refund(n),
    }
}

fn error(f: ContractFailure) -> ContractError {
    ContractError {
        index: f.index,
        name: f.name,
        message: f.message,
        detail: f.detail,
    }
}

fn event(e: Event) -> ContractEvent {
    match e {
        Event::CodeStored {
            code_hash,
            owner,
            deposit,
        } => ContractEvent::CodeStored {
            code_hash,
            owner,
            deposit,
        },
        Event::CodeRemoved {
            code_hash,
            owner,
            refund,
        } => ContractEvent::CodeRemoved {
            code_hash,
            owner,
            refund,
        },
        Event::Instantiated {
            deployer,
            contract,
            code_hash,
        } => ContractEvent::Instantiated {
            deployer,
            contract,
            code_hash,
        },
        Event::Called { caller, contract } => ContractEvent::Called { caller, contract },
        Event::ContractEmitted {
            contract,
            topics,
            data,
        } => ContractEvent::ContractEmitted {
            contract,
            topics,
            data: Bytes(data),
        },
        Event::StorageDepositSettled { who, deposit: d } => ContractEvent::StorageDepositSettled {
            who,
            deposit: deposit(d),
        },
        Event::Runtime {
            pallet,
            encoded,
            description,
        } => ContractEvent::Runtime {
            pallet,
            encoded: Bytes(encoded),
            description,
        },
    }
}

fn exec_result(r: Exec) -> ContractExecResult {
    ContractExecResult {
        gas_consumed: r.gas_consumed,
        gas_required: r.gas_required,
        storage_deposit: deposit(r.storage_deposit),
        output: Bytes(r.output),
        reverted: r.reverted,
        error: r.error.map(error),
        events: r.events.into_iter().map(event).collect(),
        debug_messages: r.debug_messages,
        contract: r.contract,
    }
}

fn upload_result(r: Upload) -> ContractUploadResult {
    ContractUploadResult {
        code_hash: r.code_hash,
        gas_consumed: r.gas_consumed,
        deposit: r.deposit,
        error: r.error.map(error),
    }
}

fn estimate_of_exec(r: Exec) -> GasEstimate {
    GasEstimate {
        gas_limit: gas_with_margin(r.gas_required),
        gas_required: r.gas_required,
        gas_consumed: r.gas_consumed,
        storage_deposit: deposit(r.storage_deposit),
        reverted: r.reverted,
        error: r.error.map(error),
    }
}

fn estimate_of_upload(r: Upload) -> GasEstimate {
    GasEstimate {
        gas_limit: gas_with_margin(r.gas_consumed),
        gas_required: r.gas_consumed,
        gas_consumed: r.gas_consumed,
        storage_deposit: StorageDeposit::Charge(r.deposit),
        reverted: false,
        error: r.error.map(error),
    }
}

fn instance_info(i: ContractInstance) -> ContractInstanceInfo {
    ContractInstanceInfo {
        address: i.address,
        code_hash: i.code_hash,
        deployer: i.deployer,
        storage_items: i.storage_items,
        storage_bytes: i.storage_bytes,
        storage_deposit: i.storage_deposit,
    }
}

fn code_info(c: ContractCode, contract: Option<ContractInstance>) -> ContractCodeInfo {
    ContractCodeInfo {
        code_hash: c.code_hash,
        code: Bytes(c.code),
        owner: c.owner,
        deposit: c.deposit,
        refcount: c.refcount,
        contract: contract.map(instance_info),
    }
}

#[jsonrpsee::core::async_trait]
impl ContractsApiServer for ContractsRpc {
    async fn call(
        &self,
        request: ContractCallRequest,
        at: Option<HexString>,
    ) -> RpcResult<ContractExecResult> {
        let request = call_request(request)?;
        let at = at_param(at)?;
        let run = self
            .execute(move |chain| chain.contracts_call(request, at))
            .await?;
        Ok(exec_result(run))
    }

    async fn instantiate(
        &self,
        request: ContractInstantiateRequest,
        at: Option<HexString>,
    ) -> RpcResult<ContractExecResult> {
        let request = instantiate_request(request)?;
        let at = at_param(at)?;
        let run = self
            .execute(move |chain| chain.contracts_instantiate(request, at))
            .await?;
        Ok(exec_result(run))
    }

    async fn upload_code(
        &self,
        request: ContractUploadRequest,
        at: Option<HexString>,
    ) -> RpcResult<ContractUploadResult> {
        let request = upload_request(request)?;
        let at = at_param(at)?;
        let run = self
            .execute(move |chain| chain.contracts_upload(request, at))
            .await?;
        Ok(upload_result(run))
    }

    async fn estimate_gas(
        &self,
        request: GasEstimateRequest,
        at: Option<HexString>,
    ) -> RpcResult<GasEstimate> {
        let at_hash = at_param(at)?;
        match request {
            GasEstimateRequest::Call(r) => {
                let r = call_request(r)?;
                let run = self
                    .execute(move |chain| chain.contracts_call(r, at_hash))
                    .await?;
                Ok(estimate_of_exec(run))
            }
            GasEstimateRequest::Instantiate(r) => {
                let r = instantiate_request(r)?;
                let run = self
                    .execute(move |chain| chain.contracts_instantiate(r, at_hash))
                    .await?;
                Ok(estimate_of_exec(run))
            }
            GasEstimateRequest::Upload(r) => {
                let r = upload_request(r)?;
                let run = self
                    .execute(move |chain| chain.contracts_upload(r, at_hash))
                    .await?;
                Ok(estimate_of_upload(run))
            }
        }
    }

    fn get_code(
        &self,
        address_or_code_hash: String,
        at: Option<HexString>,
    ) -> RpcResult<Option<ContractCodeInfo>> {
        let at = at_param(at)?;
        let param = "address_or_code_hash";
        let (instance, code_hash) = if address_or_code_hash.starts_with("0x") {
            // 32 bytes name a contract or a code hash; a contract is looked for first.
            let hash = hash_param(param, &HexString(address_or_code_hash))?;
            let instance = self
                .chain
                .contract_instance(&AccountId(hash.0), at)
                .map_err(|e| client_error(&e))?;
            let code_hash = instance.as_ref().map_or(hash, |i| i.code_hash);
            (instance, code_hash)
        } else {
            let address = address_param(param, &address_or_code_hash)?;
            let instance = self
                .chain
                .contract_instance(&address, at)
                .map_err(|e| client_error(&e))?;
            match instance {
                Some(instance) => {
                    let code_hash = instance.code_hash;
                    (Some(instance), code_hash)
                }
                None => return Ok(None),
            }
        };
        let code = self
            .chain
            .contract_code(&code_hash, at)
            .map_err(|e| client_error(&e))?;
        Ok(code.map(|code| code_info(code, instance)))
    }

    fn get_storage(
        &self,
        address: String,
        key: HexString,
        at: Option<HexString>,
    ) -> RpcResult<Option<Bytes>> {
        let address = address_param("address", &address)?;
        let key = bounded_hex("key", &key, MAX_STORAGE_KEY_BYTES)?;
        let at = at_param(at)?;
        let instance = self
            .chain
            .contract_instance(&address, at)
            .map_err(|e| client_error(&e))?;
        if instance.is_none() {
            return Err(contract_not_found(&address));
        }
        let value = self
            .chain
            .contract_storage(&address, &key, at)
            .map_err(|e| client_error(&e))?;
        Ok(value.map(Bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn margin_is_ten_percent_plus_fixed_and_capped() {
        assert_eq!(gas_with_margin(0), GAS_MARGIN_FIXED);
        assert_eq!(gas_with_margin(1_000_000), 1_100_000 + GAS_MARGIN_FIXED);
        assert_eq!(gas_with_margin(u64::MAX), MAX_GAS_PER_EXTRINSIC);
        assert_eq!(
            gas_with_margin(MAX_GAS_PER_EXTRINSIC - 1),
            MAX_GAS_PER_EXTRINSIC
        );
    }

    #[test]
    fn hex_length_is_checked_before_decoding() {
        let huge = HexString(format!("0x{}", "zz".repeat(200)));
        let e = bounded_hex("request.inputData", &huge, 100).unwrap_err();
        assert!(
            e.message().contains("200 bytes; at most 100"),
            "{}",
            e.message()
        );
        let ok = bounded_hex("k", &HexString("0x0102".into()), 2).unwrap();
        assert_eq!(ok, vec![1, 2]);
        let e = bounded_hex("k", &HexString("0x010".into()), 2).unwrap_err();
        assert!(e.message().contains("`k`"), "{}", e.message());
    }

    #[test]
    fn dry_runs_get_half_the_cores_and_at_least_one() {
        assert_eq!(default_dry_run_slots(0), 1);
        assert_eq!(default_dry_run_slots(1), 1);
        assert_eq!(default_dry_run_slots(2), 1);
        assert_eq!(default_dry_run_slots(3), 1);
        assert_eq!(default_dry_run_slots(8), 4);
        assert_eq!(default_dry_run_slots(64), 32);
    }

    #[test]
    fn gas_limit_above_the_maximum_is_refused() {
        assert_eq!(gas_param(None).unwrap(), MAX_GAS_PER_EXTRINSIC);
        assert_eq!(gas_param(Some(5)).unwrap(), 5);
        let e = gas_param(Some(MAX_GAS_PER_EXTRINSIC + 1)).unwrap_err();
        assert!(e.message().contains("request.gasLimit"), "{}", e.message());
    }
}
