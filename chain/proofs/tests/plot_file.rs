//! Plot files: create, reopen, open leaves, and refusal of damaged files.
use hm_primitives::{AccountId, H256};
use hm_proofs::{
    create_plot, plot_file_path, plot_seed,
    space::{self, OpenError},
    MemoryPlot, PlotError, PlotFile, PlotStore, ProofError,
};
use std::{
    fs::OpenOptions,
    io::{Seek, SeekFrom, Write},
    path::Path,
};

const HEADER: u64 = 128;

fn seed() -> H256 {
    plot_seed(&AccountId([3; 32]))
}

/// XOR one byte of `path` at `offset`.
fn flip_byte(path: &Path, offset: u64) {
    let mut bytes = std::fs::read(path).unwrap();
    bytes[offset as usize] ^= 0x01;
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn create_reopen_and_match_memory_plot() {
    let dir = tempfile::tempdir().unwrap();
    for k in [1u8, 4, 9, 12] {
        let created = create_plot(dir.path(), &seed(), k, false).unwrap();
        let memory = MemoryPlot::build(&seed(), k).unwrap();
        assert_eq!(created.root(), memory.root());
        assert_eq!(created.path(), plot_file_path(dir.path(), &seed(), k));
        let expected_len = HEADER + 32 * ((1u64 << (k + 1)) - 1);
        assert_eq!(
            std::fs::metadata(created.path()).unwrap().len(),
            expected_len
        );

        let reopened = PlotFile::open(created.path()).unwrap();
        assert_eq!(
            (reopened.k(), reopened.seed(), reopened.root()),
            (k, seed(), memory.root())
        );
        reopened.verify_contents(false).unwrap();
        assert_eq!(reopened.read_node(0, 0).unwrap(), memory.leaves()[0]);
        let all: Vec<u64> = (0..1u64 << k).step_by(1 + (1usize << k) / 64).collect();
        assert_eq!(
            space::open(&reopened, &all).unwrap(),
            space::open(&memory, &all).unwrap()
        );
    }
    // Only finished plots remain: no partial files.
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(name.ends_with(".plot"), "{name}");
    }
}

#[test]
fn progress_bar_does_not_change_the_plot() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let quiet = create_plot(a.path(), &seed(), 10, false).unwrap();
    let shown = create_plot(b.path(), &seed(), 10, true).unwrap();
    assert_eq!(
        std::fs::read(quiet.path()).unwrap(),
        std::fs::read(shown.path()).unwrap()
    );
}

#[test]
fn refuses_to_overwrite_and_bad_k() {
    let dir = tempfile::tempdir().unwrap();
    create_plot(dir.path(), &seed(), 4, false).unwrap();
    assert!(matches!(
        create_plot(dir.path(), &seed(), 4, false),
        Err(PlotError::AlreadyExists(_))
    ));
    for k in [0u8, 41, 255] {
        assert!(matches!(
            create_plot(dir.path(), &seed(), k, false),
            Err(PlotError::Params(ProofError::ParamOutOfRange { .. }))
        ));
    }
}

#[test]
fn truncated_or_extended_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = create_plot(dir.path(), &seed(), 8, false)
        .unwrap()
        .path()
        .to_path_buf();
    let full = std::fs::metadata(&path).unwrap().len();

    let mut extended = OpenOptions::new().append(true).open(&path).unwrap();
    extended.write_all(&[0u8; 32]).unwrap();
    drop(extended);
    assert!(matches!(
        PlotFile::open(&path),
        Err(PlotError::WrongLength { expected, actual }) if expected == full && actual == full + 32
    ));

    for len in [full - 1, full - 32, HEADER + 1, HEADER, 100, 0] {
        OpenOptions::new()
            .write(true)
            .open(&path)
            .unwrap()
            .set_len(len)
            .unwrap();
        assert!(
            matches!(PlotFile::open(&path), Err(PlotError::WrongLength { .. })),
            "length {len}"
        );
    }
    assert!(matches!(
        PlotFile::open(&dir.path().join("missing.plot")),
        Err(PlotError::Io(_))
    ));
}

#[test]
fn damaged_header_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = create_plot(dir.path(), &seed(), 6, false)
        .unwrap()
        .path()
        .to_path_buf();
    let pristine = std::fs::read(&path).unwrap();
    for offset in [0u64, 7, 12, 14, 20, 60, 90, 120] {
        std::fs::write(&path, &pristine).unwrap();
        flip_byte(&path, offset);
        assert!(
            matches!(PlotFile::open(&path), Err(PlotError::BadHeader(_))),
            "offset {offset}"
        );
    }
    // The version is checked before the checksum (a later format may move it).
    std::fs::write(&path, &pristine).unwrap();
    flip_byte(&path, 8);
    assert!(matches!(
        PlotFile::open(&path),
        Err(PlotError::UnsupportedVersion(0))
    ));
    let mut future = pristine.clone();
    future[8] = 2;
    let checksum = *blake3::hash(&future[..80]).as_bytes();
    future[80..112].copy_from_slice(&checksum);
    std::fs::write(&path, &future).unwrap();
    assert!(matches!(
        PlotFile::open(&path),
        Err(PlotError::UnsupportedVersion(2))
    ));
}

#[test]
fn damaged_nodes_are_found() {
    let dir = tempfile::tempdir().unwrap();
    let k = 8u8;
    let path = create_plot(dir.path(), &seed(), k, false)
        .unwrap()
        .path()
        .to_path_buf();
    let pristine = std::fs::read(&path).unwrap();
    let level_offset = |level: u8| HEADER + 32 * ((1u64 << (k + 1)) - (1u64 << (k + 1 - level)));

    // A damaged leaf: open() is cheap and passes, full validation names it,
    // and opening that leaf is refused instead of producing a bad proof.
    flip_byte(&path, level_offset(0) + 32 * 77 + 5);
    let plot = PlotFile::open(&path).unwrap();
    assert!(matches!(
        plot.verify_contents(false),
        Err(PlotError::Corrupt {
            level: 0,
            index: 77
        })
    ));
    assert!(matches!(
        space::open(&plot, &[77]),
        Err(OpenError::Corrupt {
            index: 77,
            error: ProofError::LeafNotChained { .. }
        })
    ));
    assert!(matches!(
        space::open(&plot, &[76]),
        Err(OpenError::Corrupt {
            index: 76,
            error: ProofError::PathMismatch { .. }
        })
    ));
    space::open(&plot, &[200]).unwrap();

    // A damaged inner node.
    std::fs::write(&path, &pristine).unwrap();
    flip_byte(&path, level_offset(3) + 32 * 5);
    let plot = PlotFile::open(&path).unwrap();
    assert!(matches!(
        plot.verify_contents(false),
        Err(PlotError::Corrupt { level: 3, index: 5 })
    ));
    // Node (3, 5) is the level-3 sibling on the paths of leaves 32..=39.
    assert!(matches!(
        space::open(&plot, &[33]),
        Err(OpenError::Corrupt {
            index: 33,
            error: ProofError::PathMismatch { .. }
        })
    ));
    space::open(&plot, &[41]).unwrap();

    // A damaged stored root disagrees with the header: refused on open.
    std::fs::write(&path, &pristine).unwrap();
    flip_byte(&path, level_offset(k));
    assert!(matches!(
        PlotFile::open(&path),
        Err(PlotError::Corrupt { level: 8, index: 0 })
    ));
}

#[test]
fn reads_outside_the_plot_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let plot = create_plot(dir.path(), &seed(), 5, false).unwrap();
    assert!(matches!(
        plot.read_node(0, 32),
        Err(PlotError::OutOfRange { .. })
    ));
    assert!(matches!(
        plot.read_node(5, 1),
        Err(PlotError::OutOfRange { .. })
    ));
    assert!(matches!(
        plot.read_node(6, 0),
        Err(PlotError::OutOfRange { .. })
    ));
    assert!(matches!(
        space::open(&plot, &[32]),
        Err(OpenError::IndexOutOfRange { .. })
    ));
    assert_eq!(plot.read_node(5, 0).unwrap(), plot.root());
}

#[test]
fn a_zeroed_region_is_found() {
    // Simulates a sparse hole left by a crash mid-write.
    let dir = tempfile::tempdir().unwrap();
    let path = create_plot(dir.path(), &seed(), 10, false)
        .unwrap()
        .path()
        .to_path_buf();
    let mut file = OpenOptions::new().write(true).open(&path).unwrap();
    file.seek(SeekFrom::Start(HEADER + 32 * 1000)).unwrap();
    file.write_all(&[0u8; 32 * 24]).unwrap();
    drop(file);
    let plot = PlotFile::open(&path).unwrap();
    assert!(matches!(
        plot.verify_contents(false),
        Err(PlotError::Corrupt {
            level: 0,
            index: 1000
        })
    ));
}
