//! Contracts in the runtime's list: dispatch with the weight actually used,
//! invariants over the deposits and code references, metadata.
use crate::*;
use alloc::collections::BTreeMap;
use frame_metadata::v15::{PalletConstantMetadata, StorageEntryMetadata};
use hm_primitives::storage_key::value_key;
use hm_support::metadata::{constant, storage_map, storage_value};
use hm_support::{iter_prefix, DispatchErrorWithPostInfo, PostDispatchInfo};

/// The pallet in the runtime's list, configured by `C` (which serves `call_runtime`).
pub struct Pallet<C: Config = ()>(core::marker::PhantomData<C>);

impl<C: Config> hm_support::Pallet for Pallet<C> {
    const INDEX: u8 = PALLET_INDEX;
    const NAME: &'static str = "Contracts";
    type Call = Call;
    type Event = Event;
    type Error = Error;
    /// No genesis state: the deposit pot's floor is minted with the first deposit.
    type GenesisConfig = ();

    fn call_weight(call: &Call) -> Weight {
        call.weight()
    }

    /// Executions report the gas they used, on success and on failure.
    fn dispatch(
        ext: &mut dyn Externalities,
        origin: Origin,
        call: Call,
    ) -> hm_support::DispatchResultWithPostInfo {
        let DispatchOutcome {
            result,
            actual_weight,
        } = dispatch(ext, origin, call, C::runtime_calls());
        let post_info = PostDispatchInfo { actual_weight };
        match result {
            Ok(()) => Ok(post_info),
            Err(error) => Err(DispatchErrorWithPostInfo { post_info, error }),
        }
    }

    fn build_genesis(_ext: &mut dyn Externalities, _config: &()) -> Result<(), &'static str> {
        Ok(())
    }

    /// `TotalDeposits` is every code deposit plus every contract's storage deposit;
    /// each code record has its wasm, and its refcount counts the contracts using it.
    fn try_state(ext: &dyn Externalities) -> Result<(), &'static str> {
        let mut deposits: Balance = 0;
        let mut users: BTreeMap<H256, u64> = BTreeMap::new();
        for (_, raw) in iter_prefix(ext, &value_key(PALLET, b"ContractInfoOf")) {
            let info = ContractInfo::decode(&mut &raw[..])
                .map_err(|_| "a contract record does not decode")?;
            deposits = deposits
                .checked_add(info.storage_deposit)
                .ok_or("the sum of deposits overflows")?;
            let count = users.entry(info.code_hash).or_default();
            *count = count.checked_add(1).ok_or("refcount overflows")?;
        }
        for (key, raw) in iter_prefix(ext, &value_key(PALLET, b"CodeInfoOf")) {
            let info =
                CodeInfo::decode(&mut &raw[..]).map_err(|_| "a code record does not decode")?;
            // The map key ends with the SCALE code hash (32 bytes).
            let hash_bytes: [u8; 32] = key
                .get(key.len().saturating_sub(32)..)
                .and_then(|tail| tail.try_into().ok())
                .ok_or("a code record's key is too short")?;
            let code_hash = H256(hash_bytes);
            if code(ext, &code_hash).is_none() {
                return Err("a code record has no wasm");
            }
            if users.remove(&code_hash).unwrap_or(0) != info.refcount {
                return Err("a code's refcount differs from the contracts using it");
            }
            deposits = deposits
                .checked_add(info.deposit)
                .ok_or("the sum of deposits overflows")?;
        }
        if !users.is_empty() {
            return Err("a contract uses code that has no record");
        }
        if deposits != total_deposits(ext) {
            return Err("TotalDeposits differs from the deposits held");
        }
        Ok(())
    }

    fn storage_metadata() -> Vec<StorageEntryMetadata> {
        alloc::vec![
            storage_map::<H256, Vec<u8>>(
                "PristineCode",
                &["The wasm as uploaded (raw bytes, not SCALE)."]
            ),
            storage_map::<H256, CodeInfo>("CodeInfoOf", &[]),
            storage_map::<AccountId, ContractInfo>("ContractInfoOf", &[]),
            storage_map::<(AccountId, Vec<u8>), Vec<u8>>("ContractStorage", &["Raw values."]),
            storage_value::<Balance>("TotalDeposits", &["What the pot owes: every deposit held."]),
        ]
    }

    fn constants_metadata() -> Vec<PalletConstantMetadata> {
        alloc::vec![
            constant("MaxCodeBytes", &(MAX_CODE_BYTES as u32), &[]),
            constant("MaxCallDepth", &MAX_CALL_DEPTH, &[]),
            constant("WeightPerGas", &WEIGHT_PER_GAS, &[]),
            constant("MaxGasPerExtrinsic", &MAX_GAS_PER_EXTRINSIC, &[]),
            constant("DepositPerItem", &DEPOSIT_PER_ITEM, &[]),
            constant("DepositPerByte", &DEPOSIT_PER_BYTE, &[]),
        ]
    }
}
