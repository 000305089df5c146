//! How the command line names an account, resolved the same way everywhere: a path that
//! exists is a key file (so `./alice` is never taken for the dev key `alice`), then a dev
//! key name (`alice`, `//Alice`), then an address (`hm1…` or `0x` + 64 hex).
use anyhow::{anyhow, Context};
use hm_crypto::{KeyFile, Keypair};
use hm_primitives::AccountId;
use std::path::Path;

/// Where a named key comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySource {
    File,
    Dev,
}

/// The key pair `spec` names (a key file or a dev key name), and where it came from.
/// `flag` names the option in errors (`--from`).
pub fn signer_with_source(spec: &str, flag: &str) -> anyhow::Result<(Keypair, KeySource)> {
    let path = Path::new(spec);
    if path.exists() {
        let kp = KeyFile::load(path).with_context(|| format!("{flag} `{spec}`"))?;
        return Ok((kp, KeySource::File));
    }
    if let Some(kp) = hm_crypto::dev_keypair(spec) {
        return Ok((kp, KeySource::Dev));
    }
    Err(anyhow!(
        "{flag} `{spec}` is neither a key file nor a dev key name (//Alice, //Bob, ...)"
    ))
}

/// The key pair `spec` names: a key file or a dev key name.
pub fn signer(spec: &str, flag: &str) -> anyhow::Result<Keypair> {
    signer_with_source(spec, flag).map(|(kp, _)| kp)
}

/// The account `spec` names: a key file, a dev key name or an address.
pub fn account(spec: &str, flag: &str) -> anyhow::Result<AccountId> {
    if Path::new(spec).exists() || hm_crypto::dev_keypair(spec).is_some() {
        return signer(spec, flag).map(|kp| kp.account_id());
    }
    AccountId::from_address(spec).map_err(|e| {
        anyhow!(
            "{flag} `{spec}` is neither a key file, a dev key name (//Alice) nor an address: {e}"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_names_the_same_account() {
        let dir = tempfile::tempdir().unwrap();
        let kp = Keypair::generate();
        let file = dir.path().join("my.json");
        KeyFile::from_keypair("", &kp).save(&file).unwrap();
        let file = file.to_str().unwrap();
        let id = kp.account_id();
        assert_eq!(account(file, "--from").unwrap(), id);
        assert_eq!(signer(file, "--from").unwrap().account_id(), id);
        assert_eq!(account(&id.to_address(), "--to").unwrap(), id);
        let alice = hm_crypto::dev_keypair("alice").unwrap().account_id();
        for name in ["alice", "//Alice", "Alice"] {
            assert_eq!(account(name, "--to").unwrap(), alice);
            assert_eq!(signer(name, "--from").unwrap().account_id(), alice);
        }
    }

    #[test]
    fn a_key_file_wins_over_the_dev_key_it_is_named_like() {
        let dir = tempfile::tempdir().unwrap();
        let kp = Keypair::generate();
        let file = dir.path().join("alice");
        KeyFile::from_keypair("", &kp).save(&file).unwrap();
        let (found, source) = signer_with_source(file.to_str().unwrap(), "--from").unwrap();
        assert_eq!(source, KeySource::File);
        assert_eq!(found.account_id(), kp.account_id());
        // A broken file is an error about the file, never a silent fall back to the dev key.
        let broken = dir.path().join("bob");
        std::fs::write(&broken, "not a key").unwrap();
        let err = signer(broken.to_str().unwrap(), "--from").unwrap_err();
        assert!(format!("{err:#}").contains("is not valid"), "{err:#}");
        assert!(account(broken.to_str().unwrap(), "--to").is_err());
    }

    #[test]
    fn unknown_names_say_what_was_expected() {
        let err = signer("/no/such/key", "--from").unwrap_err().to_string();
        assert!(
            err.contains("--from `/no/such/key` is neither a key file"),
            "{err}"
        );
        let err = account("hm1nope", "--to").unwrap_err().to_string();
        assert!(err.contains("nor an address"), "{err}");
    }
}
