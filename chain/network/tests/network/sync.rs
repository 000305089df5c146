//! The sync protocol between real nodes, including hostile raw streams.

use std::io;
use std::time::Duration;

use futures::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, StreamExt};
use hm_network::{
    NetworkEvent, RequestError, SyncProvider, SyncRequest, SyncResponse, MAX_BLOCKS_PER_RESPONSE,
    MAX_RESPONSE_BYTES,
};
use hm_primitives::H256;
use libp2p::request_response::{self, ProtocolSupport};
use libp2p::swarm::SwarmEvent;
use libp2p::StreamProtocol;

use crate::common::*;

fn numbered_blocks(n: usize) -> Vec<Vec<u8>> {
    (0..n).map(|i| format!("block-{i}").into_bytes()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn status_blocks_and_votes_are_served() {
    let provider = TestProvider::new(GENESIS, numbered_blocks(300));
    let server = spawn_with(GENESIS, vec![], provider.clone(), |_| {});
    let mut client = spawn(GENESIS, vec![server.addr("tcp").await]);
    let server_id = server.peer_id();

    // The status exchanged on connect arrives with PeerConnected.
    let status = eventually("PeerConnected with status", || {
        let event = client.events.try_recv().ok();
        async move {
            match event {
                Some(NetworkEvent::PeerConnected { peer, status }) if peer == server_id => status,
                _ => None,
            }
        }
    })
    .await;
    assert_eq!(status, provider.status());

    let response = client
        .handle
        .request(server_id, SyncRequest::Status)
        .await
        .unwrap();
    assert_eq!(response, SyncResponse::Status(provider.status()));

    let response = client
        .handle
        .request(server_id, SyncRequest::Blocks { from: 10, max: 5 })
        .await
        .unwrap();
    assert_eq!(
        response,
        SyncResponse::Blocks(numbered_blocks(300)[10..15].to_vec())
    );

    // Asking for more than the cap yields the cap, in order from `from`.
    let SyncResponse::Blocks(blocks) = client
        .handle
        .request(
            server_id,
            SyncRequest::Blocks {
                from: 100,
                max: u32::MAX,
            },
        )
        .await
        .unwrap()
    else {
        panic!("not a blocks response")
    };
    assert_eq!(blocks.len(), MAX_BLOCKS_PER_RESPONSE as usize);
    assert_eq!(blocks[..], numbered_blocks(300)[100..228]);

    // Past the tip: nothing.
    let response = client
        .handle
        .request(
            server_id,
            SyncRequest::Blocks {
                from: u64::MAX,
                max: 10,
            },
        )
        .await
        .unwrap();
    assert_eq!(response, SyncResponse::Blocks(vec![]));

    let request = SyncRequest::Votes {
        height: 42,
        round: 3,
        step: 1,
        block_hash: Some(H256([7; 32])),
    };
    let response = client.handle.request(server_id, request).await.unwrap();
    assert_eq!(
        response,
        SyncResponse::Votes(provider.votes(42, 3, 1, Some(H256([7; 32]))))
    );

    // An unknown peer is an error, not a dial.
    let stranger = libp2p::PeerId::random();
    assert_eq!(
        client.handle.request(stranger, SyncRequest::Status).await,
        Err(RequestError::NotConnected)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn blocks_responses_respect_the_byte_cap() {
    // Three blocks of 8 MiB: only two fit in one response.
    let big = 8 * 1024 * 1024;
    let blocks: Vec<Vec<u8>> = (0..3u8).map(|i| vec![i; big]).collect();
    assert!(3 * big > MAX_RESPONSE_BYTES && 2 * big + 64 < MAX_RESPONSE_BYTES);
    let server = spawn_with(GENESIS, vec![], TestProvider::new(GENESIS, blocks), |c| {
        c.request_timeout = Duration::from_secs(60)
    });
    let client = spawn_with(
        GENESIS,
        vec![server.addr("tcp").await],
        TestProvider::new(GENESIS, vec![]),
        |c| c.request_timeout = Duration::from_secs(60),
    );
    wait_connected(&client, &[server.peer_id()]).await;

    let SyncResponse::Blocks(got) = client
        .handle
        .request(server.peer_id(), SyncRequest::Blocks { from: 0, max: 3 })
        .await
        .unwrap()
    else {
        panic!("not a blocks response")
    };
    assert_eq!(got.len(), 2);
    assert!(got[0].iter().all(|b| *b == 0) && got[1].iter().all(|b| *b == 1));
    // The rest is fetched with the next request.
    let SyncResponse::Blocks(rest) = client
        .handle
        .request(server.peer_id(), SyncRequest::Blocks { from: 2, max: 3 })
        .await
        .unwrap()
    else {
        panic!("not a blocks response")
    };
    assert_eq!(rest.len(), 1);
}

/// Writes its request bytes verbatim (no framing) and reads whatever comes back.
#[derive(Clone, Default)]
struct RawCodec;

impl request_response::Codec for RawCodec {
    type Protocol = StreamProtocol;
    type Request = Vec<u8>;
    type Response = Vec<u8>;

    async fn read_request<T: AsyncRead + Unpin + Send>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
    ) -> io::Result<Vec<u8>> {
        let mut buf = Vec::new();
        io.take(1024).read_to_end(&mut buf).await?;
        Ok(buf)
    }

    async fn read_response<T: AsyncRead + Unpin + Send>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
    ) -> io::Result<Vec<u8>> {
        let mut buf = Vec::new();
        io.take(1 << 20).read_to_end(&mut buf).await?;
        if buf.is_empty() {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "no response"));
        }
        Ok(buf)
    }

    async fn write_request<T: AsyncWrite + Unpin + Send>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        req: Vec<u8>,
    ) -> io::Result<()> {
        io.write_all(&req).await
    }

    async fn write_response<T: AsyncWrite + Unpin + Send>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        res: Vec<u8>,
    ) -> io::Result<()> {
        io.write_all(&res).await
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_request_bytes_get_errors_and_the_node_keeps_serving() {
    let server = spawn_with(
        GENESIS,
        vec![],
        TestProvider::new(GENESIS, numbered_blocks(5)),
        |_| {},
    );
    let server_addr = server.addr("tcp").await;

    let mut attacker = libp2p::SwarmBuilder::with_new_identity()
        .with_tokio()
        .with_tcp(
            libp2p::tcp::Config::default(),
            libp2p::noise::Config::new,
            libp2p::yamux::Config::default,
        )
        .unwrap()
        .with_behaviour(|_| {
            request_response::Behaviour::with_codec(
                RawCodec,
                [(hm_network::sync_protocol(&GENESIS), ProtocolSupport::Full)],
                request_response::Config::default().with_request_timeout(Duration::from_secs(30)),
            )
        })
        .unwrap()
        .build();
    attacker.dial(server_addr).unwrap();

    let mut oversized = 5000u32.to_le_bytes().to_vec();
    oversized.extend(vec![0u8; 5000]);
    let hostile: Vec<Vec<u8>> = vec![
        u32::MAX.to_le_bytes().to_vec(), // absurd length, no body
        oversized,                       // over the request cap
        vec![5, 0, 0, 0, 9, 9, 9, 9, 9], // garbage SCALE
        vec![40, 0, 0, 0, 1, 2, 3],      // body shorter than announced
        vec![],                          // nothing at all
    ];
    let server_id = server.peer_id();
    let mut outcomes = Vec::new();
    let mut sent = false;
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while outcomes.len() < hostile.len() {
        let event = tokio::time::timeout_at(deadline, attacker.select_next_some())
            .await
            .expect("attacker saw every request fail");
        match event {
            SwarmEvent::ConnectionEstablished { peer_id, .. } if peer_id == server_id && !sent => {
                for bytes in &hostile {
                    attacker
                        .behaviour_mut()
                        .send_request(&server_id, bytes.clone());
                }
                sent = true;
            }
            SwarmEvent::Behaviour(request_response::Event::OutboundFailure { error, .. }) => {
                outcomes.push(Err(error.to_string()))
            }
            SwarmEvent::Behaviour(request_response::Event::Message {
                message: request_response::Message::Response { response, .. },
                ..
            }) => outcomes.push(Ok(response)),
            _ => {}
        }
    }
    assert!(outcomes.iter().all(Result::is_err), "{outcomes:?}");
    eprintln!("attacker outcomes: {outcomes:?}");
    eventually("server counted the bad requests", || async {
        (server.handle.stats().bad_sync_requests >= hostile.len() as u64).then_some(())
    })
    .await;

    // The server is unharmed and serves an honest peer.
    let client = spawn(GENESIS, vec![server.addr("tcp").await]);
    wait_connected(&client, &[server_id]).await;
    let response = client
        .handle
        .request(server_id, SyncRequest::Blocks { from: 0, max: 2 })
        .await
        .unwrap();
    assert_eq!(response, SyncResponse::Blocks(numbered_blocks(2)));
}
