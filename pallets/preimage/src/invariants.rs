//! `try_state` of the preimage pallet: every record is in one of the states
//! `RequestStatus` allows, every noted record has its bytes with the recorded length
//! and hash, no bytes lack a record, and `TotalDeposits` is the sum of the deposits,
//! each covered by its depositor's reserved balance.
use crate::{preimage, storage, total_deposits, RequestStatus, PALLET};
use alloc::collections::BTreeMap;
use hm_pallet_caesar as caesar;
use hm_primitives::{blake3_256, storage_key::value_key, AccountId, Balance, H256};
use hm_support::{iter_prefix, Externalities};
use parity_scale_codec::Decode;

/// A map key is the item's 32-byte prefix, a 16-byte hash of the key, then the key.
const KEY_OFFSET: usize = 48;

pub(crate) fn check(ext: &dyn Externalities) -> Result<(), &'static str> {
    let mut deposits: Balance = 0;
    let mut held: BTreeMap<AccountId, Balance> = BTreeMap::new();
    let mut noted = 0usize;
    for (key, raw) in iter_prefix(ext, &value_key(PALLET, b"StatusFor")) {
        let hash = key
            .get(KEY_OFFSET..)
            .and_then(|mut rest| H256::decode(&mut rest).ok())
            .ok_or("a status key does not decode")?;
        let status =
            RequestStatus::decode(&mut &raw[..]).map_err(|_| "a status does not decode")?;
        check_status(ext, &hash, &status)?;
        noted += usize::from(status.len.is_some());
        if let Some((who, deposit)) = status.depositor {
            deposits = deposits
                .checked_add(deposit)
                .ok_or("the sum of deposits overflows")?;
            let of_who = held.entry(who).or_default();
            *of_who = of_who
                .checked_add(deposit)
                .ok_or("an account's deposits overflow")?;
        }
    }
    if iter_prefix(ext, &value_key(PALLET, b"PreimageFor")).count() != noted {
        return Err("some preimage bytes have no noted status");
    }
    if deposits != total_deposits(ext) {
        return Err("TotalDeposits differs from the deposits held");
    }
    for (who, deposit) in held {
        if caesar::reserved_balance(ext, &who) < deposit {
            return Err("a depositor's reserved balance is below its preimage deposits");
        }
    }
    Ok(())
}

fn check_status(
    ext: &dyn Externalities,
    hash: &H256,
    status: &RequestStatus,
) -> Result<(), &'static str> {
    if status.requests == 0 && status.depositor.is_none() {
        return Err("an unrequested preimage has no depositor");
    }
    match status.len {
        Some(len) => {
            let bytes = preimage(ext, hash).ok_or("a noted status has no bytes")?;
            if u32::try_from(bytes.len()).ok() != Some(len) {
                return Err("a preimage's length differs from its status");
            }
            if blake3_256(&bytes) != *hash {
                return Err("a preimage is stored under a hash not its own");
            }
        }
        None => {
            if status.depositor.is_some() {
                return Err("a deposit is held for bytes not noted");
            }
            if ext.storage_get(&storage::preimage_for(hash)).is_some() {
                return Err("bytes are stored for a status that is not noted");
            }
        }
    }
    Ok(())
}
