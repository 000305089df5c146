//! Proof parameters, the validators counted per block, and hook weights.
use crate::{mock::*, *};

fn counted(ext: &dyn Externalities, number: BlockNumber) -> Vec<AccountId> {
    counted_validators_for_block(ext, number)
        .iter()
        .map(|(v, _)| v.stash)
        .collect()
}

#[test]
fn genesis_stores_the_proof_params_and_root_may_change_them() {
    let mut ext = three_validators();
    assert_eq!(proof_params(&ext), proof_params_k(MIN_K));
    let harder = ProofParams {
        work_difficulty: 1_000_000,
        poh_iterations: 2_000_000,
        ..proof_params_k(MIN_K)
    };
    let call = Call::SetProofParams { params: harder };
    assert_noop(
        &mut ext,
        signed(ALICE),
        call.clone(),
        hm_pallet_system::Error::BadOrigin.into(),
    );
    assert_eq!(dispatch(&mut ext, Origin::Root, call), Ok(()));
    assert_eq!(proof_params(&ext), harder);
    assert!(events(&ext).contains(&Event::ProofParamsSet { params: harder }));

    let bad = [
        ProofParams {
            work_difficulty: 0,
            ..harder
        },
        ProofParams {
            openings: 0,
            ..harder
        },
        ProofParams {
            poh_iterations: 0,
            ..harder
        },
        // Every registered plot has 2^MIN_K leaves.
        ProofParams {
            plot_k: MIN_K + 1,
            ..harder
        },
    ];
    for params in bad {
        assert_noop(
            &mut ext,
            Origin::Root,
            Call::SetProofParams { params },
            Error::InvalidProofParams.into(),
        );
    }
}

#[test]
fn min_plot_k_cannot_rise_above_the_chain_plot_k() {
    let mut ext = three_validators();
    let config = StakingConfig {
        min_plot_k: MIN_K + 1,
        ..crate::config(&ext)
    };
    assert_noop(
        &mut ext,
        Origin::Root,
        Call::SetConfig { config },
        Error::InvalidConfig.into(),
    );
}

#[test]
fn a_state_without_genesis_reports_the_local_testnet_params() {
    let ext = hm_support::MemoryExt::default();
    assert_eq!(proof_params(&ext), ProofParams::LOCAL_TESTNET);
}

#[test]
fn chilled_or_slashed_validators_stop_counting_within_the_epoch() {
    let mut ext = new_ext_with(GenesisConfig {
        max_validators: 7,
        ..test_genesis(
            [ALICE, BOB, CHARLIE, DAVE, EVE, FERDIE, GRACE]
                .iter()
                .zip(1u8..)
                .map(|(stash, tag)| genesis_validator(*stash, 1_000 * CAES, tag))
                .collect(),
        )
    });
    run_to_block(&mut ext, 2, &ALICE);
    let all = vec![ALICE, BOB, CHARLIE, DAVE, EVE, FERDIE, GRACE];
    assert_eq!(counted(&ext, 3), all);
    let (entry, reg) = counted_validators_for_block(&ext, 3)[0];
    assert_eq!((entry.consensus_key, reg.plot), (key_id(1), plot(1)));

    assert_eq!(dispatch(&mut ext, signed(BOB), Call::Chill), Ok(()));
    // 1 offender of 7: 18.4 % of Charlie's bond, not all of it.
    assert_eq!(report_equivocation(&mut ext, &CHARLIE, 1, 0), Ok(183_673));
    assert!(ledger(&ext, &CHARLIE).is_some());
    assert_eq!(counted(&ext, 3), vec![ALICE, DAVE, EVE, FERDIE, GRACE]);
    // Registering again does not bring Charlie back within the epoch …
    assert_eq!(
        dispatch(&mut ext, signed(CHARLIE), validate_call(3)),
        Ok(())
    );
    assert_eq!(dispatch(&mut ext, signed(BOB), validate_call(2)), Ok(()));
    assert_eq!(counted(&ext, 3), vec![ALICE, BOB, DAVE, EVE, FERDIE, GRACE]);
    // … but the next epoch's set counts from its first block, offenders or not.
    run_to_block(&mut ext, EPOCH - 1, &ALICE);
    end_block(&mut ext, EPOCH - 1);
    let next = counted(&ext, EPOCH);
    assert!(next.contains(&CHARLIE) && next.contains(&BOB), "{next:?}");
    assert_eq!(next.len(), 7);
}

#[test]
fn hook_weights_follow_the_epoch_position() {
    let ext = three_validators();
    let epoch_start = weights::ON_INITIALIZE_EPOCH + weights::ON_FINALIZE;
    assert_eq!(hooks_weight(&ext, 1), weights::ON_FINALIZE);
    assert_eq!(hooks_weight(&ext, EPOCH - 1), weights::ON_FINALIZE_ELECTION);
    assert_eq!(hooks_weight(&ext, EPOCH), epoch_start);
    assert_eq!(hooks_weight(&ext, 0), weights::ON_FINALIZE);
    assert_eq!(hooks_weight(&ext, BlockNumber::MAX), weights::ON_FINALIZE);
}
