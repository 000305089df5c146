//! Chain-spec form of the proof parameters.
use hm_proofs::{ProofParams, WorkTarget};
use parity_scale_codec::{Decode, Encode};

#[test]
fn json_uses_camel_case_and_round_trips() {
    let params = ProofParams::LOCAL_TESTNET;
    let json = serde_json::to_value(params).unwrap();
    let expected = serde_json::json!({
        "pohIterations": params.poh_iterations,
        "pohCheckpoints": params.poh_checkpoints,
        "plotK": params.plot_k,
        "openings": params.openings,
        "workDifficulty": params.work_difficulty,
    });
    assert_eq!(json, expected);
    let back: ProofParams = serde_json::from_value(json).unwrap();
    assert_eq!(back, params);
}

#[test]
fn json_refuses_unknown_missing_and_out_of_type_fields() {
    let unknown = r#"{"pohIterations":1,"pohCheckpoints":0,"plotK":4,"openings":1,"workDifficulty":1,"extra":0}"#;
    assert!(serde_json::from_str::<ProofParams>(unknown).is_err());
    let missing = r#"{"pohIterations":1,"pohCheckpoints":0,"plotK":4,"openings":1}"#;
    assert!(serde_json::from_str::<ProofParams>(missing).is_err());
    let too_big_k =
        r#"{"pohIterations":1,"pohCheckpoints":0,"plotK":256,"openings":1,"workDifficulty":1}"#;
    assert!(serde_json::from_str::<ProofParams>(too_big_k).is_err());
    // Well-typed but out of range: parsing succeeds, validation refuses.
    let zero =
        r#"{"pohIterations":0,"pohCheckpoints":0,"plotK":4,"openings":1,"workDifficulty":1}"#;
    let parsed: ProofParams = serde_json::from_str(zero).unwrap();
    assert!(parsed.validate().is_err());
}

#[test]
fn scale_round_trip_and_target() {
    let params = ProofParams::LOCAL_TESTNET;
    let bytes = params.encode();
    assert_eq!(ProofParams::decode(&mut &bytes[..]).unwrap(), params);
    assert_eq!(
        params.work_target().unwrap(),
        WorkTarget::from_difficulty(params.work_difficulty).unwrap()
    );
}
