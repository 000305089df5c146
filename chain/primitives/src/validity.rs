//! Transaction validity, shared by the runtime (which decides) and the pool (which reacts).
use crate::{AccountId, Balance, BlockNumber, Nonce};
use parity_scale_codec::{Decode, Encode};

/// A transaction the runtime accepts against some state.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub struct ValidTransaction {
    pub sender: AccountId,
    pub nonce: Nonce,
    /// The sender's next nonce in the state validated against; `nonce > account_nonce` means future.
    pub account_nonce: Nonce,
    /// Higher goes first. Derived from the tip.
    pub priority: u64,
    pub valid_until: BlockNumber,
    /// Fee the sender pays on inclusion (length + weight + tip).
    pub fee: Balance,
}

/// Why a transaction is refused. Each variant maps to one precise RPC error.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub enum InvalidTransaction {
    /// Bytes do not decode as an extrinsic (or are too large).
    Malformed,
    /// Signature does not verify for this chain's genesis hash and spec version.
    BadSignature,
    /// The signer used its `AccountId` but no public key is stored for it yet.
    UnknownSigner,
    /// Nonce already used.
    Stale { expected: Nonce, got: Nonce },
    /// Nonce too far ahead of the account's next nonce.
    FutureTooFar { expected: Nonce, got: Nonce },
    /// Free balance cannot pay the fee.
    CannotPayFees { fee: Balance, free: Balance },
    /// Mortality passed.
    Expired {
        valid_until: BlockNumber,
        current: BlockNumber,
    },
    /// Unsigned extrinsics are only inherents and evidence.
    UnsignedNotAllowed,
    /// Larger than a block may hold.
    ExhaustsResources,
    /// The call itself can never succeed (e.g. refers to an unknown call index).
    BadCall,
}

impl core::fmt::Display for InvalidTransaction {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        use InvalidTransaction::*;
        match self {
            Malformed => write!(f, "extrinsic does not decode"),
            BadSignature => {
                write!(f, "bad signature: it does not verify for this chain's genesis hash and spec version")
            }
            UnknownSigner => {
                write!(f, "unknown signer: the account's first transaction must carry its full public key")
            }
            Stale { expected, got } => write!(
                f,
                "stale nonce {got}: the account's next nonce is {expected}"
            ),
            FutureTooFar { expected, got } => {
                write!(
                    f,
                    "nonce {got} is too far in the future: the account's next nonce is {expected}"
                )
            }
            CannotPayFees { fee, free } => {
                write!(
                    f,
                    "insufficient balance: fee is {fee} plancks but free balance is {free}"
                )
            }
            Expired {
                valid_until,
                current,
            } => {
                write!(
                    f,
                    "transaction expired: valid until block {valid_until}, chain is at {current}"
                )
            }
            UnsignedNotAllowed => write!(
                f,
                "unsigned extrinsics are only allowed for inherents and evidence"
            ),
            ExhaustsResources => write!(f, "transaction would exhaust block resources"),
            BadCall => write!(f, "call is not valid"),
        }
    }
}
