//! Equivocation evidence as an unsigned extrinsic, with real Falcon-1024
//! votes: accepted once by the pool and by blocks, slashes the offender's
//! bond, and every malformed, forged, stale or oversized report is refused
//! without a state change.
mod common;

use common::*;
use hm_consensus_bft::{SignedVote, Vote, VoteStep};
use hm_crypto::Keypair;
use hm_pallet_staking::{self as staking, Event as StakingEvent};
use hm_primitives::{decode_untrusted, InvalidTransaction, UncheckedExtrinsic, H256, UNITS};
use hm_runtime::*;
use parity_scale_codec::Encode;

fn signed_vote(
    signer: &Keypair,
    voter: &Keypair,
    height: u64,
    round: u32,
    block: Option<u8>,
) -> SignedVote {
    let vote = Vote {
        height,
        round,
        step: VoteStep::Precommit,
        block: block.map(|b| H256([b; 32])),
        validator: voter.account_id(),
    };
    let signature = signer.sign(vote.signing_message(&GENESIS_HASH).as_bytes());
    SignedVote { vote, signature }
}

/// `voter` precommits nil and block 9 at (`height`, `round`), both signed by it.
fn evidence(voter: &Keypair, height: u64, round: u32) -> DuplicateVoteEvidence {
    DuplicateVoteEvidence::new(
        signed_vote(voter, voter, height, round, None),
        signed_vote(voter, voter, height, round, Some(9)),
    )
    .unwrap()
}

/// The validator chain with blocks 1 ..= `number` run (the last one started).
fn chain_at(number: u64) -> SigExt {
    let mut ext = chain_with(&validator_genesis());
    run_to(&mut ext, number, alice());
    ext
}

/// Validation against the state of `ext` as the pool's best block.
fn pool_check(
    ext: &SigExt,
    xt: &[u8],
) -> Result<hm_primitives::ValidTransaction, InvalidTransaction> {
    let best = hm_pallet_system::block_number(ext);
    validate_transaction(ext, &tx_ctx(best), xt)
}

/// Refused by the pool and by a block, leaving the state as it was.
fn assert_refused(ext: &mut SigExt, xt: &[u8], expected: InvalidTransaction) {
    let before = ext.inner.state.clone();
    assert_eq!(pool_check(ext, xt), Err(expected.clone()));
    let number = hm_pallet_system::block_number(ext);
    assert_eq!(
        apply_extrinsic(ext, &block_by(number, alice()), xt),
        Err(expected)
    );
    assert!(ext.inner.state == before, "a refused report changed state");
}

#[test]
fn evidence_is_accepted_once_and_slashes_the_offender() {
    let mut ext = chain_at(3);
    let d = dave().account_id();
    let ev = evidence(dave(), 2, 1);
    let xt = report_equivocation_extrinsic(&ev);
    assert!(xt.len() <= MAX_UNSIGNED_EXTRINSIC_BYTES);

    let valid = pool_check(&ext, &xt).unwrap();
    let offence = staking::OffenceKey {
        offender: d,
        height: 2,
        round: 1,
    };
    assert_eq!(valid.sender, evidence_sender(&offence));
    assert_eq!((valid.nonce, valid.account_nonce), (0, 0));
    assert_eq!((valid.priority, valid.fee), (u64::MAX, 0));
    // Bounded by the longevity and by the end of the epoch after the offence's.
    assert_eq!(
        valid.valid_until,
        (3 + EVIDENCE_LONGEVITY).min(2 * EPOCH - 1)
    );
    assert_eq!(
        fee_info(&ext, &xt).unwrap().partial_fee,
        0,
        "unsigned extrinsics pay nothing"
    );

    let issuance = total_issuance(&ext);
    let weight_before = hm_pallet_system::block_weight(&ext);
    let outcome = apply_extrinsic(&mut ext, &block_by(3, alice()), &xt).unwrap();
    assert_eq!((outcome.result, outcome.fee), (Ok(()), 0));
    assert_eq!(outcome.weight, staking::evidence_weight(0));
    assert_eq!(
        hm_pallet_system::block_weight(&ext),
        weight_before + outcome.weight
    );
    // One offender of four validators: min((3·1/4)², 1) = 56.25 % of the bond.
    let slashed = BOND * 5_625 / 10_000;
    assert_eq!(staking_ledger(&ext, &d).unwrap().active, BOND - slashed);
    assert!(validator_info(&ext, &d).unwrap().slashed);
    assert_eq!(total_issuance(&ext), issuance - slashed);
    let staking_events: Vec<_> = events(&ext)
        .into_iter()
        .filter_map(|r| match r.event {
            RuntimeEvent::Staking(e) => Some(e),
            _ => None,
        })
        .collect();
    assert!(staking_events.contains(&StakingEvent::Slashed {
        stash: d,
        amount: slashed,
        fraction: 562_500
    }));
    assert!(staking_events.contains(&StakingEvent::OffenceReported {
        offender: d,
        height: 2,
        round: 1,
        fraction: 562_500,
        offenders_in_epoch: 1
    }));
    // The offender no longer counts for the next block.
    assert!(!validator_set_for_block(&ext, 4)
        .iter()
        .any(|v| v.stash == d));

    // The same offence again is refused, whatever the copy.
    let swapped = DuplicateVoteEvidence {
        a: ev.b.clone(),
        b: ev.a.clone(),
    };
    let resigned = evidence(dave(), 2, 1);
    for copy in [&ev, &swapped, &resigned] {
        assert_refused(
            &mut ext,
            &report_equivocation_extrinsic(copy),
            InvalidTransaction::BadCall,
        );
    }
    assert_issuance_matches(&ext.inner);
}

#[test]
fn forged_or_foreign_signatures_are_refused() {
    let mut ext = chain_at(3);
    // Bob signs a vote that names Dave.
    let forged = DuplicateVoteEvidence::new(
        signed_vote(dave(), dave(), 2, 0, None),
        signed_vote(bob(), dave(), 2, 0, Some(9)),
    )
    .unwrap();
    assert_refused(
        &mut ext,
        &report_equivocation_extrinsic(&forged),
        InvalidTransaction::BadSignature,
    );
    // Votes signed for another chain.
    let foreign = |block| {
        let vote = Vote {
            height: 2,
            round: 0,
            step: VoteStep::Prevote,
            block,
            validator: dave().account_id(),
        };
        let signature = dave().sign(vote.signing_message(&H256([8; 32])).as_bytes());
        SignedVote { vote, signature }
    };
    let other_chain =
        DuplicateVoteEvidence::new(foreign(None), foreign(Some(H256([1; 32])))).unwrap();
    assert_refused(
        &mut ext,
        &report_equivocation_extrinsic(&other_chain),
        InvalidTransaction::BadSignature,
    );
}

#[test]
fn non_conflicting_votes_and_unknown_offenders_are_refused() {
    let mut ext = chain_at(3);
    let same_block = DuplicateVoteEvidence {
        a: signed_vote(dave(), dave(), 2, 0, Some(9)),
        b: signed_vote(dave(), dave(), 2, 0, Some(9)),
    };
    let two_rounds = DuplicateVoteEvidence {
        a: signed_vote(dave(), dave(), 2, 0, None),
        b: signed_vote(dave(), dave(), 2, 1, Some(9)),
    };
    let two_voters = DuplicateVoteEvidence {
        a: signed_vote(dave(), dave(), 2, 0, None),
        b: signed_vote(bob(), bob(), 2, 0, Some(9)),
    };
    // Eve's key is on-chain, but Eve is no validator.
    let outsider = evidence(eve(), 2, 0);
    for ev in [same_block, two_rounds, two_voters, outsider] {
        assert_refused(
            &mut ext,
            &report_equivocation_extrinsic(&ev),
            InvalidTransaction::BadCall,
        );
    }
}

#[test]
fn evidence_ahead_of_the_chain_waits_and_stale_evidence_expires() {
    let mut ext = chain_at(3);
    // Height 4 is still being decided: refused without a ban-worthy reason.
    assert_refused(
        &mut ext,
        &report_equivocation_extrinsic(&evidence(dave(), 4, 0)),
        InvalidTransaction::FutureTooFar {
            expected: 3,
            got: 4,
        },
    );
    // At the last block of epoch 1, an offence of epoch 0 fits no later block.
    run_to(&mut ext, 2 * EPOCH - 1, alice());
    let xt = report_equivocation_extrinsic(&evidence(dave(), 2, 0));
    assert_eq!(
        pool_check(&ext, &xt),
        Err(InvalidTransaction::Expired {
            valid_until: 2 * EPOCH - 1,
            current: 2 * EPOCH
        })
    );
    // … though the block at that height may still carry it.
    assert!(apply_extrinsic(&mut ext, &block_by(2 * EPOCH - 1, alice()), &xt).is_ok());
    // In epoch 2, epoch 0's set is gone.
    run_to(&mut ext, 2 * EPOCH, alice());
    assert_refused(
        &mut ext,
        &report_equivocation_extrinsic(&evidence(charlie(), 2, 0)),
        InvalidTransaction::BadCall,
    );
}

#[test]
fn only_evidence_may_be_unsigned_and_it_is_size_bounded() {
    let mut ext = chain_at(3);
    let unsigned = |call: Call| UncheckedExtrinsic { signed: None, call }.encode();
    assert_refused(
        &mut ext,
        &unsigned(transfer(bob().account_id(), UNITS)),
        InvalidTransaction::UnsignedNotAllowed,
    );
    assert_refused(
        &mut ext,
        &unsigned(Call::Staking(staking::Call::Chill)),
        InvalidTransaction::UnsignedNotAllowed,
    );
    // Longer than any evidence: refused before anything is checked.
    let remark = Call::System(hm_pallet_system::Call::Remark {
        data: vec![0; MAX_UNSIGNED_EXTRINSIC_BYTES],
    });
    assert_refused(&mut ext, &unsigned(remark), InvalidTransaction::Malformed);
    // Truncated and padded evidence does not decode.
    let original = evidence(dave(), 2, 0);
    let xt = report_equivocation_extrinsic(&original);
    for bad in [xt[..xt.len() - 1].to_vec(), [xt.clone(), vec![0]].concat()] {
        assert_refused(&mut ext, &bad, InvalidTransaction::Malformed);
    }
    // An oversized signature inside the evidence is refused by the decoder.
    let mut huge = original.clone();
    huge.b.signature.0 = vec![1; hm_primitives::account::FALCON_MAX_SIGNATURE_BYTES + 1];
    assert_refused(
        &mut ext,
        &report_equivocation_extrinsic(&huge),
        InvalidTransaction::Malformed,
    );
    // The encoding decodes back to the same call.
    let decoded: Extrinsic = decode_untrusted(&xt, MAX_UNSIGNED_EXTRINSIC_BYTES).unwrap();
    assert!(decoded.signed.is_none());
    assert!(matches!(
        decoded.call,
        Call::Staking(staking::Call::ReportEquivocation { evidence }) if evidence == original
    ));
}

#[test]
fn a_signed_report_is_included_but_fails_and_pays() {
    let mut ext = chain_at(3);
    let call = Call::Staking(staking::Call::ReportEquivocation {
        evidence: evidence(dave(), 2, 0),
    });
    let xt = next_signed(&ext, eve(), call);
    let outcome = apply_extrinsic(&mut ext, &block_by(3, alice()), &xt).unwrap();
    assert_eq!(
        outcome.result,
        Err(hm_pallet_system::Error::BadOrigin.into())
    );
    assert!(outcome.fee > 0);
    assert_eq!(
        staking_ledger(&ext, &dave().account_id()).unwrap().active,
        BOND
    );
}
