//! A minimal runtime for the tests: system, caesar and tokens over `MemoryExt`.
use crate::{Call, Event, PALLET_INDEX};
use hm_pallet_caesar as caesar;
use hm_pallet_system::{self as system, Origin};
use hm_primitives::{AccountId, Balance, H256, UNITS};
use hm_support::{DispatchError, MemoryExt, Pallet as _};

pub const ALICE: AccountId = AccountId([1; 32]);
pub const BOB: AccountId = AccountId([2; 32]);
pub const CHARLIE: AccountId = AccountId([3; 32]);
pub const DAVE: AccountId = AccountId([4; 32]);
pub const AUTHOR: AccountId = AccountId([9; 32]);
/// CAES each of the people above starts with.
pub const ENDOWMENT: Balance = 1_000 * UNITS;
/// Minimum balance of the tokens the tests create.
pub const MIN: Balance = 10;

/// Genesis funding ALICE, BOB, CHARLIE and DAVE in CAES; then block 1 started.
pub fn new_ext() -> MemoryExt {
    let mut ext = MemoryExt::default();
    system::GenesisConfig::default().build(&mut ext).unwrap();
    caesar::GenesisConfig {
        existential_deposit: UNITS / 1_000,
        balances: [ALICE, BOB, CHARLIE, DAVE]
            .iter()
            .map(|who| (*who, ENDOWMENT))
            .collect(),
    }
    .build(&mut ext)
    .unwrap();
    system::on_initialize(&mut ext, 1, &H256::ZERO, 0, &AUTHOR);
    ext
}

/// `new_ext` with token 0 created by ALICE (minimum balance [`MIN`]) and `mints` minted.
pub fn ext_with_token(mints: &[(AccountId, Balance)]) -> MemoryExt {
    let mut ext = new_ext();
    ok(&mut ext, ALICE, Call::Create { min_balance: MIN });
    for (who, amount) in mints {
        ok(
            &mut ext,
            ALICE,
            Call::Mint {
                token: 0,
                beneficiary: *who,
                amount: *amount,
            },
        );
    }
    ext
}

pub fn call(ext: &mut MemoryExt, who: AccountId, call: Call) -> Result<(), DispatchError> {
    crate::dispatch(ext, Origin::Signed(who), call)
        .map(|_| ())
        .map_err(|e| e.error)
}

/// Dispatch a call that must succeed, then check every invariant.
pub fn ok(ext: &mut MemoryExt, who: AccountId, c: Call) {
    assert_eq!(call(ext, who, c.clone()), Ok(()), "{c:?}");
    assert_invariants(ext);
}

/// Dispatch a call that must fail with `expected` and change nothing.
pub fn noop(ext: &mut MemoryExt, who: AccountId, c: Call, expected: crate::Error) {
    let before = ext.state.clone();
    assert_eq!(call(ext, who, c.clone()), Err(expected.into()), "{c:?}");
    assert!(ext.state == before, "a failed call changed state: {c:?}");
}

pub fn events(ext: &MemoryExt) -> Vec<Event> {
    system::pallet_events(ext, PALLET_INDEX)
}

pub fn assert_invariants(ext: &MemoryExt) {
    assert_eq!(crate::Pallet::try_state(ext), Ok(()));
    assert_eq!(caesar::Pallet::try_state(ext), Ok(()));
}
