//! Pulling votes while a height stalls. Gossip delivers a vote once, to the peers connected
//! at that moment: a validator that restarts or reconnects while the others wait in some
//! round of a stalled height never sees their votes, and the others never see its earlier
//! ones, so nobody gathers the 2/3 that moves a round on (CometBFT avoids this with
//! per-peer vote gossip). While a height is undecided for longer than
//! [`STALL_PULL_INTERVAL`], we ask peers for every vote they hold in our round and for the
//! prevotes of a few later rounds: votes from more than 1/3 of the power in a higher round
//! make the state machine jump there (Tendermint's line 55). Duplicates are dropped by the
//! engine's seen-set, so repeated pulls cost only bandwidth.
use super::BftEngine;
use crate::vote_pull::VoteQuery;
use hm_consensus_bft::VoteStep;
use std::time::Duration;

/// How long a height may go undecided before votes are pulled, and how often after that.
/// Heights normally take about one block time.
pub(super) const STALL_PULL_INTERVAL: Duration = Duration::from_secs(2);

/// Later rounds whose prevotes are asked for: near ones first, then doubling, so a peer up
/// to eight rounds ahead is found at once and one further ahead within a few pulls.
const LOOKAHEAD: [u32; 4] = [1, 2, 4, 8];

impl BftEngine {
    pub(super) fn pull_votes_if_stalled(&self) {
        if self.next_start.is_some() || self.height_started.elapsed() < STALL_PULL_INTERVAL {
            return;
        }
        let Some(round) = self.core.machine.lock().round() else {
            return;
        };
        let height = self.height;
        let mut wanted = vec![(round, VoteStep::Prevote), (round, VoteStep::Precommit)];
        wanted.extend(
            LOOKAHEAD
                .iter()
                .filter_map(|ahead| round.checked_add(*ahead))
                .map(|later| (later, VoteStep::Prevote)),
        );
        tracing::debug!(height, round, "height stalled; pulling votes from peers");
        for (round, step) in wanted {
            self.core.pull_votes(VoteQuery {
                height,
                round,
                step,
                block: None,
            });
        }
    }
}
