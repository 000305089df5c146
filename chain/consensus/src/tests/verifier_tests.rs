//! Every header and justification rule, each broken on its own, on a real
//! client over RocksDB with the four-validator genesis.
use super::fixture::{self, PARAMS};
use crate::author::Author;
use crate::chain_state::HeightFacts;
use crate::header_data::{pre_seal_hash, BftHeaderData};
use crate::proposer::{ProposerSchedules, ScheduleError, MAX_ROUND};
use crate::verifier::{BftVerifier, HeaderError, JustificationCheckError};
use hm_client::{Client, ImportError};
use hm_consensus_api::{VerifyContext, VerifyError};
use hm_consensus_bft::{Justification, JustificationError};
use hm_crypto::Keypair;
use hm_primitives::{Block, Header, SignedBlock, H256};
use hm_proofs::{space, work, PlotFile, ProofError};
use parity_scale_codec::Encode;
use std::path::PathBuf;
use std::sync::Arc;
use tempfile::TempDir;

const DRIFT_MS: u64 = 2_000;

struct Setup {
    _dir: TempDir,
    plot_dir: PathBuf,
    client: Arc<Client>,
    verifier: Arc<BftVerifier>,
    schedules: Arc<ProposerSchedules>,
}

impl Setup {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let plot_dir = dir.path().join("plots");
        let plots = fixture::create_plots(&plot_dir);
        let genesis = fixture::genesis(&plots, 600);
        let schedules = Arc::new(ProposerSchedules::new());
        let verifier = Arc::new(BftVerifier::new(DRIFT_MS, schedules.clone()));
        let client = fixture::open_client(dir.path(), &genesis, verifier.clone());
        verifier
            .set_genesis_hash(client.chain_info().genesis_hash)
            .unwrap();
        Setup {
            _dir: dir,
            plot_dir,
            client,
            verifier,
            schedules,
        }
    }

    fn next(&self) -> u64 {
        self.client.chain_info().best_number + 1
    }

    fn facts(&self) -> HeightFacts {
        HeightFacts::read(&self.client.overlay(), self.next()).unwrap()
    }

    /// The dev key of the proposer of `round` at the next height.
    fn proposer(&self, round: u32) -> Keypair {
        let id = self.schedules.proposer(&self.facts(), round).unwrap();
        fixture::validator_keys()
            .into_iter()
            .find(|k| k.account_id() == id)
            .unwrap()
    }

    fn author(&self, key: Keypair, round: u32) -> Block {
        let pool = fixture::pool(&self.client);
        Author::new(self.client.clone(), pool, key, &self.plot_dir, 100, 1 << 20)
            .author(self.next(), round)
            .unwrap()
    }

    fn check(&self, header: &Header) -> Result<(), HeaderError> {
        let parent = self.client.best_header().unwrap();
        let keys = |who: &hm_primitives::AccountId| self.client.public_key_of(who);
        let state = self.client.overlay();
        let ctx = VerifyContext {
            public_key_of: &keys,
            parent_state: &state,
            now_ms: crate::author::now_ms(),
        };
        self.verifier.check_header(header, &parent, &ctx)
    }

    fn check_justification(
        &self,
        header: &Header,
        j: &hm_primitives::Justification,
    ) -> Result<(), JustificationCheckError> {
        let keys = |who: &hm_primitives::AccountId| self.client.public_key_of(who);
        let state = self.client.overlay();
        let ctx = VerifyContext {
            public_key_of: &keys,
            parent_state: &state,
            now_ms: crate::author::now_ms(),
        };
        self.verifier.check_justification(header, j, &ctx)
    }

    fn justification(&self, header: &Header, round: u32, signers: &[Keypair]) -> Justification {
        let genesis = self.client.chain_info().genesis_hash;
        let mut j = Justification {
            height: header.number,
            round,
            block_hash: header.hash(),
            precommits: Vec::new(),
        };
        for key in signers {
            let message = j.precommit_of(key.account_id()).signing_message(&genesis);
            j.precommits
                .push((key.account_id(), key.sign(message.as_bytes())));
        }
        j.precommits.sort_by_key(|(id, _)| *id);
        j
    }

    /// Author the next block (round 0) and import it final with all four precommits.
    fn extend(&self) -> Block {
        let block = self.author(self.proposer(0), 0);
        let j = self.justification(&block.header, 0, &fixture::validator_keys());
        self.client
            .import_block(
                SignedBlock {
                    block: block.clone(),
                    justification: Some(j.to_primitive()),
                },
                true,
            )
            .unwrap();
        block
    }
}

fn data(header: &Header) -> BftHeaderData {
    BftHeaderData::from_header(header).unwrap()
}

fn reseal(header: &mut Header, key: &Keypair) {
    header.seal = key.sign(header.hash().as_bytes()).0;
}

/// Put `d` in the header with a fresh valid nonce and seal: only the tampering remains.
fn rebuild(header: &mut Header, mut d: BftHeaderData, key: &Keypair) {
    let pre_seal = pre_seal_hash(header, d.round, &d.proof.time, &d.proof.space);
    d.proof.work = work::solve(&pre_seal, &PARAMS.work_target().unwrap(), u64::MAX).unwrap();
    header.consensus = d.encode();
    reseal(header, key);
}

#[test]
fn authored_blocks_verify_import_and_chain_their_proofs() {
    let s = Setup::new();
    let first = s.author(s.proposer(0), 0);
    assert_eq!(s.check(&first.header), Ok(()));
    assert_eq!(s.client.check_block(&first).unwrap(), first.hash());
    s.extend();
    // Block 2 chains its PoH from block 1's output.
    let second = s.author(s.proposer(0), 0);
    assert_eq!(s.check(&second.header), Ok(()));
    // A later round's proposer may seal for that round.
    let late = s.author(s.proposer(3), 3);
    assert_eq!(s.check(&late.header), Ok(()));
    s.extend();
    assert_eq!(s.client.chain_info().finalized_number, 2);
}

#[test]
fn each_broken_rule_has_its_own_error() {
    let s = Setup::new();
    s.extend();
    let key = s.proposer(0);
    let good = s.author(key.clone(), 0);
    let d = data(&good.header);
    assert_eq!(s.check(&good.header), Ok(()));

    // PoWork: a nonce above the target (the seal is redone, so only the work is wrong).
    let mut h = good.header.clone();
    let mut bad = d.clone();
    let target = PARAMS.work_target().unwrap();
    let pre_seal = pre_seal_hash(&h, d.round, &d.proof.time, &d.proof.space);
    bad.proof.work.nonce = (0..)
        .find(|n| !target.is_met_by(&work::work_hash(&pre_seal, *n)))
        .unwrap();
    h.consensus = bad.encode();
    reseal(&mut h, &key);
    assert_eq!(
        s.check(&h),
        Err(HeaderError::Work(ProofError::WorkAboveTarget))
    );
    let block = Block {
        header: h,
        extrinsics: good.extrinsics.clone(),
    };
    match s.client.check_block(&block) {
        Err(ImportError::Verify(VerifyError::BadProof(reason))) => {
            assert!(reason.contains("PoWork"), "{reason}")
        }
        other => panic!("expected a PoWork rejection, got {other:?}"),
    }

    // PoTime: a wrong checkpoint.
    let mut h = good.header.clone();
    let mut bad = d.clone();
    bad.proof.time.checkpoints[1].0[0] ^= 1;
    rebuild(&mut h, bad, &key);
    assert_eq!(
        s.check(&h),
        Err(HeaderError::Time(ProofError::PohCheckpointMismatch {
            index: 1
        }))
    );

    // PoTime: a wrong output, with openings the proposer drew honestly for it.
    let mut h = good.header.clone();
    let mut bad = d.clone();
    bad.proof.time.output = H256([0x42; 32]);
    let member = s.facts().member(&key.account_id()).unwrap().clone();
    let plot = PlotFile::open(&hm_proofs::plot_file_path(
        &s.plot_dir,
        &member.plot.seed,
        member.plot.k,
    ))
    .unwrap();
    let indices = space::challenge_indices(
        &h.parent_hash,
        &bad.proof.time.output,
        &key.account_id(),
        PARAMS.plot_k,
        PARAMS.openings,
    )
    .unwrap();
    bad.proof.space = space::open(&plot, &indices).unwrap();
    rebuild(&mut h, bad, &key);
    assert_eq!(
        s.check(&h),
        Err(HeaderError::Time(ProofError::PohOutputMismatch))
    );

    // PoSpace: a leaf that is not in the plot, and a broken Merkle path.
    let mut h = good.header.clone();
    let mut bad = d.clone();
    bad.proof.space.openings[0].leaf.0[0] ^= 1;
    rebuild(&mut h, bad, &key);
    assert_eq!(
        s.check(&h),
        Err(HeaderError::Space(ProofError::LeafNotChained {
            opening: 0
        }))
    );
    let mut h = good.header.clone();
    let mut bad = d.clone();
    bad.proof.space.openings[2].path[4].0[7] ^= 1;
    rebuild(&mut h, bad, &key);
    assert_eq!(
        s.check(&h),
        Err(HeaderError::Space(ProofError::PathMismatch { opening: 2 }))
    );

    // PoStake: unsigned, signed by someone else, sealed by a non-validator.
    let mut h = good.header.clone();
    h.seal.clear();
    assert_eq!(s.check(&h), Err(HeaderError::Unsigned));
    assert_eq!(
        VerifyError::from(HeaderError::Unsigned),
        VerifyError::BadSeal
    );
    let other = s.proposer(1);
    let mut h = good.header.clone();
    reseal(&mut h, &other);
    assert_eq!(s.check(&h), Err(HeaderError::BadSeal));
    let eve = fixture::key("eve");
    let mut h = good.header.clone();
    h.proposer = eve.account_id();
    reseal(&mut h, &eve);
    assert_eq!(
        s.check(&h),
        Err(HeaderError::NotAValidator(eve.account_id()))
    );

    // Proposer out of turn: round 1's proposer seals a block claiming round 0.
    let out_of_turn = s.author(other.clone(), 0);
    assert_eq!(
        s.check(&out_of_turn.header),
        Err(HeaderError::OutOfTurn {
            round: 0,
            expected: key.account_id(),
            got: other.account_id(),
        })
    );
    let mut h = good.header.clone();
    let mut bad = d.clone();
    bad.round = MAX_ROUND + 1;
    rebuild(&mut h, bad, &key);
    assert_eq!(
        s.check(&h),
        Err(HeaderError::Round(ScheduleError::RoundTooHigh(
            MAX_ROUND + 1
        )))
    );

    // A timestamp too far ahead of local time.
    let mut h = good.header.clone();
    h.timestamp_ms = crate::author::now_ms() + DRIFT_MS + 60_000;
    reseal(&mut h, &key);
    assert!(matches!(
        s.check(&h),
        Err(HeaderError::Timestamp(
            VerifyError::TimestampTooFarAhead { .. }
        ))
    ));

    // Malformed and trailing consensus data.
    let mut h = good.header.clone();
    h.consensus.push(0);
    reseal(&mut h, &key);
    assert!(matches!(s.check(&h), Err(HeaderError::Data(_))));
    let mut h = good.header.clone();
    h.consensus.truncate(10);
    reseal(&mut h, &key);
    assert!(matches!(s.check(&h), Err(HeaderError::Data(_))));
}

#[test]
fn justification_under_two_thirds_is_refused() {
    let s = Setup::new();
    let block = s.author(s.proposer(0), 0);
    let keys = fixture::validator_keys();
    let two = s.justification(&block.header, 0, &keys[..2]);
    let power = s.facts().set.total_power() / 4;
    assert_eq!(
        s.check_justification(&block.header, &two.to_primitive()),
        Err(JustificationCheckError::Invalid(
            JustificationError::InsufficientPower {
                got: 2 * power,
                needed: s.facts().set.quorum(),
            }
        ))
    );
    // Padding with a non-validator's precommit does not help.
    let mut padded = two.clone();
    let eve = fixture::key("eve");
    let message = padded
        .precommit_of(eve.account_id())
        .signing_message(&s.client.chain_info().genesis_hash);
    padded
        .precommits
        .push((eve.account_id(), eve.sign(message.as_bytes())));
    assert!(matches!(
        s.check_justification(&block.header, &padded.to_primitive()),
        Err(JustificationCheckError::Invalid(
            JustificationError::InsufficientPower { .. }
        ))
    ));
    // Precommits for another block, and a forged signature.
    let mut other = s.justification(&block.header, 0, &keys[..3]);
    other.block_hash = H256([1; 32]);
    assert!(matches!(
        s.check_justification(&block.header, &other.to_primitive()),
        Err(JustificationCheckError::Invalid(
            JustificationError::WrongBlock { .. }
        ))
    ));
    let mut forged = s.justification(&block.header, 0, &keys[..3]);
    forged.precommits[1].1 = forged.precommits[0].1.clone();
    assert!(matches!(
        s.check_justification(&block.header, &forged.to_primitive()),
        Err(JustificationCheckError::Invalid(
            JustificationError::BadSignature(_)
        ))
    ));
    // Through import: refused, nothing committed; three of four finalizes.
    let refused = s.client.import_block(
        SignedBlock {
            block: block.clone(),
            justification: Some(two.to_primitive()),
        },
        true,
    );
    assert!(matches!(
        refused,
        Err(ImportError::Verify(VerifyError::BadJustification(_)))
    ));
    assert_eq!(s.client.chain_info().best_number, 0);
    let three = s.justification(&block.header, 0, &keys[1..]);
    s.client
        .import_block(
            SignedBlock {
                block,
                justification: Some(three.to_primitive()),
            },
            true,
        )
        .unwrap();
    assert_eq!(s.client.chain_info().finalized_number, 1);
}
