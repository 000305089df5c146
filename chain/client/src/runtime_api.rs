//! `RuntimeApiProvider`: runtime API calls over a block's state, on a throwaway overlay.
use crate::Client;
use hm_client_api::{ClientError, RuntimeApiProvider};
use hm_primitives::H256;
use hm_runtime::RuntimeApiError;

impl RuntimeApiProvider for Client {
    fn call(&self, method: &str, args: &[u8], at: Option<H256>) -> Result<Vec<u8>, ClientError> {
        let overlay = self.query_overlay(at)?;
        let result = hm_runtime::call_runtime_api(&overlay, method, args);
        match Self::checked(&overlay, result)? {
            Ok(bytes) => Ok(bytes),
            Err(RuntimeApiError::UnknownMethod) => Err(ClientError::BadQuery(format!(
                "no runtime API `{method}`; this runtime has {}",
                hm_runtime::RUNTIME_APIS.join(", ")
            ))),
            Err(RuntimeApiError::BadArguments(takes)) => Err(ClientError::BadQuery(format!(
                "the arguments of `{method}` do not decode: it takes SCALE {takes}"
            ))),
        }
    }
}
