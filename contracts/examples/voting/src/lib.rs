//! Voting: anyone creates a proposal with 2 to 16 choices and a closing block; each
//! account votes once per proposal while it is open; after the closing block anyone
//! closes it, which fixes the tally and the winner.
//!
//! Deploy input: empty. The contract itself is wasm32-only; the tally rule is plain Rust
//! and tested on the host.
#![cfg_attr(target_arch = "wasm32", no_std)]

#[cfg(target_arch = "wasm32")]
extern crate alloc;

#[cfg(target_arch = "wasm32")]
mod contract;
mod tally;
