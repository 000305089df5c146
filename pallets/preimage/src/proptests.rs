//! Random sequences of calls keep every invariant (`try_state` of preimage and Caesar),
//! a failed call changes nothing, and each account's reserved balance is exactly the
//! deposits of the preimages it noted.
use crate::{mock::*, status, Call, RequestStatus};
use hm_pallet_caesar as caesar;
use hm_pallet_system::Origin;
use hm_primitives::{blake3_256, AccountId, Balance};
use proptest::prelude::*;

const PEOPLE: [AccountId; 3] = [ALICE, BOB, CHARLIE];
const PAYLOADS: [&[u8]; 4] = [b"a", b"remark", b"upgrade the runtime", &[0u8; 300]];

fn origin() -> impl Strategy<Value = Origin> {
    prop_oneof![
        (0..PEOPLE.len()).prop_map(|i| Origin::Signed(PEOPLE[i])),
        Just(Origin::Root),
    ]
}

fn any_call() -> impl Strategy<Value = (Origin, Call)> {
    let payload = 0..PAYLOADS.len();
    let hash = payload.clone().prop_map(|p| blake3_256(PAYLOADS[p]));
    prop_oneof![
        (origin(), payload).prop_map(|(o, p)| (
            o,
            Call::NotePreimage {
                bytes: PAYLOADS[p].to_vec()
            }
        )),
        (origin(), hash.clone()).prop_map(|(o, hash)| (o, Call::UnnotePreimage { hash })),
        (origin(), hash.clone()).prop_map(|(o, hash)| (o, Call::RequestPreimage { hash })),
        (origin(), hash).prop_map(|(o, hash)| (o, Call::UnrequestPreimage { hash })),
    ]
}

fn deposits_of(ext: &hm_support::MemoryExt, who: &AccountId) -> Balance {
    PAYLOADS
        .iter()
        .filter_map(|p| status(ext, &blake3_256(p)))
        .filter_map(|RequestStatus { depositor, .. }| depositor)
        .filter(|(depositor, _)| depositor == who)
        .map(|(_, deposit)| deposit)
        .sum()
}

proptest! {
    #[test]
    fn deposits_match_reserves_and_failures_change_nothing(
        calls in prop::collection::vec(any_call(), 1..60)
    ) {
        let mut ext = new_ext();
        for (origin, c) in calls {
            let before = ext.state.clone();
            if call(&mut ext, origin, c).is_err() {
                prop_assert!(ext.state == before, "a failed call changed state");
            }
            assert_invariants(&ext);
            for who in PEOPLE {
                prop_assert_eq!(caesar::reserved_balance(&ext, &who), deposits_of(&ext, &who));
                prop_assert_eq!(
                    caesar::free_balance(&ext, &who) + caesar::reserved_balance(&ext, &who),
                    ENDOWMENT
                );
            }
        }
    }
}
