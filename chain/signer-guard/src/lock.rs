//! An exclusive advisory lock (`flock`) held for the guard's lifetime, so two
//! processes never sign from one state file. The kernel drops it when the
//! process dies, SIGKILL included.
use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::io::AsRawFd;
use std::path::Path;

#[derive(Debug)]
pub struct LockFile {
    /// Kept open: closing the descriptor releases the lock.
    _file: File,
}

/// Outcome of trying to take the lock.
pub enum Locking {
    Acquired(LockFile),
    HeldElsewhere,
}

pub fn try_lock(path: &Path) -> io::Result<Locking> {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)?;
    // SAFETY: `flock` only reads the descriptor, which `file` keeps open for
    // the duration of the call; no memory is shared with the kernel.
    let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if rc == 0 {
        return Ok(Locking::Acquired(LockFile { _file: file }));
    }
    let err = io::Error::last_os_error();
    if err.kind() == io::ErrorKind::WouldBlock {
        Ok(Locking::HeldElsewhere)
    } else {
        Err(err)
    }
}
