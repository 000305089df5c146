//! `contracts_*` through a real server over the mock chain: shapes, limits, hostile
//! parameters and concurrency. The node's real dry runs are tested end to end in
//! tests/e2e/tests/contracts_examples.rs.
mod common;

use common::contracts_mock::{CODE, CODE_HASH, CONTRACT, FAULTY, SLOW, SLOW_RUN};
use common::*;
use hm_primitives::{blake3_256, AccountId, H256, MAX_EXTRINSIC_BYTES};
use hm_rpc::contracts::{gas_with_margin, ContractsRpc, MAX_STORAGE_KEY_BYTES};
use hm_rpc_api::{
    error_codes, ContractCallRequest, ContractEvent, ContractInstantiateRequest,
    ContractUploadRequest, ContractsApiClient, ContractsApiServer, GasEstimateRequest, HexString,
    RpcMethodsApiClient, StorageDeposit,
};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn call_request(dest: AccountId, input: &[u8]) -> ContractCallRequest {
    ContractCallRequest {
        origin: BOB.to_address(),
        dest: dest.to_address(),
        value: 42,
        gas_limit: None,
        storage_deposit_limit: Some(10),
        input_data: HexString::from(input),
    }
}

fn call_json(input: &str) -> Value {
    json!({"origin": BOB.to_address(), "dest": CONTRACT.to_address(), "inputData": input})
}

#[tokio::test]
async fn call_dry_run_reports_output_gas_events_and_deposit() {
    let node = start().await;
    let c = node.http();
    let r = c
        .call(call_request(CONTRACT, &[1, 2, 3]), None)
        .await
        .unwrap();
    assert_eq!(r.output.0, vec![1, 2, 3]);
    assert!(!r.reverted && r.error.is_none());
    assert_eq!((r.gas_consumed, r.gas_required), (1003, 1003));
    assert_eq!(r.storage_deposit, StorageDeposit::Refund(42));
    assert_eq!(r.debug_messages, vec!["hello".to_string()]);
    assert_eq!(
        r.events[1],
        ContractEvent::ContractEmitted {
            contract: CONTRACT,
            topics: vec![blake3_256(&[1, 2, 3])],
            data: vec![1, 2, 3].into(),
        }
    );
    assert!(matches!(
        r.events[2],
        ContractEvent::Runtime { pallet: 1, .. }
    ));

    // The raw JSON shape: Substrate's field names, amounts as strings, hm1 addresses.
    let v = call(node.addr, "contracts_call", json!([call_json("0xaa")])).await;
    let result = &v["result"];
    assert_eq!(result["output"], "0xaa");
    assert_eq!(result["gasRequired"], 1001);
    assert_eq!(result["storageDeposit"], json!({"refund": "0"}));
    assert_eq!(
        result["events"][0]["called"]["caller"],
        json!(BOB.to_address())
    );
    assert!(result.get("contract").is_none());

    // At the best block by hash; the gas limit is honoured.
    let best = node.chain.hash_of(2);
    let mut request = call_request(CONTRACT, &[0; 10]);
    request.gas_limit = Some(1005);
    let r = c.call(request, Some(best.into())).await.unwrap();
    assert_eq!(r.error.unwrap().name, "OutOfGas");
}

#[tokio::test]
async fn reverts_and_unknown_contracts_are_results_not_rpc_errors() {
    let node = start().await;
    let c = node.http();
    let r = c
        .call(call_request(CONTRACT, &[0xff, 9]), None)
        .await
        .unwrap();
    assert!(r.reverted);
    assert_eq!(r.output.0, vec![9]);
    assert_eq!(r.error.as_ref().unwrap().index, 17);
    assert!(r.events.is_empty());
    let r = c
        .call(call_request(AccountId([7; 32]), &[]), None)
        .await
        .unwrap();
    assert_eq!(r.error.unwrap().name, "ContractNotFound");
}

#[tokio::test]
async fn instantiate_and_upload_dry_runs() {
    let node = start().await;
    let c = node.http();
    let request = ContractInstantiateRequest {
        origin: BOB.to_address(),
        value: 0,
        gas_limit: Some(1_000_000),
        storage_deposit_limit: None,
        code_hash: CODE_HASH.into(),
        data: HexString::from(vec![1u8, 2]),
        salt: Some(HexString::from(vec![5u8])),
    };
    let r = c.instantiate(request.clone(), None).await.unwrap();
    let expected = AccountId(blake3_256(&[BOB.0.as_slice(), &[5]].concat()).0);
    assert_eq!(r.contract, Some(expected));
    assert_eq!(r.storage_deposit, StorageDeposit::Charge(79));
    // `inputData` is accepted for the deploy input too.
    let v = call(
        node.addr,
        "contracts_instantiate",
        json!([{"origin": BOB.to_address(), "codeHash": H256([1; 32]), "inputData": "0x"}]),
    )
    .await;
    assert_eq!(v["result"]["error"]["name"], "CodeNotFound", "{v}");
    assert!(v["result"]["contract"].as_str().unwrap().starts_with("hm1"));

    let upload = |code: &[u8]| ContractUploadRequest {
        origin: BOB.to_address(),
        code: HexString::from(code),
        storage_deposit_limit: None,
    };
    let fresh = b"\0asm fresh".to_vec();
    let r = c.upload_code(upload(&fresh), None).await.unwrap();
    assert_eq!((r.code_hash, r.deposit), (blake3_256(&fresh), 100));
    assert!(r.error.is_none());
    let r = c.upload_code(upload(CODE), None).await.unwrap();
    assert_eq!(r.error.unwrap().name, "CodeAlreadyExists");
    let r = c.upload_code(upload(b"not wasm"), None).await.unwrap();
    assert_eq!(r.error.unwrap().detail, "bad magic");
    // Substrate's name and the camel-case alias.
    for method in ["contracts_upload_code", "contracts_uploadCode"] {
        let v = call(
            node.addr,
            method,
            json!([{"origin": BOB.to_address(), "code": "0x0061736d"}]),
        )
        .await;
        assert_eq!(v["result"]["deposit"], "40", "{method}: {v}");
    }
}

#[tokio::test]
async fn estimate_gas_adds_the_margin_for_each_kind() {
    let node = start().await;
    let c = node.http();
    let e = c
        .estimate_gas(
            GasEstimateRequest::Call(call_request(CONTRACT, &[1; 24])),
            None,
        )
        .await
        .unwrap();
    assert_eq!(e.gas_required, 1024);
    assert_eq!(e.gas_limit, gas_with_margin(1024));
    assert!(e.gas_limit > e.gas_required && !e.reverted && e.error.is_none());
    let e = c
        .estimate_gas(
            GasEstimateRequest::Call(call_request(CONTRACT, &[0xff])),
            None,
        )
        .await
        .unwrap();
    assert!(e.reverted && e.error.is_some(), "a failing call says so");

    let v = call(
        node.addr,
        "contracts_estimateGas",
        json!([{"origin": BOB.to_address(), "codeHash": CODE_HASH, "data": "0x"}]),
    )
    .await;
    assert_eq!(v["result"]["gasRequired"], 5000, "{v}");
    assert_eq!(v["result"]["gasLimit"], gas_with_margin(5000));
    assert_eq!(v["result"]["storageDeposit"], json!({"charge": "77"}));
    let v = call(
        node.addr,
        "contracts_estimateGas",
        json!([{"origin": BOB.to_address(), "code": "0x0061736d0100"}]),
    )
    .await;
    assert_eq!(v["result"]["gasRequired"], 60, "{v}");
    assert_eq!(v["result"]["storageDeposit"], json!({"charge": "60"}));
}

#[tokio::test]
async fn get_code_by_address_or_hash_and_get_storage() {
    let node = start().await;
    let c = node.http();
    for by in [CONTRACT.to_address(), format!("0x{}", "c0".repeat(32))] {
        let info = c.get_code(by.clone(), None).await.unwrap().unwrap();
        assert_eq!((info.code_hash, info.code.0.as_slice()), (CODE_HASH, CODE));
        let contract = info.contract.expect("named by address");
        assert_eq!((contract.address, contract.deployer), (CONTRACT, ALICE));
        assert_eq!(contract.storage_deposit, 1234);
    }
    let info = c.get_code(CODE_HASH.to_hex(), None).await.unwrap().unwrap();
    assert_eq!((info.owner, info.refcount, info.contract), (ALICE, 1, None));
    assert_eq!(c.get_code(BOB.to_address(), None).await.unwrap(), None);
    assert_eq!(
        c.get_code(H256([3; 32]).to_hex(), None).await.unwrap(),
        None
    );

    let key = |k: &[u8]| HexString::from(k);
    let v = c
        .get_storage(CONTRACT.to_address(), key(b"k"), None)
        .await
        .unwrap();
    assert_eq!(v.unwrap().0, b"v");
    assert_eq!(
        c.get_storage(CONTRACT.to_address(), key(b"absent"), None)
            .await
            .unwrap(),
        None
    );
    let v = call(
        node.addr,
        "contracts_getStorage",
        json!([BOB.to_address(), "0x6b"]),
    )
    .await;
    let (code, message, _) = error_of(&v);
    assert_eq!(code, i64::from(error_codes::CONTRACT_NOT_FOUND));
    assert!(message.contains("no contract at hm1"), "{message}");
}

/// Each hostile call gets a -32602 (or the given code) whose text names what is wrong,
/// and the server keeps serving.
#[tokio::test]
async fn hostile_parameters_get_precise_errors() {
    let node = start().await;
    let huge_input = format!("0x{}", "00".repeat(MAX_EXTRINSIC_BYTES + 1));
    let long_key = format!("0x{}", "00".repeat(MAX_STORAGE_KEY_BYTES + 1));
    let with = |field: &str, value: Value| {
        let mut v = call_json("0x00");
        v[field] = value;
        v
    };
    let cases: Vec<(&str, Value, i32, &str)> = vec![
        (
            "contracts_call",
            json!([call_json("0x123")]),
            -32602,
            "`request.inputData`: odd number",
        ),
        (
            "contracts_call",
            json!([call_json("1234")]),
            -32602,
            "must start with 0x",
        ),
        (
            "contracts_call",
            json!([call_json("0xzz")]),
            -32602,
            "invalid hex character",
        ),
        (
            "contracts_call",
            json!([call_json(&huge_input)]),
            -32602,
            "131073 bytes; at most 131072",
        ),
        (
            "contracts_call",
            json!([with("origin", json!("hm1bogus"))]),
            -32602,
            "`request.origin`",
        ),
        (
            "contracts_call",
            json!([with("dest", json!("0x1234"))]),
            -32602,
            "`request.dest`",
        ),
        (
            "contracts_call",
            json!([with("gasLimit", json!("18446744073709551616"))]),
            -32602,
            "does not fit in 64 bits",
        ),
        (
            "contracts_call",
            json!([with("gasLimit", json!(1_600_000_001u64))]),
            -32602,
            "above the per-extrinsic maximum",
        ),
        (
            "contracts_call",
            json!([with("gasLimit", json!(-1))]),
            -32602,
            "must not be negative",
        ),
        (
            "contracts_call",
            json!([with("value", json!("1e9"))]),
            -32602,
            "not a non-negative integer",
        ),
        (
            "contracts_call",
            json!([with("value", json!([1]))]),
            -32602,
            "non-negative integer",
        ),
        (
            "contracts_call",
            json!([with("input", json!("0x"))]),
            -32602,
            "unknown field `input`",
        ),
        (
            "contracts_call",
            json!([{"origin": BOB.to_address()}]),
            -32602,
            "missing field",
        ),
        ("contracts_call", json!(["0x00"]), -32602, "Invalid params"),
        (
            "contracts_call",
            json!([call_json("0x"), "0x1234"]),
            -32602,
            "`at`: expected 32 bytes",
        ),
        (
            "contracts_call",
            json!([call_json("0x"), H256([9; 32])]),
            4003,
            "unknown block",
        ),
        (
            "contracts_call",
            json!([{"origin": FAULTY.to_address(), "dest": FAULTY.to_address(), "inputData": "0x"}]),
            1,
            "could not finish",
        ),
        (
            "contracts_instantiate",
            json!([{"origin": BOB.to_address(), "codeHash": "0x00", "data": "0x"}]),
            -32602,
            "`request.codeHash`: expected 32 bytes",
        ),
        (
            "contracts_instantiate",
            json!([{"origin": BOB.to_address(), "codeHash": CODE_HASH, "data": "0x", "salt": format!("0x{}", "01".repeat(65))}]),
            -32602,
            "`request.salt`: 65 bytes; at most 64",
        ),
        (
            "contracts_upload_code",
            json!([{"origin": BOB.to_address(), "code": format!("0x{}", "00".repeat(128 * 1024 + 1))}]),
            -32602,
            "`request.code`: 131073 bytes",
        ),
        (
            "contracts_estimateGas",
            json!([{"origin": BOB.to_address(), "dest": CONTRACT, "code": "0x", "inputData": "0x"}]),
            -32602,
            "exactly one of",
        ),
        (
            "contracts_estimateGas",
            json!([with("gasLimit", json!(u64::MAX))]),
            -32602,
            "above the per-extrinsic maximum",
        ),
        (
            "contracts_getCode",
            json!(["0x12"]),
            -32602,
            "expected 32 bytes, got 1",
        ),
        (
            "contracts_getCode",
            json!(["hm1nope"]),
            -32602,
            "`address_or_code_hash`",
        ),
        (
            "contracts_getCode",
            json!([CONTRACT, "0xnothex"]),
            -32602,
            "`at`",
        ),
        (
            "contracts_getStorage",
            json!([CONTRACT, long_key]),
            -32602,
            "`key`: 129 bytes; at most 128",
        ),
        (
            "contracts_getStorage",
            json!([CONTRACT, "0x0"]),
            -32602,
            "`key`: odd number",
        ),
        (
            "contracts_getStorage",
            json!(["not an address", "0x00"]),
            -32602,
            "`address`",
        ),
        (
            "contracts_getStorage",
            json!([CONTRACT, "0x00", H256([9; 32])]),
            4003,
            "unknown block",
        ),
    ];
    for (method, params, expected_code, reason) in cases {
        let v = call(node.addr, method, params.clone()).await;
        let (code, message, data) = error_of(&v);
        assert_eq!(code, i64::from(expected_code), "{method}: {v}");
        let text = format!("{message} {data}");
        assert!(text.contains(reason), "{method}: `{reason}` not in {text}");
        assert_alive(node.addr).await;
    }
}

#[tokio::test]
async fn contracts_methods_are_listed() {
    let node = start().await;
    let methods = node.http().rpc_methods().await.unwrap().methods;
    for m in [
        "contracts_call",
        "contracts_instantiate",
        "contracts_upload_code",
        "contracts_uploadCode",
        "contracts_estimateGas",
        "contracts_getCode",
        "contracts_getStorage",
    ] {
        assert!(methods.iter().any(|x| x == m), "{m} missing");
    }
}

/// With every slot taken, a dry run waits at most the queue wait, then gets "busy";
/// reads of code and storage do not queue.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn dry_runs_beyond_the_slots_are_told_the_server_is_busy() {
    let chain = Arc::new(MockChain::new(16));
    let rpc = ContractsRpc::with_slots(chain, 1, Duration::from_millis(200));
    let server = jsonrpsee::server::ServerBuilder::default()
        .build("127.0.0.1:0")
        .await
        .unwrap();
    let addr = server.local_addr().unwrap();
    let handle = server.start(rpc.into_rpc());
    let slow = json!([{"origin": BOB.to_address(), "dest": SLOW.to_address(), "inputData": "0x"}]);
    let first = tokio::spawn({
        let slow = slow.clone();
        async move { call(addr, "contracts_call", slow).await }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = Instant::now();
    let v = call(addr, "contracts_call", slow).await;
    let (code, message, _) = error_of(&v);
    assert_eq!(code, i64::from(error_codes::SERVER_BUSY), "{v}");
    assert!(message.contains("busy"), "{message}");
    assert!(
        started.elapsed() < SLOW_RUN,
        "answered without waiting for the slot"
    );
    let v = call(addr, "contracts_getCode", json!([CODE_HASH])).await;
    assert!(v["result"].is_object(), "reads are not queued: {v}");
    let v = first.await.unwrap();
    assert_eq!(v["result"]["gasRequired"], 1000, "{v}");
    handle.stop().unwrap();
}
