//! The machine driven by a fake peer set: no network, no clock but the one passed in.
use super::*;
use std::collections::BTreeMap;

/// A fake peer: an honest one holding `finalized` blocks, or one that claims a huge
/// height and serves nothing.
#[derive(Clone, Copy)]
enum Fake {
    Honest { finalized: u64 },
    Liar,
}

const LIE: u64 = 1_000_000;

impl Fake {
    fn claim(self) -> u64 {
        match self {
            Fake::Honest { finalized } => finalized,
            Fake::Liar => LIE,
        }
    }
}

/// Runs the machine against `peers` from an empty chain for `rounds` status rounds.
struct Sim {
    machine: SyncMachine<u8>,
    peers: BTreeMap<u8, Fake>,
    ours: Ours,
    now: Instant,
    asked: BTreeMap<u8, usize>,
    /// The highest `highest_block` reported at any point.
    highest_reported: u64,
}

impl Sim {
    fn new(peers: &[(u8, Fake)]) -> Self {
        Sim {
            machine: SyncMachine::default(),
            peers: peers.iter().copied().collect(),
            ours: Ours {
                best: 0,
                finalized: 0,
            },
            now: Instant::now(),
            asked: BTreeMap::new(),
            highest_reported: 0,
        }
    }

    fn round(&mut self) -> Action<u8> {
        self.machine.status_round(
            self.peers
                .iter()
                .map(|(id, fake)| (*id, Some(fake.claim()))),
        );
        let action = self.machine.next_action(self.ours, self.now);
        match action {
            Action::Wait(d) => self.now += d,
            Action::Fetch { peer, from, max } => {
                *self.asked.entry(peer).or_default() += 1;
                let delivery = match self.peers[&peer] {
                    Fake::Liar => Delivery::Useless,
                    Fake::Honest { finalized } if from > finalized => Delivery::Useless,
                    Fake::Honest { finalized } => {
                        let last = finalized.min(from + u64::from(max) - 1);
                        let blocks = last - self.ours.best;
                        self.ours = Ours {
                            best: last,
                            finalized: last,
                        };
                        Delivery::Imported {
                            blocks,
                            height: last,
                        }
                    }
                };
                self.machine.on_delivery(peer, delivery);
            }
            Action::Probe { peer, height } => {
                *self.asked.entry(peer).or_default() += 1;
                let outcome = match self.peers[&peer] {
                    Fake::Honest { finalized } if height <= finalized => {
                        ProbeOutcome::Proven { height }
                    }
                    _ => ProbeOutcome::Useless,
                };
                self.machine.on_probe(peer, outcome);
            }
        }
        self.now += Duration::from_millis(100);
        self.highest_reported = self
            .highest_reported
            .max(self.machine.highest_block(self.ours.finalized));
        action
    }
}

#[test]
fn a_peer_claiming_a_million_blocks_and_serving_none_does_not_stall_catch_up() {
    let honest = 500;
    let mut sim = Sim::new(&[
        (1, Fake::Liar),
        (2, Fake::Honest { finalized: honest }),
        (3, Fake::Honest { finalized: honest }),
    ]);
    // Two probes, then 8 fetches of 64 blocks.
    let mut rounds = 0;
    while sim.ours.finalized < honest {
        sim.round();
        rounds += 1;
        assert!(
            rounds <= 10,
            "stalled at #{}: {:?}",
            sim.ours.finalized,
            sim.asked
        );
    }
    // The liar was asked once (its tip probe), then benched and ranked after the peers
    // that deliver.
    assert_eq!(sim.asked.get(&1), Some(&1), "{:?}", sim.asked);
    // Both honest peers served: requests rotate between them.
    assert!(sim.asked[&2] >= 4 && sim.asked[&3] >= 4, "{:?}", sim.asked);
    for _ in 0..40 {
        sim.round();
    }
    assert_eq!(sim.ours.finalized, honest);
    assert!(!sim.machine.is_syncing());
    // The lie never showed in highestBlock; the honest height did.
    assert_eq!(sim.highest_reported, honest);
}

#[test]
fn alone_with_a_liar_a_node_backs_off_and_does_not_report_syncing() {
    let mut sim = Sim::new(&[(1, Fake::Liar)]);
    for _ in 0..100 {
        sim.round();
    }
    // Benched for 2, 4, 8, 16, 32, 64 rounds after each useless answer: 6 asks in 100.
    assert_eq!(sim.asked.get(&1), Some(&6), "{:?}", sim.asked);
    assert_eq!(sim.ours.finalized, 0);
    assert_eq!(sim.highest_reported, 0);
    assert!(
        !sim.machine.is_syncing(),
        "a struck peer's claim is not believed"
    );
}

#[test]
fn a_far_claim_is_proven_by_its_justified_header_before_the_blocks_arrive() {
    let mut sim = Sim::new(&[(2, Fake::Honest { finalized: 1000 })]);
    let first = sim.round();
    assert_eq!(
        first,
        Action::Probe {
            peer: 2,
            height: 1000
        }
    );
    assert_eq!(sim.machine.highest_block(sim.ours.finalized), 1000);
    assert!(sim.machine.is_syncing());
    assert!(matches!(sim.round(), Action::Fetch { from: 1, .. }));
}

#[test]
fn one_block_behind_waits_for_the_engine_before_fetching() {
    let mut sim = Sim::new(&[(2, Fake::Honest { finalized: 1 })]);
    assert_eq!(sim.round(), Action::Wait(STATUS_INTERVAL / 4));
    assert!(!sim.machine.is_syncing());
    sim.now += ONE_BEHIND_GRACE;
    assert!(matches!(
        sim.round(),
        Action::Fetch {
            peer: 2,
            from: 1,
            ..
        }
    ));
    assert_eq!(sim.ours.finalized, 1);
}

#[test]
fn a_peer_that_served_an_invalid_block_is_forgotten_until_its_next_status() {
    let mut machine = SyncMachine::default();
    machine.status_round([(7u8, Some(10))]);
    machine.on_delivery(
        7,
        Delivery::Imported {
            blocks: 3,
            height: 3,
        },
    );
    assert_eq!(machine.highest_block(0), 3);
    machine.on_delivery(7, Delivery::Invalid);
    assert_eq!(machine.peers().get(&7), None);
    assert_eq!(machine.highest_block(0), 0);
}
