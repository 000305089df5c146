//! Wire format of the sync protocol: a 4-byte little-endian length, then that many bytes of
//! SCALE. Reads are capped before anything is allocated: a length over the cap is refused
//! outright, and the body is read incrementally, so a lying length costs the reader nothing
//! beyond the bytes actually sent.

use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use futures::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use libp2p::request_response;
use libp2p::StreamProtocol;
use parity_scale_codec::{DecodeLimit, Encode};

use crate::sync::{SyncRequest, SyncResponse, MAX_REQUEST_BYTES, MAX_RESPONSE_BYTES};

/// Request-response codec with hard byte caps in both directions.
#[derive(Debug, Clone)]
pub struct SyncCodec {
    max_request_bytes: usize,
    max_response_bytes: usize,
    /// Counts inbound requests that fail to read or decode. libp2p drops those before
    /// they have a request id, so no behaviour event reports them.
    bad_requests: Option<Arc<AtomicU64>>,
}

impl Default for SyncCodec {
    fn default() -> Self {
        SyncCodec {
            max_request_bytes: MAX_REQUEST_BYTES,
            max_response_bytes: MAX_RESPONSE_BYTES,
            bad_requests: None,
        }
    }
}

impl SyncCodec {
    /// A codec with other caps (tests use small ones).
    pub fn with_limits(max_request_bytes: usize, max_response_bytes: usize) -> Self {
        SyncCodec {
            max_request_bytes,
            max_response_bytes,
            bad_requests: None,
        }
    }

    /// Count malformed inbound requests in `counter`.
    pub(crate) fn counting_bad_requests(mut self, counter: Arc<AtomicU64>) -> Self {
        self.bad_requests = Some(counter);
        self
    }
}

/// Read one length-prefixed frame of at most `max` bytes.
pub async fn read_frame<T: AsyncRead + Unpin>(io: &mut T, max: usize) -> io::Result<Vec<u8>> {
    let mut prefix = [0u8; 4];
    io.read_exact(&mut prefix).await?;
    let len = u32::from_le_bytes(prefix) as usize;
    if len > max {
        return Err(invalid(format!(
            "frame of {len} bytes exceeds the {max}-byte limit"
        )));
    }
    // Grow with the data that arrives rather than trusting `len` for the allocation.
    let mut body = Vec::with_capacity(len.min(64 * 1024));
    io.take(len as u64).read_to_end(&mut body).await?;
    if body.len() != len {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            format!("frame announced {len} bytes but carried {}", body.len()),
        ));
    }
    Ok(body)
}

/// Write one length-prefixed frame, refusing to send more than `max` bytes.
pub async fn write_frame<T: AsyncWrite + Unpin>(
    io: &mut T,
    body: &[u8],
    max: usize,
) -> io::Result<()> {
    let len = u32::try_from(body.len())
        .ok()
        .filter(|len| *len as usize <= max)
        .ok_or_else(|| {
            invalid(format!(
                "refusing to send {} bytes (limit {max})",
                body.len()
            ))
        })?;
    io.write_all(&len.to_le_bytes()).await?;
    io.write_all(body).await?;
    io.flush().await
}

fn decode<T: DecodeLimit>(bytes: &[u8], max: usize) -> io::Result<T> {
    hm_primitives::decode_untrusted(bytes, max).map_err(|e| invalid(e.to_string()))
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg)
}

impl request_response::Codec for SyncCodec {
    type Protocol = StreamProtocol;
    type Request = SyncRequest;
    type Response = SyncResponse;

    async fn read_request<T>(&mut self, _: &StreamProtocol, io: &mut T) -> io::Result<SyncRequest>
    where
        T: AsyncRead + Unpin + Send,
    {
        let read = match read_frame(io, self.max_request_bytes).await {
            Ok(bytes) => decode(&bytes, self.max_request_bytes),
            Err(e) => Err(e),
        };
        if read.is_err() {
            if let Some(counter) = &self.bad_requests {
                counter.fetch_add(1, Ordering::Relaxed);
            }
        }
        read
    }

    async fn read_response<T>(&mut self, _: &StreamProtocol, io: &mut T) -> io::Result<SyncResponse>
    where
        T: AsyncRead + Unpin + Send,
    {
        let bytes = read_frame(io, self.max_response_bytes).await?;
        let response: SyncResponse = decode(&bytes, self.max_response_bytes)?;
        response.check_counts().map_err(invalid)?;
        Ok(response)
    }

    async fn write_request<T>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        req: SyncRequest,
    ) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        write_frame(io, &req.encode(), self.max_request_bytes).await
    }

    async fn write_response<T>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        res: SyncResponse,
    ) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        write_frame(io, &res.encode(), self.max_response_bytes).await
    }
}

#[cfg(test)]
#[path = "sync_codec_tests.rs"]
mod tests;
