//! Content hashes: how the same document is recognised whatever its name or folder.

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

/// Hashes a file by streaming it (constant memory whatever its size).
pub fn hash_file(path: &Path) -> io::Result<ContentHash> {
    let mut hasher = blake3::Hasher::new();
    hasher.update_reader(std::fs::File::open(path)?)?;
    Ok(ContentHash(hasher.finalize().to_hex().to_string()))
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
}
