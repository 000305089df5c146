//! Creating a plot file: the leaf chain runs on its own thread while this
//! one builds the tree and writes, so both cores work. Memory stays `O(k)`
//! plus bounded I/O buffers whatever the plot size.
use super::{
    file::PlotFile,
    format::{file_len, level_len, level_offset, PlotHeader},
    plot_file_path, PlotError,
};
use crate::tree::{LeafChain, StreamingTree};
use hm_primitives::H256;
use indicatif::{ProgressBar, ProgressStyle};
use std::{
    fs::{self, File, OpenOptions},
    io::{BufWriter, Seek, SeekFrom, Write},
    path::Path,
    sync::mpsc::sync_channel,
};

/// Leaves per message from the leaf thread (512 KiB).
const CHUNK_LEAVES: u64 = 1 << 14;
/// Largest write buffer per level.
const LEVEL_BUFFER: u64 = 1 << 20;

/// Build the plot of `(seed, k)` into `<dir>/<seed-hex>-k<k>.plot` and open it.
/// Writes to a `.partial` file, fsyncs, then renames, so a crash never leaves
/// a file that looks complete. Refuses to overwrite an existing plot.
pub fn create_plot(dir: &Path, seed: &H256, k: u8, progress: bool) -> Result<PlotFile, PlotError> {
    crate::space::check_params(k, 1).map_err(PlotError::Params)?;
    fs::create_dir_all(dir)?;
    let path = plot_file_path(dir, seed, k);
    if path.exists() {
        return Err(PlotError::AlreadyExists(path));
    }
    let partial = path.with_extension("plot.partial");
    let written = write_plot(&partial, seed, k, progress);
    if let Err(e) = written {
        // Best effort: the error that stopped us matters more than cleanup.
        let _ = fs::remove_file(&partial);
        return Err(e);
    }
    fs::rename(&partial, &path)?;
    // Make the rename itself durable (directories cannot be opened for sync on Windows).
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    PlotFile::open(&path)
}

fn write_plot(partial: &Path, seed: &H256, k: u8, progress: bool) -> Result<(), PlotError> {
    let mut file = OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .open(partial)?;
    file.set_len(file_len(k))?;
    // One handle per level: each keeps its own offset, so every level is a
    // sequential buffered write stream into its own region of the file.
    let mut writers = (0..=k)
        .map(|level| -> Result<BufWriter<File>, PlotError> {
            let mut handle = OpenOptions::new().write(true).open(partial)?;
            handle.seek(SeekFrom::Start(level_offset(k, level)))?;
            let capacity = (level_len(k, level) * 32).min(LEVEL_BUFFER);
            Ok(BufWriter::with_capacity(capacity as usize, handle))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let bar = progress_bar(progress, 1u64 << k, "plotting");
    let root = generate(seed, k, &bar, |level, index, node| {
        let writer = writers
            .get_mut(usize::from(level))
            .ok_or(PlotError::OutOfRange { level, index })?;
        writer.write_all(&node.0)?;
        Ok(())
    })?;
    for mut writer in writers {
        writer.flush()?;
    }
    file.seek(SeekFrom::Start(0))?;
    file.write_all(
        &PlotHeader {
            k,
            seed: *seed,
            root,
        }
        .encode(),
    )?;
    file.sync_all()?;
    bar.finish_with_message("plot written");
    Ok(())
}

/// A progress bar over leaves, or a hidden one.
pub(super) fn progress_bar(show: bool, leaves: u64, message: &'static str) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(leaves);
    if let Ok(style) = ProgressStyle::with_template(
        "{msg} [{elapsed_precise}] [{wide_bar}] {human_pos}/{human_len} leaves ({per_sec}, ETA {eta})",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(message);
    bar
}

/// Produce every node of the plot of `(seed, k)` in per-level order:
/// `sink(level, index, node)` sees level-0 leaves and each inner node once.
/// Returns the root. A sink error stops both threads.
pub(super) fn generate(
    seed: &H256,
    k: u8,
    bar: &ProgressBar,
    mut sink: impl FnMut(u8, u64, &H256) -> Result<(), PlotError>,
) -> Result<H256, PlotError> {
    let total = 1u64 << k;
    let (sender, receiver) = sync_channel::<Vec<H256>>(4);
    std::thread::scope(|scope| {
        scope.spawn(move || {
            let mut chain = LeafChain::new(seed);
            let mut remaining = total;
            while remaining > 0 {
                let take = remaining.min(CHUNK_LEAVES);
                let chunk: Vec<H256> = chain.by_ref().take(take as usize).collect();
                remaining -= take;
                if sender.send(chunk).is_err() {
                    return; // the consumer stopped on an error
                }
            }
        });
        let mut tree = StreamingTree::new(seed, k);
        let mut next_index = vec![0u64; usize::from(k) + 1];
        let mut emit = |level: u8, node: &H256| -> Result<(), PlotError> {
            let slot = next_index
                .get_mut(usize::from(level))
                .ok_or(PlotError::OutOfRange { level, index: 0 })?;
            let index = *slot;
            *slot += 1;
            sink(level, index, node)
        };
        for chunk in receiver {
            for leaf in &chunk {
                emit(0, leaf)?;
                tree.push(*leaf, &mut emit)?;
            }
            bar.inc(chunk.len() as u64);
        }
        tree.root().ok_or(PlotError::Corrupt { level: k, index: 0 })
    })
}
