//! Slashing math, equivocation reports and their dedup, with exact numbers.
use crate::{mock::*, *};
use hm_support::MemoryExt;

/// Seven validators bonding 1000 CAES each: Alice … Grace (tags 1 … 7).
fn seven_validators() -> MemoryExt {
    let stashes = [ALICE, BOB, CHARLIE, DAVE, EVE, FERDIE, GRACE];
    let validators = stashes
        .iter()
        .zip(1u8..)
        .map(|(stash, tag)| genesis_validator(*stash, 1_000 * CAES, tag))
        .collect();
    let mut ext = new_ext_with(GenesisConfig {
        max_validators: 7,
        ..test_genesis(validators)
    });
    run_to_block(&mut ext, 3, &ALICE);
    ext
}

#[test]
fn fraction_is_min_of_three_k_over_n_squared() {
    assert_eq!(slash_fraction_ppm(1, 4), 562_500);
    assert_eq!(slash_fraction_ppm(1, 3), 1_000_000);
    assert_eq!(slash_fraction_ppm(1, 7), 183_673); // 183_673.47 rounded down
    assert_eq!(slash_fraction_ppm(2, 7), 734_693);
    assert_eq!(slash_fraction_ppm(3, 7), 1_000_000);
    assert_eq!(slash_fraction_ppm(2, 10), 360_000);
    assert_eq!(slash_fraction_ppm(1, 100), 900);
    assert_eq!(slash_fraction_ppm(1, 1024), 8);
    assert_eq!(slash_fraction_ppm(0, 5), 0);
    assert_eq!(slash_fraction_ppm(5, 0), PPM);
    assert_eq!(slash_fraction_ppm(u32::MAX, 1), PPM);
    assert_eq!(slash_fraction_ppm(u32::MAX, u32::MAX), PPM);
    assert_eq!(slash_fraction_ppm(1, u32::MAX), 0);
}

#[test]
fn mul_ppm_rounds_down_without_overflow() {
    assert_eq!(mul_ppm(1_000, 183_673), 183);
    assert_eq!(mul_ppm(999_999, 1), 0);
    assert_eq!(mul_ppm(1_000_000, 1), 1);
    assert_eq!(mul_ppm(Balance::MAX, PPM), Balance::MAX);
    assert_eq!(mul_ppm(Balance::MAX, 500_000), Balance::MAX / 2);
    assert_eq!(mul_ppm(Balance::MAX, 0), 0);
    // Above the whole counts as the whole.
    assert_eq!(mul_ppm(7, u32::MAX), 7);
}

#[test]
fn slash_takes_the_bond_first_then_the_latest_chunks() {
    let mut ext = three_validators();
    assert_eq!(
        dispatch(
            &mut ext,
            signed(DAVE),
            Call::Bond {
                value: 1_000 * CAES
            }
        ),
        Ok(())
    );
    assert_eq!(
        dispatch(&mut ext, signed(DAVE), Call::Unbond { value: 300 * CAES }),
        Ok(())
    );
    run_to_epoch(&mut ext, 1);
    assert_eq!(
        dispatch(&mut ext, signed(DAVE), Call::Unbond { value: 200 * CAES }),
        Ok(())
    );
    let issuance = caesar::total_issuance(&ext);
    let pot = free(&ext, &pot_account());
    assert_eq!(slash(&mut ext, &DAVE, 800_000), Ok(800 * CAES));
    assert_eq!(
        ledger(&ext, &DAVE),
        Some(StakingLedger {
            active: 0,
            unlocking: vec![UnlockChunk {
                value: 200 * CAES,
                matures_at: 2
            }]
        })
    );
    assert_eq!(caesar::total_issuance(&ext), issuance - 800 * CAES);
    assert_eq!(free(&ext, &pot_account()), pot - 800 * CAES);
    assert!(events(&ext).contains(&Event::Slashed {
        stash: DAVE,
        amount: 800 * CAES,
        fraction: 800_000
    }));
    assert_invariants(&ext);
}

#[test]
fn slash_marks_the_validator_and_a_full_slash_removes_it() {
    let mut ext = three_validators();
    assert_eq!(slash(&mut ext, &BOB, 250_000), Ok(500 * CAES));
    assert_eq!(
        validator_info(&ext, &BOB),
        Some(ValidatorInfo {
            consensus_key: key_id(2),
            plot: plot(2),
            bonded: 1_500 * CAES,
            slashed: true
        })
    );
    assert_eq!(candidates(&ext), vec![ALICE, CHARLIE]);
    // No longer a candidate, a slashed validator may unbond below the minimum.
    assert_eq!(
        dispatch(
            &mut ext,
            signed(BOB),
            Call::Unbond {
                value: 1_450 * CAES
            }
        ),
        Ok(())
    );
    assert_eq!(slash(&mut ext, &ALICE, PPM), Ok(1_000 * CAES));
    assert_eq!(ledger(&ext, &ALICE), None);
    assert_eq!(validator_info(&ext, &ALICE), None);
    assert_eq!(stash_of_consensus_key(&ext, &key_id(1)), None);
    assert_invariants(&ext);
}

#[test]
fn slash_errors_change_nothing() {
    let mut ext = three_validators();
    let before = ext.state.clone();
    assert_eq!(
        slash(&mut ext, &ALICE, PPM + 1),
        Err(Error::InvalidFraction.into())
    );
    assert_eq!(slash(&mut ext, &DAVE, 1), Err(Error::NotBonded.into()));
    assert!(ext.state == before);
    // A pot holding less than the bonds is refused rather than reaped.
    let short = hm_pallet_caesar::AccountData {
        free: ED + CAES,
        reserved: 0,
    };
    put(&mut ext, &caesar::storage::account(&pot_account()), &short);
    let before = ext.state.clone();
    assert_eq!(
        slash(&mut ext, &ALICE, PPM),
        Err(Error::PotUnderfunded.into())
    );
    assert!(ext.state == before);
}

#[test]
fn equivocations_in_one_epoch_raise_every_offenders_fraction() {
    let mut ext = seven_validators();
    let issuance = caesar::total_issuance(&ext);
    let exposure = 1_000 * CAES;

    assert_eq!(report_equivocation(&mut ext, &ALICE, 2, 0), Ok(183_673));
    assert_eq!(active(&ext, &ALICE), exposure - 183_673_000_000_000);
    assert!(events(&ext).contains(&Event::OffenceReported {
        offender: ALICE,
        height: 2,
        round: 0,
        fraction: 183_673,
        offenders_in_epoch: 1
    }));

    // A second offender: 734_693 ppm for both; Alice is topped up.
    assert_eq!(report_equivocation(&mut ext, &BOB, 3, 1), Ok(734_693));
    assert_eq!(active(&ext, &BOB), exposure - 734_693_000_000_000);
    assert_eq!(active(&ext, &ALICE), exposure - 734_693_000_000_000);
    assert!(events(&ext).contains(&Event::Slashed {
        stash: ALICE,
        amount: 551_020_000_000_000,
        fraction: 734_693
    }));
    assert_eq!(
        epoch_offenders(&ext),
        vec![
            OffenceRecord {
                offender: ALICE,
                exposure,
                applied: 734_693
            },
            OffenceRecord {
                offender: BOB,
                exposure,
                applied: 734_693
            }
        ]
    );

    // A third: (9/7)² > 1, everything goes.
    assert_eq!(report_equivocation(&mut ext, &CHARLIE, 1, 0), Ok(PPM));
    for who in [ALICE, BOB, CHARLIE] {
        assert_eq!(ledger(&ext, &who), None);
    }
    assert_eq!(caesar::total_issuance(&ext), issuance - 3 * exposure);
    assert_invariants(&ext);
}

#[test]
fn each_offence_slashes_once() {
    let mut ext = seven_validators();
    assert_eq!(report_equivocation(&mut ext, &ALICE, 2, 0), Ok(183_673));
    let before = ext.state.clone();
    assert_eq!(
        report_equivocation(&mut ext, &ALICE, 2, 0),
        Err(Error::DuplicateReport.into())
    );
    assert_eq!(
        check_equivocation(&ext, &ALICE, 2, 0),
        Err(Error::DuplicateReport.into())
    );
    // Another offence of the same offender in the same epoch adds nothing.
    assert_eq!(
        report_equivocation(&mut ext, &ALICE, 2, 1),
        Err(Error::AlreadyPunished.into())
    );
    assert!(ext.state == before);

    // In the next epoch it counts again, as the first offender of that epoch.
    // Alice is slashed and so no longer elected: the set is six.
    run_to_epoch(&mut ext, 1);
    assert_eq!(current_validators(&ext).len(), 6);
    assert_eq!(check_equivocation(&ext, &ALICE, 2, 1), Ok(()));
    assert_eq!(report_equivocation(&mut ext, &ALICE, 2, 1), Ok(250_000));
    assert_eq!(
        report_equivocation(&mut ext, &ALICE, 2, 0),
        Err(Error::DuplicateReport.into())
    );
    assert_invariants(&ext);
}

#[test]
fn report_errors() {
    let mut ext = seven_validators();
    let before = ext.state.clone();
    assert_eq!(
        report_equivocation(&mut ext, &ALICE, 4, 0),
        Err(Error::FutureOffence.into())
    );
    assert_eq!(
        report_equivocation(&mut ext, &HEIDI, 1, 0),
        Err(Error::NothingToSlash.into())
    );
    assert!(ext.state == before);
    // Offences older than the unbonding period are refused.
    run_to_epoch(&mut ext, UNBONDING as EpochIndex);
    assert_eq!(
        check_equivocation(&ext, &ALICE, EPOCH - 1, 0),
        Err(Error::EvidenceTooOld.into())
    );
    assert_eq!(check_equivocation(&ext, &ALICE, EPOCH, 0), Ok(()));
}

#[test]
fn reports_are_pruned_once_too_old_to_repeat() {
    let mut ext = seven_validators();
    assert_eq!(report_equivocation(&mut ext, &ALICE, 2, 0), Ok(183_673));
    let dedup = storage::reported_offence(&OffenceKey {
        offender: ALICE,
        height: 2,
        round: 0,
    });
    assert!(ext.state.contains_key(&dedup));
    run_to_epoch(&mut ext, UNBONDING as EpochIndex - 1);
    assert!(ext.state.contains_key(&dedup));
    run_to_epoch(&mut ext, UNBONDING as EpochIndex);
    assert!(!ext.state.contains_key(&dedup));
    assert!(!ext.state.contains_key(&storage::offence_bucket(0)));
    // The pruned offence cannot be replayed.
    assert_eq!(
        report_equivocation(&mut ext, &ALICE, 2, 0),
        Err(Error::EvidenceTooOld.into())
    );
}

#[test]
fn lengthening_the_period_does_not_reopen_pruned_evidence() {
    let mut ext = seven_validators();
    assert_eq!(report_equivocation(&mut ext, &ALICE, 2, 0), Ok(183_673));
    run_to_epoch(&mut ext, UNBONDING as EpochIndex);
    let longer = StakingConfig {
        unbonding_period: 10,
        ..config(&ext)
    };
    assert_eq!(
        dispatch(&mut ext, Origin::Root, Call::SetConfig { config: longer }),
        Ok(())
    );
    assert_eq!(
        check_equivocation(&ext, &ALICE, 2, 0),
        Err(Error::EvidenceTooOld.into())
    );
    // Offences of epochs not yet pruned are in the window.
    assert_eq!(check_equivocation(&ext, &BOB, EPOCH, 0), Ok(()));
}
