//! In-crate tests that need the crate's internals (the block author, the signer).
mod fixture;
mod gossip_tests;
mod verifier_tests;
mod vote_pull_tests;
