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

    /// `TotalHeld` is the sum of the ledgers; the pot holds at least its floor plus
    /// all of it; ledgers are non-empty with ordered, bounded unlocking chunks; the
    /// candidates are sorted, registered and unslashed.
    fn try_state(ext: &dyn Externalities) -> Result<(), &'static str> {
        let mut held: Balance = 0;
        for (_, raw) in hm_support::iter_prefix(ext, &value_key(PALLET, b"Ledger")) {
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
            held = held
                .checked_add(total)
                .ok_or("the sum of ledgers overflows")?;
        }
        if held != total_held(ext) {
            return Err("TotalHeld differs from the sum of the ledgers");
        }
        let pot = caesar::account(ext, &pot_account());
        if let Some(pot) = pot {
            let floor = caesar::existential_deposit(ext);
            // Anyone may send CAES to the pot, so it may hold more, never less.
            let owed = floor
                .checked_add(held)
                .ok_or("the pot's floor plus bonds overflows")?;
            if pot.free < owed {
                return Err("the pot holds less than its floor plus every bond");
            }
        } else if held != 0 {
            return Err("bonds are held but the pot does not exist");
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
            storage_value::<Balance>("TotalHeld", &["Sum of ledger totals: what the pot owes."]),
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
                "PotAccount",
                &pot_account(),
                &["Holds every bonded and unbonding planck."]
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
