use crate::{mock::*, *};
use hm_pallet_caesar as caesar;
use hm_pallet_system::{self as system, Origin};
use hm_primitives::blake3_256;
use hm_support::{MemoryExt, Pallet as _};

const BYTES: &[u8] = b"a call worth remembering";

fn note_call(bytes: &[u8]) -> Call {
    Call::NotePreimage {
        bytes: bytes.to_vec(),
    }
}

fn hash_of(bytes: &[u8]) -> H256 {
    blake3_256(bytes)
}

fn reserved(ext: &MemoryExt, who: &AccountId) -> Balance {
    caesar::reserved_balance(ext, who)
}

fn deposit(len: usize) -> Balance {
    BASE_DEPOSIT + PER_BYTE_DEPOSIT * len as Balance
}

#[test]
fn note_reserves_the_deposit_and_unnote_returns_it_exactly() {
    let mut ext = new_ext();
    let hash = hash_of(BYTES);
    ok(&mut ext, signed(ALICE), note_call(BYTES));
    let d = deposit(BYTES.len());
    assert_eq!(reserved(&ext, &ALICE), d);
    assert_eq!(caesar::free_balance(&ext, &ALICE), ENDOWMENT - d);
    assert_eq!(total_deposits(&ext), d);
    assert_eq!(preimage(&ext, &hash).as_deref(), Some(BYTES));
    assert_eq!(len(&ext, &hash), Some(BYTES.len() as u32));
    assert!(is_available(&ext, &hash) && !is_requested(&ext, &hash));
    assert_eq!(
        status(&ext, &hash),
        Some(RequestStatus {
            depositor: Some((ALICE, d)),
            len: Some(BYTES.len() as u32),
            requests: 0
        })
    );
    assert_eq!(events(&ext), vec![Event::Noted { hash }]);

    ok(&mut ext, signed(ALICE), Call::UnnotePreimage { hash });
    assert_eq!(reserved(&ext, &ALICE), 0);
    assert_eq!(caesar::free_balance(&ext, &ALICE), ENDOWMENT);
    assert_eq!(total_deposits(&ext), 0);
    assert_eq!((preimage(&ext, &hash), status(&ext, &hash)), (None, None));
    assert_eq!(events(&ext).last(), Some(&Event::Cleared { hash }));
}

#[test]
fn the_largest_preimage_is_accepted_and_one_byte_more_is_too_big() {
    let mut ext = new_ext();
    let max = vec![7u8; MAX_PREIMAGE_BYTES as usize];
    ok(&mut ext, signed(ALICE), note_call(&max));
    assert_eq!(reserved(&ext, &ALICE), deposit(max.len()));
    let over = vec![7u8; MAX_PREIMAGE_BYTES as usize + 1];
    noop(&mut ext, signed(BOB), note_call(&over), Error::TooBig);
}

#[test]
fn hostile_notes_are_refused_and_change_nothing() {
    let mut ext = new_ext();
    noop(&mut ext, signed(ALICE), note_call(&[]), Error::Empty);
    noop(
        &mut ext,
        signed(PAUPER),
        note_call(BYTES),
        Error::CannotPayDeposit,
    );
    noop(
        &mut ext,
        Origin::Root,
        note_call(BYTES),
        system::Error::BadOrigin,
    );
    ok(&mut ext, signed(ALICE), note_call(BYTES));
    noop(
        &mut ext,
        signed(ALICE),
        note_call(BYTES),
        Error::AlreadyNoted,
    );
    noop(&mut ext, signed(BOB), note_call(BYTES), Error::AlreadyNoted);
}

#[test]
fn hostile_unnotes_and_requests_are_refused_and_change_nothing() {
    let mut ext = new_ext();
    let hash = hash_of(BYTES);
    let unnote = Call::UnnotePreimage { hash };
    noop(&mut ext, signed(ALICE), unnote.clone(), Error::NotNoted);
    noop(&mut ext, Origin::Root, unnote.clone(), Error::NotNoted);
    ok(&mut ext, signed(ALICE), note_call(BYTES));
    noop(&mut ext, signed(BOB), unnote.clone(), Error::NotAuthorized);
    let request = Call::RequestPreimage { hash };
    let unrequest = Call::UnrequestPreimage { hash };
    noop(
        &mut ext,
        signed(ALICE),
        request.clone(),
        system::Error::BadOrigin,
    );
    noop(
        &mut ext,
        Origin::Root,
        unrequest.clone(),
        Error::NotRequested,
    );
    ok(&mut ext, Origin::Root, request);
    noop(&mut ext, signed(ALICE), unnote.clone(), Error::Requested);
    noop(&mut ext, Origin::Root, unnote, Error::Requested);
    noop(
        &mut ext,
        signed(ALICE),
        unrequest.clone(),
        system::Error::BadOrigin,
    );
    // A request of bytes nobody noted: still not noted, so not unnotable.
    let other = hash_of(b"other");
    ok(
        &mut ext,
        Origin::Root,
        Call::RequestPreimage { hash: other },
    );
    noop(
        &mut ext,
        Origin::Root,
        Call::UnnotePreimage { hash: other },
        Error::NotNoted,
    );
}

#[test]
fn a_requested_preimage_is_noted_for_free_and_cleared_at_its_last_unrequest() {
    let mut ext = new_ext();
    let hash = hash_of(BYTES);
    ok(&mut ext, Origin::Root, Call::RequestPreimage { hash });
    ok(&mut ext, Origin::Root, Call::RequestPreimage { hash });
    assert!(is_requested(&ext, &hash) && !is_available(&ext, &hash));
    ok(&mut ext, signed(BOB), note_call(BYTES));
    assert_eq!((reserved(&ext, &BOB), total_deposits(&ext)), (0, 0));
    assert_eq!(
        events(&ext),
        vec![Event::Requested { hash }, Event::Noted { hash }],
        "Requested at the first request only"
    );
    ok(&mut ext, Origin::Root, Call::UnrequestPreimage { hash });
    assert!(is_available(&ext, &hash), "one request stands");
    ok(&mut ext, Origin::Root, Call::UnrequestPreimage { hash });
    assert_eq!((preimage(&ext, &hash), status(&ext, &hash)), (None, None));
    assert_eq!(events(&ext).last(), Some(&Event::Cleared { hash }));
}

#[test]
fn a_request_never_noted_leaves_nothing_when_withdrawn() {
    let mut ext = new_ext();
    let hash = hash_of(BYTES);
    request(&mut ext, &hash).unwrap();
    unrequest(&mut ext, &hash).unwrap();
    assert_eq!(status(&ext, &hash), None);
    assert_eq!(events(&ext), vec![Event::Requested { hash }]);
    assert_invariants(&ext);
}

#[test]
fn a_paid_preimage_outlives_its_requests_until_the_depositor_unnotes_it() {
    let mut ext = new_ext();
    let hash = hash_of(BYTES);
    let d = deposit(BYTES.len());
    ok(&mut ext, signed(ALICE), note_call(BYTES));
    // Another pallet (a scheduled task) uses the call, then lets it go.
    request(&mut ext, &hash).unwrap();
    assert_invariants(&ext);
    assert_eq!(
        reserved(&ext, &ALICE),
        d,
        "the deposit stays while requested"
    );
    unrequest(&mut ext, &hash).unwrap();
    assert_invariants(&ext);
    assert_eq!(preimage(&ext, &hash).as_deref(), Some(BYTES));
    assert_eq!(reserved(&ext, &ALICE), d);
    ok(&mut ext, signed(ALICE), Call::UnnotePreimage { hash });
    assert_eq!(reserved(&ext, &ALICE), 0);
    assert_eq!(caesar::free_balance(&ext, &ALICE), ENDOWMENT);
}

#[test]
fn root_unnotes_anyones_preimage_returning_the_deposit_to_its_depositor() {
    let mut ext = new_ext();
    let hash = hash_of(BYTES);
    ok(&mut ext, signed(CHARLIE), note_call(BYTES));
    ok(&mut ext, Origin::Root, Call::UnnotePreimage { hash });
    assert_eq!(reserved(&ext, &CHARLIE), 0);
    assert_eq!(caesar::free_balance(&ext, &CHARLIE), ENDOWMENT);
}

#[test]
fn weights_grow_with_the_length_and_never_overflow() {
    use crate::calls::note_weight;
    assert_eq!(note_weight(0), weights::NOTE_PREIMAGE_MIN);
    assert_eq!(
        note_weight(MAX_PREIMAGE_BYTES as usize),
        weights::NOTE_PREIMAGE_MAX
    );
    assert!(note_weight(1_000) < note_weight(1_000_000));
    assert!(note_weight(usize::MAX) >= weights::NOTE_PREIMAGE_MAX);
    assert_eq!(
        note_call(BYTES).weight(),
        note_weight(BYTES.len()),
        "the call's weight is its length's"
    );
}

#[test]
fn try_state_catches_broken_records() {
    let mut ext = new_ext();
    let hash = hash_of(BYTES);
    ok(&mut ext, signed(ALICE), note_call(BYTES));
    let broken = |f: &dyn Fn(&mut MemoryExt)| {
        let mut e = ext.clone();
        f(&mut e);
        Pallet::try_state(&e)
    };
    assert!(broken(&|e| hm_support::put(e, &storage::total_deposits(), &1u128)).is_err());
    assert!(broken(&|e| e.storage_set(&storage::preimage_for(&hash), b"x")).is_err());
    assert!(broken(&|e| e.storage_remove(&storage::preimage_for(&hash))).is_err());
    assert!(broken(&|e| e.storage_remove(&storage::status_for(&hash))).is_err());
    assert!(broken(&|e| {
        let _ = caesar::unreserve(e, &ALICE, 1);
    })
    .is_err());
}

#[test]
fn pallet_metadata_lists_its_storage_and_constants() {
    assert_eq!(Pallet::storage_metadata().len(), 3);
    assert_eq!(Pallet::constants_metadata().len(), 3);
    assert_eq!(<Pallet as hm_support::Pallet>::INDEX, 6);
}
