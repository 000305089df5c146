//! Well-known development keys.
//!
//! `pqcrypto-falcon` (PQClean) draws key-generation randomness from the OS and
//! exposes no seeded key generation, so the dev keys cannot be derived from a
//! seed phrase the way Substrate derives `//Alice`. Instead they are fixed,
//! published key files compiled into the binary. They are as public as
//! `//Alice`: never use them on a chain with value.
use crate::{falcon::Keypair, keystore::KeyFile};

/// Names of the dev accounts, in genesis order.
pub const DEV_ACCOUNTS: [&str; 6] = ["alice", "bob", "charlie", "dave", "eve", "ferdie"];

fn dev_key_json(name: &str) -> Option<&'static str> {
    Some(match name {
        "alice" => include_str!("../dev-keys/alice.json"),
        "bob" => include_str!("../dev-keys/bob.json"),
        "charlie" => include_str!("../dev-keys/charlie.json"),
        "dave" => include_str!("../dev-keys/dave.json"),
        "eve" => include_str!("../dev-keys/eve.json"),
        "ferdie" => include_str!("../dev-keys/ferdie.json"),
        _ => return None,
    })
}

/// The dev key pair for `name` (case-insensitive, optional leading `//`).
pub fn dev_keypair(name: &str) -> Option<Keypair> {
    let name = name.trim_start_matches("//").to_ascii_lowercase();
    let file: KeyFile = serde_json::from_str(dev_key_json(&name)?).ok()?;
    file.keypair().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_dev_keys_load_and_differ() {
        let ids: Vec<_> = DEV_ACCOUNTS
            .iter()
            .map(|n| dev_keypair(n).unwrap().account_id())
            .collect();
        for (i, a) in ids.iter().enumerate() {
            for b in &ids[i + 1..] {
                assert_ne!(a, b);
            }
        }
        assert_eq!(dev_keypair("//Alice").unwrap().account_id(), ids[0]);
        assert!(dev_keypair("mallory").is_none());
    }
}
