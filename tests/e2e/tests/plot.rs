//! `hypermesh plot create` builds a plot bound to the validator and refuses to overwrite it.
use hm_e2e::cli;

#[test]
fn plot_create_writes_a_verifiable_plot_and_refuses_overwrite() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let base = dir.path().to_str().unwrap();
    let args = [
        "plot",
        "create",
        "--k",
        "10",
        "--for",
        "//Alice",
        "--chain",
        "dev",
        "--base-path",
        base,
        "--quiet",
    ];
    let (ok, out, err) = cli(&args)?;
    assert!(ok, "plot create failed: {out}{err}");
    let path = out
        .lines()
        .find_map(|l| l.strip_prefix("Plot file:"))
        .expect("prints the plot path")
        .trim();
    let plot = hm_proofs::PlotFile::open(std::path::Path::new(path))?;
    let alice = hm_crypto::dev_keypair("alice").unwrap().account_id();
    assert_eq!(
        hm_proofs::PlotStore::seed(&plot),
        hm_proofs::plot_seed(&alice),
        "the plot is bound to its owner"
    );
    assert!(out.contains(&format!("{:?}", hm_proofs::PlotStore::root(&plot))));

    let (ok, _, err) = cli(&args)?;
    assert!(
        !ok && err.to_lowercase().contains("exists"),
        "second plot must be refused: {err}"
    );
    let (ok, _, err) = cli(&[
        "plot",
        "create",
        "--k",
        "10",
        "--for",
        "nobody",
        "--chain",
        "dev",
        "--base-path",
        base,
    ])?;
    assert!(!ok && err.contains("--for"), "{err}");
    Ok(())
}
