//! A minimal runtime for the tests: system, caesar, preimage, the scheduler (only its
//! agendas: nothing is enacted) and referenda over `MemoryExt`, with short tracks.
//! Tallies are written straight into conviction voting's `TallyOf`.
use crate::*;
use hm_pallet_caesar as caesar;
use hm_pallet_conviction_voting::{self as cv, Tally};
use hm_pallet_preimage as preimage;
use hm_pallet_scheduler as scheduler;
use hm_pallet_system::Origin;
use hm_primitives::H256;
use hm_support::{
    DispatchError, DispatchResultWithPostInfo, EncodedCalls, MemoryExt, Pallet as _,
    PostDispatchInfo, Weight,
};

pub const ALICE: AccountId = AccountId([1; 32]);
pub const BOB: AccountId = AccountId([2; 32]);
pub const CHARLIE: AccountId = AccountId([3; 32]);
/// Holds less than any deposit.
pub const POOR: AccountId = AccountId([4; 32]);
pub const AUTHOR: AccountId = AccountId([9; 32]);
pub const ENDOWMENT: Balance = 10_000 * UNITS;
pub const ROOT_DEPOSIT: Balance = 100 * UNITS;
pub const CANCELLER_DEPOSIT: Balance = 10 * UNITS;

pub const PREPARE: BlockNumber = 4;
pub const DECISION: BlockNumber = 20;
pub const CONFIRM: BlockNumber = 4;
pub const MIN_ENACTMENT: BlockNumber = 3;
pub const TIMEOUT: BlockNumber = 30;

const fn track(id: TrackId, name: &'static str, max_deciding: u32, deposit: Balance) -> Track {
    Track {
        id,
        name,
        max_deciding,
        decision_deposit: deposit,
        prepare_period: PREPARE,
        decision_period: DECISION,
        confirm_period: CONFIRM,
        min_enactment_period: MIN_ENACTMENT,
        min_approval: Curve::LinearDecreasing {
            begin: BILLION,
            end: BILLION / 2,
            length: BILLION,
        },
        min_support: Curve::LinearDecreasing {
            begin: BILLION / 2,
            end: BILLION / 20,
            length: BILLION,
        },
    }
}

pub const TEST_TRACKS: &[Track] = &[
    track(0, "root", 1, ROOT_DEPOSIT),
    track(2, "canceller", 100, CANCELLER_DEPOSIT),
];

pub struct Test;

impl Config for Test {
    fn tracks() -> &'static [Track] {
        TEST_TRACKS
    }
    fn undeciding_timeout() -> BlockNumber {
        TIMEOUT
    }
    fn check_interval() -> BlockNumber {
        1
    }
}

pub type Referenda = Pallet<Test>;

const ENACTED_KEY: &[u8] = b"test/enacted";

/// The runtime's calls, in miniature: every call weighs little and is logged with
/// whether it ran as root.
pub struct TestCalls;

impl EncodedCalls for TestCalls {
    fn weigh(&self, _call: &[u8]) -> Option<Weight> {
        Some(1_000_000)
    }
    fn dispatch(
        &self,
        ext: &mut dyn Externalities,
        origin: Origin,
        call: &[u8],
    ) -> DispatchResultWithPostInfo {
        let mut log = enacted(ext);
        log.push((
            call.to_vec(),
            origin == Origin::Root,
            system::block_number(ext),
        ));
        hm_support::put(ext, ENACTED_KEY, &log);
        Ok(PostDispatchInfo::default())
    }
}

static TEST_CALLS: TestCalls = TestCalls;

impl scheduler::Config for Test {
    fn calls() -> Option<&'static dyn EncodedCalls> {
        Some(&TEST_CALLS)
    }
}

/// Calls the scheduler ran: `(bytes, as root, block)`.
pub fn enacted(ext: &dyn Externalities) -> Vec<(Vec<u8>, bool, BlockNumber)> {
    hm_support::get(ext, ENACTED_KEY).unwrap_or_default()
}

/// Genesis funding ALICE, BOB and CHARLIE (POOR gets 1 CAES); then block 1 started.
pub fn new_ext() -> MemoryExt {
    let mut ext = MemoryExt::default();
    system::GenesisConfig::default().build(&mut ext).unwrap();
    caesar::GenesisConfig {
        existential_deposit: UNITS / 1_000,
        balances: vec![
            (ALICE, ENDOWMENT),
            (BOB, ENDOWMENT),
            (CHARLIE, ENDOWMENT),
            (POOR, UNITS),
        ],
    }
    .build(&mut ext)
    .unwrap();
    system::on_initialize(&mut ext, 1, &H256::ZERO, 0, &AUTHOR);
    Referenda::on_initialize(&mut ext, 1);
    ext
}

pub fn next_block(ext: &mut MemoryExt) -> Weight {
    let n = system::block_number(ext) + 1;
    system::on_initialize(ext, n, &H256::ZERO, 0, &AUTHOR);
    let weight = Referenda::on_initialize(ext, n);
    scheduler::Pallet::<Test>::on_initialize(ext, n);
    assert_invariants(ext);
    weight
}

pub fn run_to(ext: &mut MemoryExt, n: BlockNumber) {
    while system::block_number(ext) < n {
        next_block(ext);
    }
}

pub fn now(ext: &MemoryExt) -> BlockNumber {
    system::block_number(ext)
}

pub fn call(ext: &mut MemoryExt, origin: Origin, call: Call) -> Result<(), DispatchError> {
    crate::dispatch::<Test>(ext, origin, call)
}

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
    assert_eq!(Referenda::try_state(ext), Ok(()));
    assert_eq!(caesar::Pallet::try_state(ext), Ok(()));
    assert_eq!(preimage::Pallet::try_state(ext), Ok(()));
    assert_eq!(scheduler::Pallet::<Test>::try_state(ext), Ok(()));
}

pub fn signed(who: AccountId) -> Origin {
    Origin::Signed(who)
}

/// A small inline call.
pub fn remark(tag: u8) -> BoundedCall {
    BoundedCall::Inline(vec![tag; 4])
}

pub fn submit_on(ext: &mut MemoryExt, who: AccountId, track: TrackId) -> ReferendumIndex {
    let index = referendum_count(ext);
    ok(
        ext,
        signed(who),
        Call::Submit {
            track,
            proposal: remark(index as u8),
            enactment_after: 0,
        },
    );
    index
}

pub fn deposit(ext: &mut MemoryExt, who: AccountId, index: ReferendumIndex) {
    ok(ext, signed(who), Call::PlaceDecisionDeposit { index });
}

pub fn set_tally(ext: &mut MemoryExt, index: ReferendumIndex, tally: Tally) {
    hm_support::put(ext, &cv::storage::tally_of(index), &tally);
}

/// Every CAES votes aye.
pub fn passing(ext: &mut MemoryExt, index: ReferendumIndex) {
    let all = caesar::total_issuance(ext);
    set_tally(
        ext,
        index,
        Tally {
            ayes: all,
            nays: 0,
            support: all,
        },
    );
}

pub fn status(ext: &MemoryExt, index: ReferendumIndex) -> ReferendumStatus {
    match referendum_info(ext, index) {
        Some(ReferendumInfo::Ongoing(s)) => s,
        other => panic!("not ongoing: {other:?}"),
    }
}
