//! Errors of starting the network and of sync requests.

use std::path::PathBuf;

/// Why the network could not start (or a bootnode string was refused).
#[derive(Debug, thiserror::Error)]
pub enum NetworkError {
    #[error("invalid network config: {0}")]
    InvalidConfig(String),
    #[error("invalid bootnode {addr:?}: {reason}")]
    InvalidBootnode { addr: String, reason: String },
    #[error("node key file {path}: {reason}")]
    NodeKey { path: PathBuf, reason: String },
    #[error("cannot listen on {addr}: {reason}")]
    Listen { addr: String, reason: String },
    #[error("transport setup failed: {0}")]
    Transport(String),
    #[error("network start must be called inside a tokio runtime")]
    NoRuntime,
}

/// Why a sync request got no response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    #[error("peer is not connected")]
    NotConnected,
    #[error("request timed out")]
    Timeout,
    #[error("connection closed before the response arrived")]
    ConnectionClosed,
    #[error("peer does not speak this chain's sync protocol")]
    UnsupportedProtocol,
    #[error("invalid response: {0}")]
    InvalidResponse(String),
    #[error("i/o or decoding failure: {0}")]
    Io(String),
    #[error("the network task has stopped")]
    NetworkStopped,
}
