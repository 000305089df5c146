//! Executions: the state shared by the frames of one, how a frame runs, and the two root
//! entry points (`call`, `instantiate`) that extrinsics and dry runs share.
use crate::deposit::{self, DepositMeter};
use crate::frame::Frame;
use crate::{
    code_info, contract_info, deposit_event, gas_to_weight, storage, ContractError, ContractInfo,
    DispatchOutcome, EncodedCalls, Error, Event, StorageDeposit, MAX_CALL_DEPTH,
    MAX_GAS_PER_EXTRINSIC, MAX_SALT_BYTES,
};
use alloc::{format, string::String, string::ToString, sync::Arc, vec::Vec};
use hm_contracts_api::{contract_address, CallStack, ContractEngine, Entry, ExecError, TrapKind};
use hm_pallet_caesar::{self as caesar, Liveness};
use hm_pallet_system as system;
use hm_primitives::{AccountId, Balance, H256};
use hm_support::{put, with_transaction, Externalities, Weight};

/// What the signer asked for.
pub(crate) struct Request {
    pub origin: AccountId,
    pub value: Balance,
    pub gas_limit: u64,
    pub storage_deposit_limit: Option<Balance>,
    pub input: Vec<u8>,
    /// What the contracts' `call_runtime` dispatches to (`None`: refused).
    pub runtime_calls: Option<&'static dyn EncodedCalls>,
}

/// State shared by all frames of one execution.
pub struct Execution {
    pub(crate) engine: Arc<dyn ContractEngine>,
    /// The signer: pays value into the root frame and settles the storage deposit.
    pub(crate) origin: AccountId,
    pub(crate) block_number: u64,
    pub(crate) timestamp: u64,
    pub(crate) stack: CallStack,
    pub(crate) meter: DepositMeter,
    /// The last nested call refused for depth or reentrancy, to explain a failure.
    pub(crate) refusal: Option<Error>,
    /// Why the environment last trapped a frame (deposit limit, salt), for the root error.
    pub(crate) env_error: Option<Error>,
    /// `debug_log` text, collected for dry runs when the engine prints it.
    pub(crate) debug: Option<Vec<String>>,
    pub(crate) runtime_calls: Option<&'static dyn EncodedCalls>,
    /// The most gas a runtime call needed beyond what it used (declared − actual): what a
    /// gas limit set to the gas used would lack.
    pub(crate) gas_headroom: u64,
}

/// How a frame ended.
pub(crate) enum FrameEnd {
    Returned(Vec<u8>),
    Reverted(Vec<u8>),
    /// A deterministic trap (including out of gas) or unusable code.
    Trapped(ExecError),
    /// Refused before the code ran (value transfer, deposit of the new contract).
    Refused(Error),
    /// Not a consensus result: this node failed.
    Fault(String),
}

pub(crate) struct FrameOutcome {
    pub end: FrameEnd,
    pub gas_used: u64,
}

/// One frame to run.
pub(crate) struct FrameSpec<'a> {
    pub caller: AccountId,
    pub address: AccountId,
    pub value: Balance,
    pub info: ContractInfo,
    pub entry: Entry,
    pub input: &'a [u8],
    pub gas_limit: u64,
}

/// Move `value` into a frame. The signer must stay alive; a contract may empty itself
/// but not leave dust below the existential deposit (Caesar would burn it).
pub(crate) fn transfer_value(
    ext: &mut dyn Externalities,
    origin: &AccountId,
    from: &AccountId,
    to: &AccountId,
    value: Balance,
) -> Result<(), Error> {
    if value == 0 {
        return Ok(());
    }
    if from == origin {
        return caesar::transfer(ext, from, to, value, Liveness::KeepAlive)
            .map_err(|_| Error::TransferFailed);
    }
    let free = caesar::free_balance(ext, from);
    let left = free.checked_sub(value).ok_or(Error::TransferFailed)?;
    if left != 0 && left < caesar::existential_deposit(ext) {
        return Err(Error::TransferFailed);
    }
    caesar::transfer(ext, from, to, value, Liveness::AllowDeath).map_err(|_| Error::TransferFailed)
}

/// Record a new contract and count it against its code (inside the deploy frame, so a
/// failed deploy leaves nothing).
fn create_contract(
    ext: &mut dyn Externalities,
    exec: &mut Execution,
    address: &AccountId,
    info: &ContractInfo,
) -> Result<(), Error> {
    let mut code = code_info(ext, &info.code_hash).ok_or(Error::CodeNotFound)?;
    code.refcount = code.refcount.checked_add(1).ok_or(Error::Overflow)?;
    exec.meter.charge(info.storage_deposit)?;
    put(ext, &storage::code_info(&info.code_hash), &code);
    put(ext, &storage::contract_info(address), info);
    Ok(())
}

/// Run one frame in its own overlay: committed if it returns without reverting, rolled
/// back (storage, transfers, events, deposits) otherwise.
pub(crate) fn run_frame(
    ext: &mut dyn Externalities,
    exec: &mut Execution,
    spec: FrameSpec<'_>,
) -> FrameOutcome {
    let saved_meter = exec.meter;
    let engine = exec.engine.clone();
    let mut gas_used = 0;
    let committed = with_transaction(ext, |ext| -> Result<Vec<u8>, FrameEnd> {
        let origin = exec.origin;
        transfer_value(ext, &origin, &spec.caller, &spec.address, spec.value)
            .map_err(FrameEnd::Refused)?;
        if spec.entry == Entry::Deploy {
            create_contract(ext, exec, &spec.address, &spec.info).map_err(FrameEnd::Refused)?;
        }
        let code_hash = spec.info.code_hash;
        let mut frame = Frame::new(ext, exec, spec.caller, spec.address, spec.value, spec.info);
        let outcome = engine.execute(
            &code_hash,
            spec.entry,
            spec.input,
            spec.gas_limit,
            &mut frame,
        );
        gas_used = outcome.gas_used;
        match outcome.result {
            Ok(ret) if !ret.reverted => {
                frame.finish(spec.entry);
                Ok(ret.output)
            }
            Ok(ret) => Err(FrameEnd::Reverted(ret.output)),
            Err(e) if e.is_node_fault() => Err(FrameEnd::Fault(e.to_string())),
            Err(e) => Err(FrameEnd::Trapped(e)),
        }
    });
    let end = match committed {
        Ok(output) => FrameEnd::Returned(output),
        Err(end) => {
            exec.meter = saved_meter;
            end
        }
    };
    FrameOutcome { end, gas_used }
}

/// Result of a root execution, for dispatch and dry runs alike.
pub(crate) struct Outcome {
    pub result: Result<(), ContractError>,
    pub output: Vec<u8>,
    pub reverted: bool,
    pub gas_used: u64,
    /// See [`Execution::gas_headroom`].
    pub gas_headroom: u64,
    pub storage_deposit: StorageDeposit,
    pub contract: Option<AccountId>,
    pub debug_messages: Vec<String>,
}

impl Outcome {
    fn refused(error: Error, detail: String, contract: Option<AccountId>) -> Self {
        Outcome {
            result: Err(ContractError { error, detail }),
            output: Vec::new(),
            reverted: false,
            gas_used: 0,
            gas_headroom: 0,
            storage_deposit: StorageDeposit::default(),
            contract,
            debug_messages: Vec::new(),
        }
    }

    /// The dispatch result and the weight used: `base` plus the gas consumed.
    pub(crate) fn into_dispatch(self, base: Weight) -> DispatchOutcome {
        DispatchOutcome {
            result: self.result.map_err(|e| e.error.into()),
            actual_weight: Some(base.saturating_add(gas_to_weight(self.gas_used))),
        }
    }
}

fn contract_error(error: Error, detail: impl Into<String>) -> ContractError {
    ContractError {
        error,
        detail: detail.into(),
    }
}

/// The dispatch error for a failed root frame.
fn root_error(exec: &Execution, end: &FrameEnd) -> ContractError {
    match end {
        FrameEnd::Returned(_) => contract_error(Error::NodeFault, "success is not an error"),
        FrameEnd::Reverted(_) => match exec.refusal {
            Some(refusal) => {
                contract_error(refusal, "contract reverted after a nested call was refused")
            }
            None => contract_error(Error::ContractReverted, "contract reverted"),
        },
        FrameEnd::Trapped(ExecError::Trap(trap)) => {
            let error = match trap.kind {
                TrapKind::OutOfGas => Error::OutOfGas,
                TrapKind::Environment => exec.env_error.unwrap_or(Error::ContractTrapped),
                _ => exec.refusal.unwrap_or(Error::ContractTrapped),
            };
            contract_error(error, format!("{:?}: {}", trap.kind, trap.message))
        }
        FrameEnd::Trapped(ExecError::CodeNotFound) => {
            contract_error(Error::CodeNotFound, "the contract's code is not stored")
        }
        FrameEnd::Trapped(ExecError::CodeRejected(e)) => {
            contract_error(crate::code::upload_error(e), e.to_string())
        }
        FrameEnd::Trapped(e) => contract_error(Error::NodeFault, e.to_string()),
        FrameEnd::Refused(error) => contract_error(*error, error.message()),
        FrameEnd::Fault(message) => contract_error(Error::NodeFault, message.clone()),
    }
}

/// Check the request and set up the execution rooted at `root`.
fn begin(
    ext: &dyn Externalities,
    request: &Request,
    root: AccountId,
    collect_debug: bool,
) -> Result<Execution, ContractError> {
    if request.gas_limit > MAX_GAS_PER_EXTRINSIC {
        return Err(contract_error(
            Error::GasLimitTooHigh,
            format!(
                "gas limit {} is above {MAX_GAS_PER_EXTRINSIC}",
                request.gas_limit
            ),
        ));
    }
    let engine = ext
        .contract_engine()
        .ok_or_else(|| contract_error(Error::NoEngine, Error::NoEngine.message()))?;
    let funds = deposit::spendable(ext, &request.origin, request.value);
    let limit = request.storage_deposit_limit.unwrap_or(Balance::MAX);
    let debug = (collect_debug && engine.debug_log_enabled()).then(Vec::new);
    Ok(Execution {
        engine,
        origin: request.origin,
        block_number: system::block_number(ext),
        timestamp: system::timestamp(ext),
        stack: CallStack::new(root, MAX_CALL_DEPTH),
        meter: DepositMeter::new(limit, funds),
        refusal: None,
        env_error: None,
        debug,
        runtime_calls: request.runtime_calls,
        gas_headroom: 0,
    })
}

/// Run the root frame and, if it succeeded, settle the storage deposit; all of it in one
/// overlay so a failed settlement leaves nothing either.
fn run_root(
    ext: &mut dyn Externalities,
    mut exec: Execution,
    spec: FrameSpec<'_>,
    contract: Option<AccountId>,
) -> Outcome {
    let origin = exec.origin;
    let mut output = Vec::new();
    let mut reverted = false;
    let mut gas_used = 0;
    let result = with_transaction(ext, |ext| {
        let frame = run_frame(ext, &mut exec, spec);
        gas_used = frame.gas_used;
        match frame.end {
            FrameEnd::Returned(out) => output = out,
            end => {
                if let FrameEnd::Reverted(out) = &end {
                    output = out.clone();
                    reverted = true;
                }
                return Err(root_error(&exec, &end));
            }
        }
        exec.meter
            .settle(ext, &origin)
            .map_err(|e| contract_error(e, "settling the storage deposit"))?;
        let deposit = exec.meter.net();
        if deposit != StorageDeposit::Charge(0) {
            deposit_event(
                ext,
                &Event::StorageDepositSettled {
                    who: origin,
                    deposit,
                },
            );
        }
        Ok(())
    });
    Outcome {
        storage_deposit: if result.is_ok() {
            exec.meter.net()
        } else {
            StorageDeposit::default()
        },
        result,
        output,
        reverted,
        gas_used,
        gas_headroom: exec.gas_headroom,
        contract,
        debug_messages: exec.debug.unwrap_or_default(),
    }
}

/// Call the contract `dest` as the signer.
pub(crate) fn call(
    ext: &mut dyn Externalities,
    request: Request,
    dest: &AccountId,
    collect_debug: bool,
) -> Outcome {
    let exec = match begin(ext, &request, *dest, collect_debug) {
        Ok(exec) => exec,
        Err(e) => return Outcome::refused(e.error, e.detail, None),
    };
    let Some(info) = contract_info(ext, dest) else {
        return Outcome::refused(
            Error::ContractNotFound,
            "no contract at this address".into(),
            None,
        );
    };
    let spec = FrameSpec {
        caller: request.origin,
        address: *dest,
        value: request.value,
        info,
        entry: Entry::Call,
        input: &request.input,
        gas_limit: request.gas_limit,
    };
    run_root(ext, exec, spec, None)
}

/// Instantiate `code_hash` with `salt` as the signer.
pub(crate) fn instantiate(
    ext: &mut dyn Externalities,
    request: Request,
    code_hash: &H256,
    salt: &[u8],
    collect_debug: bool,
) -> Outcome {
    let address = contract_address(&request.origin, code_hash, salt);
    if salt.len() > MAX_SALT_BYTES {
        let detail = format!(
            "salt of {} bytes; the limit is {MAX_SALT_BYTES}",
            salt.len()
        );
        return Outcome::refused(Error::SaltTooLarge, detail, None);
    }
    let exec = match begin(ext, &request, address, collect_debug) {
        Ok(exec) => exec,
        Err(e) => return Outcome::refused(e.error, e.detail, Some(address)),
    };
    if code_info(ext, code_hash).is_none() {
        return Outcome::refused(
            Error::CodeNotFound,
            "no code with this hash".into(),
            Some(address),
        );
    }
    if contract_info(ext, &address).is_some() {
        let detail = format!("contract {address} already exists");
        return Outcome::refused(Error::AddressInUse, detail, Some(address));
    }
    let spec = FrameSpec {
        caller: request.origin,
        address,
        value: request.value,
        info: new_contract_info(*code_hash, request.origin),
        entry: Entry::Deploy,
        input: &request.input,
        gas_limit: request.gas_limit,
    };
    run_root(ext, exec, spec, Some(address))
}

/// The record of a contract about to be deployed; its own deposit is its first.
pub(crate) fn new_contract_info(code_hash: H256, deployer: AccountId) -> ContractInfo {
    ContractInfo {
        code_hash,
        deployer,
        storage_items: 0,
        storage_bytes: 0,
        storage_deposit: deposit::contract_info_deposit(),
    }
}
