//! A minimal runtime for the tests: system, caesar, tokens and the DEX over `MemoryExt`.
use crate::{AssetKind, Call, Event, PALLET_INDEX};
use hm_pallet_caesar as caesar;
use hm_pallet_system::{self as system, Origin};
use hm_pallet_tokens as tokens;
use hm_primitives::{AccountId, Balance, BlockNumber, H256, UNITS};
use hm_support::{DispatchError, MemoryExt, Pallet as _};

pub const ALICE: AccountId = AccountId([1; 32]);
pub const BOB: AccountId = AccountId([2; 32]);
pub const CHARLIE: AccountId = AccountId([3; 32]);
pub const DAVE: AccountId = AccountId([4; 32]);
pub const AUTHOR: AccountId = AccountId([9; 32]);
/// CAES each of the people above starts with.
pub const ENDOWMENT: Balance = 1_000_000 * UNITS;
/// The existential deposit of CAES.
pub const ED: Balance = UNITS / 1_000;
pub const NATIVE: AssetKind = AssetKind::Native;
pub const T0: AssetKind = AssetKind::Token(0);
pub const T1: AssetKind = AssetKind::Token(1);
pub const T2: AssetKind = AssetKind::Token(2);
pub const T3: AssetKind = AssetKind::Token(3);
/// The far future, for deadlines that should not matter.
pub const NEVER: BlockNumber = BlockNumber::MAX;

/// Genesis funding ALICE, BOB, CHARLIE and DAVE in CAES; then block 1 started.
pub fn new_ext() -> MemoryExt {
    let mut ext = MemoryExt::default();
    system::GenesisConfig::default().build(&mut ext).unwrap();
    caesar::GenesisConfig {
        existential_deposit: ED,
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

/// `new_ext` with `count` tokens created by ALICE (minimum balance `min_balance`),
/// `supply` of each minted to every one of ALICE, BOB, CHARLIE and DAVE.
pub fn ext_with_tokens(count: u32, min_balance: Balance, supply: Balance) -> MemoryExt {
    let mut ext = new_ext();
    for _ in 0..count {
        let id = tokens::create(&mut ext, &ALICE, min_balance, 0).unwrap();
        for who in [ALICE, BOB, CHARLIE, DAVE] {
            tokens::mint_into(&mut ext, id, &who, supply).unwrap();
        }
    }
    ext
}

/// Start block `number` (later than the current one).
pub fn run_to_block(ext: &mut MemoryExt, number: BlockNumber) {
    system::on_initialize(ext, number, &H256::ZERO, 0, &AUTHOR);
}

pub fn call(ext: &mut MemoryExt, who: AccountId, call: Call) -> Result<(), DispatchError> {
    crate::dispatch(ext, Origin::Signed(who), call)
        .map(|_| ())
        .map_err(|e| e.error)
}

pub fn root(ext: &mut MemoryExt, call: Call) -> Result<(), DispatchError> {
    crate::dispatch(ext, Origin::Root, call)
        .map(|_| ())
        .map_err(|e| e.error)
}

/// Dispatch a call that must succeed, then check every invariant.
pub fn ok(ext: &mut MemoryExt, who: AccountId, c: Call) {
    assert_eq!(call(ext, who, c.clone()), Ok(()), "{c:?}");
    assert_invariants(ext);
}

/// Dispatch a call that must fail with `expected` and change nothing.
pub fn noop(ext: &mut MemoryExt, who: AccountId, c: Call, expected: impl Into<DispatchError>) {
    let before = ext.state.clone();
    assert_eq!(call(ext, who, c.clone()), Err(expected.into()), "{c:?}");
    assert!(ext.state == before, "a failed call changed state: {c:?}");
}

pub fn events(ext: &MemoryExt) -> Vec<Event> {
    system::pallet_events(ext, PALLET_INDEX)
}

pub fn assert_invariants(ext: &MemoryExt) {
    assert_eq!(crate::Pallet::try_state(ext), Ok(()));
    assert_eq!(tokens::Pallet::try_state(ext), Ok(()));
    assert_eq!(caesar::Pallet::try_state(ext), Ok(()));
}

/// `who`'s balance of `asset` (CAES: free).
pub fn bal(ext: &MemoryExt, asset: AssetKind, who: &AccountId) -> Balance {
    crate::pool::asset_balance(ext, &asset, who)
}

/// Each pool account holds exactly its reserves (plus the ED for CAES): no donations.
pub fn assert_exact_reserves(ext: &MemoryExt) {
    for (a0, a1, pool) in crate::pools(ext, 0, u32::MAX) {
        let account = crate::pool_account(&a0, &a1);
        for (asset, reserve) in [(a0, pool.reserve0), (a1, pool.reserve1)] {
            let extra = if asset == NATIVE { ED } else { 0 };
            assert_eq!(bal(ext, asset, &account), reserve + extra, "{a0:?}/{a1:?}");
        }
    }
}

pub fn create(ext: &mut MemoryExt, a: AssetKind, b: AssetKind) {
    ok(
        ext,
        ALICE,
        Call::CreatePool {
            asset0: a,
            asset1: b,
        },
    );
}

pub fn add(
    ext: &mut MemoryExt,
    who: AccountId,
    a: AssetKind,
    b: AssetKind,
    amount_a: Balance,
    amount_b: Balance,
) {
    ok(
        ext,
        who,
        Call::AddLiquidity {
            asset0: a,
            asset1: b,
            amount0_desired: amount_a,
            amount1_desired: amount_b,
            amount0_min: 0,
            amount1_min: 0,
            mint_to: who,
        },
    );
}

/// A pool of `a` and `b` created by ALICE and funded by her with these amounts.
pub fn pool_with(
    ext: &mut MemoryExt,
    a: AssetKind,
    b: AssetKind,
    amount_a: Balance,
    amount_b: Balance,
) {
    create(ext, a, b);
    add(ext, ALICE, a, b, amount_a, amount_b);
}

pub fn lp_token(ext: &MemoryExt, a: AssetKind, b: AssetKind) -> tokens::TokenId {
    crate::pool(ext, a, b).expect("pool exists").lp_token
}

pub fn swap_in(
    path: &[AssetKind],
    amount_in: Balance,
    amount_out_min: Balance,
    send_to: AccountId,
) -> Call {
    Call::SwapExactIn {
        path: path.to_vec(),
        amount_in,
        amount_out_min,
        send_to,
        deadline: NEVER,
    }
}

pub fn swap_out(
    path: &[AssetKind],
    amount_out: Balance,
    amount_in_max: Balance,
    send_to: AccountId,
) -> Call {
    Call::SwapExactOut {
        path: path.to_vec(),
        amount_out,
        amount_in_max,
        send_to,
        deadline: NEVER,
    }
}
