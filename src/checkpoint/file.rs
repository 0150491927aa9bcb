//! A checkpoint's bytes around the search's: what identifies the file (postcard, serde),
//! written first so that a file of another format, version or model is named as such before
//! anything else is read, and a CRC-32 of everything before it in its last four bytes
//! (little-endian), checked over the whole file before its body is parsed, so a truncated or
//! damaged file is refused as such rather than misread. Written through a temporary file in
//! the target's directory, synced, then renamed over the target: a stopped or failed write
//! leaves the old file, never part of a new one.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

/// The first field of every checkpoint.
pub const MAGIC: &str = "resync-check checkpoint";

/// Bumped whenever a change to the bytes would make an older reader misread a file.
pub const FORMAT: u32 = 1;

/// What a file is: read first, and the same in every format to come.
#[derive(Serialize, Deserialize)]
pub struct Preamble {
    pub magic: String,
    pub format: u32,
}

/// Who wrote it, for which model.
#[derive(Serialize, Deserialize)]
pub struct Identity {
    /// `resync-check` and its version.
    pub tool: String,
    /// The model's fingerprint (mod.rs, `Key`).
    pub model: u64,
    /// The model in words, for the message that refuses it.
    pub about: String,
}

/// A writer that keeps the CRC-32 of what went through it.
pub struct Summing<W> {
    inner: W,
    crc: crc32fast::Hasher,
    pub bytes: u64,
}

impl<W: Write> Write for Summing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.crc.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Writes `path` atomically with `body`, then the checksum; the file's size.
pub fn write(
    path: &Path,
    body: impl FnOnce(&mut Summing<BufWriter<&mut File>>) -> Result<(), String>,
) -> Result<u64, String> {
    let fail = |e: &dyn std::fmt::Display| format!("{}: cannot write: {e}", path.display());
    let mut temporary = crate::output::temporary_for(path).map_err(|e| fail(&e))?;
    let bytes = {
        let mut out = Summing {
            inner: BufWriter::with_capacity(1 << 20, temporary.as_file_mut()),
            crc: crc32fast::Hasher::new(),
            bytes: 0,
        };
        body(&mut out).map_err(|e| fail(&e))?;
        let crc = out.crc.clone().finalize();
        out.inner
            .write_all(&crc.to_le_bytes())
            .map_err(|e| fail(&e))?;
        out.inner.flush().map_err(|e| fail(&e))?;
        out.bytes + 4
    };
    temporary.as_file().sync_all().map_err(|e| fail(&e))?;
    temporary.persist(path).map_err(|e| fail(&e.error))?;
    Ok(bytes)
}

/// Whether the file's last four bytes are the CRC-32 of the rest; its size.
pub fn verify(file: &mut File) -> std::io::Result<(bool, u64)> {
    let size = file.seek(SeekFrom::End(0))?;
    if size < 4 {
        return Ok((false, size));
    }
    file.seek(SeekFrom::Start(0))?;
    let mut reader = BufReader::with_capacity(1 << 20, &mut *file).take(size - 4);
    let mut crc = crc32fast::Hasher::new();
    let mut block = vec![0u8; 1 << 20];
    loop {
        let n = reader.read(&mut block)?;
        if n == 0 {
            break;
        }
        crc.update(&block[..n]);
    }
    let mut stored = [0u8; 4];
    file.seek(SeekFrom::Start(size - 4))?;
    file.read_exact(&mut stored)?;
    file.seek(SeekFrom::Start(0))?;
    Ok((crc.finalize() == u32::from_le_bytes(stored), size))
}

/// A reader that counts the bytes read through it.
pub struct Counting<R> {
    pub inner: R,
    pub bytes: u64,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }
}
