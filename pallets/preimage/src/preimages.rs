//! Noting, unnoting, requesting and unrequesting, for the calls and for other pallets.
//! Each function checks everything before its first write, so an `Err` changes nothing.
use crate::{
    deposit_event, deposit_for, status, storage, total_deposits, Error, Event, RequestStatus,
    MAX_PREIMAGE_BYTES,
};
use hm_pallet_caesar as caesar;
use hm_primitives::{blake3_256, AccountId, Balance, H256};
use hm_support::{put, Externalities};

/// Store `bytes` under their BLAKE3 hash. A hash nobody requested costs `who` the
/// deposit for its length; a requested one is free (the system asked for it).
pub fn note(ext: &mut dyn Externalities, who: &AccountId, bytes: &[u8]) -> Result<H256, Error> {
    let len = u32::try_from(bytes.len()).map_err(|_| Error::TooBig)?;
    if len > MAX_PREIMAGE_BYTES {
        return Err(Error::TooBig);
    }
    if len == 0 {
        return Err(Error::Empty);
    }
    let hash = blake3_256(bytes);
    let status = match status(ext, &hash) {
        Some(known) if known.len.is_some() => return Err(Error::AlreadyNoted),
        Some(requested) => RequestStatus {
            len: Some(len),
            ..requested
        },
        None => {
            let deposit = deposit_for(len).ok_or(Error::Overflow)?;
            let total = total_deposits(ext)
                .checked_add(deposit)
                .ok_or(Error::Overflow)?;
            caesar::reserve(ext, who, deposit).map_err(|_| Error::CannotPayDeposit)?;
            put(ext, &storage::total_deposits(), &total);
            RequestStatus {
                depositor: Some((*who, deposit)),
                len: Some(len),
                requests: 0,
            }
        }
    };
    put(ext, &storage::status_for(&hash), &status);
    ext.storage_set(&storage::preimage_for(&hash), bytes);
    deposit_event(ext, Event::Noted { hash });
    Ok(hash)
}

/// Remove the bytes of `hash` and return their deposit. `who`: the depositor, who
/// alone may; `None`: root, who may unnote anyone's. Refused while requested.
pub fn unnote(
    ext: &mut dyn Externalities,
    who: Option<&AccountId>,
    hash: &H256,
) -> Result<(), Error> {
    let status = status(ext, hash)
        .filter(|s| s.len.is_some())
        .ok_or(Error::NotNoted)?;
    if let Some(who) = who {
        if status.depositor.map(|(depositor, _)| depositor) != Some(*who) {
            return Err(Error::NotAuthorized);
        }
    }
    if status.requests > 0 {
        return Err(Error::Requested);
    }
    remove(ext, hash, status.depositor)
}

/// Add a request for `hash`, noted or not: its bytes then stay until every request is
/// withdrawn, and whoever notes them pays no deposit.
pub fn request(ext: &mut dyn Externalities, hash: &H256) -> Result<(), Error> {
    let status = status(ext, hash).unwrap_or(RequestStatus {
        depositor: None,
        len: None,
        requests: 0,
    });
    let requests = status.requests.checked_add(1).ok_or(Error::Overflow)?;
    put(
        ext,
        &storage::status_for(hash),
        &RequestStatus { requests, ..status },
    );
    if requests == 1 {
        deposit_event(ext, Event::Requested { hash: *hash });
    }
    Ok(())
}

/// Withdraw a request for `hash` (a task ran or was cancelled: the call is consumed).
/// At the last one, bytes noted for free are removed, and bytes with a depositor stay
/// until the depositor unnotes them (see the crate docs for why).
pub fn unrequest(ext: &mut dyn Externalities, hash: &H256) -> Result<(), Error> {
    let status = status(ext, hash)
        .filter(|s| s.requests > 0)
        .ok_or(Error::NotRequested)?;
    let requests = status.requests.checked_sub(1).ok_or(Error::NotRequested)?;
    if requests > 0 || status.depositor.is_some() {
        put(
            ext,
            &storage::status_for(hash),
            &RequestStatus { requests, ..status },
        );
        Ok(())
    } else if status.len.is_some() {
        remove(ext, hash, None)
    } else {
        ext.storage_remove(&storage::status_for(hash));
        Ok(())
    }
}

/// Remove the bytes and record of `hash`, returning `depositor`'s deposit.
fn remove(
    ext: &mut dyn Externalities,
    hash: &H256,
    depositor: Option<(AccountId, Balance)>,
) -> Result<(), Error> {
    if let Some((who, deposit)) = depositor {
        // Reserved by this pallet: a shortfall is a broken invariant, reported, not ignored.
        let total = total_deposits(ext)
            .checked_sub(deposit)
            .ok_or(Error::Overflow)?;
        caesar::unreserve(ext, &who, deposit).map_err(|_| Error::Overflow)?;
        put(ext, &storage::total_deposits(), &total);
    }
    ext.storage_remove(&storage::status_for(hash));
    ext.storage_remove(&storage::preimage_for(hash));
    deposit_event(ext, Event::Cleared { hash: *hash });
    Ok(())
}
