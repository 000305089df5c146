//! Build, sign and submit HyperMesh transactions; read balances. Used by the
//! `hypermesh tx|query` commands, the benchmark and the end-to-end tests.
pub mod accounts;
pub mod dynamic;
pub mod outcome;
pub mod rpc;
mod state;
pub mod transfer;

pub use accounts::{account, signer};
pub use dynamic::{DecodedEvent, EncodedCall, Metadata};
pub use outcome::TxOutcome;
pub use rpc::{BalanceInfo, ChainContext, Finalized, RpcWallet};
pub use transfer::{ensure_transfer_possible, TransferCheck};

use hm_crypto::Keypair;
use hm_primitives::{
    AccountId, Balance, BlockNumber, Nonce, SignedExtra, SignedPart, Signer, UncheckedExtrinsic,
    H256,
};
use hm_runtime::Call;
use parity_scale_codec::Encode;

/// Everything besides the call that a signature binds.
#[derive(Clone, Copy, Debug)]
pub struct TxParams {
    pub genesis_hash: H256,
    pub spec_version: u32,
    pub nonce: Nonce,
    pub tip: Balance,
    pub valid_until: BlockNumber,
}

/// Sign `call`. The first transaction of an account (nonce 0) carries the full
/// public key so the chain can store it; later ones carry only the account id.
pub fn sign<C: Encode>(kp: &Keypair, call: C, p: &TxParams) -> Vec<u8> {
    let signer = if p.nonce == 0 {
        Signer::FullKey(kp.public().clone())
    } else {
        Signer::Id(kp.account_id())
    };
    let extra = SignedExtra {
        nonce: p.nonce,
        tip: p.tip,
        valid_until: p.valid_until,
    };
    let msg = hm_primitives::signing_message(
        &p.genesis_hash,
        p.spec_version,
        &kp.account_id(),
        &extra,
        &call,
    );
    let signature = kp.sign(msg.as_bytes());
    UncheckedExtrinsic {
        signed: Some(SignedPart {
            signer,
            extra,
            signature,
        }),
        call,
    }
    .encode()
}

/// Run a command's RPC work to completion on a single-threaded runtime.
pub fn block_on<F: std::future::Future<Output = anyhow::Result<T>>, T>(
    work: F,
) -> anyhow::Result<T> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(work)
}

/// Parse a CAES amount given as `flag`, or say precisely what is wrong with it.
pub fn parse_amount(s: &str, flag: &str) -> anyhow::Result<Balance> {
    hm_primitives::parse_caes(s).map_err(|e| match e {
        hm_primitives::AmountError::Overflow => anyhow::anyhow!(
            "{flag} `{s}`: {e}: the most is {} CAES (2^128 - 1 plancks)",
            hm_primitives::format_caes(Balance::MAX)
        ),
        other => anyhow::anyhow!("{flag} `{s}`: {other}"),
    })
}

/// A CAES transfer call.
pub fn transfer_call(dest: AccountId, value: Balance, keep_alive: bool) -> Call {
    use hm_pallet_caesar::Call as Caesar;
    Call::Caesar(if keep_alive {
        Caesar::TransferKeepAlive { dest, value }
    } else {
        Caesar::Transfer { dest, value }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_that_do_not_fit_say_the_limit() {
        assert_eq!(parse_amount("1.5", "--amount").unwrap(), 1_500_000_000_000);
        let err = parse_amount("340282366920938463463374608", "--amount")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("--amount `340282366920938463463374608`: amount is too large"),
            "{err}"
        );
        assert!(
            err.contains("340282366920938463463374607.431768211455 CAES"),
            "{err}"
        );
        let err = parse_amount("1.2.3", "--tip").unwrap_err().to_string();
        assert!(err.starts_with("--tip `1.2.3`"), "{err}");
    }
}
