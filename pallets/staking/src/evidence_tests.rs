//! Duplicate-vote evidence: mapping to the stash, every refusal, and the slash.
//! `MemoryExt` accepts the signature `b"valid"` for any key and message; the
//! runtime's tests verify real Falcon signatures.
use crate::{mock::*, *};
use hm_consensus_bft::{SignedVote, Vote, VoteStep};
use hm_support::MemoryExt;

const GENESIS: H256 = H256([0x42; 32]);

fn vote(tag: u8, height: BlockNumber, round: u32, block: Option<u8>) -> SignedVote {
    SignedVote {
        vote: Vote {
            height,
            round,
            step: VoteStep::Precommit,
            block: block.map(|b| H256([b; 32])),
            validator: key_id(tag),
        },
        signature: valid_proof(),
    }
}

/// Validator `tag` precommitting nil and block 9 at (`height`, `round`).
fn evidence(tag: u8, height: BlockNumber, round: u32) -> DuplicateVoteEvidence {
    DuplicateVoteEvidence::new(
        vote(tag, height, round, None),
        vote(tag, height, round, Some(9)),
    )
    .expect("conflicting votes")
}

fn offence(offender: AccountId, height: BlockNumber, round: u32) -> OffenceKey {
    OffenceKey {
        offender,
        height,
        round,
    }
}

fn at_block(number: BlockNumber) -> MemoryExt {
    let mut ext = three_validators();
    run_to_block(&mut ext, number, &ALICE);
    ext
}

#[test]
fn evidence_maps_the_consensus_key_to_its_stash_and_slashes_once() {
    let mut ext = at_block(3);
    let ev = evidence(2, 2, 0);
    assert_eq!(verify_evidence(&ext, &GENESIS, &ev), Ok(offence(BOB, 2, 0)));
    // 1 offender of 3: min((3/3)², 1) = everything.
    assert_eq!(
        report_evidence(&mut ext, &GENESIS, &ev),
        Ok((offence(BOB, 2, 0), PPM))
    );
    assert_eq!(ledger(&ext, &BOB), None);
    assert!(events(&ext).contains(&Event::OffenceReported {
        offender: BOB,
        height: 2,
        round: 0,
        fraction: PPM,
        offenders_in_epoch: 1
    }));
    // The same offence again, in either vote order, is a duplicate.
    let before = ext.state.clone();
    let swapped = DuplicateVoteEvidence {
        a: ev.b.clone(),
        b: ev.a.clone(),
    };
    for copy in [&ev, &swapped] {
        assert_eq!(
            report_evidence(&mut ext, &GENESIS, copy),
            Err(EvidenceRefusal::Offence(Error::DuplicateReport.into()))
        );
    }
    assert!(ext.state == before);
    assert_invariants(&ext);
}

#[test]
fn votes_that_do_not_conflict_are_refused() {
    let ext = at_block(3);
    let same_block = DuplicateVoteEvidence {
        a: vote(1, 2, 0, Some(9)),
        b: vote(1, 2, 0, Some(9)),
    };
    let two_voters = DuplicateVoteEvidence {
        a: vote(1, 2, 0, None),
        b: vote(2, 2, 0, Some(9)),
    };
    let two_heights = DuplicateVoteEvidence {
        a: vote(1, 1, 0, None),
        b: vote(1, 2, 0, Some(9)),
    };
    let two_rounds = DuplicateVoteEvidence {
        a: vote(1, 2, 0, None),
        b: vote(1, 2, 1, Some(9)),
    };
    let mut prevote = vote(1, 2, 0, Some(9));
    prevote.vote.step = VoteStep::Prevote;
    let two_steps = DuplicateVoteEvidence {
        a: vote(1, 2, 0, None),
        b: prevote,
    };
    for ev in [same_block, two_voters, two_heights, two_rounds, two_steps] {
        assert_eq!(
            verify_evidence(&ext, &GENESIS, &ev),
            Err(EvidenceRefusal::NotConflicting),
            "{ev:?}"
        );
    }
}

#[test]
fn unknown_offenders_and_bad_signatures_are_refused() {
    let mut ext = at_block(3);
    // Dave's key is stored but Dave never validated.
    assert_eq!(
        dispatch(&mut ext, signed(DAVE), Call::Bond { value: MIN_BOND }),
        Ok(())
    );
    assert_eq!(dispatch(&mut ext, signed(DAVE), validate_call(4)), Ok(()));
    assert_eq!(
        verify_evidence(&ext, &GENESIS, &evidence(4, 2, 0)),
        Err(EvidenceRefusal::UnknownOffender)
    );
    assert_eq!(
        verify_evidence(&ext, &GENESIS, &evidence(9, 2, 0)),
        Err(EvidenceRefusal::UnknownOffender)
    );
    for forged_first in [true, false] {
        let mut ev = evidence(1, 2, 0);
        let forged = if forged_first { &mut ev.a } else { &mut ev.b };
        forged.signature = FalconSignature(b"forged".to_vec());
        assert_eq!(
            verify_evidence(&ext, &GENESIS, &ev),
            Err(EvidenceRefusal::BadSignature)
        );
    }
    // A member whose public key is missing cannot be checked: refused.
    ext.storage_remove(&system::storage::public_key(&key_id(1)));
    assert_eq!(
        verify_evidence(&ext, &GENESIS, &evidence(1, 2, 0)),
        Err(EvidenceRefusal::BadSignature)
    );
}

#[test]
fn evidence_must_be_from_the_current_or_previous_epoch_and_not_the_future() {
    let mut ext = at_block(3);
    assert_eq!(
        verify_evidence(&ext, &GENESIS, &evidence(1, 4, 0)),
        Err(EvidenceRefusal::Offence(Error::FutureOffence.into()))
    );
    // Epoch 1: Dave replaces Alice in the set.
    assert_eq!(
        dispatch(
            &mut ext,
            signed(DAVE),
            Call::Bond {
                value: 5_000 * CAES
            }
        ),
        Ok(())
    );
    assert_eq!(dispatch(&mut ext, signed(DAVE), validate_call(4)), Ok(()));
    run_to_block(&mut ext, EPOCH + 1, &ALICE);
    assert!(!validator_set(&ext).iter().any(|v| v.stash == ALICE));
    // Alice's offence in epoch 0 is still mapped through the previous set.
    assert_eq!(
        verify_evidence(&ext, &GENESIS, &evidence(1, 3, 0)),
        Ok(offence(ALICE, 3, 0))
    );
    assert_eq!(
        verify_evidence(&ext, &GENESIS, &evidence(4, EPOCH, 0)),
        Ok(offence(DAVE, EPOCH, 0))
    );
    // Dave was not in epoch 0's set.
    assert_eq!(
        verify_evidence(&ext, &GENESIS, &evidence(4, 3, 0)),
        Err(EvidenceRefusal::UnknownOffender)
    );
    assert_eq!(evidence_deadline(&ext, 3), 2 * EPOCH - 1);
    assert_eq!(evidence_deadline(&ext, EPOCH), 3 * EPOCH - 1);
    assert_eq!(evidence_deadline(&ext, BlockNumber::MAX), BlockNumber::MAX);
    // Two epochs on, epoch 0's set is gone.
    run_to_block(&mut ext, 2 * EPOCH, &ALICE);
    assert_eq!(
        verify_evidence(&ext, &GENESIS, &evidence(1, 3, 0)),
        Err(EvidenceRefusal::Offence(Error::EvidenceTooOld.into()))
    );
}

#[test]
fn an_offender_is_punished_once_per_epoch() {
    let stashes = [ALICE, BOB, CHARLIE, DAVE, EVE, FERDIE, GRACE];
    let mut ext = new_ext_with(GenesisConfig {
        max_validators: 7,
        ..test_genesis(
            stashes
                .iter()
                .zip(1u8..)
                .map(|(stash, tag)| genesis_validator(*stash, 1_000 * CAES, tag))
                .collect(),
        )
    });
    run_to_block(&mut ext, 3, &ALICE);
    // 1 offender of 7: 18.4 %.
    assert_eq!(
        report_evidence(&mut ext, &GENESIS, &evidence(3, 1, 0)),
        Ok((offence(CHARLIE, 1, 0), 183_673))
    );
    assert_eq!(active(&ext, &CHARLIE), 1_000 * CAES - 183_673_000_000_000);
    assert_eq!(
        verify_evidence(&ext, &GENESIS, &evidence(3, 2, 0)),
        Err(EvidenceRefusal::Offence(Error::AlreadyPunished.into()))
    );
    // A slashed validator stops counting at once.
    let counted: Vec<AccountId> = counted_validators_for_block(&ext, 3)
        .iter()
        .map(|(v, _)| v.stash)
        .collect();
    assert_eq!(counted, vec![ALICE, BOB, DAVE, EVE, FERDIE, GRACE]);
    assert_invariants(&ext);
}

#[test]
fn only_the_runtime_may_apply_evidence() {
    let mut ext = at_block(3);
    let call = Call::ReportEquivocation {
        evidence: evidence(1, 2, 0),
    };
    for origin in [signed(ALICE), Origin::Root] {
        assert_noop(
            &mut ext,
            origin,
            call.clone(),
            hm_pallet_system::Error::BadOrigin.into(),
        );
    }
    assert!(call.weight() >= weights::VERIFY_EVIDENCE + weights::REPORT_EQUIVOCATION);
    assert_eq!(
        evidence_weight(2),
        weights::VERIFY_EVIDENCE + report_equivocation_weight(2)
    );
}
