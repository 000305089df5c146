//! Post-quantum keys for HyperMesh: Falcon-1024 signatures and ML-KEM key agreement.
//!
//! Falcon signatures are randomized: two signatures over one message differ.
//! Compare signed payloads, never signature bytes.
pub mod dev;
pub mod falcon;
pub mod kem;
pub mod keystore;
pub mod verify_cache;

pub use dev::{dev_keypair, DEV_ACCOUNTS};
pub use falcon::{verify, Keypair};
pub use keystore::{KeyFile, KeystoreError};
pub use verify_cache::VerifyCache;
