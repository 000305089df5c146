//! `hypermesh key generate|inspect`.
use crate::{base_path::BasePath, cli::KeyCommand};
use hm_crypto::{KeyFile, Keypair};
use hm_primitives::AccountId;
use std::path::Path;

pub fn run(cmd: KeyCommand) -> anyhow::Result<()> {
    match cmd {
        KeyCommand::Generate {
            output,
            chain,
            validator,
            show_secret,
        } => {
            let kp = Keypair::generate();
            let saved = output.is_some() || validator;
            match (output, validator) {
                (Some(path), _) => {
                    KeyFile::from_keypair("", &kp).save(&path)?;
                    println!("Key file:   {}", path.display());
                }
                (None, true) => {
                    let spec = crate::load_spec(&chain)?;
                    let path = BasePath::resolve(&chain)?.validator_key(&spec.id);
                    KeyFile::from_keypair("", &kp).save_validator(&path)?;
                    println!("Key file:   {}", path.display());
                }
                (None, false) => {}
            }
            print_key(&kp.account_id(), Some(kp.public().as_bytes()));
            print_secret_notice(&kp, show_secret, saved);
            Ok(())
        }
        KeyCommand::Inspect { key } => {
            if Path::new(&key).exists() || hm_crypto::dev_keypair(&key).is_some() {
                let kp = hm_wallet::signer(&key, "key")?;
                print_key(&kp.account_id(), Some(kp.public().as_bytes()));
            } else {
                print_key(&hm_wallet::account(&key, "key")?, None);
            }
            Ok(())
        }
    }
}

/// The secret is printed only on request; a key with nowhere to go says how to keep it.
fn print_secret_notice(kp: &Keypair, show_secret: bool, saved: bool) {
    if show_secret {
        println!("Secret key: 0x{}", hex::encode(kp.secret_bytes()));
    }
    if !saved && !show_secret {
        println!(
            "(not saved: pass --output FILE to write a key file, or --show-secret to print the secret)"
        );
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
