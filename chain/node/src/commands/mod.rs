pub mod blocks;
pub mod call;
pub mod dex;
pub mod key;
pub mod plot;
pub mod token;
pub mod wallet;
