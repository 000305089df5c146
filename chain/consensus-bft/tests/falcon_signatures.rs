//! Votes, justifications and evidence with real Falcon-1024 signatures from the
//! dev keys (alice, bob, charlie, dave), as the node will produce them.
use hm_consensus_bft::{
    Action, Config, DuplicateVoteEvidence, Event, EvidenceError, Justification, JustificationError,
    Proposal, ProposerPriority, SignedVote, Tendermint, TimeoutConfig, Validator, ValidatorSet,
    Vote, VoteStep,
};
use hm_crypto::{dev_keypair, verify, Keypair};
use hm_primitives::{AccountId, FalconSignature, H256};
use std::collections::BTreeMap;

const GENESIS: H256 = H256([0x33; 32]);

struct Keys {
    by_id: BTreeMap<AccountId, Keypair>,
}

impl Keys {
    fn dev() -> Self {
        let by_id = ["alice", "bob", "charlie", "dave"]
            .iter()
            .map(|name| {
                let kp = dev_keypair(name).unwrap();
                (kp.account_id(), kp)
            })
            .collect();
        Keys { by_id }
    }

    fn set(&self) -> ValidatorSet {
        ValidatorSet::new(
            self.by_id
                .keys()
                .map(|id| Validator { id: *id, power: 10 })
                .collect(),
        )
        .unwrap()
    }

    fn ids(&self) -> Vec<AccountId> {
        self.by_id.keys().copied().collect()
    }

    fn sign(&self, vote: Vote) -> SignedVote {
        let message = vote.signing_message(&GENESIS);
        SignedVote {
            signature: self.by_id[&vote.validator].sign(message.as_bytes()),
            vote,
        }
    }

    /// The closure the node passes in: key lookup plus Falcon verification.
    fn verifier(&self) -> impl Fn(&AccountId, &[u8], &FalconSignature) -> bool + '_ {
        |who, message, signature| {
            self.by_id
                .get(who)
                .is_some_and(|kp| verify(kp.public(), message, signature))
        }
    }
}

fn precommit(validator: AccountId, round: u32, block: Option<H256>) -> Vote {
    Vote {
        height: 7,
        round,
        step: VoteStep::Precommit,
        block,
        validator,
    }
}

#[test]
fn machine_justification_verifies_with_falcon_and_breaks_when_tampered() {
    let keys = Keys::dev();
    let ids = keys.ids();
    let schedule = ProposerPriority::new(keys.set());
    let proposer = schedule.proposer();
    let mut machine = Tendermint::new(Config {
        me: None,
        timeouts: TimeoutConfig::default(),
    });
    machine.handle(Event::StartHeight {
        height: 7,
        validators: schedule,
        recovered: None,
    });
    let block = H256([0xB1; 32]);
    machine.handle(Event::Proposal {
        proposal: Proposal {
            height: 7,
            round: 0,
            block_hash: block,
            pol_round: None,
        },
        from: proposer,
        block_valid: true,
    });
    let mut actions = Vec::new();
    for id in &ids[..3] {
        actions.extend(machine.handle(Event::Vote(keys.sign(precommit(*id, 0, Some(block))))));
    }
    let justification = actions
        .iter()
        .find_map(|a| match a {
            Action::Commit(j) => Some(j.clone()),
            _ => None,
        })
        .expect("three of four precommits commit");
    let set = keys.set();
    assert_eq!(
        justification.verify(&set, &GENESIS, keys.verifier()),
        Ok(())
    );
    // Stored and reloaded, it still verifies.
    let stored = justification.to_primitive();
    let reloaded = Justification::from_primitive(&stored).unwrap();
    assert_eq!(
        reloaded.verify_for_block(7, &block, &set, &GENESIS, keys.verifier()),
        Ok(())
    );
    // A flipped bit in one signature.
    let mut tampered = justification.clone();
    tampered.precommits[1].1 .0[40] ^= 1;
    assert_eq!(
        tampered.verify(&set, &GENESIS, keys.verifier()),
        Err(JustificationError::BadSignature(tampered.precommits[1].0))
    );
    // Another chain's genesis.
    assert!(justification
        .verify(&set, &H256([0x34; 32]), keys.verifier())
        .is_err());
    // A precommit signed for nil does not count for the block.
    let mut nil_signed = justification.clone();
    let id = nil_signed.precommits[0].0;
    nil_signed.precommits[0].1 = keys.sign(precommit(id, 0, None)).signature;
    assert!(nil_signed.verify(&set, &GENESIS, keys.verifier()).is_err());
    // Two of four (20 of 40 power) is below 2/3.
    let mut short = justification;
    short.precommits.truncate(2);
    assert_eq!(
        short.verify(&set, &GENESIS, keys.verifier()),
        Err(JustificationError::InsufficientPower {
            got: 20,
            needed: 27
        })
    );
}

#[test]
fn evidence_with_falcon_signatures() {
    let keys = Keys::dev();
    let ids = keys.ids();
    let set = keys.set();
    let a = keys.sign(precommit(ids[0], 2, Some(H256([1; 32]))));
    let b = keys.sign(precommit(ids[0], 2, None));
    let evidence = DuplicateVoteEvidence::new(a.clone(), b).unwrap();
    assert_eq!(evidence.check(&set, &GENESIS, keys.verifier()), Ok(()));
    // The same offence signed twice (Falcon is randomized) is one dedup key.
    let again = DuplicateVoteEvidence::new(a, keys.sign(precommit(ids[0], 2, None))).unwrap();
    assert_ne!(again, evidence);
    assert_eq!(again.dedup_key(), evidence.dedup_key());
    // One vote "signed" by someone else's key cannot frame the validator.
    let mut framed = evidence.clone();
    framed.b.signature =
        keys.by_id[&ids[1]].sign(framed.b.vote.signing_message(&GENESIS).as_bytes());
    assert_eq!(
        framed.check(&set, &GENESIS, keys.verifier()),
        Err(EvidenceError::BadSignature)
    );
    // Identical re-signed votes are not equivocation.
    let same = keys.sign(precommit(ids[2], 0, None));
    let resigned = keys.sign(precommit(ids[2], 0, None));
    assert_ne!(same.signature, resigned.signature);
    assert_eq!(
        DuplicateVoteEvidence::new(same, resigned),
        Err(EvidenceError::SameBlock)
    );
}
