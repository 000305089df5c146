pub mod blocks;
pub mod key;
pub mod plot;
pub mod wallet;
