//! A minimal runtime for the tests: system, caesar and conviction voting over
//! `MemoryExt`, with polls whose status the tests set directly ([`TestPolls`]).
use crate::{
    AccountVote, Call, Config, Conviction, Event, Pallet, PollIndex, PollStatus, Vote, LOCK_ID,
    PALLET_INDEX,
};
use hm_pallet_caesar as caesar;
use hm_pallet_system::{self as system, Origin};
use hm_primitives::{AccountId, Balance, BlockNumber, H256, UNITS};
use hm_support::{get, put, DispatchError, Externalities, MemoryExt, Pallet as _};
use std::collections::BTreeMap;

pub const ALICE: AccountId = AccountId([1; 32]);
pub const BOB: AccountId = AccountId([2; 32]);
pub const CHARLIE: AccountId = AccountId([3; 32]);
pub const DAVE: AccountId = AccountId([4; 32]);
pub const AUTHOR: AccountId = AccountId([9; 32]);
pub const PEOPLE: [AccountId; 4] = [ALICE, BOB, CHARLIE, DAVE];
/// CAES each of `PEOPLE` starts with.
pub const ENDOWMENT: Balance = 1_000 * UNITS;

const POLLS_KEY: &[u8] = b"test/polls";

/// Polls as the tests set them.
pub struct TestPolls;

impl Config for TestPolls {
    fn poll_status(ext: &dyn Externalities, poll: PollIndex) -> Option<PollStatus> {
        polls(ext).get(&poll).copied()
    }
}

pub type ConvictionVoting = Pallet<TestPolls>;

pub fn polls(ext: &dyn Externalities) -> BTreeMap<PollIndex, PollStatus> {
    get(ext, POLLS_KEY).unwrap_or_default()
}

pub fn set_poll(ext: &mut MemoryExt, poll: PollIndex, status: Option<PollStatus>) {
    let mut all = polls(ext);
    match status {
        Some(s) => all.insert(poll, s),
        None => all.remove(&poll),
    };
    put(ext, POLLS_KEY, &all);
}

/// Open `poll` in `class`.
pub fn open(ext: &mut MemoryExt, poll: PollIndex, class: u16) {
    set_poll(ext, poll, Some(PollStatus::Ongoing { class }));
}

/// End `poll` now with `approved`.
pub fn end(ext: &mut MemoryExt, poll: PollIndex, approved: bool) {
    let ended_at = system::block_number(ext);
    set_poll(
        ext,
        poll,
        Some(PollStatus::Completed { ended_at, approved }),
    );
}

/// Genesis funding `PEOPLE`; then block 1 started.
pub fn new_ext() -> MemoryExt {
    let mut ext = MemoryExt::default();
    system::GenesisConfig::default().build(&mut ext).unwrap();
    caesar::GenesisConfig {
        existential_deposit: UNITS / 1_000,
        balances: PEOPLE.iter().map(|who| (*who, ENDOWMENT)).collect(),
    }
    .build(&mut ext)
    .unwrap();
    system::on_initialize(&mut ext, 1, &H256::ZERO, 0, &AUTHOR);
    ext
}

/// Start block `n` (System's bookkeeping only; the pallet has no hooks).
pub fn run_to(ext: &mut MemoryExt, n: BlockNumber) {
    system::on_initialize(ext, n, &H256::ZERO, 0, &AUTHOR);
    assert_invariants(ext);
}

pub fn call(ext: &mut MemoryExt, origin: Origin, call: Call) -> Result<(), DispatchError> {
    crate::dispatch::<TestPolls>(ext, origin, call)
}

/// Dispatch a call that must succeed, then check every invariant.
pub fn ok(ext: &mut MemoryExt, origin: Origin, c: Call) {
    assert_eq!(call(ext, origin, c.clone()), Ok(()), "{c:?}");
    assert_invariants(ext);
}

/// Dispatch a call that must fail with `expected` and change nothing.
pub fn noop(ext: &mut MemoryExt, origin: Origin, c: Call, expected: impl Into<DispatchError>) {
    let before = ext.state.clone();
    assert_eq!(call(ext, origin, c.clone()), Err(expected.into()), "{c:?}");
    assert!(ext.state == before, "a failed call changed state: {c:?}");
}

pub fn events(ext: &MemoryExt) -> Vec<Event> {
    system::pallet_events(ext, PALLET_INDEX)
}

pub fn assert_invariants(ext: &MemoryExt) {
    assert_eq!(ConvictionVoting::try_state(ext), Ok(()));
    assert_eq!(caesar::Pallet::try_state(ext), Ok(()));
}

pub fn signed(who: AccountId) -> Origin {
    Origin::Signed(who)
}

/// The amount of `who`'s Caesar voting lock (0 without one).
pub fn voting_lock(ext: &MemoryExt, who: &AccountId) -> Balance {
    caesar::locks(ext, who)
        .iter()
        .find(|l| l.id == LOCK_ID)
        .map_or(0, |l| l.amount)
}

pub fn standard(aye: bool, conviction: Conviction, balance: Balance) -> AccountVote {
    AccountVote::Standard {
        vote: Vote { aye, conviction },
        balance,
    }
}

pub fn vote_call(poll: PollIndex, vote: AccountVote) -> Call {
    Call::Vote { poll, vote }
}

pub fn transfer(
    ext: &mut MemoryExt,
    from: AccountId,
    to: AccountId,
    value: Balance,
) -> Result<(), DispatchError> {
    caesar::dispatch(
        ext,
        signed(from),
        caesar::Call::Transfer { dest: to, value },
    )
}
