//! Benchmarks of the Staking pallet's calls and hooks (feature `runtime-benchmarks`), run
//! by the runtime's `bench_weights` (see [`hm_support::bench::COMMAND`]).
//!
//! Each worst-case path runs against an in-memory state with a realistic population
//! (`POPULATION` funded accounts and a full candidate list of `MAX_CANDIDATES`
//! validators). Falcon-1024 signatures are verified for real (via hm-crypto).
use crate::{self as staking, Call, OffenceRecord, StakingLedger, UnlockChunk};
use hm_crypto::Keypair;
use hm_pallet_caesar as caesar;
use hm_pallet_system::{self as system, Origin};
use hm_primitives::{AccountId, Balance, FalconPublicKey, H256, UNITS};
use hm_support::bench::{
    self, account, median, BenchConfig, Benchmarks, CountingExt, Measurement, POPULATION,
};
use hm_support::{get, put, Externalities, Weight};
use std::time::Instant;

const RUNS: usize = 2_000;
/// Runs of paths that verify a Falcon signature or read every candidate.
const HEAVY_RUNS: usize = 300;
const FUNDS: Balance = 1_000_000 * UNITS;
const MIN_BOND: Balance = 1_000 * UNITS;
const MAX_VALIDATORS: u32 = 100;
const EPOCH_LENGTH: u64 = 600;
/// Offenders already punished in the epoch, for the per-offender top-up cost.
const PRIOR_OFFENDERS: usize = 32;

/// Timed runs for the configuration.
struct Runs {
    light: usize,
    heavy: usize,
}

/// A distinct public key for candidate `i` (genesis does not check key validity).
fn candidate_key(i: u32) -> String {
    let mut bytes = vec![0x5Au8; 1793];
    bytes[..4].copy_from_slice(&i.to_le_bytes());
    let key = FalconPublicKey::from_bytes(&bytes).expect("1793 bytes");
    format!("0x{}", hex::encode(key.as_bytes()))
}

fn plot(i: u32, tag: u8) -> staking::PlotCommitment {
    let mut seed = [tag; 32];
    seed[..4].copy_from_slice(&i.to_le_bytes());
    staking::PlotCommitment {
        root: H256([7; 32]),
        k: 16,
        seed: H256(seed),
    }
}

/// `POPULATION` funded accounts `account(0, i)`; the first `MAX_CANDIDATES` of
/// them validate with bonds `MIN_BOND + i`. Block 100 is started by [`author`].
fn populated_state() -> CountingExt {
    let mut ext = CountingExt::new(hm_crypto::falcon::verify_raw);
    caesar::benchmarking::populate(&mut ext, FUNDS, &[]);
    staking::GenesisConfig {
        validators: (0..staking::MAX_CANDIDATES)
            .map(|i| staking::GenesisValidator {
                stash: account(0, i),
                bond: MIN_BOND + Balance::from(i),
                consensus_key: candidate_key(i),
                plot: plot(i, 1),
            })
            .collect(),
        epoch_length: EPOCH_LENGTH,
        unbonding_period: 28,
        min_validator_bond: MIN_BOND,
        max_validators: MAX_VALIDATORS,
        block_reward: UNITS,
        min_plot_k: 12,
        proof_params: staking::ProofParams::LOCAL_TESTNET,
    }
    .build(&mut ext)
    .expect("staking genesis");
    start_block(&mut ext, 100, &author());
    ext
}

/// The strongest genesis candidate: in the set, so it is rewarded.
fn author() -> AccountId {
    account(0, staking::MAX_CANDIDATES - 1)
}

fn start_block(ext: &mut CountingExt, number: u64, author: &AccountId) {
    system::on_initialize(ext, number, &H256::ZERO, 0, author);
    staking::on_initialize(ext, number);
}

/// `bench::measure`, starting a fresh block every 64 runs (untimed) to clear
/// the event log, as every block does.
fn measure(
    ext: &mut CountingExt,
    runs: usize,
    mut prepare: impl FnMut(&mut CountingExt, usize),
    run: impl FnMut(&mut CountingExt, usize),
) -> (Weight, u64, u64) {
    let clear_then_prepare = |e: &mut CountingExt, i: usize| {
        if i % 64 == 0 {
            start_block(e, 100, &author());
        }
        prepare(e, i);
    };
    bench::measure(ext, runs, clear_then_prepare, run)
}

fn signed(who: AccountId) -> Origin {
    Origin::Signed(who)
}

fn ok(ext: &mut CountingExt, origin: Origin, call: Call) {
    assert_eq!(staking::dispatch(ext, origin, call), Ok(()));
}

fn no_prepare(_: &mut CountingExt, _: usize) {}

fn item(constant: &'static str, doc: &'static str, m: (Weight, u64, u64)) -> Measurement {
    Measurement::new(constant, doc, m)
}

fn bench_ledger_calls(runs: &Runs, out: &mut Vec<Measurement>) {
    // A new bond from a funded account.
    let mut ext = populated_state();
    let m = measure(&mut ext, runs.light, no_prepare, |ext, i| {
        let stash = account(0, 2_000 + i as u32);
        ok(ext, signed(stash), Call::Bond { value: MIN_BOND });
    });
    out.push(item("BOND", "`bond`: a new ledger.", m));

    let mut ext = populated_state();
    let m = measure(&mut ext, runs.light, no_prepare, |ext, i| {
        let stash = account(0, i as u32 % staking::MAX_CANDIDATES);
        ok(ext, signed(stash), Call::BondExtra { value: UNITS });
    });
    out.push(item("BOND_EXTRA", "`bond_extra`.", m));

    // A candidate (minimum-bond check) adding a 32nd chunk to a ledger of 31.
    let mut ext = populated_state();
    let prepare = |ext: &mut CountingExt, i: usize| {
        let stash = account(0, i as u32 % staking::MAX_CANDIDATES);
        let ledger = StakingLedger {
            active: 2 * MIN_BOND,
            unlocking: (0..31)
                .map(|j| UnlockChunk {
                    value: 1,
                    matures_at: 1_000 + j,
                })
                .collect(),
        };
        put(ext, &staking::storage::ledger(&stash), &ledger);
    };
    let m = measure(&mut ext, runs.light, prepare, |ext, i| {
        let stash = account(0, i as u32 % staking::MAX_CANDIDATES);
        ok(ext, signed(stash), Call::Unbond { value: UNITS });
    });
    out.push(item(
        "UNBOND",
        "`unbond`, worst case: a candidate, a new chunk among 31.",
        m,
    ));

    // 32 matured chunks paid out, the ledger removed and a slashed registration dropped.
    let mut ext = populated_state();
    put(&mut ext, &staking::storage::current_epoch(), &100u64);
    let prepare = |ext: &mut CountingExt, i: usize| {
        let stash = account(0, 5_000 + i as u32);
        ok(ext, signed(stash), Call::Bond { value: 32 * UNITS });
        let ledger = StakingLedger {
            active: 0,
            unlocking: (0..32)
                .map(|j| UnlockChunk {
                    value: UNITS,
                    matures_at: j,
                })
                .collect(),
        };
        put(ext, &staking::storage::ledger(&stash), &ledger);
        let reg = staking::ValidatorRegistration {
            consensus_key: stash,
            plot: plot(i as u32, 9),
            slashed: true,
        };
        put(ext, &staking::storage::validator(&stash), &reg);
    };
    let m = measure(&mut ext, runs.light, prepare, |ext, i| {
        ok(
            ext,
            signed(account(0, 5_000 + i as u32)),
            Call::WithdrawUnbonded,
        );
    });
    out.push(item(
        "WITHDRAW_UNBONDED",
        "`withdraw_unbonded`, worst case: 32 chunks, the ledger and a registration removed.",
        m,
    ));
}

fn bench_validator_calls(runs: &Runs, out: &mut Vec<Measurement>) {
    // A full candidate list: the newcomer evicts the weakest; real Falcon verification.
    let keypair = Keypair::generate();
    let mut ext = populated_state();
    let prepare = |ext: &mut CountingExt, i: usize| -> Call {
        let stash = account(0, 10_000 + i as u32);
        ok(
            ext,
            signed(stash),
            Call::Bond {
                value: 2 * MIN_BOND,
            },
        );
        ext.storage_remove(&staking::storage::key_owner(&keypair.account_id()));
        let plot = plot(i as u32, 2);
        let message = staking::key_ownership_message(&stash, &plot);
        Call::Validate {
            consensus_key: keypair.public().clone(),
            plot,
            proof: keypair.sign(message.as_bytes()),
        }
    };
    let mut samples = Vec::new();
    let (mut reads, mut writes) = (0, 0);
    for i in 0..runs.heavy {
        if i % 64 == 0 {
            start_block(&mut ext, 100, &author());
        }
        let call = prepare(&mut ext, i);
        ext.reset_counts();
        let started = Instant::now();
        ok(&mut ext, signed(account(0, 10_000 + i as u32)), call);
        samples.push(bench::elapsed_ps(started));
        (reads, writes) = (ext.reads.get(), ext.writes);
    }
    out.push(item(
        "VALIDATE",
        "`validate`, worst case: Falcon proof, full candidate list, the weakest evicted.",
        (median(samples), reads, writes),
    ));

    // A candidate leaves a full list; restored before each run.
    let mut ext = populated_state();
    let stash = account(0, 0);
    let reg = staking::registration(&ext, &stash).expect("registered");
    let list = staking::candidates(&ext);
    let prepare = |ext: &mut CountingExt, _: usize| {
        put(ext, &staking::storage::validator(&stash), &reg);
        put(
            ext,
            &staking::storage::key_owner(&reg.consensus_key),
            &stash,
        );
        put(ext, &staking::storage::plot_owner(&reg.plot.seed), &stash);
        put(ext, &staking::storage::candidates(), &list);
    };
    let m = measure(&mut ext, runs.light, prepare, |ext, _| {
        ok(ext, signed(stash), Call::Chill);
    });
    out.push(item("CHILL", "`chill`, from a full candidate list.", m));

    let mut ext = populated_state();
    let m = measure(&mut ext, runs.light, no_prepare, |ext, i| {
        let config = staking::StakingConfig {
            block_reward: i as Balance,
            ..staking::config(ext)
        };
        ok(ext, Origin::Root, Call::SetConfig { config });
    });
    out.push(item("SET_CONFIG", "`set_config`.", m));

    let mut ext = populated_state();
    let m = measure(&mut ext, runs.light, no_prepare, |ext, i| {
        let params = staking::ProofParams {
            work_difficulty: 1_000 + i as u64,
            ..staking::proof_params(ext)
        };
        ok(ext, Origin::Root, Call::SetProofParams { params });
    });
    out.push(item("SET_PROOF_PARAMS", "`set_proof_params`.", m));
}

/// A set of `MAX_CANDIDATES` validators whose last member signs with a real
/// key, and two conflicting precommits of it at block 100 (this epoch).
fn evidence_state() -> (CountingExt, staking::DuplicateVoteEvidence) {
    let mut ext = populated_state();
    let keypair = Keypair::generate();
    let offender = keypair.account_id();
    let mut set: Vec<staking::ValidatorSetEntry> = staking::candidates(&ext)
        .into_iter()
        .map(|stash| staking::ValidatorSetEntry {
            stash,
            consensus_key: staking::registration(&ext, &stash)
                .expect("candidate registered")
                .consensus_key,
            power: 1_000,
        })
        .collect();
    if let Some(last) = set.last_mut() {
        last.consensus_key = offender;
    }
    put(&mut ext, &staking::storage::validators(), &set);
    system::register_public_key(&mut ext, keypair.public());
    let genesis = H256([1; 32]);
    let vote = |block: Option<H256>| {
        let vote = hm_consensus_bft::Vote {
            height: 100,
            round: 0,
            step: hm_consensus_bft::VoteStep::Precommit,
            block,
            validator: offender,
        };
        let signature = keypair.sign(vote.signing_message(&genesis).as_bytes());
        hm_consensus_bft::SignedVote { vote, signature }
    };
    let evidence = staking::DuplicateVoteEvidence::new(vote(None), vote(Some(H256([2; 32]))))
        .expect("conflicting votes");
    (ext, evidence)
}

fn bench_evidence(runs: &Runs, out: &mut Vec<Measurement>) {
    let (mut ext, evidence) = evidence_state();
    let m = measure(&mut ext, runs.heavy, no_prepare, |ext, _| {
        let result = staking::verify_evidence(ext, &H256([1; 32]), &evidence);
        assert!(result.is_ok(), "{result:?}");
    });
    out.push(item(
        "VERIFY_EVIDENCE",
        "Checking duplicate-vote evidence: a full set searched, two Falcon signatures (add the report's weight).",
        m,
    ));
}

fn bench_slashing(runs: &Runs, out: &mut Vec<Measurement>) {
    let report = |ext: &mut CountingExt, i: usize| {
        let offender = account(0, i as u32 % staking::MAX_CANDIDATES);
        let result = staking::report_equivocation(ext, &offender, 100, i as u32);
        assert!(result.is_ok(), "report {i}: {result:?}");
    };
    // The first offender of the epoch (no top-ups).
    let mut ext = populated_state();
    let prepare = |ext: &mut CountingExt, _: usize| {
        ext.storage_remove(&staking::storage::epoch_offenders());
    };
    let base = measure(&mut ext, runs.light, prepare, report);
    out.push(item(
        "REPORT_EQUIVOCATION",
        "`report_equivocation` of the epoch's first offender (add `SLASH_TOP_UP` per earlier offender).",
        base,
    ));

    // The same with `PRIOR_OFFENDERS` earlier offenders to top up, each a
    // registered candidate with a fresh bond.
    let mut ext = populated_state();
    let prepare = |ext: &mut CountingExt, i: usize| {
        let mut list = staking::candidates(ext);
        let mut records = Vec::with_capacity(PRIOR_OFFENDERS);
        for j in 0..PRIOR_OFFENDERS {
            let stash = account(0, 20_000 + (i * PRIOR_OFFENDERS + j) as u32);
            ok(ext, signed(stash), Call::Bond { value: MIN_BOND });
            let reg = staking::ValidatorRegistration {
                consensus_key: stash,
                plot: plot(j as u32, 3),
                slashed: false,
            };
            put(ext, &staking::storage::validator(&stash), &reg);
            if let Err(pos) = list.binary_search(&stash) {
                list.insert(pos, stash);
            }
            records.push(OffenceRecord {
                offender: stash,
                exposure: MIN_BOND,
                applied: 0,
            });
        }
        put(ext, &staking::storage::candidates(), &list);
        put(ext, &staking::storage::epoch_offenders(), &records);
    };
    let with_priors = measure(&mut ext, runs.light, prepare, report);
    let per = |total: u64, base: u64| total.saturating_sub(base).div_ceil(PRIOR_OFFENDERS as u64);
    out.push(item(
        "SLASH_TOP_UP",
        "Each earlier offender of the epoch whose slash a report raises.",
        (
            per(with_priors.0, base.0),
            per(with_priors.1, base.1),
            per(with_priors.2, base.2),
        ),
    ));
}

fn bench_hooks(runs: &Runs, out: &mut Vec<Measurement>) {
    // The first block of an epoch: rotation and evidence pruning.
    let mut ext = populated_state();
    let m = measure(&mut ext, runs.light, no_prepare, |ext, i| {
        staking::on_initialize(ext, EPOCH_LENGTH * (i as u64 + 1));
    });
    out.push(item(
        "ON_INITIALIZE_EPOCH",
        "`on_initialize` at the first block of an epoch (other blocks: one read).",
        m,
    ));

    let mut ext = populated_state();
    let m = measure(&mut ext, runs.light, no_prepare, |ext, _| {
        staking::on_finalize(ext, 100);
    });
    out.push(item(
        "ON_FINALIZE",
        "`on_finalize` of a block inside an epoch: the author's reward.",
        m,
    ));

    let mut ext = populated_state();
    let m = measure(&mut ext, runs.heavy, no_prepare, |ext, _| {
        staking::on_finalize(ext, EPOCH_LENGTH - 1);
    });
    out.push(item(
        "ON_FINALIZE_ELECTION",
        "`on_finalize` of an epoch's last block: reward and the election over a full candidate list.",
        m,
    ));
    let elected: Vec<staking::ValidatorSetEntry> =
        get(&ext, &staking::storage::next_validators()).unwrap_or_default();
    assert_eq!(elected.len(), MAX_VALIDATORS as usize);
}

pub fn benchmarks(config: &BenchConfig) -> Benchmarks {
    let runs = Runs {
        light: config.runs(RUNS),
        heavy: config.runs(HEAVY_RUNS),
    };
    let mut items = Vec::new();
    bench_ledger_calls(&runs, &mut items);
    bench_validator_calls(&runs, &mut items);
    bench_slashing(&runs, &mut items);
    bench_evidence(&runs, &mut items);
    bench_hooks(&runs, &mut items);
    Benchmarks {
        title: "Weights of the Staking pallet's calls and hooks",
        method: vec![
            format!(
                "weight = median time of the worst-case path ({} runs; {} for Falcon checks and",
                runs.light, runs.heavy
            ),
            format!(
                "elections) against an in-memory state of {POPULATION} accounts and {} candidates, plus",
                staking::MAX_CANDIDATES
            ),
        ],
        items,
    }
}
