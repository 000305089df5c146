//! Reading a plot file: structural checks on open, random node reads for
//! openings, and a full regeneration check.
use super::{
    build::{generate, progress_bar},
    format::{file_len, level_len, level_offset, PlotHeader, HEADER_LEN},
    PlotError,
};
use crate::space::PlotStore;
use hm_primitives::H256;
use std::{
    fs::File,
    io,
    path::{Path, PathBuf},
};

/// Nodes per read while validating (1 MiB).
const VALIDATE_BATCH: u64 = 1 << 15;

/// An opened plot file whose header, length and stored root have been checked.
#[derive(Debug)]
pub struct PlotFile {
    path: PathBuf,
    file: File,
    header: PlotHeader,
}

impl PlotFile {
    /// Open and check the header (magic, version, checksum, `k`), the exact
    /// file length, and that the stored top node equals the header's root.
    /// Cheap; [`PlotFile::verify_contents`] checks every node.
    pub fn open(path: &Path) -> Result<Self, PlotError> {
        let file = File::open(path)?;
        let actual = file.metadata()?.len();
        if actual < HEADER_LEN {
            return Err(PlotError::WrongLength {
                expected: HEADER_LEN,
                actual,
            });
        }
        let mut raw = [0u8; HEADER_LEN as usize];
        read_exact_at(&file, &mut raw, 0)?;
        let header = PlotHeader::decode(&raw)?;
        let expected = file_len(header.k);
        if actual != expected {
            return Err(PlotError::WrongLength { expected, actual });
        }
        let plot = PlotFile {
            path: path.to_path_buf(),
            file,
            header,
        };
        if plot.read_node(header.k, 0)? != header.root {
            return Err(PlotError::Corrupt {
                level: header.k,
                index: 0,
            });
        }
        Ok(plot)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Node `index` of `level` (0 = leaves, `k` = root).
    pub fn read_node(&self, level: u8, index: u64) -> Result<H256, PlotError> {
        let k = self.header.k;
        if level > k || index >= level_len(k, level) {
            return Err(PlotError::OutOfRange { level, index });
        }
        let mut node = H256::ZERO;
        read_exact_at(&self.file, &mut node.0, level_offset(k, level) + index * 32)?;
        Ok(node)
    }

    /// Regenerate the whole plot from its seed and compare every stored node
    /// (`2^(k+1)` hashes); reports the first damaged node.
    pub fn verify_contents(&self, progress: bool) -> Result<(), PlotError> {
        let k = self.header.k;
        let mut cursors: Vec<LevelCursor> =
            (0..=k).map(|level| LevelCursor::new(k, level)).collect();
        let bar = progress_bar(progress, 1u64 << k, "validating");
        let root = generate(&self.header.seed, k, &bar, |level, index, node| {
            let cursor = cursors
                .get_mut(usize::from(level))
                .ok_or(PlotError::OutOfRange { level, index })?;
            if cursor.next(&self.file)? != *node {
                return Err(PlotError::Corrupt { level, index });
            }
            Ok(())
        })?;
        bar.finish_and_clear();
        if root != self.header.root {
            return Err(PlotError::Corrupt { level: k, index: 0 });
        }
        Ok(())
    }
}

impl PlotStore for PlotFile {
    type Error = PlotError;

    fn k(&self) -> u8 {
        self.header.k
    }

    fn seed(&self) -> H256 {
        self.header.seed
    }

    fn root(&self) -> H256 {
        self.header.root
    }

    fn node(&self, level: u8, index: u64) -> Result<H256, PlotError> {
        self.read_node(level, index)
    }
}

/// Sequential buffered reads of one level through positional reads.
struct LevelCursor {
    next_offset: u64,
    remaining: u64,
    buffer: Vec<u8>,
    position: usize,
}

impl LevelCursor {
    fn new(k: u8, level: u8) -> Self {
        LevelCursor {
            next_offset: level_offset(k, level),
            remaining: level_len(k, level),
            buffer: Vec::new(),
            position: 0,
        }
    }

    fn next(&mut self, file: &File) -> Result<H256, PlotError> {
        if self.position >= self.buffer.len() {
            let batch = self.remaining.min(VALIDATE_BATCH);
            if batch == 0 {
                return Err(io::Error::from(io::ErrorKind::UnexpectedEof).into());
            }
            self.buffer.resize(batch as usize * 32, 0);
            read_exact_at(file, &mut self.buffer, self.next_offset)?;
            self.next_offset += batch * 32;
            self.remaining -= batch;
            self.position = 0;
        }
        let mut node = H256::ZERO;
        let bytes = self
            .buffer
            .get(self.position..self.position + 32)
            .ok_or_else(|| io::Error::from(io::ErrorKind::UnexpectedEof))?;
        node.0.copy_from_slice(bytes);
        self.position += 32;
        Ok(node)
    }
}

#[cfg(unix)]
fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(windows)]
fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    use std::os::windows::fs::FileExt;
    let mut done = 0usize;
    while done < buf.len() {
        let n = file.seek_read(&mut buf[done..], offset + done as u64)?;
        if n == 0 {
            return Err(io::Error::from(io::ErrorKind::UnexpectedEof));
        }
        done += n;
    }
    Ok(())
}

#[cfg(not(any(unix, windows)))]
fn read_exact_at(_file: &File, _buf: &mut [u8], _offset: u64) -> io::Result<()> {
    Err(io::Error::from(io::ErrorKind::Unsupported))
}
