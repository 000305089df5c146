//! Staking composed into the runtime, with real Falcon signatures: calls
//! through `apply_extrinsic`, block rewards, epoch rotation across
//! `initialize_block`/`finalize_block`, the engine's runtime API, the
//! root-only proof parameters, and fee refunds by an author whose bond locks
//! everything it holds.
mod common;

use common::*;
use hm_pallet_staking::{self as staking, Event as StakingEvent};
use hm_pallet_system::Error as SystemError;
use hm_primitives::UNITS;
use hm_runtime::*;
use hm_support::DispatchError;

fn staking_call(call: staking::Call) -> Call {
    Call::Staking(call)
}

fn staking_events(ext: &SigExt) -> Vec<StakingEvent> {
    events(ext)
        .into_iter()
        .filter_map(|r| match r.event {
            RuntimeEvent::Staking(e) => Some(e),
            _ => None,
        })
        .collect()
}

/// `kp` validates with its own key as consensus key, proving it with a real signature.
fn validate_call(kp: &hm_crypto::Keypair) -> Call {
    let plot = plot_of(kp);
    let message = staking::key_ownership_message(&kp.account_id(), &plot);
    staking_call(staking::Call::Validate {
        consensus_key: kp.public().clone(),
        plot,
        proof: kp.sign(message.as_bytes()),
    })
}

fn apply_ok(ext: &mut SigExt, ctx: &BlockContext, kp: &hm_crypto::Keypair, call: Call) {
    let xt = next_signed(ext, kp, call);
    let outcome = apply_extrinsic(ext, ctx, &xt).expect("included");
    assert_eq!(
        outcome.result,
        Ok(()),
        "{call_result:?}",
        call_result = outcome.result
    );
}

fn stashes(set: &[ConsensusValidator]) -> Vec<hm_primitives::AccountId> {
    set.iter().map(|v| v.stash).collect()
}

#[test]
fn staking_calls_go_through_signed_extrinsics() {
    let mut ext = chain_with(&validator_genesis());
    let ctx = block_by(1, alice());
    let e = eve().account_id();
    let free_before = free(&ext, &e);
    let bond = staking_call(staking::Call::Bond {
        value: 2_000 * UNITS,
    });
    let xt = next_signed(&ext, eve(), bond);
    let outcome = apply_extrinsic(&mut ext, &ctx, &xt).unwrap();
    assert_eq!(outcome.result, Ok(()));
    assert_eq!(
        outcome.weight,
        weights::EXTRINSIC_BASE + staking::weights::BOND
    );
    // The bond stays in Eve's account, locked.
    assert_eq!(free(&ext, &e), free_before - outcome.fee);
    assert_eq!(locked_balance(&ext, &e), 2_000 * UNITS);
    assert_eq!(staking_ledger(&ext, &e).unwrap().active, 2_000 * UNITS);
    assert!(staking_events(&ext).contains(&StakingEvent::Bonded {
        stash: e,
        amount: 2_000 * UNITS
    }));

    apply_ok(&mut ext, &ctx, eve(), validate_call(eve()));
    let info = validator_info(&ext, &e).unwrap();
    assert_eq!(
        (info.consensus_key, info.plot, info.bonded, info.slashed),
        (e, plot_of(eve()), 2_000 * UNITS, false)
    );
    assert_eq!(stash_of_consensus_key(&ext, &e), Some(e));

    // A proof signed by another key is refused, and the fee is still paid.
    apply_ok(
        &mut ext,
        &ctx,
        ferdie(),
        staking_call(staking::Call::Bond {
            value: 1_000 * UNITS,
        }),
    );
    let plot = plot_of(ferdie());
    let forged = staking_call(staking::Call::Validate {
        consensus_key: ferdie().public().clone(),
        plot,
        proof: eve().sign(staking::key_ownership_message(&ferdie().account_id(), &plot).as_bytes()),
    });
    let xt = next_signed(&ext, ferdie(), forged);
    let outcome = apply_extrinsic(&mut ext, &ctx, &xt).unwrap();
    assert_eq!(
        outcome.result,
        Err(DispatchError::from(staking::Error::BadKeyProof))
    );

    apply_ok(&mut ext, &ctx, eve(), staking_call(staking::Call::Chill));
    apply_ok(
        &mut ext,
        &ctx,
        eve(),
        staking_call(staking::Call::Unbond { value: 500 * UNITS }),
    );
    let ledger = staking_ledger(&ext, &e).unwrap();
    assert_eq!(ledger.active, 1_500 * UNITS);
    assert_eq!(
        ledger.unlocking,
        vec![UnlockChunk {
            value: 500 * UNITS,
            matures_at: 2
        }]
    );
    // Root-wrapped staking calls need the root key.
    let xt = next_signed(
        &ext,
        eve(),
        Call::Root(Box::new(staking_call(staking::Call::Chill))),
    );
    assert_eq!(
        apply_extrinsic(&mut ext, &ctx, &xt).unwrap().result,
        Err(SystemError::BadOrigin.into())
    );
    assert_issuance_matches(&ext.inner);
}

#[test]
fn validate_requires_the_chains_plot_size() {
    let mut ext = chain_with(&validator_genesis());
    let ctx = block_by(1, alice());
    apply_ok(
        &mut ext,
        &ctx,
        eve(),
        staking_call(staking::Call::Bond {
            value: 2_000 * UNITS,
        }),
    );
    let plot = PlotCommitment {
        k: PLOT_K + 1,
        ..plot_of(eve())
    };
    let message = staking::key_ownership_message(&eve().account_id(), &plot);
    let call = staking_call(staking::Call::Validate {
        consensus_key: eve().public().clone(),
        plot,
        proof: eve().sign(message.as_bytes()),
    });
    let xt = next_signed(&ext, eve(), call);
    assert_eq!(
        apply_extrinsic(&mut ext, &ctx, &xt).unwrap().result,
        Err(staking::Error::InvalidPlot.into())
    );
}

#[test]
fn the_reward_goes_to_the_stash_behind_the_authors_consensus_key() {
    let mut config = validator_genesis();
    // Eve's stash validates with Ferdie's key: Ferdie's key authors, Eve is paid.
    config.staking.validators.push(GenesisValidator {
        stash: eve().account_id(),
        bond: BOND,
        consensus_key: ferdie().account_id().to_address(),
        plot: plot_of(eve()),
    });
    let mut ext = chain_with(&config);
    let (e, f) = (eve().account_id(), ferdie().account_id());
    let (eve_before, ferdie_before) = (free(&ext, &e), free(&ext, &f));
    let issuance = total_issuance(&ext);
    let ctx = block_by(1, ferdie());
    initialize_block(&mut ext, &ctx);
    finalize_checked(&mut ext, &ctx);
    assert_eq!(free(&ext, &e), eve_before + REWARD);
    assert_eq!(free(&ext, &f), ferdie_before);
    assert_eq!(total_issuance(&ext), issuance + REWARD);
    assert!(staking_events(&ext).contains(&StakingEvent::Rewarded {
        stash: e,
        amount: REWARD
    }));
    // An author outside the set earns nothing.
    let issuance = total_issuance(&ext);
    let outsider = block(2);
    initialize_block(&mut ext, &outsider);
    finalize_checked(&mut ext, &outsider);
    assert_eq!(total_issuance(&ext), issuance);
    assert_issuance_matches(&ext.inner);
}

#[test]
fn epochs_rotate_across_initialize_and_finalize() {
    let mut ext = chain_with(&validator_genesis());
    assert_eq!((epoch_length(&ext), epoch_start(&ext, 7)), (EPOCH, EPOCH));
    assert_eq!((epoch_start(&ext, 0), epoch_start(&ext, EPOCH - 1)), (0, 0));
    let genesis_set = stashes(&validator_set_for_block(&ext, 1));
    let [a, b, c, d] = [alice(), bob(), charlie(), dave()].map(|kp| kp.account_id());
    assert_eq!(genesis_set, {
        let mut sorted = vec![a, b, c, d];
        sorted.sort();
        sorted
    });
    // Eve bonds the most and registers in epoch 0.
    let ctx = block_by(1, alice());
    apply_ok(
        &mut ext,
        &ctx,
        eve(),
        staking_call(staking::Call::Bond {
            value: 5_000 * UNITS,
        }),
    );
    apply_ok(&mut ext, &ctx, eve(), validate_call(eve()));
    run_to(&mut ext, EPOCH - 1, alice());
    // Not before the epoch's last block commits the next set.
    assert_eq!(stashes(&validator_set_for_block(&ext, EPOCH)), genesis_set);
    finalize_checked(&mut ext, &block_by(EPOCH - 1, alice()));
    let next = validator_set_for_block(&ext, EPOCH);
    assert_eq!(next[0].stash, eve().account_id());
    assert_eq!(next[0].power, 5_000);
    assert_eq!(next.len(), 5);
    assert_eq!(epoch_index(&ext), 0);

    initialize_block(&mut ext, &block_by(EPOCH, alice()));
    assert_eq!(epoch_index(&ext), 1);
    assert!(staking_events(&ext).contains(&StakingEvent::NewEpoch {
        index: 1,
        validators: 5
    }));
    assert_eq!(validator_set_for_block(&ext, EPOCH + 1), next);
    assert_eq!(current_validator_set(&ext).len(), 5);
    assert_eq!(epoch_start(&ext, EPOCH + 3), EPOCH);
    assert_issuance_matches(&ext.inner);
}

#[test]
fn the_engine_sees_keys_plots_and_power_and_loses_chilled_validators_at_once() {
    let mut ext = chain_with(&validator_genesis());
    let set = validator_set_for_block(&ext, 1);
    let bob_entry = set
        .iter()
        .find(|v| v.stash == bob().account_id())
        .expect("bob validates");
    assert_eq!(
        bob_entry,
        &ConsensusValidator {
            stash: bob().account_id(),
            consensus_key: bob().account_id(),
            public_key: bob().public().clone(),
            power: 1_000,
            plot: plot_of(bob()),
        }
    );
    assert_eq!(proof_params(&ext).plot_k, PLOT_K);
    let ctx = block_by(1, alice());
    apply_ok(&mut ext, &ctx, bob(), staking_call(staking::Call::Chill));
    let after = stashes(&validator_set_for_block(&ext, 2));
    assert_eq!(after.len(), 3);
    assert!(!after.contains(&bob().account_id()));
    // The elected set itself is frozen for the epoch.
    assert_eq!(current_validator_set(&ext).len(), 4);
}

#[test]
fn root_changes_the_proof_params_but_not_the_plot_size() {
    let mut ext = chain_with(&validator_genesis());
    let ctx = block_by(1, alice());
    let harder = ProofParams {
        work_difficulty: 500_000,
        ..proof_params(&ext)
    };
    let set = |params: ProofParams| {
        Call::Root(Box::new(staking_call(staking::Call::SetProofParams {
            params,
        })))
    };
    let xt = next_signed(&ext, bob(), set(harder));
    assert_eq!(
        apply_extrinsic(&mut ext, &ctx, &xt).unwrap().result,
        Err(SystemError::BadOrigin.into())
    );
    let xt = next_signed(
        &ext,
        alice(),
        staking_call(staking::Call::SetProofParams { params: harder }),
    );
    assert_eq!(
        apply_extrinsic(&mut ext, &ctx, &xt).unwrap().result,
        Err(SystemError::BadOrigin.into()),
        "signed, not root"
    );
    apply_ok(&mut ext, &ctx, alice(), set(harder));
    assert_eq!(proof_params(&ext), harder);
    for bad in [
        ProofParams {
            work_difficulty: 0,
            ..harder
        },
        ProofParams {
            plot_k: PLOT_K + 1,
            ..harder
        },
    ] {
        let xt = next_signed(&ext, alice(), set(bad));
        assert_eq!(
            apply_extrinsic(&mut ext, &ctx, &xt).unwrap().result,
            Err(staking::Error::InvalidProofParams.into())
        );
    }
    assert_eq!(proof_params(&ext), harder);
}

#[test]
fn the_hooks_weight_is_taken_before_any_extrinsic() {
    // The scheduler reads the block's (empty) agenda and referenda its (empty) alarms in
    // every block.
    let scheduler = pallet_scheduler::weights::SERVICE_BASE
        + pallet_scheduler::weights::SERVICE_AGENDA
        + pallet_referenda::weights::SERVICE_BASE;
    let mut ext = chain_with(&validator_genesis());
    assert_eq!(
        hm_pallet_system::block_weight(&ext),
        staking::weights::ON_FINALIZE + scheduler
    );
    run_to(&mut ext, EPOCH, alice());
    assert_eq!(
        hm_pallet_system::block_weight(&ext),
        staking::weights::ON_INITIALIZE_EPOCH + staking::weights::ON_FINALIZE + scheduler
    );
}

/// Bob's `destroy_accounts` of a token with no accounts: declared for a full step,
/// it reports one share of it, so most of its fee is refunded by the block's author.
/// Checks the charge is exactly the fee of the weight used, paid by Bob to the author.
fn refunded_call_charges_the_weight_used(ext: &mut SigExt, ctx: &BlockContext) {
    let call = Call::Tokens(pallet_tokens::Call::DestroyAccounts { token: 0 });
    let declared = weights::EXTRINSIC_BASE + call.weight();
    let xt = next_signed(ext, bob(), call);
    let (b, author) = (bob().account_id(), ctx.author);
    let (bob_before, author_before) = (free(ext, &b), free(ext, &author));
    let outcome = apply_extrinsic(ext, ctx, &xt).expect("included");
    assert_eq!(outcome.result, Ok(()));
    assert!(outcome.weight < declared, "part of the weight is unused");
    let exact = parameters(ext)
        .fees
        .fee(xt.len(), outcome.weight, 0)
        .unwrap();
    assert_eq!(outcome.fee, exact);
    assert_eq!(free(ext, &b), bob_before - exact);
    assert_eq!(free(ext, &author), author_before + exact);
}

#[test]
fn an_author_whose_bond_locks_everything_still_refunds_unused_weight_exactly() {
    let mut ext = chain_with(&validator_genesis());
    let (d, ctx) = (dave().account_id(), block(1));
    let set_dave = |free| {
        Call::Root(Box::new(Call::Caesar(hm_pallet_caesar::Call::SetBalance {
            who: d,
            free,
        })))
    };
    // Dave bonds 9000 CAES, and root leaves him exactly that (a Falcon signature's
    // length varies, so no fee can be foreseen to bond the last planck).
    let bond_extra = staking_call(staking::Call::BondExtra {
        value: 8_000 * UNITS,
    });
    apply_ok(&mut ext, &ctx, dave(), bond_extra);
    apply_ok(&mut ext, &ctx, alice(), set_dave(BOND + 8_000 * UNITS));
    assert_eq!(locked_balance(&ext, &d), free(&ext, &d));
    assert_eq!(hm_pallet_caesar::usable_balance(&ext, &d), 0);
    // Bob creates a token and starts destroying it.
    let create = Call::Tokens(pallet_tokens::Call::Create { min_balance: 1 });
    apply_ok(&mut ext, &ctx, bob(), create);
    let start = Call::Tokens(pallet_tokens::Call::StartDestroy { token: 0 });
    apply_ok(&mut ext, &ctx, bob(), start);
    finalize_checked(&mut ext, &ctx);

    // Dave authors: the fee is credited to him, and the refund leaves him whole.
    let ctx = block_by(2, dave());
    initialize_block(&mut ext, &ctx);
    refunded_call_charges_the_weight_used(&mut ext, &ctx);
    // Root lowers Dave's free balance below his bond: the lock then freezes all of it,
    // the fee credited on top too, and still the refund goes back in full.
    apply_ok(&mut ext, &ctx, alice(), set_dave(100 * UNITS));
    assert!(hm_pallet_caesar::frozen_balance(&ext, &d) > 100 * UNITS);
    refunded_call_charges_the_weight_used(&mut ext, &ctx);
    assert_eq!(hm_pallet_caesar::usable_balance(&ext, &d), 0);
    finalize_checked(&mut ext, &ctx);
    assert_issuance_matches(&ext.inner);
}
