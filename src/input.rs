//! The files a run reads because someone named them: the manifest (and a baseline),
//! password files, saved plans and the manifest a plan records. Each is read only
//! when it is a regular file, and never past the size its limit documents: a path
//! is text anyone may write in a pull request or a plan artifact, and `/dev/zero`
//! would otherwise be read until memory runs out, a FIFO would block the run
//! forever, and a password "file" could be a device.
//!
//! The limit is enforced by the read itself (`Read::take`), not by a size checked
//! beforehand: a file may grow between the check and the read, and a device's size
//! says nothing.

use std::fmt;
use std::fs::{File, Metadata};
use std::io::Read;
use std::path::Path;

/// How much of one kind of file is read at most, and what the file is called in
/// the error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    pub what: &'static str,
    pub max: u64,
}

/// The README's promise (a 100,000-entry manifest with every field is about 22 MB).
pub const MANIFEST: Limit = Limit {
    what: "manifests",
    max: 32 << 20,
};

/// A link password is at most 30 characters; a file far past that is not one.
pub const PASSWORD_FILE: Limit = Limit {
    what: "password files",
    max: 1 << 10,
};

/// A saved plan takes about 1.7 KB a folder (the demo's): 100,000 folders about 170 MB.
pub const SAVED_PLAN: Limit = Limit {
    what: "saved plans",
    max: 256 << 20,
};

/// Why a named file was not read. Never holds any of the file's content.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("it is {kind}, not a regular file")]
    NotAFile { kind: &'static str },
    #[error("{}", too_large(*.size, *.limit))]
    TooLarge {
        /// What the file system said, when it said it before the read.
        size: Option<u64>,
        limit: Limit,
    },
    #[error("it is not UTF-8 text")]
    NotUtf8,
}

/// The file's bytes, when it is a regular file of at most `limit.max` bytes.
pub fn read(path: &Path, limit: Limit) -> Result<Vec<u8>, InputError> {
    // Looked at before opening: opening a FIFO for reading waits for a writer.
    regular(&std::fs::metadata(path)?)?;
    let file = open(path)?;
    // And again on what was opened, in case the path changed in between.
    let meta = file.metadata()?;
    regular(&meta)?;
    if meta.len() > limit.max {
        return Err(InputError::TooLarge {
            size: Some(meta.len()),
            limit,
        });
    }
    read_from(file, limit, usize::try_from(meta.len()).unwrap_or(0))
}

/// At most `limit.max` bytes of `reader` (a file, or stdin for `-f -`), or an
/// error once there are more: the read stops one byte past the limit.
pub fn read_from(reader: impl Read, limit: Limit, expected: usize) -> Result<Vec<u8>, InputError> {
    let mut bytes = Vec::with_capacity(expected.min(usize::try_from(limit.max).unwrap_or(0)));
    // One byte past the limit tells a file that grew past it from one that fits.
    reader.take(limit.max + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit.max {
        return Err(InputError::TooLarge { size: None, limit });
    }
    Ok(bytes)
}

/// The same, as UTF-8 text.
pub fn read_text(path: &Path, limit: Limit) -> Result<String, InputError> {
    String::from_utf8(read(path, limit)?).map_err(|_| InputError::NotUtf8)
}

/// Opened without waiting: should the path have become a FIFO since it was looked
/// at, the open returns at once and the second look refuses it.
#[cfg(unix)]
fn open(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open(path: &Path) -> std::io::Result<File> {
    File::open(path)
}

fn regular(meta: &Metadata) -> Result<(), InputError> {
    if meta.is_file() {
        return Ok(());
    }
    Err(InputError::NotAFile { kind: kind(meta) })
}

fn kind(meta: &Metadata) -> &'static str {
    if meta.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    "not a file"
}

fn too_large(size: Option<u64>, limit: Limit) -> String {
    let max = Size(limit.max);
    match size {
        Some(size) => format!(
            "it is {}; docspace-links reads {} of at most {max}",
            Size(size),
            limit.what
        ),
        None => format!(
            "it is larger than {max}; docspace-links reads {} of at most {max}",
            limit.what
        ),
    }
}

/// A size as the README writes limits: whole KiB or MiB where exact, else one
/// decimal.
struct Size(u64);

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0;
        let (unit, name) = if n >= 1 << 20 {
            (1u64 << 20, "MiB")
        } else if n >= 1 << 10 && n.is_multiple_of(1 << 10) {
            (1 << 10, "KiB")
        } else {
            return write!(f, "{n} bytes");
        };
        if n.is_multiple_of(unit) {
            write!(f, "{} {name}", n / unit)
        } else {
            write!(f, "{:.1} {name}", n as f64 / unit as f64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_within_its_limit_is_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p");
        std::fs::write(&path, [b'x'; 1024]).unwrap();
        assert_eq!(read(&path, PASSWORD_FILE).unwrap().len(), 1024);
        std::fs::write(&path, [b'x'; 1025]).unwrap();
        let e = read(&path, PASSWORD_FILE).unwrap_err();
        assert_eq!(
            e.to_string(),
            "it is 1025 bytes; docspace-links reads password files of at most 1 KiB"
        );
    }

    #[test]
    fn a_stream_is_read_no_further_than_one_byte_past_the_limit() {
        let mut endless = std::io::repeat(b'#');
        let e = read_from(&mut endless, PASSWORD_FILE, 0).unwrap_err();
        assert_eq!(
            e.to_string(),
            "it is larger than 1 KiB; docspace-links reads password files of at most 1 KiB"
        );
        let fits = read_from(&b"version: 1\n"[..], MANIFEST, 11).unwrap();
        assert_eq!(fits, b"version: 1\n");
    }

    #[test]
    fn sizes_read_as_the_readme_writes_them() {
        assert_eq!(Size(32 << 20).to_string(), "32 MiB");
        assert_eq!(Size((32 << 20) + (1 << 19)).to_string(), "32.5 MiB");
        assert_eq!(Size(2048).to_string(), "2 KiB");
        assert_eq!(Size(12).to_string(), "12 bytes");
    }

    #[test]
    fn a_directory_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let e = read(dir.path(), MANIFEST).unwrap_err();
        assert_eq!(e.to_string(), "it is a directory, not a regular file");
    }

    #[cfg(unix)]
    #[test]
    fn a_device_is_not_read() {
        let e = read(Path::new("/dev/zero"), MANIFEST).unwrap_err();
        assert_eq!(e.to_string(), "it is a device, not a regular file");
    }

    #[test]
    fn text_must_be_utf8() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p");
        std::fs::write(&path, [0xff, 0xfe]).unwrap();
        assert!(matches!(
            read_text(&path, SAVED_PLAN),
            Err(InputError::NotUtf8)
        ));
    }
}
