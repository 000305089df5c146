//! Import-time checks of BFT blocks: the four proofs of every header and the
//! >2/3 precommits of every justification.
use crate::chain_state::{FactsError, HeightFacts};
use crate::header_data::{pre_seal_hash, BftHeaderData, HeaderDataError};
use crate::proposer::{ProposerSchedules, ScheduleError};
use hm_consensus_api::{check_timestamp, BlockVerifier, VerifyContext, VerifyError};
use hm_consensus_bft::{Justification as BftJustification, JustificationError};
use hm_primitives::{AccountId, Header, Justification, H256};
use hm_proofs::{ProofError, VerifyInputs};
use std::sync::{Arc, OnceLock};

pub use hm_consensus_bft::BFT_ENGINE_ID;

/// Why a BFT header was refused: one variant per rule, so the log names the rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    #[error("{0}")]
    Data(HeaderDataError),
    #[error("consensus facts unavailable: {0}")]
    Facts(FactsError),
    #[error("proposer {0} is not a validator of this block (PoStake)")]
    NotAValidator(AccountId),
    #[error("header is not sealed")]
    Unsigned,
    #[error("header seal is not the proposer's signature over the header hash")]
    BadSeal,
    #[error("{0}")]
    Round(ScheduleError),
    #[error("proposer out of turn: round {round} belongs to {expected}, header names {got}")]
    OutOfTurn {
        round: u32,
        expected: AccountId,
        got: AccountId,
    },
    #[error("parent header: {0}")]
    ParentData(HeaderDataError),
    #[error("{0}")]
    Timestamp(VerifyError),
    #[error("PoWork: {0}")]
    Work(ProofError),
    #[error("PoSpace: {0}")]
    Space(ProofError),
    #[error("PoTime: {0}")]
    Time(ProofError),
    #[error("proof parameters: {0}")]
    Params(ProofError),
}

impl From<HeaderError> for VerifyError {
    fn from(e: HeaderError) -> Self {
        match e {
            HeaderError::NotAValidator(who) => VerifyError::UnknownProposer(who),
            HeaderError::Unsigned | HeaderError::BadSeal => VerifyError::BadSeal,
            HeaderError::Timestamp(inner) => inner,
            other => VerifyError::BadProof(other.to_string()),
        }
    }
}

/// Which proof a [`ProofError`] belongs to.
fn classify(error: ProofError) -> HeaderError {
    use ProofError::*;
    match error {
        ParamOutOfRange { .. } => HeaderError::Params(error),
        PohCheckpointCount { .. } | PohCheckpointMismatch { .. } | PohOutputMismatch => {
            HeaderError::Time(error)
        }
        WorkAboveTarget => HeaderError::Work(error),
        _ => HeaderError::Space(error),
    }
}

/// The `BlockVerifier` of the four-proof BFT chain (`hbft`).
pub struct BftVerifier {
    /// Votes are bound to the chain's genesis hash, which exists only once the
    /// client that holds this verifier has opened: set it right after.
    genesis_hash: OnceLock<H256>,
    max_future_drift_ms: u64,
    schedules: Arc<ProposerSchedules>,
}

impl BftVerifier {
    /// `schedules` may be shared with the engine so both reuse one proposer
    /// cache. Call [`BftVerifier::set_genesis_hash`] once the client is open.
    pub fn new(max_future_drift_ms: u64, schedules: Arc<ProposerSchedules>) -> Self {
        BftVerifier {
            genesis_hash: OnceLock::new(),
            max_future_drift_ms,
            schedules,
        }
    }

    /// Fix the chain's genesis hash (from `Client::chain_info`). It can be set
    /// once; setting another value later is refused.
    pub fn set_genesis_hash(&self, genesis_hash: H256) -> Result<(), H256> {
        let stored = *self.genesis_hash.get_or_init(|| genesis_hash);
        if stored == genesis_hash {
            Ok(())
        } else {
            Err(stored)
        }
    }

    pub fn genesis_hash(&self) -> Option<H256> {
        self.genesis_hash.get().copied()
    }

    /// Every header rule, cheapest and most attributable first: only a signed
    /// header from the validator whose turn it is gets its proofs (and their
    /// `T` PoH hashes) checked. Blocks on rayon: call from a blocking context.
    pub fn check_header(
        &self,
        header: &Header,
        parent: &Header,
        ctx: &VerifyContext,
    ) -> Result<(), HeaderError> {
        let data = BftHeaderData::from_header(header).map_err(HeaderError::Data)?;
        let facts =
            HeightFacts::read(ctx.parent_state, header.number).map_err(HeaderError::Facts)?;
        let member = facts
            .member(&header.proposer)
            .ok_or(HeaderError::NotAValidator(header.proposer))?;
        if header.seal.is_empty() {
            return Err(HeaderError::Unsigned);
        }
        let hash = header.hash();
        if !hm_crypto::falcon::verify_raw(
            member.public_key.as_bytes(),
            hash.as_bytes(),
            &header.seal,
        ) {
            return Err(HeaderError::BadSeal);
        }
        let expected = self
            .schedules
            .proposer(&facts, data.round)
            .map_err(HeaderError::Round)?;
        if expected != header.proposer {
            return Err(HeaderError::OutOfTurn {
                round: data.round,
                expected,
                got: header.proposer,
            });
        }
        check_timestamp(header, parent, ctx.now_ms, self.max_future_drift_ms)
            .map_err(HeaderError::Timestamp)?;
        let parent_time_output =
            BftHeaderData::time_output_of(parent).map_err(HeaderError::ParentData)?;
        // Openings are drawn for the chain's plot_k; staking only registers plots of that size.
        let params = facts.params;
        let inputs = VerifyInputs {
            parent_hash: header.parent_hash,
            parent_time_output,
            proposer: header.proposer,
            plot_root: member.plot.root,
            plot_seed: member.plot.seed,
            pre_seal: pre_seal_hash(header, data.round, &data.proof.time, &data.proof.space),
        };
        data.proof.verify(&params, &inputs).map_err(classify)
    }

    /// Decode `justification` and check it carries precommits of more than 2/3
    /// of the power of `header`'s validator set for exactly this block.
    pub fn check_justification(
        &self,
        header: &Header,
        justification: &Justification,
        ctx: &VerifyContext,
    ) -> Result<(), JustificationCheckError> {
        let genesis_hash = self
            .genesis_hash()
            .ok_or(JustificationCheckError::GenesisUnknown)?;
        let decoded = BftJustification::from_primitive(justification)?;
        let facts = HeightFacts::read(ctx.parent_state, header.number)
            .map_err(JustificationCheckError::Facts)?;
        decoded.verify_for_block(
            header.number,
            &header.hash(),
            &facts.set,
            &genesis_hash,
            |id, message, signature| facts.verify_signature(id, message, &signature.0),
        )?;
        Ok(())
    }
}

/// Why a justification does not finalize its block.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JustificationCheckError {
    #[error("{0}")]
    Invalid(#[from] JustificationError),
    #[error("consensus facts unavailable: {0}")]
    Facts(FactsError),
    #[error("the verifier was not given the chain's genesis hash")]
    GenesisUnknown,
}

impl BlockVerifier for BftVerifier {
    fn verify_header(
        &self,
        header: &Header,
        parent: &Header,
        ctx: &VerifyContext,
    ) -> Result<(), VerifyError> {
        self.check_header(header, parent, ctx).map_err(|e| {
            tracing::warn!(number = header.number, hash = %header.hash(), "header rejected: {e}");
            VerifyError::from(e)
        })
    }

    fn verify_justification(
        &self,
        header: &Header,
        justification: &Justification,
        ctx: &VerifyContext,
    ) -> Result<(), VerifyError> {
        self.check_justification(header, justification, ctx)
            .map_err(|e| {
                tracing::warn!(number = header.number, hash = %header.hash(), "justification rejected: {e}");
                VerifyError::BadJustification(e.to_string())
            })
    }
}
