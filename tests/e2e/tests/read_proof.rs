//! A light client checks a balance without trusting the node: the read proof
//! from `state_getReadProof` must verify against the state root in the header.
use hm_e2e::Node;
use parity_scale_codec::Decode;
use serde_json::json;
use std::time::Duration;

fn unhex(v: &serde_json::Value) -> Vec<u8> {
    hex::decode(v.as_str().expect("hex string").trim_start_matches("0x")).expect("valid hex")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_proofs_verify_against_the_header_state_root() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let node = Node::dev(dir.path(), 200).await?;
    node.wait_finalized(2, Duration::from_secs(20)).await?;
    let bob = hm_crypto::dev_keypair("bob").unwrap().account_id();
    let present = hm_runtime::account_storage_key(&bob);
    let absent = hm_runtime::account_storage_key(&hm_primitives::AccountId([0xee; 32]));

    let at = node.rpc("chain_getFinalizedHead", vec![]).await?;
    let header = node.rpc("chain_getHeader", vec![at.clone()]).await?;
    let root = hm_primitives::H256::from_hex(header["stateRoot"].as_str().unwrap())
        .map_err(anyhow::Error::msg)?;
    let keys = json!([
        format!("0x{}", hex::encode(&present)),
        format!("0x{}", hex::encode(&absent))
    ]);
    let proof = node
        .rpc("state_getReadProof", vec![keys, at.clone()])
        .await?;
    assert_eq!(proof["at"], at);
    let proofs = proof["proof"].as_array().unwrap();

    let value = hm_storage::verify_read_proof(&root, &present, &unhex(&proofs[0]))?
        .expect("bob's account exists");
    let raw = node
        .rpc(
            "state_getStorage",
            vec![json!(format!("0x{}", hex::encode(&present))), at],
        )
        .await?;
    assert_eq!(value, unhex(&raw), "the proven value is the served value");
    let account = hm_pallet_caesar::AccountData::decode(&mut &value[..])?;
    assert_eq!(account.free, 1_000_000 * hm_primitives::UNITS);
    assert_eq!(
        hm_storage::verify_read_proof(&root, &absent, &unhex(&proofs[1]))?,
        None,
        "absence is proven"
    );

    // The same proof must not verify against another root, or for another key.
    let mut other_root = root;
    other_root.0[0] ^= 1;
    assert!(hm_storage::verify_read_proof(&other_root, &present, &unhex(&proofs[0])).is_err());
    assert!(hm_storage::verify_read_proof(&root, &absent, &unhex(&proofs[0])).is_err());
    Ok(())
}
