//! Contract client tooling shared by the `hypermesh contract` commands, the benchmark and
//! the end-to-end tests: call constructors, argument encoding without metadata, contract
//! builds, signed submission with each extrinsic's outcome read back from
//! `chain_getEvents`, and state reads, all over the node's generic RPC.
pub mod build;
pub mod calls;
pub mod cli;
mod cli_run;
pub mod client;
pub mod codec;
pub mod events;

pub use calls::{call, instantiate, selector, upload};
pub use client::{ContractClient, Included};
pub use hm_runtime::pallet_contracts::{Error as ContractsError, Event as ContractsEvent};
