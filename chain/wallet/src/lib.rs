//! Build, sign and submit HyperMesh transactions; read balances. Used by the
//! `hypermesh tx|query` commands, the benchmark and the end-to-end tests.
pub mod rpc;

pub use rpc::{BalanceInfo, ChainContext, Finalized, RpcWallet};

use hm_crypto::Keypair;
use hm_primitives::{
    AccountId, Balance, BlockNumber, Nonce, SignedExtra, SignedPart, Signer, H256,
};
use hm_runtime::{Call, Extrinsic};
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
pub fn sign(kp: &Keypair, call: Call, p: &TxParams) -> Vec<u8> {
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
    Extrinsic {
        signed: Some(SignedPart {
            signer,
            extra,
            signature,
        }),
        call,
    }
    .encode()
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
