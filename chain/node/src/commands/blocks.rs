//! `purge-chain`, `export-blocks` and `import-blocks`.
//!
//! Export format: the magic line `HMBLOCKS1\n`, the genesis hash, then each
//! SCALE-encoded `SignedBlock` preceded by its length as u32 LE.
use crate::{base_path::BasePath, cli::ChainArgs};
use anyhow::{bail, Context};
use hm_client::Client;
use hm_primitives::{SignedBlock, H256, MAX_BLOCK_BYTES};
use parity_scale_codec::Encode;
use std::{
    io::{BufReader, BufWriter, Read, Write},
    path::Path,
    sync::Arc,
};

const MAGIC: &[u8] = b"HMBLOCKS1\n";

pub fn purge(chain: &ChainArgs, yes: bool) -> anyhow::Result<()> {
    let spec = crate::load_spec(chain)?;
    let path = BasePath::resolve(chain)?.database(&spec.id);
    if !path.exists() {
        println!("{} does not exist; nothing to purge", path.display());
        return Ok(());
    }
    if !yes {
        print!("Remove {}? [y/N]: ", path.display());
        std::io::stdout().flush()?;
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            println!("Aborted");
            return Ok(());
        }
    }
    hm_storage::purge(&path)?;
    println!("{} removed", path.display());
    Ok(())
}

fn open_client(chain: &ChainArgs) -> anyhow::Result<Arc<Client>> {
    let spec = crate::load_spec(chain)?;
    let base = BasePath::resolve(chain)?;
    Ok(crate::chain::open(&spec, &base, chain.state_pruning)?.client)
}

pub fn export(chain: &ChainArgs, from: u64, to: Option<u64>, output: &Path) -> anyhow::Result<()> {
    let client = open_client(chain)?;
    let info = client.chain_info();
    let to = to
        .unwrap_or(info.finalized_number)
        .min(info.finalized_number);
    let mut out = BufWriter::new(
        std::fs::File::create(output).with_context(|| format!("creating {}", output.display()))?,
    );
    out.write_all(MAGIC)?;
    out.write_all(info.genesis_hash.as_bytes())?;
    let mut count = 0u64;
    for n in from.max(1)..=to {
        let hash = client
            .db()
            .hash_by_number(n)?
            .with_context(|| format!("block #{n} missing"))?;
        let block = client
            .db()
            .signed_block(&hash)?
            .with_context(|| format!("block {hash:?} missing"))?;
        let bytes = block.encode();
        out.write_all(&(bytes.len() as u32).to_le_bytes())?;
        out.write_all(&bytes)?;
        count += 1;
    }
    out.flush()?;
    out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    println!(
        "exported {count} blocks (#{}..=#{to}) to {}",
        from.max(1),
        output.display()
    );
    Ok(())
}

pub fn import(chain: &ChainArgs, input: &Path) -> anyhow::Result<()> {
    let client = open_client(chain)?;
    let mut r = BufReader::new(
        std::fs::File::open(input).with_context(|| format!("opening {}", input.display()))?,
    );
    let mut magic = [0u8; MAGIC.len()];
    r.read_exact(&mut magic)
        .context("file too short to be a block export")?;
    if magic != MAGIC {
        bail!("{} is not a HyperMesh block export", input.display());
    }
    let mut genesis = [0u8; 32];
    r.read_exact(&mut genesis)?;
    if H256(genesis) != client.chain_info().genesis_hash {
        bail!(
            "export is from chain with genesis {:?}, not this chain's {:?}",
            H256(genesis),
            client.chain_info().genesis_hash
        );
    }
    let (mut imported, mut known) = (0u64, 0u64);
    loop {
        let mut len = [0u8; 4];
        match r.read_exact(&mut len) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(e) => return Err(e.into()),
        }
        let len = u32::from_le_bytes(len) as usize;
        if len > MAX_BLOCK_BYTES + 1024 * 1024 {
            bail!("record of {len} bytes exceeds the block size limit; file is corrupt");
        }
        let mut buf = vec![0u8; len];
        r.read_exact(&mut buf)
            .context("file ends inside a block record")?;
        let block: SignedBlock = hm_primitives::decode_untrusted(&buf, buf.len()).map_err(|e| {
            anyhow::anyhow!(
                "block record #{} does not decode: {e}",
                imported + known + 1
            )
        })?;
        let finalize = block.justification.is_some();
        let number = block.block.header.number;
        let outcome = client
            .import_block(block, finalize)
            .with_context(|| format!("importing block #{number}"))?;
        if outcome.already_known {
            known += 1;
        } else {
            imported += 1;
        }
    }
    let info = client.chain_info();
    println!(
        "imported {imported} blocks ({known} already known); best #{} ({:?})",
        info.best_number, info.best_hash
    );
    Ok(())
}
