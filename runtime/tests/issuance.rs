//! Property: over any sequence of blocks and extrinsics (fees, tips, transfers,
//! root balance changes, staking calls, block rewards, equivocation reports,
//! refusals), total issuance equals the sum of balances, every stash's staking
//! lock equals its bond, only a root `SetBalance` raises issuance within an
//! extrinsic, and only block rewards raise it between extrinsics.

use hm_consensus_bft::{SignedVote, Vote, VoteStep};
use hm_pallet_staking as staking;
use hm_primitives::{
    AccountId, Balance, FalconPublicKey, FalconSignature, SignedExtra, SignedPart, Signer,
    UncheckedExtrinsic, H256, UNITS,
};
use hm_runtime::*;
use hm_support::MemoryExt;
use parity_scale_codec::{Decode, Encode};
use proptest::prelude::*;

const GENESIS_HASH: H256 = H256([7; 32]);
const ED: Balance = 1_000;
const PEOPLE: usize = 4;
const EPOCH: u64 = 3;
const REWARD: Balance = UNITS;
const PLOT_K: u8 = 12;

fn key(i: usize) -> FalconPublicKey {
    FalconPublicKey::from_bytes(&[i as u8 + 1; 1793]).unwrap()
}

fn who(i: usize) -> AccountId {
    key(i).account_id()
}

fn plot(i: usize) -> PlotCommitment {
    PlotCommitment {
        root: H256([i as u8; 32]),
        k: PLOT_K,
        seed: H256([i as u8 + 100; 32]),
    }
}

fn chain() -> MemoryExt {
    let mut ext = MemoryExt::default();
    let staking = StakingGenesis {
        // Persons 0 and 1 validate with their account keys.
        validators: (0..2)
            .map(|i| GenesisValidator {
                stash: who(i),
                bond: 100 * UNITS,
                consensus_key: format!("0x{}", hex::encode(key(i).as_bytes())),
                plot: plot(i),
            })
            .collect(),
        epoch_length: EPOCH,
        unbonding_period: 2,
        min_validator_bond: 10 * UNITS,
        max_validators: 3,
        block_reward: REWARD,
        min_plot_k: PLOT_K,
        proof_params: ProofParams {
            plot_k: PLOT_K,
            ..ProofParams::LOCAL_TESTNET
        },
    };
    let config = GenesisConfig {
        // Person 3 starts with nothing; person 0 holds the root key.
        accounts: (0..3)
            .map(|i| GenesisAccount {
                account: who(i),
                public_key: None,
                balance: 1_000 * UNITS,
            })
            .collect(),
        root_key: Some(who(0)),
        existential_deposit: ED,
        fees: FeeParams {
            length_fee_per_byte: 1,
            weight_fee_per_unit: 0,
        },
        max_block_weight: hm_pallet_system::DEFAULT_MAX_BLOCK_WEIGHT,
        max_block_length: hm_pallet_system::DEFAULT_MAX_BLOCK_LENGTH,
        staking,
        governance: GovernanceGenesis::default(),
    };
    build_genesis(&mut ext, &config).unwrap();
    ext
}

fn issuance_is_sum(ext: &MemoryExt) -> bool {
    let prefix = &account_storage_key(&AccountId::default())[..32];
    let mut sum: Balance = 0;
    for (_, v) in ext.state.iter().filter(|(k, _)| k.starts_with(prefix)) {
        let data = hm_pallet_caesar::AccountData::decode(&mut &v[..]).unwrap();
        match sum
            .checked_add(data.free)
            .and_then(|s| s.checked_add(data.reserved))
        {
            Some(s) => sum = s,
            None => return false,
        }
    }
    total_issuance(ext) == sum
}

/// Each stash's staking lock is its ledger total, and `TotalHeld` is their sum.
fn locks_hold_the_bonds(ext: &MemoryExt) -> bool {
    let mut held: Balance = 0;
    for i in 0..PEOPLE {
        let total = staking_ledger(ext, &who(i)).map_or(0, |l| l.total().unwrap());
        let lock = hm_pallet_caesar::locks(ext, &who(i))
            .iter()
            .find(|l| l.id == staking::STAKING_LOCK_ID)
            .map_or(0, |l| l.amount);
        if lock != total {
            return false;
        }
        held += total;
    }
    staking::total_held(ext) == held
}

#[derive(Clone, Debug)]
enum Action {
    Transfer {
        to: usize,
        value: Balance,
        keep_alive: bool,
    },
    RootSetBalance {
        who: usize,
        free: Balance,
    },
    Bond(Balance),
    BondExtra(Balance),
    Unbond(Balance),
    Withdraw,
    Validate,
    Chill,
}

#[derive(Clone, Debug)]
enum Step {
    NewBlock {
        author: usize,
    },
    Submit {
        from: usize,
        action: Action,
        tip: Balance,
        nonce_skew: i8,
        full_key: bool,
    },
    /// Unsigned evidence against `offender`'s consensus key, `back` blocks ago.
    Report {
        offender: usize,
        back: u64,
        round: u32,
    },
}

fn value() -> impl Strategy<Value = Balance> {
    prop_oneof![
        0..3 * ED,
        0..2_000_000_000u128,
        0..2_000 * UNITS,
        Just(Balance::MAX),
        any::<u128>()
    ]
}

fn bond_value() -> impl Strategy<Value = Balance> {
    prop_oneof![0..3 * ED, 0..200 * UNITS, Just(Balance::MAX)]
}

fn step() -> impl Strategy<Value = Step> {
    let person = 0..PEOPLE;
    // Author index PEOPLE is an account that never holds funds.
    let new_block = (0..=PEOPLE).prop_map(|author| Step::NewBlock { author });
    let action = prop_oneof![
        (person.clone(), value(), any::<bool>()).prop_map(|(to, value, keep_alive)| {
            Action::Transfer {
                to,
                value,
                keep_alive,
            }
        }),
        (person.clone(), value()).prop_map(|(who, free)| Action::RootSetBalance { who, free }),
        bond_value().prop_map(Action::Bond),
        bond_value().prop_map(Action::BondExtra),
        bond_value().prop_map(Action::Unbond),
        Just(Action::Withdraw),
        Just(Action::Validate),
        Just(Action::Chill),
    ];
    let tip = prop_oneof![Just(0u128), 0..10_000u128, any::<u128>()];
    let skew = prop_oneof![8 => Just(0i8), 1 => Just(-1i8), 1 => Just(1i8)];
    let submit = (person.clone(), action, tip, skew, any::<bool>()).prop_map(
        |(from, action, tip, nonce_skew, full_key)| Step::Submit {
            from,
            action,
            tip,
            nonce_skew,
            full_key,
        },
    );
    let report = (person, 0..8u64, 0..3u32).prop_map(|(offender, back, round)| Step::Report {
        offender,
        back,
        round,
    });
    prop_oneof![2 => new_block, 8 => submit, 1 => report]
}

fn call_of(from: usize, action: &Action) -> Call {
    match *action {
        Action::Transfer {
            to,
            value,
            keep_alive: false,
        } => Call::Caesar(hm_pallet_caesar::Call::Transfer {
            dest: who(to),
            value,
        }),
        Action::Transfer {
            to,
            value,
            keep_alive: true,
        } => Call::Caesar(hm_pallet_caesar::Call::TransferKeepAlive {
            dest: who(to),
            value,
        }),
        Action::RootSetBalance { who: target, free } => {
            Call::Root(Box::new(Call::Caesar(hm_pallet_caesar::Call::SetBalance {
                who: who(target),
                free,
            })))
        }
        Action::Bond(value) => Call::Staking(staking::Call::Bond { value }),
        Action::BondExtra(value) => Call::Staking(staking::Call::BondExtra { value }),
        Action::Unbond(value) => Call::Staking(staking::Call::Unbond { value }),
        Action::Withdraw => Call::Staking(staking::Call::WithdrawUnbonded),
        Action::Validate => Call::Staking(staking::Call::Validate {
            consensus_key: key(from),
            plot: plot(from),
            proof: FalconSignature(b"valid".to_vec()),
        }),
        Action::Chill => Call::Staking(staking::Call::Chill),
    }
}

fn evidence_xt(offender: usize, height: u64, round: u32) -> Vec<u8> {
    let vote = |block: Option<H256>| SignedVote {
        vote: Vote {
            height,
            round,
            step: VoteStep::Prevote,
            block,
            validator: who(offender),
        },
        signature: FalconSignature(b"valid".to_vec()),
    };
    let evidence = DuplicateVoteEvidence::new(vote(None), vote(Some(H256([1; 32])))).unwrap();
    report_equivocation_extrinsic(&evidence)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]
    #[test]
    fn issuance_is_conserved_over_extrinsics(steps in prop::collection::vec(step(), 1..80)) {
        let mut ext = chain();
        let mut ctx = BlockContext { number: 1, timestamp_ms: 1, parent_hash: H256::ZERO, author: who(1), genesis_hash: GENESIS_HASH };
        initialize_block(&mut ext, &ctx);
        for step in steps {
            match step {
                Step::NewBlock { author } => {
                    let before_issuance = total_issuance(&ext);
                    finalize_block(&mut ext, &ctx);
                    if let Err((pallet, broken)) = try_state(&ext) {
                        prop_assert!(false, "{pallet}'s invariant broke in block #{}: {broken}", ctx.number);
                    }
                    prop_assert!(total_issuance(&ext) <= before_issuance + REWARD, "more than the reward minted");
                    ctx.number += 1;
                    ctx.author = if author == PEOPLE { AccountId([0xEE; 32]) } else { who(author) };
                    initialize_block(&mut ext, &ctx);
                }
                Step::Submit { from, action, tip, nonce_skew, full_key } => {
                    // Root reaping a bonded stash would take its lock and leave its ledger
                    // backed by nothing (try_state reports that): root keeps a stash alive.
                    let action = match action {
                        Action::RootSetBalance { who: target, free }
                            if staking_ledger(&ext, &who(target)).is_some() =>
                        {
                            Action::RootSetBalance { who: target, free: free.max(ED) }
                        }
                        other => other,
                    };
                    let account_nonce = account_summary(&ext, &who(from)).2;
                    let nonce = account_nonce.saturating_add_signed(i64::from(nonce_skew));
                    let extra = SignedExtra { nonce, tip, valid_until: ctx.number + 5 };
                    let signer = if full_key { Signer::FullKey(key(from)) } else { Signer::Id(who(from)) };
                    let signed = SignedPart { signer, extra, signature: FalconSignature(b"valid".to_vec()) };
                    let xt = UncheckedExtrinsic { signed: Some(signed), call: call_of(from, &action) }.encode();
                    let before_state = ext.state.clone();
                    let before_issuance = total_issuance(&ext);
                    match apply_extrinsic(&mut ext, &ctx, &xt) {
                        Err(_) => prop_assert!(ext.state == before_state, "refused extrinsic changed state"),
                        Ok(outcome) => {
                            let minted = matches!(action, Action::RootSetBalance { .. }) && outcome.result.is_ok() && from == 0;
                            if !minted {
                                prop_assert!(total_issuance(&ext) <= before_issuance, "issuance rose without root");
                            }
                            prop_assert_eq!(account_summary(&ext, &who(from)).2, account_nonce + 1);
                        }
                    }
                }
                Step::Report { offender, back, round } => {
                    let height = ctx.number.saturating_sub(back);
                    let xt = evidence_xt(offender, height, round);
                    let before_state = ext.state.clone();
                    let before_issuance = total_issuance(&ext);
                    match apply_extrinsic(&mut ext, &ctx, &xt) {
                        Err(_) => prop_assert!(ext.state == before_state, "refused evidence changed state"),
                        Ok(outcome) => {
                            prop_assert_eq!(outcome.fee, 0);
                            prop_assert!(total_issuance(&ext) < before_issuance, "a slash burns");
                            // The same offence is never accepted twice.
                            prop_assert!(apply_extrinsic(&mut ext, &ctx, &xt).is_err());
                        }
                    }
                }
            }
            prop_assert!(issuance_is_sum(&ext), "issuance != sum of balances");
            prop_assert!(locks_hold_the_bonds(&ext), "staking locks != bonds");
        }
    }
}
