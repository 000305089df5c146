pub mod blocks;
pub mod key;
pub mod wallet;
