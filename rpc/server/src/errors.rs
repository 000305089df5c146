//! Every error the server returns: one precise JSON-RPC error per cause.
use crate::middleware::{BudgetScope, RateLimiter};
use hm_client_api::{ClientError, PoolError};
use hm_primitives::{InvalidTransaction, MAX_EXTRINSIC_BYTES};
use hm_rpc_api::error_codes::{self, messages};
use hm_rpc_api::HexString;
use jsonrpsee::types::{ErrorObject, ErrorObjectOwned};

/// `-32602` naming the parameter and what is wrong with its value.
pub fn invalid_param(param: &str, reason: impl std::fmt::Display) -> ErrorObjectOwned {
    ErrorObject::owned(
        error_codes::INVALID_PARAMS,
        format!("invalid parameter `{param}`: {reason}"),
        None::<()>,
    )
}

/// Decode a hex parameter, or say which parameter is malformed.
pub fn hex_param(param: &str, value: &HexString) -> Result<Vec<u8>, ErrorObjectOwned> {
    value.decode().map_err(|e| invalid_param(param, e))
}

/// Decode a 32-byte hash parameter.
pub fn hash_param(param: &str, value: &HexString) -> Result<hm_primitives::H256, ErrorObjectOwned> {
    value.decode_hash().map_err(|e| invalid_param(param, e))
}

/// Parse an `hm1…` address (or `0x` + 64 hex) parameter.
pub fn address_param(
    param: &str,
    value: &str,
) -> Result<hm_primitives::AccountId, ErrorObjectOwned> {
    hm_primitives::AccountId::from_address(value).map_err(|e| invalid_param(param, e))
}

/// A refused extrinsic, with Substrate's code and message and the exact reason in `data`.
pub fn pool_error(e: &PoolError) -> ErrorObjectOwned {
    let (code, message) = match e {
        PoolError::Invalid(InvalidTransaction::Malformed) => {
            (error_codes::BAD_FORMAT, messages::BAD_FORMAT)
        }
        PoolError::Invalid(_) | PoolError::TooLarge { .. } => (
            error_codes::INVALID_TRANSACTION,
            messages::INVALID_TRANSACTION,
        ),
        PoolError::AlreadyImported(_) => {
            (error_codes::ALREADY_IMPORTED, messages::ALREADY_IMPORTED)
        }
        PoolError::TemporarilyBanned(_) => (
            error_codes::TEMPORARILY_BANNED,
            messages::TEMPORARILY_BANNED,
        ),
        PoolError::TooLowPriority => (error_codes::TOO_LOW_PRIORITY, messages::TOO_LOW_PRIORITY),
        PoolError::PoolFull | PoolError::SenderLimit(_) => (
            error_codes::IMMEDIATELY_DROPPED,
            messages::IMMEDIATELY_DROPPED,
        ),
    };
    ErrorObject::owned(code, message, Some(pool_error_reason(e)))
}

/// What the caller should read and fix, in one sentence.
fn pool_error_reason(e: &PoolError) -> String {
    match e {
        PoolError::Invalid(InvalidTransaction::Malformed) => format!(
            "the bytes do not decode as an extrinsic (truncated, trailing bytes, or not SCALE); \
             at most {MAX_EXTRINSIC_BYTES} bytes are accepted"
        ),
        PoolError::Invalid(InvalidTransaction::Stale { expected, got }) => {
            format!("stale nonce {got}: the account's next nonce is {expected}; re-sign with nonce {expected}")
        }
        PoolError::Invalid(InvalidTransaction::FutureTooFar { expected, got }) => format!(
            "nonce {got} is too far ahead: the account's next nonce is {expected}; submit the missing nonces first"
        ),
        PoolError::Invalid(InvalidTransaction::BadSignature) => {
            "bad signature: it does not verify for this chain's genesis hash and spec version \
             (signed for another chain, or with an outdated runtime version)"
                .to_string()
        }
        PoolError::Invalid(other) => other.to_string(),
        PoolError::TooLarge { len, max } => format!("extrinsic is {len} bytes; the limit is {max}"),
        PoolError::PoolFull => "transaction pool is full; retry later or raise the tip".to_string(),
        other => other.to_string(),
    }
}

/// A read from the chain failed. An unknown block is the caller's mistake;
/// everything else is the node's, and says so.
pub fn state_error(e: &ClientError) -> ErrorObjectOwned {
    let message = match e {
        ClientError::UnknownBlock(b) => {
            format!("unknown block {b}: this node has no such block (check the hash, or wait for it to sync)")
        }
        ClientError::StateUnavailable(b) => {
            format!(
                "state for block {b} is not available on this node (pruned or not yet imported)"
            )
        }
        ClientError::StatePruned(why) => {
            format!("{why}; ask a node run with --state-pruning archive for older states")
        }
        other => format!("reading state failed: {other}"),
    };
    ErrorObject::owned(error_codes::STATE_UNAVAILABLE, message, None::<()>)
}

/// A block read failed inside the node.
pub fn chain_error(e: &ClientError) -> ErrorObjectOwned {
    ErrorObject::owned(
        error_codes::CHAIN_BACKEND,
        format!("reading the chain failed: {e}"),
        None::<()>,
    )
}

pub fn unsafe_method(method: &str) -> ErrorObjectOwned {
    ErrorObject::owned(
        error_codes::UNSAFE_METHOD,
        format!(
            "{method} is unsafe and this node serves it only to clients on its own machine \
             (use --rpc-methods unsafe to serve it to every client)"
        ),
        None::<()>,
    )
}

pub fn subscription_needs_websocket(method: &str) -> ErrorObjectOwned {
    ErrorObject::owned(
        error_codes::SUBSCRIPTION_NEEDS_WEBSOCKET,
        format!("{method} is a subscription: connect over WebSocket (ws://host:port) to use it; HTTP serves plain calls only"),
        None::<()>,
    )
}

pub fn rate_limited(limiter: &RateLimiter) -> ErrorObjectOwned {
    let whose = match limiter.scope {
        BudgetScope::Connection => "this connection",
        BudgetScope::Address => "HTTP requests from your address",
    };
    ErrorObject::owned(
        error_codes::RATE_LIMITED,
        format!(
            "rate limit exceeded: {whose} may make {} calls per minute; slow down",
            limiter.per_minute
        ),
        None::<()>,
    )
}

/// A list parameter longer than the server takes in one call.
pub fn too_many_items(param: &str, got: usize, max: usize) -> ErrorObjectOwned {
    invalid_param(param, format!("{got} items; at most {max} per call"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hm_primitives::H256;

    #[test]
    fn every_pool_error_has_a_distinct_reason() {
        let cases = [
            (PoolError::Invalid(InvalidTransaction::Malformed), 1001),
            (PoolError::Invalid(InvalidTransaction::BadSignature), 1010),
            (PoolError::Invalid(InvalidTransaction::UnknownSigner), 1010),
            (
                PoolError::Invalid(InvalidTransaction::Stale {
                    expected: 5,
                    got: 3,
                }),
                1010,
            ),
            (
                PoolError::Invalid(InvalidTransaction::FutureTooFar {
                    expected: 5,
                    got: 90,
                }),
                1010,
            ),
            (
                PoolError::Invalid(InvalidTransaction::CannotPayFees { fee: 10, free: 2 }),
                1010,
            ),
            (
                PoolError::Invalid(InvalidTransaction::Expired {
                    valid_until: 4,
                    current: 9,
                }),
                1010,
            ),
            (
                PoolError::Invalid(InvalidTransaction::UnsignedNotAllowed),
                1010,
            ),
            (
                PoolError::Invalid(InvalidTransaction::ExhaustsResources),
                1010,
            ),
            (PoolError::Invalid(InvalidTransaction::BadCall), 1010),
            (
                PoolError::TooLarge {
                    len: 200_000,
                    max: 131_072,
                },
                1010,
            ),
            (PoolError::AlreadyImported(H256([1; 32])), 1013),
            (PoolError::TemporarilyBanned(H256([1; 32])), 1012),
            (PoolError::SenderLimit(64), 1016),
            (PoolError::PoolFull, 1016),
            (PoolError::TooLowPriority, 1014),
        ];
        let mut reasons = std::collections::BTreeSet::new();
        for (e, code) in cases {
            let obj = pool_error(&e);
            assert_eq!(obj.code(), code, "{e:?}");
            let data = obj.data().expect("reason in data").get().to_string();
            assert!(reasons.insert(data.clone()), "duplicate reason {data}");
        }
        let stale = pool_error(&PoolError::Invalid(InvalidTransaction::Stale {
            expected: 5,
            got: 3,
        }));
        assert!(stale.data().unwrap().get().contains("next nonce is 5"));
        let fees = pool_error(&PoolError::Invalid(InvalidTransaction::CannotPayFees {
            fee: 10,
            free: 2,
        }));
        assert!(fees
            .data()
            .unwrap()
            .get()
            .contains("fee is 10 plancks but free balance is 2"));
    }

    #[test]
    fn param_errors_name_the_parameter() {
        let e = hex_param("extrinsic", &HexString("0x123".into())).unwrap_err();
        assert_eq!(e.code(), -32602);
        assert!(
            e.message().contains("`extrinsic`") && e.message().contains("odd number"),
            "{}",
            e.message()
        );
        let e = hash_param("at", &HexString("0x1234".into())).unwrap_err();
        assert!(
            e.message().contains("`at`") && e.message().contains("expected 32 bytes"),
            "{}",
            e.message()
        );
        let e = address_param("address", "hm1qqqq").unwrap_err();
        assert!(
            e.message().contains("`address`") && e.message().contains("bech32m"),
            "{}",
            e.message()
        );
    }
}
