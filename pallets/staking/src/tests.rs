//! Validator calls, configuration, call decoding and rewards: every happy path and every error.
use crate::{mock::*, *};
use hm_pallet_caesar::Error as CaesarError;
use hm_pallet_system::Error as SystemError;

fn bond_call(value: Balance) -> Call {
    Call::Bond { value }
}

#[test]
fn validate_registers_key_plot_and_candidacy() {
    let mut ext = three_validators();
    assert_eq!(
        dispatch(&mut ext, signed(DAVE), bond_call(MIN_BOND)),
        Ok(())
    );
    assert_eq!(dispatch(&mut ext, signed(DAVE), validate_call(4)), Ok(()));
    assert_eq!(
        validator_info(&ext, &DAVE),
        Some(ValidatorInfo {
            consensus_key: key_id(4),
            plot: plot(4),
            bonded: MIN_BOND,
            slashed: false
        })
    );
    assert_eq!(stash_of_consensus_key(&ext, &key_id(4)), Some(DAVE));
    assert_eq!(system::public_key(&ext, &key_id(4)), Some(key(4)));
    assert_eq!(candidates(&ext), vec![ALICE, BOB, CHARLIE, DAVE]);
    assert!(events(&ext).contains(&Event::ValidatorRegistered {
        stash: DAVE,
        consensus_key: key_id(4),
        plot: plot(4)
    }));
    assert_invariants(&ext);

    // Validating again replaces key and plot and frees the old ones.
    assert_eq!(dispatch(&mut ext, signed(DAVE), validate_call(5)), Ok(()));
    assert_eq!(stash_of_consensus_key(&ext, &key_id(4)), None);
    assert_eq!(stash_of_consensus_key(&ext, &key_id(5)), Some(DAVE));
    assert_eq!(dispatch(&mut ext, signed(EVE), bond_call(MIN_BOND)), Ok(()));
    assert_eq!(dispatch(&mut ext, signed(EVE), validate_call(4)), Ok(()));
    assert_eq!(candidates(&ext), vec![ALICE, BOB, CHARLIE, DAVE, EVE]);
    assert_invariants(&ext);
}

#[test]
fn validate_errors() {
    let mut ext = three_validators();
    assert_noop(
        &mut ext,
        signed(DAVE),
        validate_call(4),
        Error::NotBonded.into(),
    );
    assert_eq!(
        dispatch(&mut ext, signed(DAVE), bond_call(MIN_BOND - 1)),
        Ok(())
    );
    assert_noop(
        &mut ext,
        signed(DAVE),
        validate_call(4),
        Error::BelowMinimumBond.into(),
    );
    assert_eq!(
        dispatch(&mut ext, signed(DAVE), Call::BondExtra { value: 1 }),
        Ok(())
    );
    // In range, but not the chain's plot_k (MIN_K): its openings would never verify.
    for k in [0, MIN_K - 1, MIN_K + 1, MAX_PLOT_K + 1, u8::MAX] {
        let call = Call::Validate {
            consensus_key: key(4),
            plot: PlotCommitment { k, ..plot(4) },
            proof: valid_proof(),
        };
        assert_noop(&mut ext, signed(DAVE), call, Error::InvalidPlot.into());
    }
    let forged = Call::Validate {
        consensus_key: key(4),
        plot: plot(4),
        proof: FalconSignature(b"forged".to_vec()),
    };
    assert_noop(&mut ext, signed(DAVE), forged, Error::BadKeyProof.into());
    // Alice's key and Alice's plot belong to Alice.
    assert_noop(
        &mut ext,
        signed(DAVE),
        validate_call(1),
        Error::KeyInUse.into(),
    );
    let alice_plot = Call::Validate {
        consensus_key: key(4),
        plot: plot(1),
        proof: valid_proof(),
    };
    assert_noop(&mut ext, signed(DAVE), alice_plot, Error::PlotInUse.into());
    assert_noop(
        &mut ext,
        Origin::Root,
        validate_call(4),
        SystemError::BadOrigin.into(),
    );
    assert_eq!(dispatch(&mut ext, signed(DAVE), validate_call(4)), Ok(()));
    assert_invariants(&ext);
}

/// Fill the candidate list to `MAX_CANDIDATES` with stashes bonding `MIN_BOND`.
fn fill_candidates(ext: &mut hm_support::MemoryExt) -> Vec<AccountId> {
    let mut list = candidates(ext);
    let mut filler = Vec::new();
    let mut i: u32 = 0;
    while list.len() < MAX_CANDIDATES as usize {
        let mut id = [0xA0; 32];
        id[28..].copy_from_slice(&i.to_be_bytes());
        let stash = AccountId(id);
        let bond = StakingLedger {
            active: MIN_BOND,
            unlocking: vec![],
        };
        put(ext, &storage::ledger(&stash), &bond);
        let reg = ValidatorRegistration {
            consensus_key: stash,
            plot: plot(0),
            slashed: false,
        };
        put(ext, &storage::validator(&stash), &reg);
        put(ext, &storage::key_owner(&stash), &stash);
        list.push(stash);
        filler.push(stash);
        i += 1;
    }
    list.sort();
    put(ext, &storage::candidates(), &list);
    filler
}

#[test]
fn a_full_candidate_list_admits_only_a_stronger_candidate() {
    let mut ext = three_validators();
    let filler = fill_candidates(&mut ext);
    // Ties go to the lower AccountId: Dave ([4; 32]) with the fillers' bond
    // outranks them ([0xA0…]) and takes the place of the weakest.
    assert_eq!(
        dispatch(&mut ext, signed(DAVE), bond_call(MIN_BOND)),
        Ok(())
    );
    let weakest = *filler.iter().max().unwrap();
    assert_eq!(dispatch(&mut ext, signed(DAVE), validate_call(4)), Ok(()));
    assert!(events(&ext).contains(&Event::Chilled { stash: weakest }));
    assert_eq!(registration(&ext, &weakest), None);
    assert_eq!(candidates(&ext).len(), MAX_CANDIDATES as usize);
    assert!(candidates(&ext).binary_search(&DAVE).is_ok());

    // A candidate ranking below everyone is refused: same bond, higher AccountId.
    let late = AccountId([0xFF; 32]);
    caesar::set_balance(&mut ext, &late, FUNDS).unwrap();
    assert_eq!(
        dispatch(&mut ext, signed(late), bond_call(MIN_BOND)),
        Ok(())
    );
    assert_noop(
        &mut ext,
        signed(late),
        validate_call(9),
        Error::TooManyCandidates.into(),
    );
}

#[test]
fn chill_ends_candidacy() {
    let mut ext = three_validators();
    assert_eq!(dispatch(&mut ext, signed(BOB), Call::Chill), Ok(()));
    assert_eq!(registration(&ext, &BOB), None);
    assert_eq!(stash_of_consensus_key(&ext, &key_id(2)), None);
    assert_eq!(candidates(&ext), vec![ALICE, CHARLIE]);
    assert_eq!(events(&ext), vec![Event::Chilled { stash: BOB }]);
    // The bond stays; the current set is unchanged until the epoch ends.
    assert_eq!(active(&ext, &BOB), 2_000 * CAES);
    assert_eq!(current_validators(&ext).len(), 3);
    assert_noop(
        &mut ext,
        signed(BOB),
        Call::Chill,
        Error::NotRegistered.into(),
    );
    assert_noop(
        &mut ext,
        signed(DAVE),
        Call::Chill,
        Error::NotRegistered.into(),
    );
    assert_noop(
        &mut ext,
        Origin::Root,
        Call::Chill,
        SystemError::BadOrigin.into(),
    );
    assert_invariants(&ext);
}

#[test]
fn set_config_is_root_only_and_checked() {
    let mut ext = three_validators();
    let new = StakingConfig {
        block_reward: 7 * CAES,
        max_validators: 10,
        ..config(&ext)
    };
    let call = Call::SetConfig { config: new };
    assert_noop(
        &mut ext,
        signed(ALICE),
        call.clone(),
        SystemError::BadOrigin.into(),
    );
    assert_eq!(dispatch(&mut ext, Origin::Root, call), Ok(()));
    assert_eq!(config(&ext), new);
    assert_eq!(events(&ext), vec![Event::ConfigSet { config: new }]);
    let bad = [
        StakingConfig {
            epoch_length: EPOCH + 1,
            ..new
        },
        StakingConfig {
            unbonding_period: MIN_UNBONDING_PERIOD - 1,
            ..new
        },
        StakingConfig {
            unbonding_period: MAX_UNBONDING_PERIOD + 1,
            ..new
        },
        StakingConfig {
            min_validator_bond: POWER_UNIT - 1,
            ..new
        },
        StakingConfig {
            max_validators: 0,
            ..new
        },
        StakingConfig {
            max_validators: MAX_CANDIDATES + 1,
            ..new
        },
        StakingConfig {
            min_plot_k: 0,
            ..new
        },
        StakingConfig {
            min_plot_k: MAX_PLOT_K + 1,
            ..new
        },
    ];
    for config in bad {
        assert_noop(
            &mut ext,
            Origin::Root,
            Call::SetConfig { config },
            Error::InvalidConfig.into(),
        );
    }
}

#[test]
fn calls_round_trip_and_malformed_bytes_fail_to_decode() {
    let calls = [
        bond_call(5),
        Call::BondExtra { value: u128::MAX },
        Call::Unbond { value: 0 },
        Call::WithdrawUnbonded,
        validate_call(1),
        Call::Chill,
        Call::SetConfig {
            config: test_genesis(vec![]).staking_config(),
        },
    ];
    for call in &calls {
        let bytes = call.encode();
        assert_eq!(Call::decode(&mut &bytes[..]).as_ref(), Ok(call));
        // Every strict prefix is refused.
        for cut in 0..bytes.len() {
            assert!(
                hm_primitives::decode_untrusted::<Call>(&bytes[..cut], 1 << 20).is_err(),
                "prefix of {cut} bytes of {call:?} decoded"
            );
        }
        // Trailing bytes are refused by the untrusted decoder.
        let mut extended = bytes.clone();
        extended.push(0);
        assert!(hm_primitives::decode_untrusted::<Call>(&extended, 1 << 20).is_err());
    }
    // Unknown variants.
    for index in [7u8, 42, 255] {
        assert!(Call::decode(&mut &[index][..]).is_err());
    }
    // A signature length beyond Falcon's maximum is refused before allocating.
    let mut hostile = vec![4u8];
    hostile.extend_from_slice(key(1).as_bytes());
    hostile.extend_from_slice(&plot(1).encode());
    hostile.extend_from_slice(&parity_scale_codec::Compact(u32::MAX).encode());
    assert!(Call::decode(&mut &hostile[..]).is_err());
    // A non-canonical compact amount is refused.
    assert!(Call::decode(&mut &[0u8, 0b0000_0001, 0][..]).is_err());
    // Oversized input is refused by length before decoding.
    let big = vec![0u8; 2 << 20];
    assert!(hm_primitives::decode_untrusted::<Call>(&big, 1 << 20).is_err());
}

#[test]
fn reward_author_mints_exactly_the_reward() {
    let mut ext = three_validators();
    let issuance = caesar::total_issuance(&ext);
    // By consensus key (as the engine names the proposer) and by stash.
    assert_eq!(reward_author(&mut ext, &key_id(2), 5 * CAES), Ok(BOB));
    assert_eq!(reward_author(&mut ext, &CHARLIE, 3), Ok(CHARLIE));
    assert_eq!(caesar::total_issuance(&ext), issuance + 5 * CAES + 3);
    // Rewards are free to spend: the locks stay at the bonds.
    assert_eq!(free(&ext, &BOB), FUNDS + 5 * CAES);
    assert_eq!(free(&ext, &CHARLIE), FUNDS + 3);
    assert_eq!(locked(&ext, &BOB), 2_000 * CAES);
    assert!(events(&ext).contains(&Event::Rewarded {
        stash: BOB,
        amount: 5 * CAES
    }));
    assert_eq!(reward_author(&mut ext, &ALICE, 0), Ok(ALICE));
    let before = ext.state.clone();
    assert_eq!(
        reward_author(&mut ext, &DAVE, CAES),
        Err(Error::NotInValidatorSet.into())
    );
    assert!(ext.state == before);
    assert_invariants(&ext);
}

#[test]
fn reward_to_a_removed_stash_below_the_ed_is_refused() {
    let mut ext = three_validators();
    // Alice keeps only her bond, which a full slash burns: her account is removed,
    // though she stays in this epoch's set.
    let away = caesar::Call::Transfer {
        dest: EVE,
        value: caesar::usable_balance(&ext, &ALICE),
    };
    assert_eq!(caesar::dispatch(&mut ext, signed(ALICE), away), Ok(()));
    assert_eq!(slash(&mut ext, &ALICE, PPM), Ok(1_000 * CAES));
    assert_eq!(caesar::account(&ext, &ALICE), None);
    let before = ext.state.clone();
    assert_eq!(
        reward_author(&mut ext, &ALICE, ED - 1),
        Err(CaesarError::ExistentialDeposit.into())
    );
    assert!(ext.state == before);
    assert_eq!(reward_author(&mut ext, &ALICE, ED), Ok(ALICE));
    assert_invariants(&ext);
}

#[test]
fn every_block_rewards_its_author() {
    let mut ext = three_validators();
    let issuance = caesar::total_issuance(&ext);
    run_to_block(&mut ext, 3, &key_id(3));
    end_block(&mut ext, 3);
    // Blocks 1 (authored by Alice's stash), 2 and 3 (Charlie's key).
    assert_eq!(caesar::total_issuance(&ext), issuance + 3 * REWARD);
    assert_eq!(free(&ext, &CHARLIE), FUNDS + 2 * REWARD);
    assert_eq!(free(&ext, &ALICE), FUNDS + REWARD);
    // An author outside the set is not paid, and the block still ends.
    start_block(&mut ext, 4, &DAVE);
    end_block(&mut ext, 4);
    assert_eq!(caesar::total_issuance(&ext), issuance + 3 * REWARD);
    assert_invariants(&ext);
}

/// The mock state with real Falcon-1024 verification.
struct RealFalcon(hm_support::MemoryExt);

impl Externalities for RealFalcon {
    fn storage_get(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.0.storage_get(key)
    }
    fn storage_set(&mut self, key: &[u8], value: &[u8]) {
        self.0.storage_set(key, value)
    }
    fn storage_remove(&mut self, key: &[u8]) {
        self.0.storage_remove(key)
    }
    fn falcon_verify(&self, public_key: &[u8], message: &[u8], signature: &[u8]) -> bool {
        hm_crypto::falcon::verify_raw(public_key, message, signature)
    }
}

#[test]
fn a_real_key_proves_it_belongs_to_the_stash_and_plot() {
    let consensus = hm_crypto::dev_keypair("alice").expect("dev key");
    let mut ext = RealFalcon(three_validators());
    let bond = Call::Bond { value: MIN_BOND };
    assert_eq!(dispatch(&mut ext, signed(DAVE), bond), Ok(()));
    let validate_with = |stash: AccountId, signed_plot: PlotCommitment| Call::Validate {
        consensus_key: consensus.public().clone(),
        plot: plot(4),
        proof: consensus.sign(key_ownership_message(&stash, &signed_plot).as_bytes()),
    };
    // A proof made for another stash, or for another plot, does not transfer.
    let for_eve = validate_with(EVE, plot(4));
    assert_eq!(
        dispatch(&mut ext, signed(DAVE), for_eve),
        Err(Error::BadKeyProof.into())
    );
    let other_plot = validate_with(DAVE, plot(5));
    assert_eq!(
        dispatch(&mut ext, signed(DAVE), other_plot),
        Err(Error::BadKeyProof.into())
    );
    assert_eq!(
        dispatch(&mut ext, signed(DAVE), validate_with(DAVE, plot(4))),
        Ok(())
    );
    assert_eq!(
        stash_of_consensus_key(&ext, &consensus.account_id()),
        Some(DAVE)
    );
    assert_eq!(
        system::public_key(&ext, &consensus.account_id()).as_ref(),
        Some(consensus.public())
    );
}
