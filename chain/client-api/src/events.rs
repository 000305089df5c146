//! A block's events as tools read them: pallet and event names instead of indices, and
//! for each extrinsic its outcome (weight, fee paid, dispatch error by name), so every
//! client can tell a failed transaction from a successful one the same way.
use hm_primitives::Balance;
use serde::{Deserialize, Serialize};

/// When an event was deposited.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventPhase {
    Initialization,
    /// While the extrinsic at this index of the block was applied.
    ApplyExtrinsic(u32),
    Finalization,
}

/// Why an extrinsic's call failed: the pallet's error, by index and by name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DispatchFailure {
    pub pallet_index: u8,
    pub error_index: u8,
    /// `Caesar`, `Contracts`, ...
    pub pallet: String,
    /// `InsufficientBalance`, ...; `Unknown(7)` for an index this node cannot name.
    pub error: String,
    /// What the error means, in words.
    pub message: String,
}

impl DispatchFailure {
    /// `Caesar: InsufficientBalance`.
    pub fn name(&self) -> String {
        format!("{}: {}", self.pallet, self.error)
    }
}

/// What applying an extrinsic came to (from `System::ExtrinsicSuccess`/`ExtrinsicFailed`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtrinsicOutcome {
    /// Weight charged.
    pub weight: u64,
    /// Fee the signer paid, after any refund of unused contract gas; 0 when unsigned.
    pub fee: Balance,
    /// `None` when the call succeeded.
    pub error: Option<DispatchFailure>,
}

/// One record of a block's event log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockEvent {
    pub phase: EventPhase,
    pub pallet: String,
    /// The event's variant name (`Transfer`, `ExtrinsicFailed`, ...).
    pub name: String,
    /// Present on the record that ends an extrinsic.
    pub outcome: Option<ExtrinsicOutcome>,
    /// SCALE encoding of the runtime event (pallet index first), for typed decoding.
    pub encoded: Vec<u8>,
}

/// What applying an extrinsic on top of the best block would do; nothing is kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DryRun {
    /// It would be included: how it would end, and the events it would deposit.
    Applied {
        outcome: ExtrinsicOutcome,
        events: Vec<BlockEvent>,
    },
    /// It would not be included at all (bad signature, stale nonce, cannot pay, ...).
    Invalid(String),
}
