//! A minimal runtime for the tests: system, caesar, preimage and the scheduler over
//! `MemoryExt`, with a tiny call enum ([`TestCall`]) standing in for the runtime's `Call`.
use crate::{
    cancel_named_task, schedule_named_task, BoundedCall, Call, Config, Event, Pallet,
    ScheduledOrigin, Task, TaskName, PALLET, PALLET_INDEX,
};
use hm_pallet_caesar as caesar;
use hm_pallet_preimage as preimage;
use hm_pallet_system::{self as system, Origin};
use hm_primitives::{storage_key::value_key, AccountId, Balance, BlockNumber, H256, UNITS};
use hm_support::{
    get, iter_prefix, put, DispatchError, DispatchResultWithPostInfo, EncodedCalls, Externalities,
    MemoryExt, Pallet as _, PostDispatchInfo, Weight,
};
use parity_scale_codec::{Decode, DecodeAll, Encode};
use std::collections::BTreeMap;

pub const ALICE: AccountId = AccountId([1; 32]);
pub const BOB: AccountId = AccountId([2; 32]);
pub const AUTHOR: AccountId = AccountId([9; 32]);
pub const ENDOWMENT: Balance = 1_000 * UNITS;
/// Weight of every test call but `Heavy`.
pub const LIGHT: Weight = 10_000_000;
/// The error `Fail` returns.
pub const TEST_FAILURE: DispatchError = DispatchError {
    pallet: 99,
    error: 1,
    message: "test failure",
};

/// The runtime's calls, in miniature.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub enum TestCall {
    /// Logs a run: `(tag, block, signer)`.
    Remark(u32),
    /// Logs a run, then fails: the log entry must roll back.
    Fail(u32),
    /// A `Remark` declaring the given weight.
    Heavy(u32, Weight),
    /// Cancels the task of that name.
    CancelNamed(TaskName),
    /// Schedules `Remark(tag)` under the name at the block.
    ScheduleNamed(TaskName, BlockNumber, u32),
}

impl TestCall {
    pub fn weight(&self) -> Weight {
        match self {
            TestCall::Heavy(_, weight) => *weight,
            _ => LIGHT,
        }
    }
    pub fn inline(&self) -> BoundedCall {
        BoundedCall::Inline(self.encode())
    }
}

/// One run of a test call: its tag, the block, and the signer (`None`: root).
pub type Run = (u32, BlockNumber, Option<AccountId>);

const RUNS_KEY: &[u8] = b"test/runs";

pub fn runs(ext: &dyn Externalities) -> Vec<Run> {
    get(ext, RUNS_KEY).unwrap_or_default()
}

/// The tags run so far, in order.
pub fn tags(ext: &dyn Externalities) -> Vec<u32> {
    runs(ext).into_iter().map(|(tag, _, _)| tag).collect()
}

fn log_run(ext: &mut dyn Externalities, tag: u32, origin: Origin) {
    let signer = match origin {
        Origin::Root => None,
        Origin::Signed(who) => Some(who),
    };
    let mut log = runs(ext);
    log.push((tag, system::block_number(ext), signer));
    put(ext, RUNS_KEY, &log);
}

pub struct TestCalls;

impl EncodedCalls for TestCalls {
    fn weigh(&self, call: &[u8]) -> Option<Weight> {
        TestCall::decode_all(&mut &call[..])
            .ok()
            .map(|c| c.weight())
    }

    fn dispatch(
        &self,
        ext: &mut dyn Externalities,
        origin: Origin,
        call: &[u8],
    ) -> DispatchResultWithPostInfo {
        let call = TestCall::decode_all(&mut &call[..]).map_err(|_| TEST_FAILURE)?;
        let done = |r: Result<(), crate::Error>| {
            r.map(|()| PostDispatchInfo::default()).map_err(Into::into)
        };
        match call {
            TestCall::Remark(tag) | TestCall::Heavy(tag, _) => {
                log_run(ext, tag, origin);
                Ok(PostDispatchInfo::default())
            }
            TestCall::Fail(tag) => {
                log_run(ext, tag, origin);
                Err(TEST_FAILURE.into())
            }
            TestCall::CancelNamed(id) => done(cancel_named_task(ext, &id).map(drop)),
            TestCall::ScheduleNamed(id, when, tag) => {
                let call = TestCall::Remark(tag).inline();
                done(schedule_named_task(ext, id, when, ScheduledOrigin::Root, call).map(drop))
            }
        }
    }
}

static TEST_CALLS: TestCalls = TestCalls;

pub struct TestConfig;

impl Config for TestConfig {
    fn calls() -> Option<&'static dyn EncodedCalls> {
        Some(&TEST_CALLS)
    }
}

pub type Scheduler = Pallet<TestConfig>;

/// Genesis funding ALICE and BOB; then block 1 started.
pub fn new_ext() -> MemoryExt {
    let mut ext = MemoryExt::default();
    system::GenesisConfig::default().build(&mut ext).unwrap();
    caesar::GenesisConfig {
        existential_deposit: UNITS / 1_000,
        balances: vec![(ALICE, ENDOWMENT), (BOB, ENDOWMENT)],
    }
    .build(&mut ext)
    .unwrap();
    system::on_initialize(&mut ext, 1, &H256::ZERO, 0, &AUTHOR);
    Scheduler::on_initialize(&mut ext, 1);
    ext
}

/// Start the next block (System's bookkeeping, then the scheduler's servicing) and
/// check every invariant; the scheduler's weight.
pub fn next_block(ext: &mut MemoryExt) -> Weight {
    next_block_with::<TestConfig>(ext)
}

pub fn next_block_with<C: Config>(ext: &mut MemoryExt) -> Weight {
    let n = system::block_number(ext) + 1;
    system::on_initialize(ext, n, &H256::ZERO, 0, &AUTHOR);
    let weight = Pallet::<C>::on_initialize(ext, n);
    assert_invariants(ext);
    weight
}

pub fn run_to(ext: &mut MemoryExt, n: BlockNumber) {
    while system::block_number(ext) < n {
        next_block(ext);
    }
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
    assert_eq!(call(ext, origin, c.clone()), Err(expected.into()), "{c:?}");
    assert!(ext.state == before, "a failed call changed state: {c:?}");
}

pub fn events(ext: &MemoryExt) -> Vec<Event> {
    system::pallet_events(ext, PALLET_INDEX)
}

/// Every pallet's `try_state`, and: each preimage has at least as many requests as
/// tasks that look it up (true unless root withdraws the scheduler's requests).
pub fn assert_invariants(ext: &MemoryExt) {
    assert_eq!(Scheduler::try_state(ext), Ok(()));
    assert_eq!(preimage::Pallet::try_state(ext), Ok(()));
    assert_eq!(caesar::Pallet::try_state(ext), Ok(()));
    let mut lookups: BTreeMap<H256, u32> = BTreeMap::new();
    for (_, raw) in iter_prefix(ext, &value_key(PALLET, b"Agenda")) {
        let agenda = Vec::<Option<Task>>::decode(&mut &raw[..]).unwrap();
        for task in agenda.into_iter().flatten() {
            if let Some(hash) = task.call.lookup_hash() {
                *lookups.entry(hash).or_default() += 1;
            }
        }
    }
    for (hash, count) in lookups {
        let requests = preimage::status(ext, &hash).map_or(0, |s| s.requests);
        assert!(requests >= count, "a looked-up preimage is not requested");
    }
}
