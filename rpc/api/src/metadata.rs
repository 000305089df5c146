//! `state_getMetadata`: the runtime's self-description.
use crate::{Bytes, HexString};
use jsonrpsee::core::RpcResult;
use jsonrpsee::proc_macros::rpc;

#[rpc(client, server)]
pub trait MetadataApi {
    /// SCALE-encoded FRAME metadata V15 (`0x6d657461…`, "meta" then the version),
    /// as Substrate serves it: pallets, calls with argument types, events, errors,
    /// storage items and constants. `at`: a block hash (the best block when omitted).
    #[method(name = "state_getMetadata", blocking)]
    fn metadata(&self, at: Option<HexString>) -> RpcResult<Bytes>;
}
