//! Genesis: chain-spec JSON, validation, and stored keys.
mod common;

use common::*;
use hm_primitives::{InvalidTransaction, UNITS};
use hm_runtime::*;

fn key_hex(kp: &hm_crypto::Keypair) -> String {
    format!("0x{}", hex::encode(kp.public().as_bytes()))
}

#[test]
fn reads_a_chain_spec_patch() {
    let json = format!(
        r#"{{
            "accounts": [
                {{ "account": "{alice}", "publicKey": "{key}", "balance": "1000000000000000000000000" }},
                {{ "account": "{bob}", "balance": 5000000000000 }}
            ],
            "rootKey": "{alice}",
            "existentialDeposit": 1000000000,
            "fees": {{ "lengthFeePerByte": 1000, "weightFeePerUnit": 2 }}
        }}"#,
        alice = alice().account_id(),
        bob = bob().account_id(),
        key = key_hex(alice())
    );
    let config: GenesisConfig = serde_json::from_str(&json).unwrap();
    assert_eq!(config.accounts[0].balance, 1_000_000_000_000 * UNITS);
    assert_eq!(config.accounts[1].balance, 5 * UNITS);
    assert_eq!(
        config.fees,
        FeeParams {
            length_fee_per_byte: 1_000,
            weight_fee_per_unit: 2
        }
    );
    assert_eq!(
        config.max_block_weight,
        hm_pallet_system::DEFAULT_MAX_BLOCK_WEIGHT
    );
    assert_eq!(
        config.max_block_length,
        hm_pallet_system::DEFAULT_MAX_BLOCK_LENGTH
    );

    let ext = chain_with(&config);
    assert_eq!(
        public_key_of(&ext, &alice().account_id()).as_ref(),
        Some(alice().public())
    );
    assert!(public_key_of(&ext, &bob().account_id()).is_none());
    // The accounts, and nothing else.
    assert_eq!(total_issuance(&ext), 1_000_000_000_000 * UNITS + 5 * UNITS);
    assert_eq!(parameters(&ext).fees, config.fees);

    // Serialising writes balances as strings and reads back the same config.
    let written = serde_json::to_value(&config).unwrap();
    assert_eq!(written["accounts"][1]["balance"], "5000000000000");
    assert!(written["accounts"][1].get("publicKey").is_none());
    assert_eq!(
        serde_json::from_value::<GenesisConfig>(written).unwrap(),
        config
    );
}

#[test]
fn genesis_key_lets_the_first_transaction_use_the_account_id() {
    let mut config = genesis();
    config.accounts[0].public_key = Some(key_hex(alice()));
    let mut ext = chain_with(&config);
    let xt = signed_with(
        alice(),
        &TxSpec {
            full_key: false,
            ..Default::default()
        },
        transfer(bob().account_id(), UNITS),
    );
    assert!(validate_transaction(&ext, &tx_ctx(0), &xt).is_ok());
    assert_eq!(
        apply_extrinsic(&mut ext, &block(1), &xt).unwrap().result,
        Ok(())
    );
    // Bob has no stored key.
    let xt = signed_with(
        bob(),
        &TxSpec {
            full_key: false,
            ..Default::default()
        },
        transfer(alice().account_id(), UNITS),
    );
    assert_eq!(
        validate_transaction(&ext, &tx_ctx(0), &xt),
        Err(InvalidTransaction::UnknownSigner)
    );
}

#[test]
fn refuses_inconsistent_configurations() {
    let refused = |edit: &dyn Fn(&mut GenesisConfig)| {
        let mut config = genesis();
        edit(&mut config);
        build_genesis(&mut SigExt::default(), &config).is_err()
    };
    assert!(!refused(&|_| {}));
    assert!(
        refused(&|c| c.accounts[0].public_key = Some(key_hex(bob()))),
        "key of another account"
    );
    assert!(
        refused(&|c| c.accounts[0].public_key = Some("0xzz".into())),
        "not hex"
    );
    assert!(
        refused(&|c| c.accounts[0].public_key = Some("0x1234".into())),
        "too short"
    );
    assert!(refused(&|c| c.existential_deposit = 0));
    assert!(refused(&|c| c.accounts[1].balance = ED - 1));
    assert!(
        refused(&|c| c.accounts.push(c.accounts[0].clone())),
        "duplicate account"
    );
    assert!(
        refused(&|c| c.accounts[0].balance = u128::MAX),
        "issuance overflow"
    );
    assert!(refused(&|c| c.max_block_weight = 0));
    assert!(refused(&|c| c.max_block_length = 1_000));
}

#[test]
fn refuses_malformed_json() {
    let base = |balance: &str, extra: &str| {
        format!(
            r#"{{ "accounts": [{{ "account": "{}", "balance": {balance} }}], "existentialDeposit": 1 {extra} }}"#,
            alice().account_id()
        )
    };
    assert!(serde_json::from_str::<GenesisConfig>(&base("1", "")).is_ok());
    for (balance, extra) in [
        ("-1", ""),
        ("\"-1\"", ""),
        ("\"1e5\"", ""),
        ("\"\"", ""),
        ("\"340282366920938463463374607431768211456\"", ""), // 2^128
        ("1.5", ""),
        ("1", r#", "rootKey": "hm1notanaddress""#),
        ("1", r#", "unknownField": 1"#),
    ] {
        assert!(
            serde_json::from_str::<GenesisConfig>(&base(balance, extra)).is_err(),
            "{balance} {extra}"
        );
    }
}

#[test]
fn genesis_storage_is_the_built_state() {
    let pairs = genesis_storage(&genesis()).unwrap();
    let mut built = hm_support::MemoryExt::default();
    build_genesis(&mut built, &genesis()).unwrap();
    assert!(pairs.windows(2).all(|w| w[0].0 < w[1].0), "sorted by key");
    assert_eq!(pairs, built.state.into_iter().collect::<Vec<_>>());
    assert!(pairs
        .iter()
        .any(|(k, _)| *k == account_storage_key(&bob().account_id())));
    assert!(genesis_storage(&GenesisConfig {
        existential_deposit: 0,
        ..genesis()
    })
    .is_err());
}

#[test]
fn defaults_make_a_working_chain() {
    let accounts = vec![GenesisAccount {
        account: alice().account_id(),
        public_key: None,
        balance: 10 * UNITS,
    }];
    let config = GenesisConfig::with_defaults(accounts, None);
    let mut ext = chain_with(&config);
    let outcome = apply_extrinsic(
        &mut ext,
        &block(1),
        &signed(alice(), 0, transfer(bob().account_id(), UNITS)),
    )
    .unwrap();
    assert_eq!(outcome.result, Ok(()));
    assert!(outcome.fee > 0);
    assert_issuance_matches(&ext.inner);
}
