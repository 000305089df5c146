//! The shape every pallet has, in the spirit of FRAME's `#[pallet]`: an index and a
//! name, a `Call` with weights, an `Event`, an `Error`, hooks, genesis, invariants and
//! metadata. The runtime lists its pallets once (`construct_runtime!`) and everything
//! that fans out over them (the outer `Call` and `Event`, dispatch, hooks, genesis,
//! `try_state`, metadata) is generated from that list.
use crate::{DispatchError, Externalities, Weight};
use alloc::vec::Vec;
use core::fmt::Debug;
use frame_metadata::v15::{PalletConstantMetadata, StorageEntryMetadata};
use hm_primitives::{AccountId, BlockNumber};
use parity_scale_codec::{Decode, Encode};
use scale_info::TypeInfo;

/// Who dispatches a call.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Origin {
    /// The root key, through the runtime's `Root` call (later: a passed referendum).
    Root,
    /// An account whose signature was checked.
    Signed(AccountId),
}

/// What a call reports once it has run, FRAME's `PostDispatchInfo`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct PostDispatchInfo {
    /// The weight the call actually used, when it knows it is below what it
    /// declared up front. `None`: the declared weight. The fee of the difference
    /// is refunded to the signer.
    pub actual_weight: Option<Weight>,
}

impl PostDispatchInfo {
    /// The weight to charge for a call that declared `declared`: never more than that.
    pub fn charged_weight(&self, declared: Weight) -> Weight {
        self.actual_weight
            .map_or(declared, |used| used.min(declared))
    }
}

impl From<Option<Weight>> for PostDispatchInfo {
    fn from(actual_weight: Option<Weight>) -> Self {
        PostDispatchInfo { actual_weight }
    }
}

/// A failed call, with the weight it used before failing.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct DispatchErrorWithPostInfo {
    pub post_info: PostDispatchInfo,
    pub error: DispatchError,
}

impl<E: Into<DispatchError>> From<E> for DispatchErrorWithPostInfo {
    fn from(error: E) -> Self {
        DispatchErrorWithPostInfo {
            post_info: PostDispatchInfo::default(),
            error: error.into(),
        }
    }
}

/// FRAME's `DispatchResultWithPostInfo`.
pub type DispatchResultWithPostInfo = Result<PostDispatchInfo, DispatchErrorWithPostInfo>;

/// Drop the post-dispatch weight: `Ok(())` or the bare error.
pub fn without_post_info(result: DispatchResultWithPostInfo) -> crate::DispatchResult {
    result.map(|_| ()).map_err(|e| e.error)
}

/// Lift a plain result into one that charges the declared weight.
pub fn with_declared_weight(result: crate::DispatchResult) -> DispatchResultWithPostInfo {
    result
        .map(|()| PostDispatchInfo::default())
        .map_err(Into::into)
}

/// One pallet of the runtime.
///
/// Determinism: every function here runs inside the state transition. It sees
/// state only through `Externalities`, uses checked arithmetic and no clock.
pub trait Pallet {
    /// Position in the runtime: the first byte of this pallet's calls and events,
    /// and the `pallet` of its dispatch errors. Checked against the runtime's list.
    const INDEX: u8;
    /// Name in metadata and in the CLI (`hypermesh tx call <NAME> …`).
    const NAME: &'static str;
    /// Version of this pallet's storage layout; `on_runtime_upgrade` migrates to it.
    const STORAGE_VERSION: u16 = 0;

    type Call: Encode + Decode + Clone + PartialEq + Debug + TypeInfo + 'static;
    type Event: Encode + Decode + Clone + PartialEq + Debug + TypeInfo + 'static;
    /// The error enum; its variant index is `DispatchError::error`.
    type Error: TypeInfo + 'static;
    type GenesisConfig;

    /// Weight charged up front for `call` (the extrinsic base is separate).
    fn call_weight(call: &Self::Call) -> Weight;

    /// Run `call` as `origin`. The caller rolls state back on `Err`.
    fn dispatch(
        ext: &mut dyn Externalities,
        origin: Origin,
        call: Self::Call,
    ) -> DispatchResultWithPostInfo;

    /// Start of block `number`, after System has recorded the block's context.
    /// Returns the weight used, plus what `on_finalize` will use in this block
    /// (reserved before any extrinsic, as FRAME does).
    fn on_initialize(_ext: &mut dyn Externalities, _number: BlockNumber) -> Weight {
        0
    }

    /// End of block `number`, after the last extrinsic. Returns the weight used,
    /// which must not exceed what `on_initialize` reserved for it.
    fn on_finalize(_ext: &mut dyn Externalities, _number: BlockNumber) -> Weight {
        0
    }

    /// First block under new runtime code: migrate storage to `STORAGE_VERSION`.
    fn on_runtime_upgrade(_ext: &mut dyn Externalities) -> Weight {
        0
    }

    /// Write this pallet's genesis state; refuse configurations that would break an invariant.
    fn build_genesis(
        ext: &mut dyn Externalities,
        config: &Self::GenesisConfig,
    ) -> Result<(), &'static str>;

    /// This pallet's invariants over the current state. Tests run it after every block.
    fn try_state(_ext: &dyn Externalities) -> Result<(), &'static str> {
        Ok(())
    }

    /// Storage items, for metadata.
    fn storage_metadata() -> Vec<StorageEntryMetadata> {
        Vec::new()
    }

    /// Constants, for metadata.
    fn constants_metadata() -> Vec<PalletConstantMetadata> {
        Vec::new()
    }
}

/// Runtime calls as SCALE bytes, for pallets that receive or store calls whose type they
/// cannot name (the runtime's `Call` is built from them): contracts' `call_runtime`, and
/// whatever schedules or enacts calls. The runtime implements it, choosing per user which
/// calls are allowed.
pub trait EncodedCalls: Sync {
    /// The weight `call` declares, if it decodes as exactly one call this user may make;
    /// `None` refuses it.
    fn weigh(&self, call: &[u8]) -> Option<Weight>;
    /// Dispatch `call` (already weighed) as `origin`. The caller rolls its changes back
    /// on `Err`.
    fn dispatch(
        &self,
        ext: &mut dyn Externalities,
        origin: Origin,
        call: &[u8],
    ) -> DispatchResultWithPostInfo;
}
