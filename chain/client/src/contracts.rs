//! Contract queries for RPC: dry runs on a throwaway overlay and reads of contract code,
//! instances and storage, at the best block or an older one.
use crate::dry_run_engine::ValidateOnly;
use crate::{Client, StateOverlay};
use hm_client_api::{
    ClientError, ContractCallRequest, ContractCode, ContractEvent, ContractExecResult,
    ContractFailure, ContractInstance, ContractInstantiateRequest, ContractUploadRequest,
    ContractUploadResult, StorageDepositAmount,
};
use hm_primitives::{AccountId, H256};
use hm_runtime::pallet_contracts::{ContractError, Event as ContractsEvent, StorageDeposit};
use hm_runtime::{ContractsDryRun, RuntimeEvent};
use parity_scale_codec::Encode;
use std::sync::Arc;

impl Client {
    /// An overlay on the state of block `at`: the latest state when `None`, else that
    /// block's committed state version (also when it is the best block, so a block
    /// imported meanwhile does not change what the query reads).
    pub(crate) fn query_overlay(&self, at: Option<H256>) -> Result<StateOverlay<'_>, ClientError> {
        let overlay = self.overlay();
        match at {
            None => Ok(overlay),
            Some(_) => {
                let (_, version) = self.version_at(at)?;
                // Refuse a pruned state up front, with the precise reason.
                self.db
                    .check_state_available(version)
                    .map_err(crate::chain_api::storage_err)?;
                Ok(overlay.at_version(version))
            }
        }
    }

    /// `result`, unless the overlay saw a state read error or an executor fault, which
    /// make it meaningless.
    pub(crate) fn checked<T>(overlay: &StateOverlay<'_>, result: T) -> Result<T, ClientError> {
        match overlay.read_error() {
            Some(e) if e.starts_with("state read failed") => Err(ClientError::Storage(e)),
            Some(e) => Err(ClientError::Execution(e)),
            None => Ok(result),
        }
    }

    pub(crate) fn dry_run_call(
        &self,
        request: ContractCallRequest,
        at: Option<H256>,
    ) -> Result<ContractExecResult, ClientError> {
        let mut overlay = self.query_overlay(at)?;
        let run = hm_runtime::contracts_dry_run_call(
            &mut overlay,
            request.origin,
            request.dest,
            request.value,
            request.gas_limit,
            request.storage_deposit_limit,
            request.input,
        );
        Self::checked(&overlay, exec_result(run))
    }

    pub(crate) fn dry_run_instantiate(
        &self,
        request: ContractInstantiateRequest,
        at: Option<H256>,
    ) -> Result<ContractExecResult, ClientError> {
        let mut overlay = self.query_overlay(at)?;
        let run = hm_runtime::contracts_dry_run_instantiate(
            &mut overlay,
            request.origin,
            request.code_hash,
            request.value,
            request.gas_limit,
            request.storage_deposit_limit,
            request.input,
            request.salt,
        );
        Self::checked(&overlay, exec_result(run))
    }

    pub(crate) fn dry_run_upload(
        &self,
        request: ContractUploadRequest,
        at: Option<H256>,
    ) -> Result<ContractUploadResult, ClientError> {
        // Validate and price the code without compiling it (see `dry_run_engine`).
        let engine = self.contract_engine.clone().map(|inner| {
            Arc::new(ValidateOnly { inner }) as Arc<dyn hm_contracts_api::ContractEngine>
        });
        let mut overlay = self.query_overlay(at)?.with_contract_engine(engine);
        let run = hm_runtime::contracts_dry_run_upload(
            &mut overlay,
            request.origin,
            &request.code,
            request.storage_deposit_limit,
        );
        let result = ContractUploadResult {
            code_hash: run.code_hash,
            gas_consumed: run.gas_used,
            deposit: run.deposit,
            error: run.error.map(failure),
        };
        Self::checked(&overlay, result)
    }

    pub(crate) fn read_contract_instance(
        &self,
        address: &AccountId,
        at: Option<H256>,
    ) -> Result<Option<ContractInstance>, ClientError> {
        let overlay = self.query_overlay(at)?;
        let info = hm_runtime::contracts_contract_info(&overlay, address);
        let instance = info.map(|info| ContractInstance {
            address: *address,
            code_hash: info.code_hash,
            deployer: info.deployer,
            storage_items: info.storage_items,
            storage_bytes: info.storage_bytes,
            storage_deposit: info.storage_deposit,
        });
        Self::checked(&overlay, instance)
    }

    pub(crate) fn read_contract_code(
        &self,
        code_hash: &H256,
        at: Option<H256>,
    ) -> Result<Option<ContractCode>, ClientError> {
        let overlay = self.query_overlay(at)?;
        let info = hm_runtime::contracts_code_info(&overlay, code_hash);
        let code = match info {
            Some(info) => {
                hm_runtime::contracts_code(&overlay, code_hash).map(|code| ContractCode {
                    code_hash: *code_hash,
                    code,
                    owner: info.owner,
                    deposit: info.deposit,
                    refcount: info.refcount,
                })
            }
            None => None,
        };
        Self::checked(&overlay, code)
    }

    pub(crate) fn read_contract_storage(
        &self,
        address: &AccountId,
        key: &[u8],
        at: Option<H256>,
    ) -> Result<Option<Vec<u8>>, ClientError> {
        let overlay = self.query_overlay(at)?;
        let value = hm_runtime::contracts_storage(&overlay, address, key);
        Self::checked(&overlay, value)
    }
}

fn failure(e: ContractError) -> ContractFailure {
    ContractFailure {
        index: e.error as u8,
        name: format!("{:?}", e.error),
        message: e.error.message().to_owned(),
        detail: e.detail,
    }
}

fn deposit_amount(d: StorageDeposit) -> StorageDepositAmount {
    match d {
        StorageDeposit::Charge(n) => StorageDepositAmount::Charge(n),
        StorageDeposit::Refund(n) => StorageDepositAmount::Refund(n),
    }
}

fn event(e: RuntimeEvent) -> ContractEvent {
    let contracts_event = match e {
        RuntimeEvent::Contracts(e) => e,
        other => {
            let encoded = other.encode();
            return ContractEvent::Runtime {
                pallet: encoded.first().copied().unwrap_or_default(),
                encoded: encoded.get(1..).unwrap_or_default().to_vec(),
                description: format!("{other:?}"),
            };
        }
    };
    match contracts_event {
        ContractsEvent::CodeStored {
            code_hash,
            owner,
            deposit,
        } => ContractEvent::CodeStored {
            code_hash,
            owner,
            deposit,
        },
        ContractsEvent::CodeRemoved {
            code_hash,
            owner,
            refund,
        } => ContractEvent::CodeRemoved {
            code_hash,
            owner,
            refund,
        },
        ContractsEvent::Instantiated {
            deployer,
            contract,
            code_hash,
        } => ContractEvent::Instantiated {
            deployer,
            contract,
            code_hash,
        },
        ContractsEvent::Called { caller, contract } => ContractEvent::Called { caller, contract },
        ContractsEvent::ContractEmitted {
            contract,
            topics,
            data,
        } => ContractEvent::ContractEmitted {
            contract,
            topics,
            data,
        },
        ContractsEvent::StorageDepositSettled { who, deposit } => {
            ContractEvent::StorageDepositSettled {
                who,
                deposit: deposit_amount(deposit),
            }
        }
    }
}

fn exec_result(run: ContractsDryRun) -> ContractExecResult {
    let result = run.result;
    ContractExecResult {
        output: result.output,
        reverted: result.reverted,
        gas_consumed: result.gas_used,
        gas_required: result.gas_required,
        storage_deposit: deposit_amount(result.storage_deposit),
        events: run.events.into_iter().map(|r| event(r.event)).collect(),
        error: result.error.map(failure),
        contract: result.contract,
        debug_messages: result.debug_messages,
    }
}
