//! Slashing math, equivocation reports and their dedup, with exact numbers.
use crate::{mock::*, *};
use hm_support::MemoryExt;

fn caesar_events(ext: &MemoryExt) -> Vec<caesar::Event> {
    system::pallet_events(ext, caesar::PALLET_INDEX)
}

/// Free balances of everyone in `PEOPLE`.
fn balances(ext: &MemoryExt) -> Vec<Balance> {
    PEOPLE.iter().map(|who| free(ext, who)).collect()
}

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
    let mut expected = balances(&ext);
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
    // Burned from Dave's own stash, and from no one else; the lock follows the ledger.
    assert_eq!(caesar::total_issuance(&ext), issuance - 800 * CAES);
    expected[3] -= 800 * CAES;
    assert_eq!(balances(&ext), expected);
    assert_eq!(locked(&ext, &DAVE), 200 * CAES);
    assert!(caesar_events(&ext).contains(&caesar::Event::Burned {
        who: DAVE,
        amount: 800 * CAES
    }));
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
    // A full slash leaves nothing bonded: the lock is gone and the rest is usable.
    assert_eq!(caesar::locks(&ext, &ALICE), vec![]);
    assert_eq!(free(&ext, &ALICE), FUNDS - 1_000 * CAES);
    assert_eq!(caesar::usable_balance(&ext, &ALICE), FUNDS - 1_000 * CAES);
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
}

#[test]
fn a_slash_burns_at_most_what_root_left_in_the_stash() {
    let mut ext = three_validators();
    let bond = Call::Bond {
        value: 1_000 * CAES,
    };
    assert_eq!(dispatch(&mut ext, signed(DAVE), bond), Ok(()));
    // A reserve keeps Dave alive when his free balance is burned to zero.
    caesar::reserve(&mut ext, &DAVE, CAES).unwrap();
    // Root is not bound by locks: Dave's free balance drops below his ledger.
    caesar::set_balance(&mut ext, &DAVE, 300 * CAES).unwrap();
    let issuance = caesar::total_issuance(&ext);
    let held = total_held(&ext);
    // Half of 1000 is due, but only 300 exist: the ledger loses what is burned.
    assert_eq!(slash(&mut ext, &DAVE, 500_000), Ok(300 * CAES));
    assert_eq!(caesar::total_issuance(&ext), issuance - 300 * CAES);
    assert_eq!(total_held(&ext), held - 300 * CAES);
    assert_eq!(active(&ext, &DAVE), 700 * CAES);
    assert_eq!(locked(&ext, &DAVE), 700 * CAES);
    assert_eq!(free(&ext, &DAVE), 0);
    assert!(events(&ext).contains(&Event::Slashed {
        stash: DAVE,
        amount: 300 * CAES,
        fraction: 500_000
    }));
    assert_invariants(&ext);
}

#[test]
fn a_slash_that_reaps_the_stash_takes_its_whole_ledger() {
    let mut ext = three_validators();
    // Eve keeps 2 ED and bonds all of it.
    let away = caesar::Call::Transfer {
        dest: FERDIE,
        value: FUNDS - 2 * ED,
    };
    assert_eq!(caesar::dispatch(&mut ext, signed(EVE), away), Ok(()));
    let bond = Call::Bond { value: 2 * ED };
    assert_eq!(dispatch(&mut ext, signed(EVE), bond), Ok(()));
    let issuance = caesar::total_issuance(&ext);
    // 60% is 1.2 ED; the 0.8 ED left is dust: the account, its lock and ledger go.
    assert_eq!(slash(&mut ext, &EVE, 600_000), Ok(2 * ED));
    assert_eq!(caesar::account(&ext, &EVE), None);
    assert_eq!(ledger(&ext, &EVE), None);
    assert_eq!(caesar::total_issuance(&ext), issuance - 2 * ED);
    let burned = caesar_events(&ext);
    assert!(burned.contains(&caesar::Event::Burned {
        who: EVE,
        amount: 6 * ED / 5
    }));
    assert!(burned.contains(&caesar::Event::DustLost {
        account: EVE,
        amount: 4 * ED / 5
    }));
    assert_invariants(&ext);

    // A stash root reaped or drained below its ledger: its phantom bond is dropped.
    let bond = Call::Bond {
        value: 1_000 * CAES,
    };
    assert_eq!(dispatch(&mut ext, signed(DAVE), bond), Ok(()));
    caesar::set_balance(&mut ext, &DAVE, 300 * CAES).unwrap();
    let issuance = caesar::total_issuance(&ext);
    assert_eq!(slash(&mut ext, &DAVE, PPM), Ok(1_000 * CAES));
    assert_eq!(caesar::total_issuance(&ext), issuance - 300 * CAES);
    assert_eq!(
        (caesar::account(&ext, &DAVE), ledger(&ext, &DAVE)),
        (None, None)
    );
    assert_invariants(&ext);
}

#[test]
fn equivocations_in_one_epoch_raise_every_offenders_fraction() {
    let mut ext = seven_validators();
    let issuance = caesar::total_issuance(&ext);
    let exposure = 1_000 * CAES;
    // Alice authored blocks 1 and 2: her rewards are in her free balance too.
    let start = balances(&ext);

    assert_eq!(report_equivocation(&mut ext, &ALICE, 2, 0), Ok(183_673));
    assert_eq!(active(&ext, &ALICE), exposure - 183_673_000_000_000);
    assert_eq!(free(&ext, &ALICE), start[0] - 183_673_000_000_000);
    assert!(events(&ext).contains(&Event::OffenceReported {
        offender: ALICE,
        height: 2,
        round: 0,
        fraction: 183_673,
        offenders_in_epoch: 1
    }));

    // A second offender: 734_693 ppm for both; Alice is topped up, from her own stash.
    let issuance_before_bob = caesar::total_issuance(&ext);
    assert_eq!(report_equivocation(&mut ext, &BOB, 3, 1), Ok(734_693));
    assert_eq!(active(&ext, &BOB), exposure - 734_693_000_000_000);
    assert_eq!(active(&ext, &ALICE), exposure - 734_693_000_000_000);
    for (i, who) in [ALICE, BOB].into_iter().enumerate() {
        assert_eq!(free(&ext, &who), start[i] - 734_693_000_000_000);
        assert_eq!(locked(&ext, &who), exposure - 734_693_000_000_000);
    }
    assert_eq!(free(&ext, &CHARLIE), start[2]);
    assert_eq!(
        caesar::total_issuance(&ext),
        issuance_before_bob - 734_693_000_000_000 - 551_020_000_000_000
    );
    let burns = caesar_events(&ext);
    assert!(burns.contains(&caesar::Event::Burned {
        who: ALICE,
        amount: 551_020_000_000_000
    }));
    assert!(burns.contains(&caesar::Event::Burned {
        who: BOB,
        amount: 734_693_000_000_000
    }));
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
        assert_eq!(caesar::locks(&ext, &who), vec![]);
    }
    for (i, who) in [ALICE, BOB, CHARLIE].into_iter().enumerate() {
        assert_eq!(free(&ext, &who), start[i] - exposure);
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
