//! A minimal runtime for the tests: system, caesar and preimage over `MemoryExt`.
use crate::{Call, Event, Pallet, PALLET_INDEX};
use hm_pallet_caesar as caesar;
use hm_pallet_system::{self as system, Origin};
use hm_primitives::{AccountId, Balance, H256, UNITS};
use hm_support::{DispatchError, MemoryExt, Pallet as _};

pub const ALICE: AccountId = AccountId([1; 32]);
pub const BOB: AccountId = AccountId([2; 32]);
pub const CHARLIE: AccountId = AccountId([3; 32]);
/// Has no CAES: cannot pay a deposit.
pub const PAUPER: AccountId = AccountId([7; 32]);
pub const AUTHOR: AccountId = AccountId([9; 32]);
/// CAES each of ALICE, BOB and CHARLIE starts with.
pub const ENDOWMENT: Balance = 1_000 * UNITS;

/// Genesis funding ALICE, BOB and CHARLIE; then block 1 started.
pub fn new_ext() -> MemoryExt {
    let mut ext = MemoryExt::default();
    system::GenesisConfig::default().build(&mut ext).unwrap();
    caesar::GenesisConfig {
        existential_deposit: UNITS / 1_000,
        balances: [ALICE, BOB, CHARLIE]
            .iter()
            .map(|who| (*who, ENDOWMENT))
            .collect(),
    }
    .build(&mut ext)
    .unwrap();
    system::on_initialize(&mut ext, 1, &H256::ZERO, 0, &AUTHOR);
    ext
}

pub fn call(ext: &mut MemoryExt, origin: Origin, call: Call) -> Result<(), DispatchError> {
    crate::dispatch(ext, origin, call)
}

/// Dispatch a call that must succeed, then check every invariant.
pub fn ok(ext: &mut MemoryExt, origin: Origin, c: Call) {
    assert_eq!(call(ext, origin, c.clone()), Ok(()), "{c:?}");
    assert_invariants(ext);
}

/// Dispatch a call that must fail with `expected` and change nothing.
pub fn noop(ext: &mut MemoryExt, origin: Origin, c: Call, expected: impl Into<DispatchError>) {
    let before = ext.state.clone();
    let shown = format!("{c:?}");
    assert_eq!(call(ext, origin, c), Err(expected.into()), "{shown:.200}");
    assert!(
        ext.state == before,
        "a failed call changed state: {shown:.200}"
    );
}

pub fn events(ext: &MemoryExt) -> Vec<Event> {
    system::pallet_events(ext, PALLET_INDEX)
}

pub fn assert_invariants(ext: &MemoryExt) {
    assert_eq!(Pallet::try_state(ext), Ok(()));
    assert_eq!(caesar::Pallet::try_state(ext), Ok(()));
}

pub fn signed(who: AccountId) -> Origin {
    Origin::Signed(who)
}
