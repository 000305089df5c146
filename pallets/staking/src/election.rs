//! Validator candidacy (`validate`, `chill`, the bounded candidate list) and
//! the election of each epoch's validator set.
//!
//! Candidates are kept as one sorted `Vec` (the state has no prefix
//! iteration), bounded by [`MAX_CANDIDATES`]. The election ranks them by active
//! bond, highest first, ties to the lower `AccountId`, and keeps the first
//! `max_validators`. Every step is a deterministic function of the state.
use crate::*;

pub(crate) fn validate(
    ext: &mut dyn Externalities,
    stash: AccountId,
    key: &FalconPublicKey,
    plot: PlotCommitment,
    proof: &FalconSignature,
) -> DispatchResult {
    let ledger = ledger(ext, &stash).ok_or(Error::NotBonded)?;
    let cfg = config(ext);
    if ledger.active < cfg.min_validator_bond {
        return Err(Error::BelowMinimumBond.into());
    }
    // Openings are drawn for the chain's `plot_k`: a plot of any other size never verifies.
    if !(cfg.min_plot_k..=MAX_PLOT_K).contains(&plot.k) || plot.k != proof_params(ext).plot_k {
        return Err(Error::InvalidPlot.into());
    }
    let message = key_ownership_message(&stash, &plot);
    if !ext.falcon_verify(key.as_bytes(), message.as_bytes(), &proof.0) {
        return Err(Error::BadKeyProof.into());
    }
    let key_id = key.account_id();
    if stash_of_consensus_key(ext, &key_id).is_some_and(|owner| owner != stash) {
        return Err(Error::KeyInUse.into());
    }
    if get::<AccountId>(ext, &storage::plot_owner(&plot.seed)).is_some_and(|o| o != stash) {
        return Err(Error::PlotInUse.into());
    }
    admit_candidate(ext, &stash, ledger.active)?;
    if let Some(previous) = registration(ext, &stash) {
        ext.storage_remove(&storage::key_owner(&previous.consensus_key));
        ext.storage_remove(&storage::plot_owner(&previous.plot.seed));
    }
    let reg = ValidatorRegistration {
        consensus_key: key_id,
        plot,
        slashed: false,
    };
    put(ext, &storage::validator(&stash), &reg);
    put(ext, &storage::key_owner(&key_id), &stash);
    put(ext, &storage::plot_owner(&plot.seed), &stash);
    system::register_public_key(ext, key);
    deposit_event(
        ext,
        Event::ValidatorRegistered {
            stash,
            consensus_key: key_id,
            plot,
        },
    );
    Ok(())
}

pub(crate) fn chill(ext: &mut dyn Externalities, stash: AccountId) -> DispatchResult {
    if registration(ext, &stash).is_none() {
        return Err(Error::NotRegistered.into());
    }
    deregister(ext, &stash);
    deposit_event(ext, Event::Chilled { stash });
    Ok(())
}

/// Remove `stash` from the candidates, its registration and its key and plot claims.
pub(crate) fn deregister(ext: &mut dyn Externalities, stash: &AccountId) {
    if let Some(reg) = registration(ext, stash) {
        ext.storage_remove(&storage::key_owner(&reg.consensus_key));
        ext.storage_remove(&storage::plot_owner(&reg.plot.seed));
        ext.storage_remove(&storage::validator(stash));
    }
    remove_candidate(ext, stash);
}

/// Drop `stash` from the candidate list (a slashed validator keeps its registration).
pub(crate) fn remove_candidate(ext: &mut dyn Externalities, stash: &AccountId) {
    let mut list = candidates(ext);
    if let Ok(pos) = list.binary_search(stash) {
        list.remove(pos);
        put(ext, &storage::candidates(), &list);
    }
}

/// Add `stash` (with `active` bond) to the candidates. When the list is full it
/// takes the place of the weakest candidate, who is chilled, or is refused.
pub(crate) fn admit_candidate(
    ext: &mut dyn Externalities,
    stash: &AccountId,
    active: Balance,
) -> DispatchResult {
    let mut list = candidates(ext);
    if list.binary_search(stash).is_ok() {
        return Ok(());
    }
    if list.len() >= MAX_CANDIDATES as usize {
        let (weakest, weakest_active) =
            weakest_candidate(ext, &list).ok_or(Error::TooManyCandidates)?;
        let stronger = active > weakest_active || (active == weakest_active && *stash < weakest);
        if !stronger {
            return Err(Error::TooManyCandidates.into());
        }
        deregister(ext, &weakest);
        deposit_event(ext, Event::Chilled { stash: weakest });
        list = candidates(ext);
    }
    if let Err(pos) = list.binary_search(stash) {
        list.insert(pos, *stash);
    }
    put(ext, &storage::candidates(), &list);
    Ok(())
}

/// The candidate that ranks last: lowest active bond, ties to the higher `AccountId`.
fn weakest_candidate(ext: &dyn Externalities, list: &[AccountId]) -> Option<(AccountId, Balance)> {
    list.iter()
        .map(|stash| (*stash, ledger(ext, stash).map_or(0, |l| l.active)))
        .min_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
}

/// Voting power of an active bond: whole CAES, capped so the set's total stays
/// within [`MAX_TOTAL_POWER`].
pub(crate) fn power_of(active: Balance, max_validators: u32) -> Power {
    let cap = MAX_TOTAL_POWER / Power::from(max_validators.max(1));
    Power::try_from(active / POWER_UNIT)
        .unwrap_or(Power::MAX)
        .min(cap)
}

/// Rank the eligible candidates (registered, unslashed, at the minimum bond,
/// with power) and keep the strongest `max_validators`, strongest first.
pub(crate) fn elect(ext: &dyn Externalities, cfg: &StakingConfig) -> Vec<ValidatorSetEntry> {
    let mut ranked: Vec<(Balance, ValidatorSetEntry)> = Vec::new();
    for stash in candidates(ext) {
        let Some(reg) = registration(ext, &stash) else {
            continue;
        };
        let active = ledger(ext, &stash).map_or(0, |l| l.active);
        let power = power_of(active, cfg.max_validators);
        if reg.slashed || active < cfg.min_validator_bond || power == 0 {
            continue;
        }
        let entry = ValidatorSetEntry {
            stash,
            consensus_key: reg.consensus_key,
            power,
        };
        ranked.push((active, entry));
    }
    ranked.sort_unstable_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.stash.cmp(&b.1.stash)));
    ranked.truncate(usize::try_from(cfg.max_validators).unwrap_or(usize::MAX));
    ranked.into_iter().map(|(_, entry)| entry).collect()
}

/// Elect and store the set of epoch `epoch`. With no eligible candidate the
/// current set carries over: a chain without validators could never finalize again.
pub(crate) fn commit_next_validators(ext: &mut dyn Externalities, epoch: EpochIndex) {
    let elected = elect(ext, &config(ext));
    let fallback = elected.is_empty();
    let set = if fallback {
        validator_set(ext)
    } else {
        elected
    };
    let total_power = set
        .iter()
        .fold(0 as Power, |sum, v| sum.saturating_add(v.power));
    put(ext, &storage::next_validators(), &set);
    deposit_event(
        ext,
        Event::NextValidatorsCommitted {
            epoch,
            validators: u32::try_from(set.len()).unwrap_or(u32::MAX),
            total_power,
            fallback,
        },
    );
}

/// The set that must finalize block `number`, read from the state after block
/// `number - 1` (its parent): the committed next set when `number` opens an epoch.
pub fn validator_set_for_block(
    parent_state: &dyn Externalities,
    number: BlockNumber,
) -> Vec<ValidatorSetEntry> {
    let epoch_length = config(parent_state).epoch_length.max(1);
    if number != 0 && number % epoch_length == 0 {
        next_validator_set(parent_state)
    } else {
        validator_set(parent_state)
    }
}

/// The members of [`validator_set_for_block`] that count for block `number`,
/// in the set's order, with their registrations: a validator whose plot is no
/// longer registered (chilled, or its bond withdrawn) or that was slashed
/// stops counting at once, not at the next epoch. A slashed validator that
/// registers again counts from the next election, not within the epoch it
/// was punished in.
pub fn counted_validators_for_block(
    parent_state: &dyn Externalities,
    number: BlockNumber,
) -> Vec<(ValidatorSetEntry, ValidatorRegistration)> {
    let epoch_length = config(parent_state).epoch_length.max(1);
    let opens_epoch = number != 0 && number % epoch_length == 0;
    // The offenders on record belong to the parent's epoch; a new epoch starts clean.
    let offenders = if opens_epoch {
        Vec::new()
    } else {
        epoch_offenders(parent_state)
    };
    validator_set_for_block(parent_state, number)
        .into_iter()
        .filter_map(|entry| {
            let reg = registration(parent_state, &entry.stash)?;
            let punished = offenders.iter().any(|o| o.offender == entry.stash);
            (!reg.slashed && !punished).then_some((entry, reg))
        })
        .collect()
}
