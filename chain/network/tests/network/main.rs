//! Real swarms in one process, on 127.0.0.1 only, with OS-chosen ports.

mod common;
mod gossip;
mod limits;
mod peers;
mod sync;
