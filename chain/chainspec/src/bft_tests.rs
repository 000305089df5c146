//! The BFT consensus section, the local testnet's validators and every refusal
//! of a bad spec.
use super::*;
use hm_primitives::{AccountId, UNITS};
use hm_proofs::{MemoryPlot, PlotStore};
use hm_runtime::ProofParams;
use serde_json::{json, Value};

fn local_json() -> Value {
    serde_json::from_str(&ChainSpec::local().to_json(false).unwrap()).unwrap()
}

fn staking(v: &mut Value) -> &mut Value {
    &mut v["genesis"]["runtimeGenesis"]["patch"]["staking"]
}

/// The reason `v` is refused.
fn refusal(v: &Value) -> String {
    ChainSpec::from_json(&v.to_string()).expect_err("the spec must be refused")
}

fn dev_account(name: &str) -> AccountId {
    hm_crypto::dev_keypair(name).unwrap().account_id()
}

#[test]
fn local_is_four_bft_validators_with_real_plots() {
    let spec = ChainSpec::local();
    let ConsensusEngineKind::Bft(bft) = spec.consensus else {
        panic!("local runs the BFT engine");
    };
    assert_eq!(bft.timeouts, crate::LOCAL_TIMEOUTS);
    assert_eq!(bft.max_future_drift_ms, LOCAL_MAX_FUTURE_DRIFT_MS);
    let Genesis::RuntimeGenesis { patch } = &spec.genesis else {
        panic!("built-in specs are readable");
    };
    assert_eq!(patch.staking.proof_params, ProofParams::LOCAL_TESTNET);
    assert_eq!(patch.staking.epoch_length, LOCAL_EPOCH_LENGTH);
    let names = ["alice", "bob", "charlie", "dave"];
    for (v, name) in patch.staking.validators.iter().zip(names) {
        let who = dev_account(name);
        assert_eq!((v.stash, v.bond), (who, LOCAL_VALIDATOR_BOND));
        assert_eq!(v.consensus_key, who.to_address());
        // The root of the plot `hypermesh plot create --for <name>` would write.
        let seed = hm_proofs::plot_seed(&who);
        let plot = MemoryPlot::build(&seed, 16).unwrap();
        assert_eq!(
            (v.plot.seed, v.plot.k, v.plot.root),
            (seed, 16, plot.root())
        );
    }
    assert_eq!(patch.staking.validators.len(), 4);

    // Genesis builds, all four count for block 1, and issuance holds.
    let mut state = MemoryExt::default();
    for (k, v) in spec.genesis_storage().unwrap() {
        state.storage_set(&k, &v);
    }
    let set = hm_runtime::validator_set_for_block(&state, 1);
    let mut expected: Vec<AccountId> = names.iter().map(|n| dev_account(n)).collect();
    expected.sort();
    assert_eq!(set.iter().map(|v| v.stash).collect::<Vec<_>>(), expected);
    assert!(set.iter().all(|v| v.power == 100_000));
    assert!(set
        .iter()
        .all(|v| v.public_key.account_id() == v.consensus_key));
    // Every account genesis creates: the six dev accounts, four of them validators
    // whose bonds stay in their accounts, locked.
    let holders = hm_crypto::DEV_ACCOUNTS.iter().map(|name| dev_account(name));
    let sum: u128 = holders
        .map(|who| {
            let (free, reserved, _) = hm_runtime::account_summary(&state, &who);
            free + reserved
        })
        .sum();
    assert_eq!(hm_runtime::total_issuance(&state), sum);
    assert_eq!(sum, 6 * DEV_BALANCE);
}

#[test]
fn the_bft_section_has_stable_field_names() {
    let v = local_json();
    assert_eq!(
        v["consensus"],
        json!({
            "engine": "bft",
            "timeouts": {
                "proposeMs": 3000, "proposeDeltaMs": 500,
                "prevoteMs": 1000, "prevoteDeltaMs": 500,
                "precommitMs": 1000, "precommitDeltaMs": 500
            },
            "maxFutureDriftMs": 2000
        })
    );
    let params = &v["genesis"]["runtimeGenesis"]["patch"]["staking"]["proofParams"];
    assert_eq!(params["plotK"], 16);
    assert_eq!(params["workDifficulty"], 140_000);
    let timeouts: hm_consensus_bft::TimeoutConfig = BftTimeouts::default().into();
    assert_eq!(timeouts, hm_consensus_bft::TimeoutConfig::default());
    // Raw and readable forms give one genesis.
    let raw = ChainSpec::from_json(&ChainSpec::local().to_json(true).unwrap()).unwrap();
    assert_eq!(
        raw.genesis_storage().unwrap(),
        ChainSpec::local().genesis_storage().unwrap()
    );
}

#[test]
fn unknown_fields_are_refused_everywhere() {
    let paths: [&[&str]; 6] = [
        &["consensus"],
        &["consensus", "timeouts"],
        &["genesis", "runtimeGenesis", "patch", "staking"],
        &[
            "genesis",
            "runtimeGenesis",
            "patch",
            "staking",
            "proofParams",
        ],
        &[
            "genesis",
            "runtimeGenesis",
            "patch",
            "staking",
            "validators",
            "0",
        ],
        &[
            "genesis",
            "runtimeGenesis",
            "patch",
            "staking",
            "validators",
            "0",
            "plot",
        ],
    ];
    for path in paths {
        let mut v = local_json();
        let mut node = &mut v;
        for key in path {
            node = match key.parse::<usize>() {
                Ok(i) => &mut node[i],
                Err(_) => &mut node[*key],
            };
        }
        node["surprise"] = json!(1);
        assert!(refusal(&v).contains("surprise"), "{path:?}");
    }
    let mut v = local_json();
    v["consensus"]["engine"] = json!("pow");
    assert!(refusal(&v).contains("pow"));
}

#[test]
fn bad_values_are_refused_with_clear_reasons() {
    type Edit = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(&str, Edit, &str)> = vec![
        (
            "plot k out of range",
            Box::new(|v| staking(v)["validators"][0]["plot"]["k"] = json!(41)),
            "plot size is out of range",
        ),
        (
            "plot k not the chain's",
            Box::new(|v| staking(v)["validators"][0]["plot"]["k"] = json!(17)),
            "plot k differs from the proof parameters' plot_k",
        ),
        (
            "plot k overflows u8",
            Box::new(|v| staking(v)["validators"][0]["plot"]["k"] = json!(256)),
            "invalid value",
        ),
        (
            "zero bond, zero power",
            Box::new(|v| staking(v)["validators"][0]["bond"] = json!("0")),
            "bond is below the minimum validator bond",
        ),
        (
            "duplicate consensus key",
            Box::new(|v| {
                let key = staking(v)["validators"][0]["consensusKey"].clone();
                staking(v)["validators"][1]["consensusKey"] = key;
            }),
            "a consensus key appears twice",
        ),
        (
            "duplicate stash",
            Box::new(|v| {
                let stash = staking(v)["validators"][0]["stash"].clone();
                staking(v)["validators"][1]["stash"] = stash;
            }),
            "a stash appears twice",
        ),
        (
            "invalid work difficulty",
            Box::new(|v| staking(v)["proofParams"]["workDifficulty"] = json!(0)),
            "staking.proofParams",
        ),
        (
            "invalid plot size parameter",
            Box::new(|v| staking(v)["proofParams"]["plotK"] = json!(0)),
            "staking.proofParams",
        ),
        (
            "no validators",
            Box::new(|v| staking(v)["validators"] = json!([])),
            "at least one genesis validator",
        ),
        (
            "zero timeout",
            Box::new(|v| v["consensus"]["timeouts"]["prevoteMs"] = json!(0)),
            "consensus.timeouts.prevoteMs",
        ),
        (
            "huge delta",
            Box::new(|v| v["consensus"]["timeouts"]["precommitDeltaMs"] = json!(u64::MAX)),
            "consensus.timeouts.precommitDeltaMs",
        ),
        (
            "zero drift",
            Box::new(|v| v["consensus"]["maxFutureDriftMs"] = json!(0)),
            "consensus.maxFutureDriftMs",
        ),
        (
            "missing drift",
            Box::new(|v| {
                v["consensus"]
                    .as_object_mut()
                    .unwrap()
                    .remove("maxFutureDriftMs");
            }),
            "maxFutureDriftMs",
        ),
        (
            "bad consensus key",
            Box::new(|v| staking(v)["validators"][0]["consensusKey"] = json!("hm1nope")),
            "consensus key",
        ),
        (
            "unbonding period too short",
            Box::new(|v| staking(v)["unbondingPeriod"] = json!(1)),
            "staking genesis parameters out of range",
        ),
    ];
    for (what, edit, reason) in cases {
        let mut v = local_json();
        edit(&mut v);
        let got = refusal(&v);
        assert!(got.contains(reason), "{what}: `{got}` lacks `{reason}`");
    }
}

#[test]
fn a_raw_bft_spec_without_validators_is_refused() {
    // A raw genesis of the dev chain (no validators) under the BFT engine.
    let mut v: Value = serde_json::from_str(&ChainSpec::dev().to_json(true).unwrap()).unwrap();
    v["consensus"] = local_json()["consensus"].clone();
    assert!(refusal(&v).contains("at least one genesis validator"));
    // Bonds beyond a stash's funds cannot be built.
    let mut v = local_json();
    staking(&mut v)["validators"][0]["bond"] = json!((2_000_000 * UNITS).to_string());
    assert!(refusal(&v).contains("cannot fund its bond"));
}
