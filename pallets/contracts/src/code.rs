//! Uploading and removing code.
use crate::deposit::{self, code_deposit};
use crate::{
    code_info, deposit_event, gas_to_weight, storage, upload_base_weight, upload_gas_limit,
    CodeInfo, ContractError, DispatchOutcome, Error, Event, UploadDryRun, MAX_CODE_BYTES,
};
use alloc::{format, string::ToString};
use hm_contracts_api::UploadError;
use hm_primitives::{blake3_256, AccountId, Balance, H256};
use hm_support::{put, DispatchResult, Externalities};

/// The pallet error for code the executor refused.
pub(crate) fn upload_error(e: &UploadError) -> Error {
    match e {
        UploadError::CodeTooLarge { .. } => Error::CodeTooLarge,
        UploadError::Malformed(_) | UploadError::NotAModule => Error::CodeMalformed,
        UploadError::DisabledFeature(_) => Error::CodeUsesDisabledFeature,
        UploadError::UnknownImport { .. }
        | UploadError::ImportSignature { .. }
        | UploadError::NonFunctionImport { .. } => Error::CodeUnknownImport,
        UploadError::TooMany { .. } | UploadError::Limit(_) => Error::CodeExceedsLimits,
        UploadError::MissingExport(_)
        | UploadError::ExportType { .. }
        | UploadError::StartFunction => Error::CodeInvalidExports,
        UploadError::OutOfGas { .. } => Error::CodeTooExpensive,
        UploadError::Compile(_) => Error::NodeFault,
    }
}

fn error(error: Error, detail: impl Into<alloc::string::String>) -> ContractError {
    ContractError {
        error,
        detail: detail.into(),
    }
}

/// Everything an upload does; `Ok` carries the hash, the error carries the gas used.
struct Upload {
    code_hash: H256,
    gas_used: u64,
    deposit: Balance,
    result: Result<(), ContractError>,
}

fn try_upload(
    ext: &mut dyn Externalities,
    who: &AccountId,
    code: &[u8],
    storage_deposit_limit: Option<Balance>,
) -> Upload {
    let code_hash = blake3_256(code);
    let deposit = code_deposit(code.len());
    let mut upload = Upload {
        code_hash,
        gas_used: 0,
        deposit,
        result: Ok(()),
    };
    // Size first: oversized code is never hashed into state, parsed or compiled.
    if code.len() > MAX_CODE_BYTES {
        let detail = format!(
            "code is {} bytes, the limit is {MAX_CODE_BYTES}",
            code.len()
        );
        upload.result = Err(error(Error::CodeTooLarge, detail));
        return upload;
    }
    if code_info(ext, &code_hash).is_some() {
        upload.result = Err(error(
            Error::CodeAlreadyExists,
            format!("{code_hash} is stored"),
        ));
        return upload;
    }
    if storage_deposit_limit.is_some_and(|limit| deposit > limit) {
        let detail = format!("the code deposit is {deposit}");
        upload.result = Err(error(Error::DepositLimitExceeded, detail));
        return upload;
    }
    if deposit::spendable(ext, who, 0) < deposit {
        let detail = format!("the code deposit is {deposit}");
        upload.result = Err(error(Error::InsufficientFundsForDeposit, detail));
        return upload;
    }
    let Some(engine) = ext.contract_engine() else {
        upload.result = Err(error(Error::NoEngine, Error::NoEngine.message()));
        return upload;
    };
    let prepared = engine.prepare(code, upload_gas_limit(code.len()));
    upload.gas_used = prepared.gas_used;
    let prepared = match prepared.result {
        Ok(prepared) => prepared,
        Err(e) => {
            upload.result = Err(error(upload_error(&e), e.to_string()));
            return upload;
        }
    };
    if prepared.code_hash != code_hash {
        upload.result = Err(error(
            Error::NodeFault,
            "the engine hashed the code differently",
        ));
        return upload;
    }
    upload.result = store(ext, who, code, code_hash, deposit);
    upload
}

fn store(
    ext: &mut dyn Externalities,
    who: &AccountId,
    code: &[u8],
    code_hash: H256,
    deposit: Balance,
) -> Result<(), ContractError> {
    deposit::hold(ext, who, deposit).map_err(|e| error(e, e.message()))?;
    let code_len =
        u32::try_from(code.len()).map_err(|_| error(Error::CodeTooLarge, "code length"))?;
    ext.storage_set(&storage::pristine_code(&code_hash), code);
    let info = CodeInfo {
        owner: *who,
        deposit,
        refcount: 0,
        code_len,
    };
    put(ext, &storage::code_info(&code_hash), &info);
    deposit_event(
        ext,
        &Event::CodeStored {
            code_hash,
            owner: *who,
            deposit,
        },
    );
    Ok(())
}

/// `upload_code` as `who`. The weight used is the pallet's own work plus the upload gas
/// the executor charged (the validation charge when it refused the code).
pub(crate) fn upload_code(
    ext: &mut dyn Externalities,
    who: &AccountId,
    code: &[u8],
    storage_deposit_limit: Option<Balance>,
) -> DispatchOutcome {
    let upload = try_upload(ext, who, code, storage_deposit_limit);
    DispatchOutcome {
        result: upload.result.map_err(|e| e.error.into()),
        actual_weight: Some(
            upload_base_weight(code.len()).saturating_add(gas_to_weight(upload.gas_used)),
        ),
    }
}

/// What `upload_code` would do, with the executor's full reason for a refusal. Changes
/// nothing.
pub(crate) fn dry_run_upload(
    ext: &mut dyn Externalities,
    who: &AccountId,
    code: &[u8],
    storage_deposit_limit: Option<Balance>,
) -> UploadDryRun {
    let mut upload = None;
    let _: Result<(), ()> = hm_support::with_transaction(ext, |ext| {
        upload = Some(try_upload(ext, who, code, storage_deposit_limit));
        Err(())
    });
    match upload {
        Some(u) => UploadDryRun {
            code_hash: u.code_hash,
            gas_used: u.gas_used,
            deposit: u.deposit,
            error: u.result.err(),
        },
        None => UploadDryRun {
            code_hash: blake3_256(code),
            gas_used: 0,
            deposit: code_deposit(code.len()),
            error: Some(error(Error::NodeFault, "the dry run did not run")),
        },
    }
}

/// `remove_code` as `who`: only the owner, only while no contract uses it.
pub(crate) fn remove_code(
    ext: &mut dyn Externalities,
    who: &AccountId,
    code_hash: &H256,
) -> DispatchResult {
    let info = code_info(ext, code_hash).ok_or(Error::CodeNotFound)?;
    if info.owner != *who {
        return Err(Error::NotCodeOwner.into());
    }
    if info.refcount > 0 {
        return Err(Error::CodeInUse.into());
    }
    deposit::release(ext, who, info.deposit)?;
    ext.storage_remove(&storage::pristine_code(code_hash));
    ext.storage_remove(&storage::code_info(code_hash));
    // The node's compiled artifact goes too, so removed code does not hold disk space.
    if let Some(engine) = ext.contract_engine() {
        engine.code_removed(code_hash);
    }
    deposit_event(
        ext,
        &Event::CodeRemoved {
            code_hash: *code_hash,
            owner: *who,
            refund: info.deposit,
        },
    );
    Ok(())
}
