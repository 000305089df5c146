//! Epochs and the election: exact sets at exact blocks.
use crate::{mock::*, *};

fn entry(stash: AccountId, tag: u8, caes: u64) -> ValidatorSetEntry {
    ValidatorSetEntry {
        stash,
        consensus_key: key_id(tag),
        power: caes,
    }
}

fn bond_and_validate(ext: &mut hm_support::MemoryExt, who: AccountId, bond: Balance, tag: u8) {
    assert_eq!(
        dispatch(ext, signed(who), Call::Bond { value: bond }),
        Ok(())
    );
    assert_eq!(dispatch(ext, signed(who), validate_call(tag)), Ok(()));
}

#[test]
fn genesis_elects_the_strongest_with_ties_to_the_lower_account() {
    let ext = new_ext(&[
        (ALICE, 1_000 * CAES, 1),
        (CHARLIE, 2_000 * CAES, 3),
        (BOB, 2_000 * CAES, 2),
        (DAVE, 500 * CAES, 4),
    ]);
    let expected = vec![
        entry(BOB, 2, 2_000),
        entry(CHARLIE, 3, 2_000),
        entry(ALICE, 1, 1_000),
    ];
    assert_eq!(validator_set(&ext), expected);
    assert_eq!(next_validator_set(&ext), expected);
    assert_eq!(
        current_validators(&ext),
        vec![(BOB, 2_000), (CHARLIE, 2_000), (ALICE, 1_000)]
    );
    assert_eq!(epoch_index(&ext), 0);
    // Dave is a candidate, just not elected.
    assert_eq!(candidates(&ext), vec![ALICE, BOB, CHARLIE, DAVE]);
    assert_invariants(&ext);
}

#[test]
fn the_last_block_commits_and_the_first_block_rotates() {
    let mut ext = three_validators();
    let genesis_set = validator_set(&ext);
    bond_and_validate(&mut ext, DAVE, 5_000 * CAES, 4);
    run_to_block(&mut ext, EPOCH - 1, &ALICE);
    assert_eq!(validator_set(&ext), genesis_set);
    assert_eq!(next_validator_set(&ext), genesis_set);

    end_block(&mut ext, EPOCH - 1);
    let next = vec![
        entry(DAVE, 4, 5_000),
        entry(CHARLIE, 3, 3_000),
        entry(BOB, 2, 2_000),
    ];
    assert_eq!(next_validator_set(&ext), next);
    assert_eq!(validator_set(&ext), genesis_set);
    assert!(events(&ext).contains(&Event::NextValidatorsCommitted {
        epoch: 1,
        validators: 3,
        total_power: 10_000,
        fallback: false
    }));
    // The engine reads block EPOCH's set from its parent's state.
    assert_eq!(validator_set_for_block(&ext, EPOCH), next);
    assert_eq!(validator_set_for_block(&ext, EPOCH - 1), genesis_set);

    assert_eq!(validator_set_of_epoch(&ext, 0), Some(genesis_set.clone()));
    assert_eq!(validator_set_of_epoch(&ext, 1), None);
    assert_eq!(validator_set_of_epoch(&ext, EpochIndex::MAX), None);

    start_block(&mut ext, EPOCH, &ALICE);
    assert_eq!(validator_set(&ext), next);
    assert_eq!(epoch_index(&ext), 1);
    // Evidence from the epoch before can still be mapped to its set.
    assert_eq!(validator_set_of_epoch(&ext, 0), Some(genesis_set));
    assert_eq!(validator_set_of_epoch(&ext, 1), Some(next.clone()));
    assert_eq!(validator_set_of_epoch(&ext, 2), None);
    assert_eq!(
        events(&ext),
        vec![Event::NewEpoch {
            index: 1,
            validators: 3
        }]
    );
    // Mid-epoch blocks neither commit nor rotate.
    run_to_block(&mut ext, EPOCH + 2, &ALICE);
    end_block(&mut ext, EPOCH + 2);
    assert!(!events(&ext)
        .iter()
        .any(|e| matches!(e, Event::NextValidatorsCommitted { .. })));
    assert_invariants(&ext);
}

#[test]
fn validators_without_a_plot_or_slashed_are_not_elected() {
    let mut ext = three_validators();
    // Dave bonds the most but never registers a plot.
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
    assert_eq!(slash(&mut ext, &CHARLIE, 0), Ok(0));
    run_to_epoch(&mut ext, 1);
    assert_eq!(
        validator_set(&ext),
        vec![entry(BOB, 2, 2_000), entry(ALICE, 1, 1_000)]
    );
    // Registering again lifts the exclusion at the next boundary.
    assert_eq!(
        dispatch(&mut ext, signed(CHARLIE), validate_call(3)),
        Ok(())
    );
    run_to_epoch(&mut ext, 2);
    assert_eq!(
        validator_set(&ext),
        vec![
            entry(CHARLIE, 3, 3_000),
            entry(BOB, 2, 2_000),
            entry(ALICE, 1, 1_000)
        ]
    );
    assert_invariants(&ext);
}

#[test]
fn chilled_validators_leave_at_the_boundary() {
    let mut ext = three_validators();
    run_to_block(&mut ext, 2, &ALICE);
    assert_eq!(dispatch(&mut ext, signed(BOB), Call::Chill), Ok(()));
    assert_eq!(current_validators(&ext).len(), 3);
    run_to_epoch(&mut ext, 1);
    assert_eq!(
        current_validators(&ext),
        vec![(CHARLIE, 3_000), (ALICE, 1_000)]
    );
}

#[test]
fn an_empty_election_keeps_the_current_set() {
    let mut ext = three_validators();
    for who in [ALICE, BOB, CHARLIE] {
        assert_eq!(dispatch(&mut ext, signed(who), Call::Chill), Ok(()));
    }
    let set = validator_set(&ext);
    run_to_block(&mut ext, EPOCH - 1, &ALICE);
    end_block(&mut ext, EPOCH - 1);
    assert!(events(&ext).contains(&Event::NextValidatorsCommitted {
        epoch: 1,
        validators: 3,
        total_power: 6_000,
        fallback: true
    }));
    start_block(&mut ext, EPOCH, &ALICE);
    assert_eq!(validator_set(&ext), set);
}

#[test]
fn bonds_below_a_raised_minimum_are_not_elected() {
    let mut ext = three_validators();
    let raised = StakingConfig {
        min_validator_bond: 1_500 * CAES,
        ..config(&ext)
    };
    assert_eq!(
        dispatch(&mut ext, Origin::Root, Call::SetConfig { config: raised }),
        Ok(())
    );
    run_to_epoch(&mut ext, 1);
    assert_eq!(
        current_validators(&ext),
        vec![(CHARLIE, 3_000), (BOB, 2_000)]
    );
}

#[test]
fn power_is_whole_caes_capped_by_the_total() {
    let mut ext = three_validators();
    assert_eq!(
        dispatch(&mut ext, signed(ALICE), Call::BondExtra { value: CAES - 1 }),
        Ok(())
    );
    run_to_epoch(&mut ext, 1);
    assert_eq!(current_validators(&ext)[2], (ALICE, 1_000));
    assert_eq!(election::power_of(CAES - 1, 3), 0);
    assert_eq!(election::power_of(Balance::MAX, 1), MAX_TOTAL_POWER);
    assert_eq!(election::power_of(Balance::MAX, 100), MAX_TOTAL_POWER / 100);
    assert!(
        election::power_of(Balance::MAX, MAX_CANDIDATES) * Power::from(MAX_CANDIDATES)
            <= MAX_TOTAL_POWER
    );
}

#[test]
fn one_block_epochs_rotate_every_block() {
    let mut ext = new_ext_with(GenesisConfig {
        epoch_length: 1,
        ..test_genesis(vec![genesis_validator(ALICE, 1_000 * CAES, 1)])
    });
    // Block 1 opened epoch 1 with the genesis set.
    assert_eq!(epoch_index(&ext), 1);
    assert_eq!(current_validators(&ext), vec![(ALICE, 1_000)]);
    bond_and_validate(&mut ext, BOB, 2_000 * CAES, 2);
    run_to_block(&mut ext, 2, &ALICE);
    assert_eq!(epoch_index(&ext), 2);
    assert_eq!(current_validators(&ext), vec![(BOB, 2_000), (ALICE, 1_000)]);
    assert_invariants(&ext);
}
