//! A minimal runtime for the tests: system + caesar + staking over `MemoryExt`.
use crate::*;
use hm_pallet_caesar::AccountData;
use hm_primitives::account::FALCON_PUBLIC_KEY_BYTES;
use hm_support::MemoryExt;

pub const ALICE: AccountId = AccountId([1; 32]);
pub const BOB: AccountId = AccountId([2; 32]);
pub const CHARLIE: AccountId = AccountId([3; 32]);
pub const DAVE: AccountId = AccountId([4; 32]);
pub const EVE: AccountId = AccountId([5; 32]);
pub const FERDIE: AccountId = AccountId([6; 32]);
pub const GRACE: AccountId = AccountId([7; 32]);
pub const HEIDI: AccountId = AccountId([8; 32]);
/// Every account a test touches, for the invariant checks.
pub const PEOPLE: [AccountId; 8] = [ALICE, BOB, CHARLIE, DAVE, EVE, FERDIE, GRACE, HEIDI];

pub const CAES: Balance = UNITS;
pub const ED: Balance = UNITS / 1_000;
pub const EPOCH: BlockNumber = 4;
pub const UNBONDING: u32 = 2;
pub const MIN_BOND: Balance = 100 * CAES;
pub const MAX_VALIDATORS: u32 = 3;
pub const REWARD: Balance = CAES;
pub const MIN_K: u8 = 12;
/// Genesis balance of every account in `PEOPLE`.
pub const FUNDS: Balance = 10_000 * CAES;

/// A distinct fake consensus key; `MemoryExt` accepts the signature `b"valid"` for any key.
pub fn key(tag: u8) -> FalconPublicKey {
    FalconPublicKey::from_bytes(&[tag; FALCON_PUBLIC_KEY_BYTES]).expect("1793 bytes")
}

pub fn key_id(tag: u8) -> AccountId {
    key(tag).account_id()
}

pub fn plot(tag: u8) -> PlotCommitment {
    PlotCommitment {
        root: H256([tag; 32]),
        k: MIN_K,
        seed: H256([tag.wrapping_add(100); 32]),
    }
}

/// The local-testnet proof parameters with plots of `2^k` leaves.
pub fn proof_params_k(k: u8) -> ProofParams {
    ProofParams {
        plot_k: k,
        ..ProofParams::LOCAL_TESTNET
    }
}

pub fn valid_proof() -> FalconSignature {
    FalconSignature(b"valid".to_vec())
}

pub fn validate_call(tag: u8) -> Call {
    Call::Validate {
        consensus_key: key(tag),
        plot: plot(tag),
        proof: valid_proof(),
    }
}

/// A genesis validator bonding `bond` from `stash` with key and plot `tag`.
pub fn genesis_validator(stash: AccountId, bond: Balance, tag: u8) -> GenesisValidator {
    GenesisValidator {
        stash,
        bond,
        consensus_key: alloc::format!("0x{}", hex::encode(key(tag).as_bytes())),
        plot: plot(tag),
    }
}

pub fn test_genesis(validators: Vec<GenesisValidator>) -> GenesisConfig {
    GenesisConfig {
        validators,
        epoch_length: EPOCH,
        unbonding_period: UNBONDING,
        min_validator_bond: MIN_BOND,
        max_validators: MAX_VALIDATORS,
        block_reward: REWARD,
        min_plot_k: MIN_K,
        proof_params: proof_params_k(MIN_K),
    }
}

/// System, Caesar (`FUNDS` for everyone in `PEOPLE`), then `staking`; block 1 started.
pub fn new_ext_with(staking: GenesisConfig) -> MemoryExt {
    let mut ext = MemoryExt::default();
    system::GenesisConfig::default().build(&mut ext).unwrap();
    caesar::GenesisConfig {
        existential_deposit: ED,
        balances: PEOPLE.iter().map(|who| (*who, FUNDS)).collect(),
    }
    .build(&mut ext)
    .unwrap();
    staking.build(&mut ext).unwrap();
    start_block(&mut ext, 1, &ALICE);
    ext
}

/// Genesis validators: (stash, bond, key/plot tag).
pub fn new_ext(validators: &[(AccountId, Balance, u8)]) -> MemoryExt {
    new_ext_with(test_genesis(
        validators
            .iter()
            .map(|(stash, bond, tag)| genesis_validator(*stash, *bond, *tag))
            .collect(),
    ))
}

/// Alice, Bob and Charlie validate with 1000, 2000 and 3000 CAES (tags 1, 2, 3).
pub fn three_validators() -> MemoryExt {
    new_ext(&[
        (ALICE, 1_000 * CAES, 1),
        (BOB, 2_000 * CAES, 2),
        (CHARLIE, 3_000 * CAES, 3),
    ])
}

pub fn start_block(ext: &mut MemoryExt, number: BlockNumber, author: &AccountId) {
    system::on_initialize(ext, number, &H256::ZERO, 0, author);
    on_initialize(ext, number);
}

pub fn end_block(ext: &mut MemoryExt, number: BlockNumber) {
    on_finalize(ext, number);
    system::on_finalize(ext);
}

/// End the current block and run empty blocks up to and including `target`
/// (started, not ended), each authored by `author`.
pub fn run_to_block(ext: &mut MemoryExt, target: BlockNumber, author: &AccountId) {
    let mut number = system::block_number(ext);
    while number < target {
        end_block(ext, number);
        number += 1;
        start_block(ext, number, author);
    }
}

/// Run to the first block of `epoch`.
pub fn run_to_epoch(ext: &mut MemoryExt, epoch: EpochIndex) {
    run_to_block(ext, epoch * EPOCH, &ALICE);
}

pub fn events(ext: &MemoryExt) -> Vec<Event> {
    system::pallet_events(ext, PALLET_INDEX)
}

pub fn signed(who: AccountId) -> Origin {
    Origin::Signed(who)
}

pub fn free(ext: &MemoryExt, who: &AccountId) -> Balance {
    caesar::free_balance(ext, who)
}

pub fn active(ext: &MemoryExt, who: &AccountId) -> Balance {
    ledger(ext, who).map_or(0, |l| l.active)
}

/// The amount of `who`'s staking lock (0 without one).
pub fn locked(ext: &MemoryExt, who: &AccountId) -> Balance {
    caesar::locks(ext, who)
        .iter()
        .find(|l| l.id == STAKING_LOCK_ID)
        .map_or(0, |l| l.amount)
}

/// Dispatch a call that must fail with `expected` and change nothing.
pub fn assert_noop(ext: &mut MemoryExt, origin: Origin, call: Call, expected: DispatchError) {
    let before = ext.state.clone();
    assert_eq!(dispatch(ext, origin, call), Err(expected));
    assert!(ext.state == before, "a failed call must not change state");
}

/// Every Caesar account, found by scanning the `Account` map's key prefix.
pub fn all_accounts(ext: &MemoryExt) -> Vec<(AccountId, AccountData)> {
    let prefix = &caesar::storage::account(&AccountId::default())[..32];
    ext.state
        .iter()
        .filter(|(k, _)| k.starts_with(prefix))
        .map(|(k, v)| {
            let who = AccountId::decode(&mut &k[48..]).expect("map key ends with the account id");
            let data = AccountData::decode(&mut &v[..]).expect("account data decodes");
            (who, data)
        })
        .collect()
}

/// Caesar's `TotalIssuance == Σ(free + reserved)`; `TotalHeld` is the sum of the
/// ledgers of `PEOPLE`; each of them carries a staking lock of exactly its ledger
/// total (none without a ledger); candidates are exactly the registered, unslashed
/// stashes among `PEOPLE`.
pub fn assert_invariants(ext: &MemoryExt) {
    let mut sum: Balance = 0;
    for (who, data) in all_accounts(ext) {
        let total = data.total().expect("account total fits");
        assert!(total >= ED, "{who} exists with {total} < ED");
        sum = sum.checked_add(total).expect("sum of balances fits");
    }
    assert_eq!(caesar::total_issuance(ext), sum, "issuance == Σ balances");
    let held: Balance = PEOPLE
        .iter()
        .filter_map(|who| ledger(ext, who))
        .map(|l| l.total().expect("ledger total fits"))
        .sum();
    assert_eq!(total_held(ext), held, "TotalHeld == Σ ledgers");
    for who in PEOPLE {
        let total = ledger(ext, &who).map_or(0, |l| l.total().expect("ledger total fits"));
        assert_eq!(locked(ext, &who), total, "{who}'s lock == its ledger total");
    }
    assert_eq!(
        <hm_pallet_caesar::Pallet as hm_support::Pallet>::try_state(ext),
        Ok(())
    );
    assert_eq!(
        <crate::Pallet as hm_support::Pallet>::try_state(ext),
        Ok(())
    );
    let expected_candidates: Vec<AccountId> = {
        let mut c: Vec<AccountId> = PEOPLE
            .iter()
            .filter(|who| registration(ext, who).is_some_and(|r| !r.slashed))
            .copied()
            .collect();
        c.sort();
        c
    };
    assert_eq!(candidates(ext), expected_candidates);
    for who in PEOPLE {
        if let Some(l) = ledger(ext, &who) {
            assert!(l.unlocking.len() <= MAX_UNLOCKING_CHUNKS);
            assert!(l
                .unlocking
                .windows(2)
                .all(|w| w[0].matures_at < w[1].matures_at));
            assert!(
                l.active > 0 || !l.unlocking.is_empty(),
                "empty ledgers are removed"
            );
        } else {
            assert!(
                registration(ext, &who).is_none(),
                "no registration without a bond"
            );
        }
    }
}
