//! Genesis: the chain-spec JSON and every refusal of `build`.
use crate::{mock::*, *};
use hm_support::MemoryExt;

/// System (storing `public_keys`) and Caesar genesis, then `staking`.
fn try_build(
    staking: &GenesisConfig,
    public_keys: Vec<FalconPublicKey>,
    balances: Vec<(AccountId, Balance)>,
) -> Result<MemoryExt, &'static str> {
    let mut ext = MemoryExt::default();
    system::GenesisConfig {
        public_keys,
        ..Default::default()
    }
    .build(&mut ext)?;
    caesar::GenesisConfig {
        existential_deposit: ED,
        balances,
    }
    .build(&mut ext)?;
    staking.build(&mut ext)?;
    Ok(ext)
}

fn funded() -> Vec<(AccountId, Balance)> {
    PEOPLE.iter().map(|who| (*who, FUNDS)).collect()
}

fn build_err(staking: GenesisConfig) -> &'static str {
    try_build(&staking, vec![], funded()).expect_err("genesis must be refused")
}

#[test]
fn json_is_camel_case_with_balances_as_strings() {
    let config = test_genesis(vec![genesis_validator(ALICE, 1_000 * CAES, 1)]);
    let json = serde_json::to_value(&config).unwrap();
    assert_eq!(json["epochLength"], 4);
    assert_eq!(json["unbondingPeriod"], 2);
    assert_eq!(json["minValidatorBond"], "100000000000000");
    assert_eq!(json["maxValidators"], 3);
    assert_eq!(json["blockReward"], "1000000000000");
    assert_eq!(json["minPlotK"], 12);
    let validator = &json["validators"][0];
    assert_eq!(validator["stash"], ALICE.to_address());
    assert_eq!(validator["bond"], "1000000000000000");
    assert!(validator["consensusKey"]
        .as_str()
        .unwrap()
        .starts_with("0x0101"));
    assert_eq!(validator["plot"]["k"], 12);
    assert_eq!(validator["plot"]["root"], H256([1; 32]).to_hex());
    let back: GenesisConfig = serde_json::from_value(json).unwrap();
    assert_eq!(back, config);
}

#[test]
fn json_accepts_numbers_and_refuses_unknown_or_malformed_fields() {
    let base = serde_json::json!({
        "epochLength": 10,
        "unbondingPeriod": 3,
        "minValidatorBond": 1_000_000_000_000u64,
        "maxValidators": 4,
        "blockReward": "5",
        "minPlotK": 12,
        "proofParams": {
            "pohIterations": 1000,
            "pohCheckpoints": 3,
            "plotK": 12,
            "openings": 4,
            "workDifficulty": 10
        }
    });
    let parsed: GenesisConfig = serde_json::from_value(base.clone()).unwrap();
    assert_eq!(parsed.min_validator_bond, UNITS);
    assert_eq!(parsed.block_reward, 5);
    assert!(parsed.validators.is_empty());
    assert_eq!(
        parsed.proof_params,
        ProofParams {
            poh_iterations: 1000,
            poh_checkpoints: 3,
            plot_k: 12,
            openings: 4,
            work_difficulty: 10
        }
    );

    let with = |field: &str, value: serde_json::Value| {
        let mut v = base.clone();
        v[field] = value;
        serde_json::from_value::<GenesisConfig>(v)
    };
    assert!(with("extra", serde_json::json!(1)).is_err());
    assert!(with("blockReward", serde_json::json!(-1)).is_err());
    assert!(with("blockReward", serde_json::json!("1.5")).is_err());
    assert!(with("blockReward", serde_json::json!("")).is_err());
    assert!(with("blockReward", serde_json::json!("-1")).is_err());
    assert!(with("blockReward", serde_json::json!(" 1")).is_err());
    assert!(with(
        "blockReward",
        serde_json::json!("340282366920938463463374607431768211456")
    )
    .is_err());
    assert!(with("minPlotK", serde_json::json!(256)).is_err());
    assert!(with("epochLength", serde_json::json!("ten")).is_err());
    let mut missing = base.clone();
    missing.as_object_mut().unwrap().remove("epochLength");
    assert!(serde_json::from_value::<GenesisConfig>(missing).is_err());
    let mut no_params = base.clone();
    no_params.as_object_mut().unwrap().remove("proofParams");
    assert!(serde_json::from_value::<GenesisConfig>(no_params).is_err());
    let mut params_extra = base.clone();
    params_extra["proofParams"]["seal"] = serde_json::json!(1);
    assert!(serde_json::from_value::<GenesisConfig>(params_extra).is_err());

    let validator = serde_json::to_value(genesis_validator(ALICE, CAES, 1)).unwrap();
    let mut unknown = validator.clone();
    unknown["power"] = serde_json::json!(1);
    assert!(with("validators", serde_json::json!([unknown])).is_err());
    let mut plot_extra = validator.clone();
    plot_extra["plot"]["size"] = serde_json::json!(1);
    assert!(with("validators", serde_json::json!([plot_extra])).is_err());
    let mut bad_root = validator;
    bad_root["plot"]["root"] = serde_json::json!("0x1234");
    assert!(with("validators", serde_json::json!([bad_root])).is_err());
}

#[test]
fn build_bonds_registers_and_elects() {
    let genesis = test_genesis(vec![
        genesis_validator(ALICE, 1_000 * CAES, 1),
        genesis_validator(BOB, 2_000 * CAES, 2),
    ]);
    let ext = try_build(&genesis, vec![], funded()).unwrap();
    // Issuance: the genesis balances, nothing more; the bonds are locked in place.
    assert_eq!(
        caesar::total_issuance(&ext),
        FUNDS * PEOPLE.len() as Balance
    );
    assert_eq!(free(&ext, &ALICE), FUNDS);
    assert_eq!(locked(&ext, &ALICE), 1_000 * CAES);
    assert_eq!(locked(&ext, &BOB), 2_000 * CAES);
    assert_eq!(total_held(&ext), 3_000 * CAES);
    assert_eq!(config(&ext), genesis.staking_config());
    assert_eq!(system::public_key(&ext, &key_id(2)), Some(key(2)));
    assert_eq!(stash_of_consensus_key(&ext, &key_id(1)), Some(ALICE));
    assert_eq!(current_validators(&ext), vec![(BOB, 2_000), (ALICE, 1_000)]);
    assert_eq!(next_validator_set(&ext), validator_set(&ext));
    assert_invariants(&ext);
}

#[test]
fn build_accepts_a_key_by_account_id_when_system_stores_it() {
    let mut validator = genesis_validator(ALICE, 1_000 * CAES, 1);
    validator.consensus_key = key_id(1).to_address();
    let config = test_genesis(vec![validator.clone()]);
    let ext = try_build(&config, vec![key(1)], funded()).unwrap();
    assert_eq!(validator_set(&ext)[0].consensus_key, key_id(1));
    assert_eq!(
        try_build(&config, vec![], funded()).err(),
        Some("a genesis consensus key id has no public key in System's genesis")
    );
}

#[test]
fn build_may_bond_a_whole_genesis_balance() {
    let config = test_genesis(vec![genesis_validator(ALICE, FUNDS, 1)]);
    let ext = try_build(&config, vec![], funded()).unwrap();
    assert_eq!((free(&ext, &ALICE), locked(&ext, &ALICE)), (FUNDS, FUNDS));
    assert_eq!(caesar::usable_balance(&ext, &ALICE), 0);
    assert_eq!(
        caesar::total_issuance(&ext),
        FUNDS * PEOPLE.len() as Balance
    );
    assert_invariants(&ext);
}

#[test]
fn build_refuses_inconsistent_configurations() {
    let valid = |tag| genesis_validator(ALICE, 1_000 * CAES, tag);
    let insane = GenesisConfig {
        unbonding_period: 1,
        ..test_genesis(vec![])
    };
    assert_eq!(build_err(insane), "staking genesis parameters out of range");
    let too_many = test_genesis(vec![valid(1); MAX_CANDIDATES as usize + 1]);
    assert_eq!(
        build_err(too_many),
        "more genesis validators than the candidate limit"
    );
    let twice = test_genesis(vec![valid(1), genesis_validator(ALICE, 1_000 * CAES, 2)]);
    assert_eq!(
        build_err(twice),
        "a stash appears twice among the genesis validators"
    );
    let mut same_key = genesis_validator(BOB, 1_000 * CAES, 2);
    same_key.consensus_key = valid(1).consensus_key;
    assert_eq!(
        build_err(test_genesis(vec![valid(1), same_key])),
        "a consensus key appears twice among the genesis validators"
    );
    let mut same_plot = genesis_validator(BOB, 1_000 * CAES, 2);
    same_plot.plot.seed = plot(1).seed;
    assert_eq!(
        build_err(test_genesis(vec![valid(1), same_plot])),
        "a plot seed appears twice among the genesis validators"
    );
    assert_eq!(
        build_err(test_genesis(vec![genesis_validator(
            ALICE,
            MIN_BOND - 1,
            1
        )])),
        "a genesis validator's bond is below the minimum validator bond"
    );
    let mut small_plot = valid(1);
    small_plot.plot.k = MIN_K - 1;
    assert_eq!(
        build_err(test_genesis(vec![small_plot])),
        "a genesis validator's plot size is out of range"
    );
    let mut other_k = valid(1);
    other_k.plot.k = MIN_K + 1;
    assert_eq!(
        build_err(test_genesis(vec![other_k])),
        "a genesis validator's plot k differs from the proof parameters' plot_k"
    );
    let bad_params = GenesisConfig {
        proof_params: ProofParams {
            work_difficulty: 0,
            ..proof_params_k(MIN_K)
        },
        ..test_genesis(vec![valid(1)])
    };
    assert_eq!(
        build_err(bad_params),
        "genesis proof parameters are out of range"
    );
    let below_min = GenesisConfig {
        proof_params: proof_params_k(MIN_K - 1),
        ..test_genesis(vec![])
    };
    assert_eq!(
        build_err(below_min),
        "genesis proof parameters' plot_k is below the staking minPlotK"
    );
    // The stash must hold the bond.
    assert_eq!(
        build_err(test_genesis(vec![genesis_validator(ALICE, FUNDS + 1, 1)])),
        "a genesis validator's stash cannot fund its bond from its usable balance"
    );
    let unfunded = test_genesis(vec![genesis_validator(AccountId([0xEE; 32]), MIN_BOND, 1)]);
    assert!(build_err(unfunded).contains("cannot fund"));
    for bad_key in ["0x12", "", "hm1xyz", &"zz".repeat(1793)] {
        let mut v = valid(1);
        v.consensus_key = String::from(bad_key);
        assert!(
            build_err(test_genesis(vec![v])).starts_with("a genesis consensus key"),
            "{bad_key:?} accepted"
        );
    }
}
