pub mod blocks;
pub mod contract;
mod contract_build;
mod contract_codec;
mod contract_events;
pub mod key;
pub mod plot;
pub mod wallet;
