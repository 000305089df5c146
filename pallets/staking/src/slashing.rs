//! Slashing and equivocation reports.
//!
//! A slash takes its amount from the active bond first, then from the
//! unbonding chunks that mature last (the funds most recently at stake), burns
//! it from the offender's own stash ([`caesar::burn_from`], which ignores the
//! staking lock) and lowers the lock to the new ledger total. What the ledger
//! loses is what is burned: a slash takes at most the stash's free balance, which
//! is less than its ledger only when root's `set_balance` lowered it (root is not
//! bound by locks), so the ledger never gives up funds that were not burned.
//! When the burn leaves the stash below the existential deposit, Caesar removes
//! it and burns its rest as dust (`DustLost`); its ledger, lock and registration
//! go with it. The ledger then also loses its unslashed rest, and the issuance
//! falls by the dust: that rest plus any unbonded funds under the ED (or less,
//! if root had left the stash holding less than its ledger).
//!
//! Equivocations follow GRANDPA: the fraction is `min((3k/n)², 1)` with `k` the
//! offenders punished in the current epoch (this one included) and `n` the size
//! of the current set. When `k` grows, offenders punished earlier in the epoch
//! are topped up to the new fraction of the exposure they were first slashed
//! on, so colluding offenders pay the same whatever order they are reported in.
//! An offender is punished at most once per epoch; each (offender, height,
//! round) is accepted once, and reports are kept until the offence is older
//! than the unbonding period, past which evidence is refused anyway.
use crate::*;
use hm_support::take;

/// GRANDPA's slash fraction `min((3k/n)², 1)`, in parts per million, rounded down.
/// An empty set (`n == 0`) slashes everything.
pub fn slash_fraction_ppm(offenders: u32, validators: u32) -> Ppm {
    if validators == 0 {
        return PPM;
    }
    let k = u128::from(offenders);
    let n = u128::from(validators);
    // k, n < 2^32: 9·k²·10^6 < 2^88, no overflow.
    let scaled = 9 * k * k * u128::from(PPM) / (n * n);
    Ppm::try_from(scaled.min(u128::from(PPM))).unwrap_or(PPM)
}

/// `⌊value · ppm / 10^6⌋` without overflow; `ppm` above the whole counts as the whole.
pub fn mul_ppm(value: Balance, ppm: Ppm) -> Balance {
    let part = Balance::from(ppm.min(PPM));
    let whole = Balance::from(PPM);
    // (value / whole)·part ≤ value and (value % whole)·part < 10^12: both fit.
    (value / whole)
        .saturating_mul(part)
        .saturating_add((value % whole).saturating_mul(part) / whole)
}

/// Burn `fraction` of `offender`'s ledger (active and unbonding) from its stash
/// and mark it slashed: it leaves the candidates until it calls `validate` again.
/// Returns what the ledger lost, which is what was burned from the stash's free
/// balance (plus the bond's rest if the stash fell below the ED; module docs).
pub fn slash(
    ext: &mut dyn Externalities,
    offender: &AccountId,
    fraction: Ppm,
) -> Result<Balance, DispatchError> {
    if fraction > PPM {
        return Err(Error::InvalidFraction.into());
    }
    with_transaction(ext, |ext| {
        let total = ledger(ext, offender)
            .ok_or(Error::NotBonded)?
            .total()
            .ok_or(Error::Overflow)?;
        slash_ledger(ext, offender, mul_ppm(total, fraction), fraction)
    })
}

/// Take up to `amount` from `who`'s ledger, capped at its free balance, and burn
/// it from the stash. Returns what the ledger lost: what was burned, plus the rest
/// of the ledger when the burn removed the stash (see the module docs).
fn slash_ledger(
    ext: &mut dyn Externalities,
    who: &AccountId,
    amount: Balance,
    fraction: Ppm,
) -> Result<Balance, DispatchError> {
    let Some(mut ledger) = ledger(ext, who) else {
        return Ok(0);
    };
    // Root may have set the free balance below the ledger: take only what can be burned.
    let amount = amount.min(caesar::free_balance(ext, who));
    let from_active = amount.min(ledger.active);
    ledger.active = ledger.active.saturating_sub(from_active);
    let mut left = amount.saturating_sub(from_active);
    for chunk in ledger.unlocking.iter_mut().rev() {
        let from_chunk = left.min(chunk.value);
        chunk.value = chunk.value.saturating_sub(from_chunk);
        left = left.saturating_sub(from_chunk);
    }
    ledger.unlocking.retain(|c| c.value > 0);
    let burned = caesar::burn_from(ext, who, amount.saturating_sub(left))?;
    let mut taken = burned;
    if caesar::account(ext, who).is_none() {
        // The stash is gone, with its lock: so is the rest of its bond.
        taken = taken
            .checked_add(ledger.total().ok_or(Error::Overflow)?)
            .ok_or(Error::Overflow)?;
        ledger = StakingLedger::default();
    }
    ledger::sub_held(ext, taken)?;
    if let Some(mut reg) = registration(ext, who) {
        reg.slashed = true;
        put(ext, &storage::validator(who), &reg);
        election::remove_candidate(ext, who);
    }
    ledger::store_ledger(ext, who, &ledger)?;
    deposit_event(
        ext,
        Event::Slashed {
            stash: *who,
            amount: taken,
            fraction,
        },
    );
    Ok(taken)
}

/// Whether a report of `offender` equivocating at (`height`, `round`) would be
/// accepted now; the runtime's unsigned-transaction check. Changes nothing.
pub fn check_equivocation(
    ext: &dyn Externalities,
    offender: &AccountId,
    height: BlockNumber,
    round: u32,
) -> DispatchResult {
    if height > system::block_number(ext) {
        return Err(Error::FutureOffence.into());
    }
    let offence_epoch = epoch_of(ext, height);
    let window = EpochIndex::from(config(ext).unbonding_period);
    if offence_epoch.saturating_add(window) <= epoch_index(ext)
        || offence_epoch < next_prune_epoch(ext)
    {
        return Err(Error::EvidenceTooOld.into());
    }
    let key = OffenceKey {
        offender: *offender,
        height,
        round,
    };
    if is_reported(ext, &key) {
        return Err(Error::DuplicateReport.into());
    }
    let held = ledger(ext, offender).and_then(|l| l.total()).unwrap_or(0);
    if held == 0 {
        return Err(Error::NothingToSlash.into());
    }
    if epoch_offenders(ext).iter().any(|r| r.offender == *offender) {
        return Err(Error::AlreadyPunished.into());
    }
    Ok(())
}

/// Weight of a `report_equivocation` that raises `prior_offenders` earlier slashes
/// (at most the offenders already punished this epoch: `epoch_offenders(ext).len()`).
pub fn report_equivocation_weight(prior_offenders: u32) -> Weight {
    weights::SLASH_TOP_UP
        .saturating_mul(Weight::from(prior_offenders))
        .saturating_add(weights::REPORT_EQUIVOCATION)
}

/// Slash `offender` for equivocating at (`height`, `round`), whose votes the
/// caller has verified. Returns the fraction applied. All or nothing.
pub fn report_equivocation(
    ext: &mut dyn Externalities,
    offender: &AccountId,
    height: BlockNumber,
    round: u32,
) -> Result<Ppm, DispatchError> {
    check_equivocation(ext, offender, height, round)?;
    with_transaction(ext, |ext| {
        let mut offenders = epoch_offenders(ext);
        let k = u32::try_from(offenders.len().saturating_add(1)).map_err(|_| Error::Overflow)?;
        let n = u32::try_from(validator_set(ext).len()).map_err(|_| Error::Overflow)?;
        let fraction = slash_fraction_ppm(k, n);
        let exposure = ledger(ext, offender)
            .and_then(|l| l.total())
            .ok_or(Error::Overflow)?;
        // Each offender's share is burned from its own stash as it is taken.
        slash_ledger(ext, offender, mul_ppm(exposure, fraction), fraction)?;
        for record in offenders.iter_mut().filter(|r| r.applied < fraction) {
            let owed = mul_ppm(record.exposure, fraction)
                .saturating_sub(mul_ppm(record.exposure, record.applied));
            slash_ledger(ext, &record.offender, owed, fraction)?;
            record.applied = fraction;
        }
        offenders.push(OffenceRecord {
            offender: *offender,
            exposure,
            applied: fraction,
        });
        put(ext, &storage::epoch_offenders(), &offenders);
        let key = OffenceKey {
            offender: *offender,
            height,
            round,
        };
        let included_in = system::block_number(ext);
        put(ext, &storage::reported_offence(&key), &included_in);
        let bucket_key = storage::offence_bucket(epoch_of(ext, height));
        let mut bucket: Vec<OffenceKey> = get(ext, &bucket_key).unwrap_or_default();
        bucket.push(key);
        put(ext, &bucket_key, &bucket);
        deposit_event(
            ext,
            Event::OffenceReported {
                offender: *offender,
                height,
                round,
                fraction,
                offenders_in_epoch: k,
            },
        );
        Ok(fraction)
    })
}

/// Forget reports of offences too old to be reported again: at epoch `epoch`,
/// those of epochs `<= epoch - unbonding_period`.
pub(crate) fn prune_offences(
    ext: &mut dyn Externalities,
    epoch: EpochIndex,
    unbonding_period: u32,
) {
    let Some(horizon) = epoch.checked_sub(EpochIndex::from(unbonding_period)) else {
        return;
    };
    // Bounded even if the state is far behind: older buckets are unreachable anyway.
    let floor = horizon.saturating_sub(EpochIndex::from(MAX_UNBONDING_PERIOD));
    let start = next_prune_epoch(ext).max(floor);
    if start > horizon {
        return;
    }
    for bucket in start..=horizon {
        let keys: Vec<OffenceKey> = take(ext, &storage::offence_bucket(bucket)).unwrap_or_default();
        for key in &keys {
            ext.storage_remove(&storage::reported_offence(key));
        }
    }
    put(
        ext,
        &storage::next_prune_epoch(),
        &horizon.saturating_add(1),
    );
}
