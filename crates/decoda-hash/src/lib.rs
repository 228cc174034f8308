//! Content hashes: how the same document is recognised whatever its name or folder, and how a
//! file found in the chart after a lost answer is told apart from another one of the same name.

use serde::{Deserialize, Serialize};
use std::{fmt, io, path::Path};

/// The BLAKE3 hash of a file's bytes, as 64 hex digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ContentHash(String);

impl ContentHash {
    /// A hash read back from the database.
    pub fn from_hex(hex: impl Into<String>) -> Self {
        Self(hex.into())
    }

    /// The hex digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Hashes bytes as they arrive, for content that is not in a local file (an attachment downloaded
/// from the chart to compare with the file that was sent).
#[derive(Debug, Default, Clone)]
pub struct ContentHasher(blake3::Hasher);

impl ContentHasher {
    /// An empty hasher.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the next bytes.
    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    /// The hash of everything added.
    pub fn finish(self) -> ContentHash {
        ContentHash(self.0.finalize().to_hex().to_string())
    }
}

/// Bytes read and hashed at a time: large enough for the hash to use every core on each block.
const BLOCK: usize = 1 << 20;

/// Hashes a file block by block, each block on every core (the hash is taken before each upload, so
/// its time adds to the upload's). Memory stays at one block whatever the file's size.
pub fn hash_file(path: &Path) -> io::Result<ContentHash> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = blake3::Hasher::new();
    let mut block = vec![0u8; BLOCK];
    loop {
        let n = read_full(&mut file, &mut block)?;
        if n == 0 {
            break;
        }
        hasher.update_rayon(&block[..n]);
    }
    Ok(ContentHash(hasher.finalize().to_hex().to_string()))
}

/// Reads until `buf` is full or the file ends; returns how much was read.
fn read_full(file: &mut std::fs::File, buf: &mut [u8]) -> io::Result<usize> {
    use std::io::Read;
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_bytes_hash_equal_whatever_the_name() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.pdf");
        let b = dir.path().join("copy of a.pdf");
        let c = dir.path().join("c.pdf");
        std::fs::write(&a, b"%PDF-1.4 one").unwrap();
        std::fs::write(&b, b"%PDF-1.4 one").unwrap();
        std::fs::write(&c, b"%PDF-1.4 two").unwrap();
        assert_eq!(hash_file(&a).unwrap(), hash_file(&b).unwrap());
        assert_ne!(hash_file(&a).unwrap(), hash_file(&c).unwrap());
        assert_eq!(hash_file(&a).unwrap().as_str().len(), 64);
    }

    #[test]
    fn files_larger_than_a_block_hash_as_one_stream() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.bin");
        let bytes: Vec<u8> = (0..(BLOCK * 2 + 12_345)).map(|i| (i % 251) as u8).collect();
        std::fs::write(&big, &bytes).unwrap();
        let expected = blake3::hash(&bytes).to_hex().to_string();
        assert_eq!(hash_file(&big).unwrap().as_str(), expected);
        let mut streamed = ContentHasher::new();
        for chunk in bytes.chunks(7_919) {
            streamed.update(chunk);
        }
        assert_eq!(
            streamed.finish().as_str(),
            expected,
            "chunking does not matter"
        );
    }
}
