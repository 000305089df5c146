//! Raw and decoded reads of chain state over `state_getStorage`.
use crate::RpcWallet;
use anyhow::Context;
use hm_primitives::H256;
use hm_rpc_api::{HexString, StateApiClient};
use parity_scale_codec::Decode;

impl RpcWallet {
    /// The value under `key` at block `at` (best when `None`).
    pub async fn storage(&self, key: &[u8], at: Option<H256>) -> anyhow::Result<Option<Vec<u8>>> {
        let value =
            StateApiClient::storage(self.client(), HexString::from(key), at.map(HexString::from))
                .await
                .context("state_getStorage")?;
        Ok(value.map(|b| b.0))
    }

    /// The value under `key` at block `at`, SCALE-decoded.
    pub async fn decoded_storage<T: Decode>(
        &self,
        key: &[u8],
        at: Option<H256>,
    ) -> anyhow::Result<Option<T>> {
        self.storage(key, at)
            .await?
            .map(|raw| T::decode(&mut &raw[..]).context("undecodable chain state"))
            .transpose()
    }
}
