//! A referendum through the composed runtime, with signed extrinsics and no root key in
//! the path: a root-only call is noted, submitted on the `root` track, voted on with
//! conviction, decided, confirmed and enacted by the scheduler as root. The voter's
//! CAES stay locked by conviction voting. The chain's genesis divides the live track
//! periods (days) so the referendum ends in a few dozen blocks; every pallet's
//! invariants are checked after every block.
mod common;

use common::*;
use hm_pallet_caesar as caesar;
use hm_pallet_conviction_voting::{self as conviction_voting, AccountVote, Conviction, Vote};
use hm_pallet_preimage as preimage;
use hm_pallet_referenda::{self as referenda, ReferendumInfo};
use hm_pallet_scheduler::BoundedCall;
use hm_primitives::{AccountId, UNITS};
use hm_runtime::*;
use parity_scale_codec::Encode;

const CHARLIE: AccountId = AccountId([0xC4; 32]);
/// 28 days of deciding become 24 blocks; a day of confirming, one.
const DIVISOR: u64 = 100_000;

fn governed_chain() -> SigExt {
    let mut config = genesis();
    config.accounts[0].balance = 100_000 * UNITS;
    config.governance = GovernanceGenesis {
        period_divisor: DIVISOR,
    };
    chain_with(&config)
}

fn apply(ext: &mut SigExt, number: u64, who: &hm_crypto::Keypair, call: Call) -> ApplyOutcome {
    let xt = signed(who, nonce(ext, &who.account_id()), call);
    apply_extrinsic(ext, &block(number), &xt).expect("included")
}

#[test]
fn a_referendum_on_the_root_track_enacts_its_call_as_root() {
    let mut ext = governed_chain();
    let a = alice().account_id();

    // The proposal: a root-only call, noted by hash.
    let mint = Call::Caesar(caesar::Call::SetBalance {
        who: CHARLIE,
        free: 5 * UNITS,
    })
    .encode();
    let hash = hm_primitives::blake3_256(&mint);
    let len = mint.len() as u32;
    let calls = [
        Call::Preimage(preimage::Call::NotePreimage { bytes: mint }),
        Call::Referenda(referenda::Call::Submit {
            track: 0,
            proposal: BoundedCall::Lookup { hash, len },
            enactment_after: 0,
        }),
        Call::Referenda(referenda::Call::PlaceDecisionDeposit { index: 0 }),
        // 60% of the issuance, aye, locked for one period: past the 50% support and
        // 100% approval the root track asks for at the start of its decision period.
        Call::ConvictionVoting(conviction_voting::Call::Vote {
            poll: 0,
            vote: AccountVote::Standard {
                vote: Vote {
                    aye: true,
                    conviction: Conviction::Locked1x,
                },
                balance: 60_000 * UNITS,
            },
        }),
    ];
    for (n, call) in calls.into_iter().enumerate() {
        assert_eq!(apply(&mut ext, 1, alice(), call).result, Ok(()), "call {n}");
    }
    // Bob's vote cannot exceed his balance.
    let greedy = Call::ConvictionVoting(conviction_voting::Call::Vote {
        poll: 0,
        vote: AccountVote::Split {
            aye: 0,
            nay: 2_000 * UNITS,
        },
    });
    assert!(apply(&mut ext, 1, bob(), greedy).result.is_err());
    assert_eq!(conviction_voting::tally(&ext, 0).ayes, 60_000 * UNITS);
    // The aye is locked: Alice cannot send it away.
    let send = Call::Caesar(caesar::Call::Transfer {
        dest: CHARLIE,
        value: 50_000 * UNITS,
    });
    assert_eq!(
        apply(&mut ext, 1, alice(), send).result,
        Err(caesar::Error::LiquidityRestrictions.into())
    );
    finalize_checked(&mut ext, &block(1));

    // Blocks go by until the call is enacted.
    let mut number = 1;
    while free(&ext, &CHARLIE) == 0 {
        number += 1;
        assert!(number < 80, "not enacted by block {number}");
        initialize_block(&mut ext, &block(number));
        finalize_checked(&mut ext, &block(number));
    }
    assert_eq!(free(&ext, &CHARLIE), 5 * UNITS);
    assert!(matches!(
        referenda::referendum_info(&ext, 0),
        Some(ReferendumInfo::Approved(..))
    ));
    // Both deposits come back; the vote's lock outlasts the referendum.
    initialize_block(&mut ext, &block(number + 1));
    for call in [
        referenda::Call::RefundDecisionDeposit { index: 0 },
        referenda::Call::RefundSubmissionDeposit { index: 0 },
    ] {
        let outcome = apply(&mut ext, number + 1, alice(), Call::Referenda(call));
        assert_eq!(outcome.result, Ok(()));
    }
    let locked = caesar::frozen_balance(&ext, &a);
    assert_eq!(locked, 60_000 * UNITS);
    finalize_checked(&mut ext, &block(number + 1));
}

#[test]
fn the_fast_tracks_refuse_what_they_may_not_enact() {
    let mut ext = governed_chain();
    let mint = Call::Caesar(caesar::Call::SetBalance {
        who: CHARLIE,
        free: UNITS,
    });
    let cancel = Call::Referenda(referenda::Call::Cancel { index: 0 });
    for (track, call, allowed) in [
        (1, mint.clone(), false),
        (2, mint, false),
        (2, cancel, true),
    ] {
        let submit = Call::Referenda(referenda::Call::Submit {
            track,
            proposal: BoundedCall::Inline(call.encode()),
            enactment_after: 0,
        });
        let outcome = apply(&mut ext, 1, alice(), submit);
        assert_eq!(
            outcome.result.is_ok(),
            allowed,
            "track {track}: {outcome:?}"
        );
    }
    finalize_checked(&mut ext, &block(1));
}
