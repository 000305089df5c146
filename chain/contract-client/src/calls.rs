//! `Call::Contracts` extrinsic calls, and the SDK's message selectors.
use hm_primitives::{AccountId, Balance, H256};
use hm_runtime::pallet_contracts::Call as ContractsCall;
use hm_runtime::Call;

/// The SDK's message selector: the first four bytes of `blake3(name)`.
pub fn selector(name: &str) -> Vec<u8> {
    hm_primitives::blake3_256(name.as_bytes()).0[..4].to_vec()
}

/// The input of message `name` with SCALE-encoded `args` appended.
pub fn message(name: &str, args: &[u8]) -> Vec<u8> {
    [selector(name).as_slice(), args].concat()
}

/// Upload `code` with no storage deposit limit.
pub fn upload(code: Vec<u8>) -> Call {
    Call::Contracts(ContractsCall::UploadCode {
        code,
        storage_deposit_limit: None,
    })
}

/// Instantiate `code_hash` with no value and no storage deposit limit.
pub fn instantiate(code_hash: H256, gas_limit: u64, input: Vec<u8>, salt: Vec<u8>) -> Call {
    Call::Contracts(ContractsCall::Instantiate {
        code_hash,
        value: 0,
        gas_limit,
        storage_deposit_limit: None,
        input,
        salt,
    })
}

/// Call `dest` with no value and no storage deposit limit.
pub fn call(dest: AccountId, gas_limit: u64, input: Vec<u8>) -> Call {
    call_with_value(dest, 0, gas_limit, input)
}

/// Call `dest`, sending it `value`.
pub fn call_with_value(dest: AccountId, value: Balance, gas_limit: u64, input: Vec<u8>) -> Call {
    Call::Contracts(ContractsCall::Call {
        dest,
        value,
        gas_limit,
        storage_deposit_limit: None,
        input,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_are_the_sdk_ones() {
        assert_eq!(
            selector("transfer").as_slice(),
            &hm_primitives::blake3_256(b"transfer").0[..4]
        );
        let input = message("transfer", &[9, 9]);
        assert_eq!(input[..4], selector("transfer"));
        assert_eq!(&input[4..], &[9, 9]);
    }
}
