use super::*;

#[test]
fn committed_spec_files_match_the_built_in_specs() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../chainspec/");
    for (file, spec) in [
        ("dev.json", ChainSpec::dev()),
        ("local.json", ChainSpec::local()),
    ] {
        let text = std::fs::read_to_string(format!("{root}{file}")).expect("chainspec file exists");
        let parsed = ChainSpec::from_json(&text).expect("chainspec file parses");
        assert_eq!(
            parsed, spec,
            "chainspec/{file} is stale: regenerate with `hypermesh build-spec --chain {}`",
            spec.id
        );
    }
}

#[test]
fn raw_and_patch_give_the_same_genesis() {
    let spec = ChainSpec::dev();
    let raw = ChainSpec::from_json(&spec.to_json(true).unwrap()).unwrap();
    assert!(matches!(raw.genesis, Genesis::Raw { .. }));
    assert_eq!(
        raw.genesis_storage().unwrap(),
        spec.genesis_storage().unwrap()
    );
}

#[test]
fn substrate_shape_and_properties() {
    let v: serde_json::Value =
        serde_json::from_str(&ChainSpec::dev().to_json(false).unwrap()).unwrap();
    for field in [
        "name",
        "id",
        "chainType",
        "bootNodes",
        "protocolId",
        "properties",
        "genesis",
    ] {
        assert!(v.get(field).is_some(), "missing {field}");
    }
    assert_eq!(v["properties"]["tokenSymbol"], "CAES");
    assert_eq!(v["properties"]["tokenDecimals"], 12);
    assert!(v["genesis"]["runtimeGenesis"]["patch"].is_object());
}

#[test]
fn bad_specs_are_refused_with_reasons() {
    assert!(matches!(
        ChainSpec::load("/nonexistent/spec.json"),
        Err(SpecError::Read { .. })
    ));
    assert!(ChainSpec::from_json("{}").is_err());
    assert!(ChainSpec::from_json("not json").is_err());
    let mut v: serde_json::Value =
        serde_json::from_str(&ChainSpec::dev().to_json(true).unwrap()).unwrap();
    v["genesis"]["raw"]["top"]["0xzz"] = serde_json::json!("0x00");
    let reason = ChainSpec::from_json(&v.to_string()).expect_err("bad raw storage is refused");
    assert!(reason.contains("is not hex"), "{reason}");
    v["surprise"] = serde_json::json!(1);
    assert!(
        ChainSpec::from_json(&v.to_string()).is_err(),
        "unknown fields are refused"
    );
}

#[test]
fn ids_that_are_not_one_safe_path_component_are_refused() {
    let spec_with_id = |id: &str| {
        let mut v: serde_json::Value =
            serde_json::from_str(&ChainSpec::dev().to_json(false).unwrap()).unwrap();
        v["id"] = serde_json::Value::String(id.to_owned());
        v.to_string()
    };
    let too_long = "a".repeat(MAX_ID_LEN + 1);
    for bad in [
        "",
        ".",
        "..",
        "../../etc",
        "a/b",
        "/abs",
        "a\\b",
        ".hidden",
        "x\0y",
        "sp ace",
        "caf\u{e9}",
        too_long.as_str(),
    ] {
        let err = ChainSpec::from_json(&spec_with_id(bad)).unwrap_err();
        assert!(err.contains("id `"), "{bad:?}: {err}");
    }
    for good in [
        "dev",
        "local",
        "my-chain_2.testnet",
        &"a".repeat(MAX_ID_LEN),
    ] {
        let spec = ChainSpec::from_json(&spec_with_id(good)).unwrap();
        assert_eq!(spec.id, good);
    }
}
