//! The tally rule, kept free of host calls so it is tested on the host.

/// The choice with strictly the most votes, if there is one and it has any votes.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub(crate) fn winner_of(tally: &[u64]) -> Option<u8> {
    let mut best: Option<(usize, u64)> = None;
    let mut tied = false;
    for (choice, &votes) in tally.iter().enumerate() {
        match best {
            Some((_, best_votes)) if votes < best_votes => {}
            Some((_, best_votes)) if votes == best_votes => tied = true,
            _ => {
                best = Some((choice, votes));
                tied = false;
            }
        }
    }
    match best {
        Some((choice, votes)) if votes > 0 && !tied => u8::try_from(choice).ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::winner_of;

    #[test]
    fn a_strict_maximum_wins() {
        assert_eq!(winner_of(&[1, 5, 2]), Some(1));
        assert_eq!(winner_of(&[0, 0, 3]), Some(2));
        assert_eq!(winner_of(&[u64::MAX, 0]), Some(0));
    }

    #[test]
    fn ties_and_empty_tallies_have_no_winner() {
        assert_eq!(winner_of(&[0, 0]), None);
        assert_eq!(winner_of(&[]), None);
        assert_eq!(winner_of(&[4, 4]), None);
        assert_eq!(winner_of(&[4, 1, 4]), None);
        // A later, larger count breaks an earlier tie.
        assert_eq!(winner_of(&[2, 2, 3]), Some(2));
        assert_eq!(winner_of(&[3, 2, 2]), Some(0));
    }
}
