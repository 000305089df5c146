//! Staking in the runtime's list: hooks with their weights, genesis, invariants, metadata.
use crate::*;
use frame_metadata::v15::{PalletConstantMetadata, StorageEntryMetadata};
use hm_support::metadata::{constant, storage_map, storage_value};

pub struct Pallet;

impl hm_support::Pallet for Pallet {
    const INDEX: u8 = PALLET_INDEX;
    const NAME: &'static str = "Staking";
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

    /// Rotates the epoch at its first block; reserves the weight of this block's
    /// `on_finalize` (the reward, and the election at an epoch's last block).
    fn on_initialize(ext: &mut dyn Externalities, number: BlockNumber) -> Weight {
        let weight = hooks_weight(ext, number);
        on_initialize(ext, number);
        weight
    }

    fn on_finalize(ext: &mut dyn Externalities, number: BlockNumber) -> Weight {
        let weight = finalize_weight(ext, number);
        on_finalize(ext, number);
        weight
    }

    fn build_genesis(
        ext: &mut dyn Externalities,
        config: &GenesisConfig,
    ) -> Result<(), &'static str> {
        config.build(ext)
    }

    /// `TotalHeld` is the sum of the ledgers; each ledger's stash carries a staking
    /// lock of exactly the ledger's total, and no stash carries one without a
    /// ledger; ledgers are non-empty with ordered, bounded unlocking chunks; the
    /// candidates are sorted, registered and unslashed.
    fn try_state(ext: &dyn Externalities) -> Result<(), &'static str> {
        let mut held: Balance = 0;
        let prefix = value_key(PALLET, b"Ledger");
        // A map key is the prefix, a 16-byte hash of the stash, then the stash.
        let skip = prefix.len() + 16;
        for (key, raw) in hm_support::iter_prefix(ext, &prefix) {
            let stash = key
                .get(skip..)
                .and_then(|mut rest| AccountId::decode(&mut rest).ok())
                .ok_or("a ledger's key does not decode")?;
            let ledger =
                StakingLedger::decode(&mut &raw[..]).map_err(|_| "a ledger does not decode")?;
            if ledger.active == 0 && ledger.unlocking.is_empty() {
                return Err("an empty ledger is stored");
            }
            if ledger.unlocking.len() > MAX_UNLOCKING_CHUNKS {
                return Err("a ledger has more than MAX_UNLOCKING_CHUNKS chunks");
            }
            if !ledger
                .unlocking
                .windows(2)
                .all(|w| w[0].matures_at < w[1].matures_at)
            {
                return Err("a ledger's unlocking chunks are out of order");
            }
            let total = ledger.total().ok_or("a ledger's total overflows")?;
            if staking_lock(ext, &stash) != Some(total) {
                return Err("a stash's staking lock differs from its ledger total or expires");
            }
            held = held
                .checked_add(total)
                .ok_or("the sum of ledgers overflows")?;
        }
        if held != total_held(ext) {
            return Err("TotalHeld differs from the sum of the ledgers");
        }
        for (who, locks) in caesar::all_locks(ext)? {
            if locks.iter().any(|l| l.id == STAKING_LOCK_ID) && ledger(ext, &who).is_none() {
                return Err("a staking lock is held without a ledger");
            }
        }
        let candidates = candidates(ext);
        if !candidates.windows(2).all(|w| w[0] < w[1]) {
            return Err("the candidates are not sorted and unique");
        }
        if candidates
            .iter()
            .any(|who| registration(ext, who).is_none_or(|r| r.slashed))
        {
            return Err("a candidate is not registered or was slashed");
        }
        Ok(())
    }

    fn storage_metadata() -> Vec<StorageEntryMetadata> {
        alloc::vec![
            storage_value::<StakingConfig>("Config", &[]),
            storage_map::<AccountId, StakingLedger>("Ledger", &["Bonds, keyed by stash."]),
            storage_value::<Balance>(
                "TotalHeld",
                &["Sum of ledger totals: what staking locks in the stashes."]
            ),
            storage_map::<AccountId, ValidatorRegistration>("Validator", &["Keyed by stash."]),
            storage_value::<Vec<AccountId>>(
                "Candidates",
                &["Registered, unslashed stashes, sorted."]
            ),
            storage_map::<AccountId, AccountId>("KeyOwner", &["Consensus key id to stash."]),
            storage_map::<H256, AccountId>("PlotOwner", &["Plot seed to stash."]),
            storage_value::<EpochIndex>("CurrentEpoch", &[]),
            storage_value::<Vec<ValidatorSetEntry>>("Validators", &["The current epoch's set."]),
            storage_value::<Vec<ValidatorSetEntry>>("PreviousValidators", &[]),
            storage_value::<Vec<ValidatorSetEntry>>("NextValidators", &[]),
            storage_value::<Vec<OffenceRecord>>("EpochOffenders", &[]),
            storage_map::<OffenceKey, BlockNumber>("ReportedOffence", &["Equivocation dedup set."]),
            storage_map::<EpochIndex, Vec<OffenceKey>>("OffenceBucket", &[]),
            storage_value::<EpochIndex>("NextPruneEpoch", &[]),
            storage_value::<ProofParams>("ProofParams", &["The four-proof parameters in force."]),
        ]
    }

    fn constants_metadata() -> Vec<PalletConstantMetadata> {
        alloc::vec![
            constant(
                "LockId",
                &STAKING_LOCK_ID,
                &["Caesar lock on each stash, of its bonded and unbonding total."]
            ),
            constant("MaxUnlockingChunks", &(MAX_UNLOCKING_CHUNKS as u32), &[]),
            constant("MaxCandidates", &MAX_CANDIDATES, &[]),
            constant(
                "PowerUnit",
                &POWER_UNIT,
                &["One unit of voting power per this many plancks bonded."]
            ),
        ]
    }
}

/// The amount of `stash`'s staking lock, if it has one that never expires.
fn staking_lock(ext: &dyn Externalities, stash: &AccountId) -> Option<Balance> {
    caesar::locks(ext, stash)
        .into_iter()
        .find(|l| l.id == STAKING_LOCK_ID && l.until.is_none())
        .map(|l| l.amount)
}
