//! A minimal runtime for the tests: system + caesar over `MemoryExt`.
use crate::{storage, AccountData, Event, GenesisConfig, PALLET_INDEX};
use hm_pallet_system as system;
use hm_primitives::{AccountId, Balance, H256};
use hm_support::MemoryExt;
use parity_scale_codec::Decode;

pub const ALICE: AccountId = AccountId([1; 32]);
pub const BOB: AccountId = AccountId([2; 32]);
pub const CHARLIE: AccountId = AccountId([3; 32]);
pub const AUTHOR: AccountId = AccountId([9; 32]);
pub const ED: Balance = 100;

/// Genesis with the given balances, then block 1 started with `AUTHOR` as its author.
pub fn new_ext(balances: &[(AccountId, Balance)]) -> MemoryExt {
    let mut ext = MemoryExt::default();
    system::GenesisConfig::default().build(&mut ext).unwrap();
    GenesisConfig {
        existential_deposit: ED,
        balances: balances.to_vec(),
    }
    .build(&mut ext)
    .unwrap();
    system::on_initialize(&mut ext, 1, &H256::ZERO, 0, &AUTHOR);
    ext
}

pub fn events(ext: &MemoryExt) -> Vec<Event> {
    system::pallet_events(ext, PALLET_INDEX)
}

/// Every stored account, found by scanning the `Account` map's key prefix.
pub fn all_accounts(ext: &MemoryExt) -> Vec<(AccountId, AccountData)> {
    let prefix = &storage::account(&AccountId::default())[..32];
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

/// `TotalIssuance == Σ(free + reserved)` and every stored account is at or above the ED.
pub fn assert_invariants(ext: &MemoryExt) {
    let mut sum: Balance = 0;
    for (who, data) in all_accounts(ext) {
        let total = data.total().expect("account total fits");
        assert!(total >= ED, "{who} exists with {total} < ED");
        sum = sum
            .checked_add(total)
            .expect("sum of balances fits in u128");
    }
    assert_eq!(
        crate::total_issuance(ext),
        sum,
        "issuance must equal the sum of balances"
    );
    assert_eq!(
        <crate::Pallet as hm_support::Pallet>::try_state(ext),
        Ok(())
    );
}
