//! `hypermesh key generate|inspect`.
use crate::{base_path::BasePath, cli::KeyCommand};
use anyhow::Context;
use hm_crypto::{KeyFile, Keypair};
use hm_primitives::AccountId;
use std::path::Path;

pub fn run(cmd: KeyCommand) -> anyhow::Result<()> {
    match cmd {
        KeyCommand::Generate {
            output,
            chain,
            validator,
        } => {
            let kp = Keypair::generate();
            let target = match (output, validator) {
                (Some(p), _) => Some(p),
                (None, true) => {
                    let spec = crate::load_spec(&chain)?;
                    Some(BasePath::resolve(&chain)?.validator_key(&spec.id))
                }
                (None, false) => None,
            };
            if let Some(path) = &target {
                if path.exists() {
                    anyhow::bail!(
                        "{} already exists; refusing to overwrite a key",
                        path.display()
                    );
                }
                KeyFile::from_keypair("", &kp).save(path)?;
                println!("Key file:   {}", path.display());
            }
            print_key(&kp.account_id(), Some(kp.public().as_bytes()));
            if target.is_none() {
                println!("Secret key: 0x{}", hex::encode(kp.secret_bytes()));
                println!("(not saved: pass --output FILE to write a key file)");
            }
            Ok(())
        }
        KeyCommand::Inspect { key } => {
            if let Some(kp) = hm_crypto::dev_keypair(&key) {
                print_key(&kp.account_id(), Some(kp.public().as_bytes()));
            } else if Path::new(&key).exists() {
                let kp = KeyFile::load(Path::new(&key))?;
                print_key(&kp.account_id(), Some(kp.public().as_bytes()));
            } else {
                let id = AccountId::from_address(&key).with_context(|| {
                    format!(
                        "`{key}` is neither a key file, a dev key name (//Alice) nor an address"
                    )
                })?;
                print_key(&id, None);
            }
            Ok(())
        }
    }
}

fn print_key(id: &AccountId, public: Option<&[u8]>) {
    println!("Address:    {}", id.to_address());
    println!("Account id: 0x{}", hex::encode(id.0));
    if let Some(pk) = public {
        println!(
            "Public key: 0x{} (Falcon-1024, {} bytes)",
            hex::encode(pk),
            pk.len()
        );
    }
}
