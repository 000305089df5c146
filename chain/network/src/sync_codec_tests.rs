//! Hostile and malformed input to the sync codec.

use futures::executor::block_on;
use futures::io::Cursor;
use libp2p::request_response::Codec;
use parity_scale_codec::Encode;

use super::*;
use crate::sync::{ChainStatus, MAX_BLOCKS_PER_RESPONSE};
use hm_primitives::H256;

fn protocol() -> StreamProtocol {
    StreamProtocol::new("/hm/test/sync/1")
}

fn framed(body: &[u8]) -> Vec<u8> {
    let mut out = (body.len() as u32).to_le_bytes().to_vec();
    out.extend_from_slice(body);
    out
}

fn read_request(bytes: Vec<u8>) -> io::Result<SyncRequest> {
    block_on(SyncCodec::default().read_request(&protocol(), &mut Cursor::new(bytes)))
}

fn read_response(codec: SyncCodec, bytes: Vec<u8>) -> io::Result<SyncResponse> {
    block_on(
        codec
            .clone()
            .read_response(&protocol(), &mut Cursor::new(bytes)),
    )
}

#[test]
fn requests_round_trip() {
    let requests = [
        SyncRequest::Status,
        SyncRequest::Blocks { from: 7, max: 128 },
        SyncRequest::Votes {
            height: u64::MAX,
            round: u32::MAX,
            step: 2,
            block_hash: Some(H256([5; 32])),
        },
    ];
    for req in requests {
        let mut wire = Cursor::new(Vec::new());
        block_on(SyncCodec::default().write_request(&protocol(), &mut wire, req.clone())).unwrap();
        assert_eq!(read_request(wire.into_inner()).unwrap(), req);
    }
}

#[test]
fn responses_round_trip() {
    let status = ChainStatus {
        genesis_hash: H256([1; 32]),
        best_number: 10,
        best_hash: H256([2; 32]),
        finalized_number: 9,
        finalized_hash: H256([3; 32]),
    };
    let responses = [
        SyncResponse::Status(status),
        SyncResponse::Blocks(vec![vec![1, 2, 3], vec![]]),
        SyncResponse::Votes(vec![vec![9; 1500]; 3]),
    ];
    for res in responses {
        let mut wire = Cursor::new(Vec::new());
        block_on(SyncCodec::default().write_response(&protocol(), &mut wire, res.clone())).unwrap();
        assert_eq!(
            read_response(SyncCodec::default(), wire.into_inner()).unwrap(),
            res
        );
    }
}

#[test]
fn hostile_length_prefixes_are_refused_without_allocating() {
    // u32::MAX announced, nothing sent: refused from the prefix alone.
    let err = read_request(u32::MAX.to_le_bytes().to_vec()).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidData);
    let err = read_response(SyncCodec::default(), u32::MAX.to_le_bytes().to_vec()).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidData);
    // Just over the request cap.
    let err = read_request(framed(&vec![0u8; MAX_REQUEST_BYTES + 1])).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidData);
    // Under the cap but the body is shorter than announced.
    let mut short = 100u32.to_le_bytes().to_vec();
    short.extend_from_slice(&[0u8; 10]);
    assert_eq!(
        read_request(short).unwrap_err().kind(),
        io::ErrorKind::UnexpectedEof
    );
}

#[test]
fn truncated_and_empty_streams_are_errors() {
    for bytes in [vec![], vec![1], vec![1, 0, 0]] {
        assert!(read_request(bytes).is_err());
    }
    // A zero-length frame is not a valid request.
    assert!(read_request(framed(&[])).is_err());
}

#[test]
fn malformed_scale_bodies_are_errors() {
    let bad_bodies: [&[u8]; 5] = [
        &[3],                                           // unknown variant
        &[1, 0, 0],                                     // Blocks, truncated fields
        &[0, 0],                                        // Status with a trailing byte
        &[2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2], // Votes with a bad Option tag
        &[0xff; 64],                                    // garbage
    ];
    for body in bad_bodies {
        let err = read_request(framed(body)).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData, "{body:?}");
    }
}

#[test]
fn responses_that_claim_huge_vectors_are_refused() {
    // Blocks variant claiming 2^30 items but carrying almost nothing.
    let mut body = vec![1u8];
    body.extend(parity_scale_codec::Compact(1u32 << 30).encode());
    body.extend_from_slice(&[0u8; 8]);
    assert!(read_response(SyncCodec::default(), framed(&body)).is_err());
    // One item claiming 2^30 bytes.
    let mut body = vec![1u8];
    body.extend(parity_scale_codec::Compact(1u32).encode());
    body.extend(parity_scale_codec::Compact(1u32 << 30).encode());
    assert!(read_response(SyncCodec::default(), framed(&body)).is_err());
}

#[test]
fn responses_over_the_count_cap_are_refused() {
    let too_many = SyncResponse::Blocks(vec![vec![]; MAX_BLOCKS_PER_RESPONSE as usize + 1]);
    let err = read_response(SyncCodec::default(), framed(&too_many.encode())).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidData);
}

#[test]
fn oversized_responses_are_neither_sent_nor_read() {
    let small = SyncCodec::with_limits(64, 1000);
    let big = SyncResponse::Votes(vec![vec![0u8; 2000]]);
    let mut wire = Cursor::new(Vec::new());
    let err = block_on(
        small
            .clone()
            .write_response(&protocol(), &mut wire, big.clone()),
    )
    .unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidData);
    assert!(wire.into_inner().is_empty(), "nothing may be written");
    assert!(read_response(small, framed(&big.encode())).is_err());
}

#[test]
fn random_bytes_never_panic() {
    // A small deterministic generator keeps the test reproducible without a dependency.
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..2000 {
        let len = (next() % 80) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        let _ = read_request(bytes.clone());
        let _ = read_request(framed(&bytes));
        let _ = read_response(SyncCodec::default(), framed(&bytes));
    }
}
