//! Data types of the scheduler pallet.
use alloc::vec::Vec;
use hm_primitives::{AccountId, BlockNumber, H256};
use hm_support::Origin;
use parity_scale_codec::{Decode, Encode};
use scale_info::TypeInfo;

/// A task's name, chosen by whoever schedules it (a referendum's index, hashed).
pub type TaskName = [u8; 32];

/// Where a task sits: its block and its slot in that block's agenda.
pub type TaskAddress = (BlockNumber, u32);

/// A runtime call's SCALE bytes, small enough to store in an agenda, or the hash and
/// length of a preimage noted in the preimage pallet (fetched when the task runs, so a
/// 2 MB runtime upgrade costs the agenda 36 bytes).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum BoundedCall {
    /// At most `MAX_INLINE_CALL_BYTES`.
    #[codec(index = 0)]
    Inline(Vec<u8>),
    /// `len` is declared up front so the task's fetch is weighed before it is made.
    #[codec(index = 1)]
    Lookup { hash: H256, len: u32 },
}

impl BoundedCall {
    /// The preimage this call needs, if it is not inline.
    pub fn lookup_hash(&self) -> Option<H256> {
        match self {
            BoundedCall::Inline(_) => None,
            BoundedCall::Lookup { hash, .. } => Some(*hash),
        }
    }
}

/// Who a task's call is dispatched as ([`Origin`] is not SCALE).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum ScheduledOrigin {
    #[codec(index = 0)]
    Root,
    #[codec(index = 1)]
    Signed(AccountId),
}

impl From<ScheduledOrigin> for Origin {
    fn from(origin: ScheduledOrigin) -> Self {
        match origin {
            ScheduledOrigin::Root => Origin::Root,
            ScheduledOrigin::Signed(who) => Origin::Signed(who),
        }
    }
}

/// A call waiting for its block.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct Task {
    pub call: BoundedCall,
    pub origin: ScheduledOrigin,
    /// Set for named tasks, which `Lookup` finds by name.
    pub maybe_id: Option<TaskName>,
}
