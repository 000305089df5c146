//! System pallet: account nonces and public keys, block information, the
//! per-block event log, chain parameters and the root key.
//!
//! State is reached only through the `&mut dyn Externalities` each function is
//! given. Nonces and public keys are never reaped, even when the account's
//! balance is: keeping the nonce is what stops an old transaction from being
//! replayed against a re-created account.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
pub mod benchmarking;
#[cfg(test)]
mod tests;
mod types;
pub mod weights;

pub use types::*;

use alloc::vec::Vec;
use hm_primitives::{
    storage_key::{map_key, value_key},
    AccountId, BlockNumber, FalconPublicKey, Moment, Nonce, H256,
};
use hm_support::{get, put, DispatchError, DispatchResult, Externalities, Weight};
use parity_scale_codec::{Decode, Encode};
use scale_info::TypeInfo;

// ---------------------------------------------------------------------------
// Config and constants

/// Storage prefix of every item of this pallet.
pub const PALLET: &[u8] = b"System";
/// Index of this pallet in the runtime's `Call` and event enums, and the
/// `pallet` field of its `DispatchError`s.
pub const PALLET_INDEX: u8 = 0;
/// Events stored per block. Later events of the same block are not stored
/// (they have no effect on state transitions); block weight limits keep real
/// blocks far below this, and it bounds the clean-up work at the next block.
pub const MAX_EVENTS_PER_BLOCK: u32 = 65_536;

// ---------------------------------------------------------------------------
// Storage items

/// Raw storage keys, one function per item.
pub mod storage {
    use super::*;

    /// `AccountNonce: AccountId -> Nonce`, the next nonce the account must use.
    pub fn account_nonce(who: &AccountId) -> Vec<u8> {
        map_key(PALLET, b"AccountNonce", &who.encode())
    }
    /// `PublicKey: AccountId -> FalconPublicKey`, stored by the account's first transaction or at genesis.
    pub fn public_key(who: &AccountId) -> Vec<u8> {
        map_key(PALLET, b"PublicKey", &who.encode())
    }
    /// `Number: BlockNumber` of the block being built or last built.
    pub fn number() -> Vec<u8> {
        value_key(PALLET, b"Number")
    }
    /// `ParentHash: H256`.
    pub fn parent_hash() -> Vec<u8> {
        value_key(PALLET, b"ParentHash")
    }
    /// `Timestamp: Moment` from the block header.
    pub fn timestamp() -> Vec<u8> {
        value_key(PALLET, b"Timestamp")
    }
    /// `Author: AccountId`, the block's proposer (receives the fees).
    pub fn author() -> Vec<u8> {
        value_key(PALLET, b"Author")
    }
    /// `Events: u32 -> (Phase, pallet_index, event)`. A map rather than one vector
    /// so that depositing an event costs O(1), not a rewrite of the whole log.
    pub fn event(index: u32) -> Vec<u8> {
        map_key(PALLET, b"Events", &index.encode())
    }
    /// `EventCount: u32`, events stored this block.
    pub fn event_count() -> Vec<u8> {
        value_key(PALLET, b"EventCount")
    }
    /// `ExecutionPhase: Phase`.
    pub fn execution_phase() -> Vec<u8> {
        value_key(PALLET, b"ExecutionPhase")
    }
    /// `ExtrinsicCount: u32`, extrinsics applied so far in this block.
    pub fn extrinsic_count() -> Vec<u8> {
        value_key(PALLET, b"ExtrinsicCount")
    }
    /// `BlockWeight: Weight` consumed so far in this block.
    pub fn block_weight() -> Vec<u8> {
        value_key(PALLET, b"BlockWeight")
    }
    /// `BlockLength: u32`, encoded extrinsic bytes so far in this block.
    pub fn block_length() -> Vec<u8> {
        value_key(PALLET, b"BlockLength")
    }
    /// `Parameters: Parameters`.
    pub fn parameters() -> Vec<u8> {
        value_key(PALLET, b"Parameters")
    }
    /// `RootKey: AccountId`; absent when the chain has no root.
    pub fn root_key() -> Vec<u8> {
        value_key(PALLET, b"RootKey")
    }
}

pub fn account_nonce(ext: &dyn Externalities, who: &AccountId) -> Nonce {
    get(ext, &storage::account_nonce(who)).unwrap_or(0)
}

/// Bump `who`'s nonce; `None` (and no change) once the nonce space is exhausted.
pub fn inc_account_nonce(ext: &mut dyn Externalities, who: &AccountId) -> Option<Nonce> {
    let next = account_nonce(ext, who).checked_add(1)?;
    put(ext, &storage::account_nonce(who), &next);
    Some(next)
}

pub fn public_key(ext: &dyn Externalities, who: &AccountId) -> Option<FalconPublicKey> {
    get(ext, &storage::public_key(who))
}

/// Store `key` for the account it hashes to unless one is stored already.
/// Returns whether it was newly stored.
pub fn register_public_key(ext: &mut dyn Externalities, key: &FalconPublicKey) -> bool {
    let who = key.account_id();
    let item = storage::public_key(&who);
    if ext.storage_get(&item).is_some() {
        return false;
    }
    put(ext, &item, key);
    deposit_event(ext, PALLET_INDEX, &Event::KeyRegistered { who });
    true
}

pub fn block_number(ext: &dyn Externalities) -> BlockNumber {
    get(ext, &storage::number()).unwrap_or(0)
}

pub fn parent_hash(ext: &dyn Externalities) -> H256 {
    get(ext, &storage::parent_hash()).unwrap_or_default()
}

pub fn timestamp(ext: &dyn Externalities) -> Moment {
    get(ext, &storage::timestamp()).unwrap_or(0)
}

/// The current block's author; `None` before the first block.
pub fn author(ext: &dyn Externalities) -> Option<AccountId> {
    get(ext, &storage::author())
}

pub fn parameters(ext: &dyn Externalities) -> Parameters {
    get(ext, &storage::parameters()).unwrap_or_default()
}

pub fn root_key(ext: &dyn Externalities) -> Option<AccountId> {
    get(ext, &storage::root_key())
}

pub fn phase(ext: &dyn Externalities) -> Phase {
    get(ext, &storage::execution_phase()).unwrap_or(Phase::Initialization)
}

pub fn block_weight(ext: &dyn Externalities) -> Weight {
    get(ext, &storage::block_weight()).unwrap_or(0)
}

pub fn block_length(ext: &dyn Externalities) -> u32 {
    get(ext, &storage::block_length()).unwrap_or(0)
}

/// The block has no room left for an extrinsic of this weight or length.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct BlockFull;

/// Count an extrinsic against the block's weight and length limits, or refuse
/// it (changing nothing) when it does not fit.
pub fn reserve_block_resources(
    ext: &mut dyn Externalities,
    weight: Weight,
    len: usize,
) -> Result<(), BlockFull> {
    let params = parameters(ext);
    let new_weight = block_weight(ext).checked_add(weight).ok_or(BlockFull)?;
    let len = u32::try_from(len).map_err(|_| BlockFull)?;
    let new_length = block_length(ext).checked_add(len).ok_or(BlockFull)?;
    if new_weight > params.max_block_weight || new_length > params.max_block_length {
        return Err(BlockFull);
    }
    put(ext, &storage::block_weight(), &new_weight);
    put(ext, &storage::block_length(), &new_length);
    Ok(())
}

// ---------------------------------------------------------------------------
// Events

#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum Event {
    /// An extrinsic's call succeeded.
    #[codec(index = 0)]
    ExtrinsicSuccess { weight: Weight },
    /// An extrinsic's call failed; its fee was still paid.
    #[codec(index = 1)]
    ExtrinsicFailed {
        error: DispatchErrorInfo,
        weight: Weight,
    },
    /// An account's public key is now stored; it may sign with its `AccountId`.
    #[codec(index = 2)]
    KeyRegistered { who: AccountId },
    #[codec(index = 3)]
    ParametersSet { parameters: Parameters },
    #[codec(index = 4)]
    RootKeyChanged {
        old: Option<AccountId>,
        new: Option<AccountId>,
    },
}

/// Append an event of pallet `pallet_index` to this block's log. The record is
/// stored as `(Phase, pallet_index, event)`, which is exactly the encoding of
/// the runtime's `EventRecord { phase, event: RuntimeEvent }`.
pub fn deposit_event<E: Encode>(ext: &mut dyn Externalities, pallet_index: u8, event: &E) {
    let count: u32 = get(ext, &storage::event_count()).unwrap_or(0);
    if count >= MAX_EVENTS_PER_BLOCK {
        return;
    }
    let record = (phase(ext), pallet_index, event).encode();
    ext.storage_set(&storage::event(count), &record);
    put(ext, &storage::event_count(), &(count + 1));
}

/// This block's event records, SCALE-encoded as `(Phase, pallet_index, event)`.
pub fn event_records(ext: &dyn Externalities) -> Vec<Vec<u8>> {
    let count: u32 = get(ext, &storage::event_count()).unwrap_or(0);
    (0..count)
        .filter_map(|i| ext.storage_get(&storage::event(i)))
        .collect()
}

/// This block's events of one pallet, decoded.
pub fn pallet_events<E: Decode>(ext: &dyn Externalities, pallet_index: u8) -> Vec<E> {
    event_records(ext)
        .iter()
        .filter_map(|raw| <(Phase, u8, E)>::decode(&mut &raw[..]).ok())
        .filter(|(_, pallet, _)| *pallet == pallet_index)
        .map(|(_, _, event)| event)
        .collect()
}

// ---------------------------------------------------------------------------
// Errors

#[derive(Clone, Copy, PartialEq, Eq, Debug, TypeInfo)]
#[repr(u8)]
pub enum Error {
    /// The origin may not make this call.
    BadOrigin = 0,
    /// Parameters would leave the chain unable to include some valid extrinsic.
    InvalidParameters = 1,
}

impl Error {
    pub fn message(self) -> &'static str {
        match self {
            Error::BadOrigin => "bad origin: this call needs the root key",
            Error::InvalidParameters => "parameters out of range",
        }
    }
}

hm_support::impl_dispatch_error!(Error, PALLET_INDEX);

// ---------------------------------------------------------------------------
// Calls

#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum Call {
    /// Root only: replace the chain parameters.
    #[codec(index = 0)]
    SetParameters { parameters: Parameters },
    /// Root only: hand the root key to another account, or remove it for good.
    #[codec(index = 1)]
    SetRootKey { new: Option<AccountId> },
    /// Any signed origin: do nothing. The bytes are paid for by the length fee.
    #[codec(index = 2)]
    Remark { data: Vec<u8> },
}

impl Call {
    pub fn weight(&self) -> Weight {
        match self {
            Call::SetParameters { .. } => weights::SET_PARAMETERS,
            Call::SetRootKey { .. } => weights::SET_ROOT_KEY,
            Call::Remark { .. } => weights::REMARK,
        }
    }
}

/// `Ok` for the root origin, `BadOrigin` otherwise.
pub fn ensure_root(origin: Origin) -> DispatchResult {
    match origin {
        Origin::Root => Ok(()),
        Origin::Signed(_) => Err(Error::BadOrigin.into()),
    }
}

pub fn ensure_signed(origin: Origin) -> Result<AccountId, DispatchError> {
    match origin {
        Origin::Signed(who) => Ok(who),
        Origin::Root => Err(Error::BadOrigin.into()),
    }
}

/// `Ok` when `origin` may act as root: it is root already, or it is the account
/// holding the root key.
pub fn ensure_root_key(ext: &dyn Externalities, origin: Origin) -> DispatchResult {
    match origin {
        Origin::Root => Ok(()),
        Origin::Signed(who) if root_key(ext) == Some(who) => Ok(()),
        Origin::Signed(_) => Err(Error::BadOrigin.into()),
    }
}

pub fn dispatch(ext: &mut dyn Externalities, origin: Origin, call: Call) -> DispatchResult {
    match call {
        Call::SetParameters { parameters } => set_parameters(ext, origin, parameters),
        Call::SetRootKey { new } => set_root_key(ext, origin, new),
        Call::Remark { data: _ } => ensure_signed(origin).map(|_| ()),
    }
}

fn set_parameters(
    ext: &mut dyn Externalities,
    origin: Origin,
    parameters: Parameters,
) -> DispatchResult {
    ensure_root(origin)?;
    if !parameters.is_sane() {
        return Err(Error::InvalidParameters.into());
    }
    put(ext, &storage::parameters(), &parameters);
    deposit_event(ext, PALLET_INDEX, &Event::ParametersSet { parameters });
    Ok(())
}

fn set_root_key(
    ext: &mut dyn Externalities,
    origin: Origin,
    new: Option<AccountId>,
) -> DispatchResult {
    ensure_root(origin)?;
    let old = root_key(ext);
    match &new {
        Some(key) => put(ext, &storage::root_key(), key),
        None => ext.storage_remove(&storage::root_key()),
    }
    deposit_event(ext, PALLET_INDEX, &Event::RootKeyChanged { old, new });
    Ok(())
}

// ---------------------------------------------------------------------------
// Hooks

/// Start a block: drop the previous block's events and record the block's context.
pub fn on_initialize(
    ext: &mut dyn Externalities,
    number: BlockNumber,
    parent_hash: &H256,
    timestamp: Moment,
    author: &AccountId,
) {
    let previous_events: u32 = get(ext, &storage::event_count()).unwrap_or(0);
    for index in 0..previous_events {
        ext.storage_remove(&storage::event(index));
    }
    put(ext, &storage::event_count(), &0u32);
    put(ext, &storage::number(), &number);
    put(ext, &storage::parent_hash(), parent_hash);
    put(ext, &storage::timestamp(), &timestamp);
    put(ext, &storage::author(), author);
    put(ext, &storage::execution_phase(), &Phase::Initialization);
    put(ext, &storage::extrinsic_count(), &0u32);
    put(ext, &storage::block_weight(), &Weight::default());
    put(ext, &storage::block_length(), &0u32);
}

/// Enter the phase of the next extrinsic; returns its index in the block.
pub fn start_extrinsic(ext: &mut dyn Externalities) -> u32 {
    let index: u32 = get(ext, &storage::extrinsic_count()).unwrap_or(0);
    put(
        ext,
        &storage::execution_phase(),
        &Phase::ApplyExtrinsic(index),
    );
    index
}

/// Record the outcome of the extrinsic started last and count it.
pub fn note_applied_extrinsic(
    ext: &mut dyn Externalities,
    result: &DispatchResult,
    weight: Weight,
) {
    let event = match result {
        Ok(()) => Event::ExtrinsicSuccess { weight },
        Err(e) => Event::ExtrinsicFailed {
            error: (*e).into(),
            weight,
        },
    };
    deposit_event(ext, PALLET_INDEX, &event);
    let count: u32 = get(ext, &storage::extrinsic_count()).unwrap_or(0);
    // The block length limit (≤ 16 MiB) keeps the count far below u32::MAX.
    put(ext, &storage::extrinsic_count(), &count.saturating_add(1));
}

pub fn on_finalize(ext: &mut dyn Externalities) {
    put(ext, &storage::execution_phase(), &Phase::Finalization);
}

// ---------------------------------------------------------------------------
// Genesis

#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct GenesisConfig {
    pub parameters: Parameters,
    pub root_key: Option<AccountId>,
    /// Keys stored up front, so their accounts may sign with `Signer::Id` from the first transaction.
    pub public_keys: Vec<FalconPublicKey>,
}

impl GenesisConfig {
    pub fn build(&self, ext: &mut dyn Externalities) -> Result<(), &'static str> {
        if !self.parameters.is_sane() {
            return Err("genesis parameters out of range (block length, block weight or fees)");
        }
        put(ext, &storage::parameters(), &self.parameters);
        if let Some(root) = &self.root_key {
            put(ext, &storage::root_key(), root);
        }
        for key in &self.public_keys {
            put(ext, &storage::public_key(&key.account_id()), key);
        }
        put(ext, &storage::number(), &BlockNumber::default());
        put(ext, &storage::parent_hash(), &H256::ZERO);
        put(ext, &storage::event_count(), &0u32);
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// The pallet in the runtime's list

/// System in `construct_runtime!`. Its block bookkeeping (`on_initialize`,
/// `start_extrinsic`, `note_applied_extrinsic`, `on_finalize` above) takes the
/// block's context, so the runtime calls it directly around the other pallets' hooks.
pub struct Pallet;

impl hm_support::Pallet for Pallet {
    const INDEX: u8 = PALLET_INDEX;
    const NAME: &'static str = "System";
    type Call = Call;
    type Event = Event;
    type Error = Error;
    type GenesisConfig = GenesisConfig;

    fn call_weight(call: &Call) -> Weight {
        call.weight()
    }

    fn dispatch(
        ext: &mut dyn Externalities,
        origin: Origin,
        call: Call,
    ) -> hm_support::DispatchResultWithPostInfo {
        hm_support::with_declared_weight(dispatch(ext, origin, call))
    }

    fn build_genesis(
        ext: &mut dyn Externalities,
        config: &GenesisConfig,
    ) -> Result<(), &'static str> {
        config.build(ext)
    }

    /// The event log is as long as its count says, and the parameters stay sane.
    fn try_state(ext: &dyn Externalities) -> Result<(), &'static str> {
        let count: u32 = get(ext, &storage::event_count()).unwrap_or(0);
        if count > MAX_EVENTS_PER_BLOCK {
            return Err("more events stored than MAX_EVENTS_PER_BLOCK");
        }
        if count > 0 && ext.storage_get(&storage::event(count - 1)).is_none() {
            return Err("an event below EventCount is missing");
        }
        if ext.storage_get(&storage::event(count)).is_some() {
            return Err("an event is stored above EventCount");
        }
        if !parameters(ext).is_sane() {
            return Err("the chain parameters are out of range");
        }
        Ok(())
    }

    fn storage_metadata() -> Vec<frame_metadata::v15::StorageEntryMetadata> {
        use hm_support::metadata::{storage_map, storage_value};
        alloc::vec![
            storage_map::<AccountId, Nonce>(
                "AccountNonce",
                &["The next nonce the account must use."]
            ),
            storage_map::<AccountId, FalconPublicKey>(
                "PublicKey",
                &["Falcon-1024 key the account signs with."]
            ),
            storage_value::<BlockNumber>(
                "Number",
                &["Number of the block being built or last built."]
            ),
            storage_value::<H256>("ParentHash", &[]),
            storage_value::<Moment>("Timestamp", &["Milliseconds, from the block header."]),
            storage_value::<AccountId>("Author", &["The block's proposer; it receives the fees."]),
            storage_map::<u32, Vec<u8>>(
                "Events",
                &["This block's event records: SCALE (Phase, pallet index, event)."]
            ),
            storage_value::<u32>("EventCount", &[]),
            storage_value::<Phase>("ExecutionPhase", &[]),
            storage_value::<u32>("ExtrinsicCount", &[]),
            storage_value::<Weight>("BlockWeight", &[]),
            storage_value::<u32>("BlockLength", &[]),
            storage_value::<Parameters>("Parameters", &["Fees and block limits in force."]),
            storage_value::<AccountId>("RootKey", &["Account allowed to make root calls."]),
        ]
    }

    fn constants_metadata() -> Vec<frame_metadata::v15::PalletConstantMetadata> {
        alloc::vec![hm_support::metadata::constant(
            "MaxEventsPerBlock",
            &MAX_EVENTS_PER_BLOCK,
            &["Events stored per block; later ones are dropped."],
        )]
    }
}
