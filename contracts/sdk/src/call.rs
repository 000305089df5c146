//! Calling and instantiating other contracts.
//!
//! ```ignore
//! let balance: u128 = CallBuilder::new(token)
//!     .gas_limit(100_000)
//!     .message(selector!("balance_of"), &(owner,))
//!     .invoke_decode()?;
//! ```
//! A failed callee never fails the caller by itself: every outcome comes back as a
//! [`CallError`], and the caller decides whether to revert.

use alloc::vec::Vec;

use parity_scale_codec::{Decode, Encode};

use crate::{AccountId, Hash};

/// Why a `call`, `instantiate` or `transfer` did not succeed (ABI status codes 1-7), or why
/// its output could not be used.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub enum CallError {
    /// Status 1: the callee reverted; its revert data (its SCALE-encoded error, or an
    /// `hm:` reason from the SDK).
    Reverted(Vec<u8>),
    /// Status 2: the callee trapped or ran out of gas.
    Trapped,
    /// Status 3: insufficient balance, or the result would fall below the existential
    /// deposit.
    TransferFailed,
    /// Status 4: no contract at that address, or unknown code hash.
    NoContract,
    /// Status 5: the call depth limit was reached.
    DepthLimit,
    /// Status 6: the callee is already on the call stack.
    Reentrancy,
    /// Status 7: the instantiated address is already in use.
    AddressInUse,
    /// A status this SDK does not know (a newer host); kept rather than guessed.
    UnknownStatus(i32),
    /// The call succeeded but its output did not decode as the expected type.
    InvalidOutput,
}

impl CallError {
    /// Maps an ABI status; `revert_data` is read only for status 1.
    pub fn check(status: i32, revert_data: impl FnOnce() -> Vec<u8>) -> Result<(), CallError> {
        Err(match status {
            0 => return Ok(()),
            1 => CallError::Reverted(revert_data()),
            2 => CallError::Trapped,
            3 => CallError::TransferFailed,
            4 => CallError::NoContract,
            5 => CallError::DepthLimit,
            6 => CallError::Reentrancy,
            7 => CallError::AddressInUse,
            other => CallError::UnknownStatus(other),
        })
    }

    /// The ABI status code this error came from (`None` for [`CallError::InvalidOutput`]).
    pub fn status(&self) -> Option<i32> {
        Some(match self {
            CallError::Reverted(_) => 1,
            CallError::Trapped => 2,
            CallError::TransferFailed => 3,
            CallError::NoContract => 4,
            CallError::DepthLimit => 5,
            CallError::Reentrancy => 6,
            CallError::AddressInUse => 7,
            CallError::UnknownStatus(code) => *code,
            CallError::InvalidOutput => return None,
        })
    }

    /// The callee's error, when it reverted with a SCALE-encoded `E`.
    pub fn revert_reason<E: Decode>(&self) -> Option<E> {
        match self {
            CallError::Reverted(data) => crate::codec::decode_exact(data).ok(),
            _ => None,
        }
    }
}

/// The preimage of a contract address: `"hm/contract" ‖ deployer ‖ code_hash ‖ salt`
/// (the address is its `blake3`; see [`contract_address`]).
pub fn contract_address_preimage(deployer: &AccountId, code_hash: &Hash, salt: &[u8]) -> Vec<u8> {
    const DOMAIN: &[u8] = b"hm/contract";
    let mut preimage = Vec::with_capacity(DOMAIN.len() + 64 + salt.len());
    preimage.extend_from_slice(DOMAIN);
    preimage.extend_from_slice(&deployer.0);
    preimage.extend_from_slice(code_hash);
    preimage.extend_from_slice(salt);
    preimage
}

/// The address `instantiate` will give a contract deployed by `deployer` from `code_hash`
/// with `salt`, known before deployment.
#[cfg(target_arch = "wasm32")]
pub fn contract_address(deployer: &AccountId, code_hash: &Hash, salt: &[u8]) -> AccountId {
    AccountId(crate::env::blake3(&contract_address_preimage(
        deployer, code_hash, salt,
    )))
}

/// Builds a call to another contract.
#[derive(Clone, Debug)]
pub struct CallBuilder {
    callee: AccountId,
    value: crate::Balance,
    gas_limit: u64,
    input: Vec<u8>,
}

impl CallBuilder {
    /// A call to `callee` with no value, all remaining gas and empty input.
    pub fn new(callee: AccountId) -> Self {
        Self {
            callee,
            value: 0,
            gas_limit: 0,
            input: Vec::new(),
        }
    }

    /// CAES to send with the call.
    pub fn value(mut self, value: crate::Balance) -> Self {
        self.value = value;
        self
    }

    /// Gas the callee may use; `0` (the default) means all remaining gas.
    pub fn gas_limit(mut self, gas_limit: u64) -> Self {
        self.gas_limit = gas_limit;
        self
    }

    /// Calls message `selector` (best written `selector!("name")`) with `args` (a tuple;
    /// `()` for none).
    pub fn message<A: Encode>(mut self, selector: crate::Selector, args: &A) -> Self {
        self.input = crate::codec::encode_message(selector, args);
        self
    }

    /// Raw input bytes, for callees that do not use the SDK's selector scheme.
    pub fn input(mut self, input: Vec<u8>) -> Self {
        self.input = input;
        self
    }

    /// The contract that will be called.
    pub fn callee(&self) -> &AccountId {
        &self.callee
    }

    /// The input that will be sent.
    pub fn input_bytes(&self) -> &[u8] {
        &self.input
    }

    /// Performs the call; `Ok` holds the callee's output.
    #[cfg(target_arch = "wasm32")]
    pub fn invoke(self) -> Result<Vec<u8>, CallError> {
        let status = crate::env::call_raw(&self.callee, self.value, self.gas_limit, &self.input);
        CallError::check(status, crate::env::return_data)?;
        Ok(crate::env::return_data())
    }

    /// Performs the call and decodes its output as `T`.
    #[cfg(target_arch = "wasm32")]
    pub fn invoke_decode<T: Decode>(self) -> Result<T, CallError> {
        let output = self.invoke()?;
        crate::codec::decode_exact(&output).map_err(|_| CallError::InvalidOutput)
    }
}

/// A contract created by [`InstantiateBuilder::invoke`].
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Instantiated {
    /// The new contract's address.
    pub address: AccountId,
    /// What its `deploy` returned.
    pub output: Vec<u8>,
}

/// Builds the instantiation of a contract from uploaded code.
#[derive(Clone, Debug)]
pub struct InstantiateBuilder {
    code_hash: Hash,
    value: crate::Balance,
    gas_limit: u64,
    input: Vec<u8>,
    salt: Vec<u8>,
}

impl InstantiateBuilder {
    /// Instantiates `code_hash` with no value, all remaining gas, empty input and salt.
    pub fn new(code_hash: Hash) -> Self {
        Self {
            code_hash,
            value: 0,
            gas_limit: 0,
            input: Vec::new(),
            salt: Vec::new(),
        }
    }

    /// CAES to endow the new contract with.
    pub fn value(mut self, value: crate::Balance) -> Self {
        self.value = value;
        self
    }

    /// Gas its `deploy` may use; `0` (the default) means all remaining gas.
    pub fn gas_limit(mut self, gas_limit: u64) -> Self {
        self.gas_limit = gas_limit;
        self
    }

    /// Deploy arguments (SCALE, no selector: `deploy` takes one argument list).
    pub fn args<A: Encode>(mut self, args: &A) -> Self {
        self.input = args.encode();
        self
    }

    /// Raw deploy input bytes.
    pub fn input(mut self, input: Vec<u8>) -> Self {
        self.input = input;
        self
    }

    /// Salt that makes the address distinct for the same deployer and code.
    pub fn salt(mut self, salt: &[u8]) -> Self {
        self.salt = salt.to_vec();
        self
    }

    /// The code that will be instantiated.
    pub fn code_hash(&self) -> &Hash {
        &self.code_hash
    }

    /// The deploy input that will be sent.
    pub fn input_bytes(&self) -> &[u8] {
        &self.input
    }

    /// Performs the instantiation.
    #[cfg(target_arch = "wasm32")]
    pub fn invoke(self) -> Result<Instantiated, CallError> {
        let mut address = AccountId([0; 32]);
        let status = crate::env::instantiate_raw(
            &self.code_hash,
            self.value,
            self.gas_limit,
            &self.input,
            &self.salt,
            &mut address,
        );
        CallError::check(status, crate::env::return_data)?;
        Ok(Instantiated {
            address,
            output: crate::env::return_data(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::selector;
    use alloc::vec;

    #[test]
    fn every_abi_status_maps_and_round_trips() {
        assert_eq!(CallError::check(0, || unreachable!()), Ok(()));
        let expected = [
            (1, CallError::Reverted(vec![1, 2])),
            (2, CallError::Trapped),
            (3, CallError::TransferFailed),
            (4, CallError::NoContract),
            (5, CallError::DepthLimit),
            (6, CallError::Reentrancy),
            (7, CallError::AddressInUse),
            (8, CallError::UnknownStatus(8)),
            (-1, CallError::UnknownStatus(-1)),
        ];
        for (code, error) in expected {
            assert_eq!(CallError::check(code, || vec![1, 2]), Err(error.clone()));
            assert_eq!(error.status(), Some(code));
        }
        assert_eq!(CallError::InvalidOutput.status(), None);
    }

    #[test]
    fn revert_data_is_read_only_for_reverts() {
        assert_eq!(
            CallError::check(2, || panic!("read for a trap")),
            Err(CallError::Trapped)
        );
    }

    #[test]
    fn revert_reason_decodes_the_callee_error() {
        #[derive(Decode, Encode, PartialEq, Debug)]
        enum TokenError {
            InsufficientBalance,
            InsufficientAllowance,
        }
        let reverted = CallError::Reverted(TokenError::InsufficientAllowance.encode());
        assert_eq!(
            reverted.revert_reason(),
            Some(TokenError::InsufficientAllowance)
        );
        assert_eq!(
            CallError::Reverted(vec![9]).revert_reason::<TokenError>(),
            None
        );
        assert_eq!(CallError::Trapped.revert_reason::<TokenError>(), None);
    }

    #[test]
    fn call_error_encoding_is_stable() {
        assert_eq!(CallError::Reverted(vec![7]).encode(), vec![0, 4, 7]);
        assert_eq!(CallError::Trapped.encode(), vec![1]);
        assert_eq!(CallError::UnknownStatus(9).encode(), vec![7, 9, 0, 0, 0]);
        assert!(crate::codec::decode_exact::<CallError>(&[9]).is_err());
    }

    #[test]
    fn builders_encode_input() {
        let call = CallBuilder::new(AccountId([1; 32]))
            .message(selector("approve"), &(AccountId([2; 32]), 5u128));
        assert_eq!(&call.input_bytes()[..4], &selector("approve"));
        assert_eq!(call.input_bytes().len(), 4 + 32 + 16);
    }

    #[test]
    fn address_preimage_follows_the_abi() {
        let preimage = contract_address_preimage(&AccountId([1; 32]), &[2; 32], b"salt");
        assert_eq!(&preimage[..11], b"hm/contract");
        assert_eq!(&preimage[11..43], &[1; 32]);
        assert_eq!(&preimage[43..75], &[2; 32]);
        assert_eq!(&preimage[75..], b"salt");
    }
}
