//! Chain parameters of the four proofs (set in the chain spec, changeable by governance).
use crate::{error::ProofError, space, time, work::WorkTarget};
use parity_scale_codec::{Decode, Encode, MaxEncodedLen};

#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    Debug,
    Encode,
    Decode,
    MaxEncodedLen,
    serde::Serialize,
    serde::Deserialize,
    scale_info::TypeInfo,
)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProofParams {
    /// `T`: sequential BLAKE3 steps per PoH segment.
    pub poh_iterations: u64,
    /// `k` of PoTime: interior checkpoints (`k + 1` parallel segments).
    pub poh_checkpoints: u32,
    /// Plot size: `2^plot_k` leaves.
    pub plot_k: u8,
    /// `m`: plot openings per header.
    pub openings: u32,
    /// Expected PoWork hashes per solution (target = (2^256 - 1) / difficulty).
    pub work_difficulty: u64,
}

impl ProofParams {
    /// Sized on these 2-core machines (`examples/proof_speed.rs`: BLAKE3 runs
    /// ~11.2M PoH steps/s and ~10M PoW hashes/s per core): ~100 ms of PoH,
    /// checked in ~50 ms on 2 cores; ~10 ms median PoW (ln 2 · 140k hashes);
    /// 2^16-leaf plots (4 MiB); 8 openings (~5 KiB of proof per header).
    pub const LOCAL_TESTNET: ProofParams = ProofParams {
        poh_iterations: 1_100_000,
        poh_checkpoints: 7,
        plot_k: 16,
        openings: 8,
        work_difficulty: 140_000,
    };

    /// Refuse any parameter outside this crate's limits.
    pub fn validate(&self) -> Result<(), ProofError> {
        time::check_params(self.poh_iterations, self.poh_checkpoints)?;
        space::check_params(self.plot_k, self.openings)?;
        self.work_target().map(|_| ())
    }

    pub fn work_target(&self) -> Result<WorkTarget, ProofError> {
        WorkTarget::from_difficulty(self.work_difficulty)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_testnet_is_valid() {
        ProofParams::LOCAL_TESTNET.validate().unwrap();
    }

    #[test]
    fn each_bad_parameter_is_refused() {
        let ok = ProofParams::LOCAL_TESTNET;
        let bad = [
            ProofParams {
                poh_iterations: 0,
                ..ok
            },
            ProofParams {
                poh_iterations: crate::MAX_POH_ITERATIONS + 1,
                ..ok
            },
            ProofParams {
                poh_checkpoints: crate::MAX_POH_CHECKPOINTS + 1,
                ..ok
            },
            ProofParams {
                poh_iterations: 4,
                poh_checkpoints: 4,
                ..ok
            },
            ProofParams { plot_k: 0, ..ok },
            ProofParams {
                plot_k: crate::MAX_PLOT_K + 1,
                ..ok
            },
            ProofParams { openings: 0, ..ok },
            ProofParams {
                openings: crate::MAX_OPENINGS + 1,
                ..ok
            },
            ProofParams {
                work_difficulty: 0,
                ..ok
            },
        ];
        for params in bad {
            assert!(
                matches!(params.validate(), Err(ProofError::ParamOutOfRange { .. })),
                "{params:?}"
            );
        }
    }
}
