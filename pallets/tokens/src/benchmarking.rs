//! Benchmarks of the tokens pallet's calls (feature `runtime-benchmarks`), run by the
//! runtime's `bench_weights` (see [`hm_support::bench::COMMAND`]). Each call is timed
//! on its worst-case path: new accounts and approvals created, accounts reaped, list
//! entries swapped, deposits reserved or returned.
use crate::{self as tokens, Call, TokenId, MAX_NAME_LEN, MAX_SYMBOL_LEN, REMOVE_ITEMS_LIMIT};
use hm_pallet_caesar::benchmarking::populate;
use hm_pallet_system::{benchmarking::new_block, Origin};
use hm_primitives::{AccountId, Balance, UNITS};
use hm_support::bench::{
    account, measure_prepared, refuse_signatures, BenchConfig, Benchmarks, CountingExt,
    Measurement, POPULATION,
};

/// Timed runs per call.
const RUNS: usize = 1_000;
/// Timed runs of a destroy step (each removes `REMOVE_ITEMS_LIMIT` items).
const DESTROY_RUNS: usize = 50;
/// Minimum balance of benchmark tokens.
const MIN: Balance = 1_000;
/// Holders of the benchmark token before any run, so its maps have a realistic size.
const HOLDERS: u32 = 10_000;

fn signed_ok(ext: &mut CountingExt, who: AccountId, call: Call) {
    let result = tokens::dispatch(ext, Origin::Signed(who), call.clone());
    assert!(result.is_ok(), "{call:?}: {result:?}");
}

/// The creator of token 0, which every run's token operations use.
fn issuer() -> AccountId {
    account(0, 0)
}

/// Caesar's population holding 1,000 CAES each, and token 0 held by [`HOLDERS`] of them.
fn token_state() -> CountingExt {
    let mut ext = CountingExt::new(refuse_signatures);
    populate(&mut ext, 1_000 * UNITS, &[]);
    signed_ok(&mut ext, issuer(), Call::Create { min_balance: MIN });
    for i in 0..HOLDERS {
        mint(&mut ext, 0, account(0, i), 1_000 * MIN);
    }
    ext
}

fn mint(ext: &mut CountingExt, token: TokenId, beneficiary: AccountId, amount: Balance) {
    let issuer = tokens::details(ext, token).expect("token exists").issuer;
    let call = Call::Mint {
        token,
        beneficiary,
        amount,
    };
    signed_ok(ext, issuer, call);
}

/// A token created by population account `i` (untimed preparation).
fn create_for(ext: &mut CountingExt, i: usize) -> TokenId {
    let id = tokens::next_token_id(ext);
    signed_ok(ext, account(0, i as u32), Call::Create { min_balance: MIN });
    id
}

fn max_metadata(token: TokenId) -> Call {
    Call::SetMetadata {
        token,
        name: vec![b'n'; MAX_NAME_LEN as usize],
        symbol: vec![b's'; MAX_SYMBOL_LEN as usize],
        decimals: 12,
    }
}

/// Time `call(i)` signed by `who(i)` after `prepare`, as one weights item.
fn item(
    items: &mut Vec<Measurement>,
    runs: usize,
    constant: &'static str,
    doc: &str,
    mut prepare: impl FnMut(&mut CountingExt, usize) -> (AccountId, Call),
) {
    let mut ext = token_state();
    let m = measure_prepared(
        &mut ext,
        runs,
        |ext, i| {
            new_block(ext, i);
            prepare(ext, i)
        },
        |ext, (who, call)| signed_ok(ext, who, call),
    );
    items.push(Measurement::new(constant, doc, m));
}

pub fn benchmarks(config: &BenchConfig) -> Benchmarks {
    let runs = config.runs(RUNS);
    let destroy_runs = config.runs(DESTROY_RUNS);
    let holder = |i: usize| account(0, i as u32 % HOLDERS);
    let newcomer = |i: usize| account(1, i as u32);
    let mut items = Vec::new();

    item(
        &mut items,
        runs,
        "CREATE",
        "`create`: reserves the deposit.",
        |_, i| (account(0, i as u32), Call::Create { min_balance: MIN }),
    );
    item(
        &mut items,
        runs,
        "SET_METADATA",
        "`set_metadata`, longest name and symbol.",
        |ext, i| (account(0, i as u32), max_metadata(create_for(ext, i))),
    );
    item(
        &mut items,
        runs,
        "CLEAR_METADATA",
        "`clear_metadata`: returns the deposit.",
        |ext, i| {
            let token = create_for(ext, i);
            signed_ok(ext, account(0, i as u32), max_metadata(token));
            (account(0, i as u32), Call::ClearMetadata { token })
        },
    );
    item(&mut items, runs, "SET_TEAM", "`set_team`.", |ext, i| {
        let token = create_for(ext, i);
        let (issuer, admin, freezer) = (newcomer(i), newcomer(i), newcomer(i));
        (
            account(0, i as u32),
            Call::SetTeam {
                token,
                issuer,
                admin,
                freezer,
            },
        )
    });
    item(
        &mut items,
        runs,
        "TRANSFER_OWNERSHIP",
        "`transfer_ownership` with metadata: both deposits move.",
        |ext, i| {
            let token = create_for(ext, i);
            signed_ok(ext, account(0, i as u32), max_metadata(token));
            let owner = account(0, (i as u32 + 1) % POPULATION);
            (
                account(0, i as u32),
                Call::TransferOwnership { token, owner },
            )
        },
    );
    item(
        &mut items,
        runs,
        "MINT",
        "`mint`, worst case: creates the account.",
        |_, i| {
            let call = Call::Mint {
                token: 0,
                beneficiary: newcomer(i),
                amount: MIN,
            };
            (issuer(), call)
        },
    );
    item(
        &mut items,
        runs,
        "BURN",
        "`burn`, worst case: reaps the account.",
        |ext, i| {
            mint(ext, 0, newcomer(i), MIN);
            (
                issuer(),
                Call::Burn {
                    token: 0,
                    who: newcomer(i),
                    amount: MIN,
                },
            )
        },
    );
    item(
        &mut items,
        runs,
        "TRANSFER",
        "`transfer`, worst case: creates the receiver and reaps the sender.",
        |ext, i| {
            mint(ext, 0, newcomer(i), 2 * MIN - 1);
            let call = Call::Transfer {
                token: 0,
                dest: account(2, i as u32),
                amount: MIN,
            };
            (newcomer(i), call)
        },
    );
    item(
        &mut items,
        runs,
        "TRANSFER_KEEP_ALIVE",
        "`transfer_keep_alive`, worst case: creates the receiver.",
        |_, i| {
            let call = Call::TransferKeepAlive {
                token: 0,
                dest: newcomer(i),
                amount: MIN,
            };
            (holder(i), call)
        },
    );
    item(
        &mut items,
        runs,
        "APPROVE_TRANSFER",
        "`approve_transfer`, worst case: a new approval and its deposit.",
        |_, i| {
            (
                holder(i),
                Call::ApproveTransfer {
                    token: 0,
                    delegate: newcomer(i),
                    amount: MIN,
                },
            )
        },
    );
    item(
        &mut items,
        runs,
        "CANCEL_APPROVAL",
        "`cancel_approval`, worst case: the list's last entry moves.",
        |ext, i| {
            for delegate in [newcomer(i), account(2, i as u32)] {
                let call = Call::ApproveTransfer {
                    token: 0,
                    delegate,
                    amount: MIN,
                };
                signed_ok(ext, holder(i), call);
            }
            (
                holder(i),
                Call::CancelApproval {
                    token: 0,
                    delegate: newcomer(i),
                },
            )
        },
    );
    item(
        &mut items,
        runs,
        "TRANSFER_APPROVED",
        "`transfer_approved`, worst case: spends the approval whole and creates the receiver.",
        |ext, i| {
            let approve = Call::ApproveTransfer {
                token: 0,
                delegate: newcomer(i),
                amount: MIN,
            };
            signed_ok(ext, holder(i), approve);
            let call = Call::TransferApproved {
                token: 0,
                owner: holder(i),
                destination: account(2, i as u32),
                amount: MIN,
            };
            (newcomer(i), call)
        },
    );
    item(
        &mut items,
        runs,
        "FREEZE",
        "`freeze` or `thaw` of one account.",
        |_, i| {
            (
                issuer(),
                Call::Freeze {
                    token: 0,
                    who: holder(i),
                },
            )
        },
    );
    item(
        &mut items,
        runs,
        "FREEZE_TOKEN",
        "`freeze_token` or `thaw_token`.",
        |ext, i| {
            (
                account(0, i as u32),
                Call::FreezeToken {
                    token: create_for(ext, i),
                },
            )
        },
    );
    item(
        &mut items,
        runs,
        "START_DESTROY",
        "`start_destroy`.",
        |ext, i| {
            (
                account(0, i as u32),
                Call::StartDestroy {
                    token: create_for(ext, i),
                },
            )
        },
    );
    item(
        &mut items,
        destroy_runs,
        "DESTROY_ACCOUNTS",
        "`destroy_accounts`, removing `REMOVE_ITEMS_LIMIT` accounts.",
        |ext, i| {
            let token = create_for(ext, i);
            for n in 0..REMOVE_ITEMS_LIMIT {
                mint(ext, token, account(3, n), MIN);
            }
            signed_ok(ext, account(0, i as u32), Call::StartDestroy { token });
            (issuer(), Call::DestroyAccounts { token })
        },
    );
    item(
        &mut items,
        destroy_runs,
        "DESTROY_APPROVALS",
        "`destroy_approvals`, removing `REMOVE_ITEMS_LIMIT` approvals.",
        |ext, i| {
            let token = create_for(ext, i);
            let owner = account(0, i as u32);
            mint(ext, token, owner, MIN);
            for n in 0..REMOVE_ITEMS_LIMIT {
                let call = Call::ApproveTransfer {
                    token,
                    delegate: account(3, n),
                    amount: 1,
                };
                signed_ok(ext, owner, call);
            }
            signed_ok(ext, owner, Call::StartDestroy { token });
            signed_ok(ext, owner, Call::DestroyAccounts { token });
            (issuer(), Call::DestroyApprovals { token })
        },
    );
    item(
        &mut items,
        runs,
        "FINISH_DESTROY",
        "`finish_destroy` with metadata: both deposits return.",
        |ext, i| {
            let token = create_for(ext, i);
            let owner = account(0, i as u32);
            signed_ok(ext, owner, max_metadata(token));
            signed_ok(ext, owner, Call::StartDestroy { token });
            (issuer(), Call::FinishDestroy { token })
        },
    );

    Benchmarks {
        title: "Weights of the tokens pallet's calls",
        method: vec![
            format!("weight = median time of the worst-case path ({runs} runs; destroy steps {destroy_runs})"),
            format!("against an in-memory state of {POPULATION} accounts and a token of {HOLDERS} holders, plus"),
        ],
        items,
    }
}
