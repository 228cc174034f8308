//! Size and batching limits. None are documented by the API (NOTES §2), so all are settings.

use serde::{Deserialize, Serialize};

const MIB: u64 = 1024 * 1024;

/// How much the engine sends, and how.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "snake_case")]
pub struct Limits {
    /// Files larger than this are refused before anything is sent.
    pub max_file_bytes: u64,
    /// At most this many files go in one bulk request.
    pub max_files_per_request: usize,
    /// A bulk request carries at most this many bytes of files (a larger single file goes alone).
    pub max_bytes_per_request: u64,
    /// How many bulk requests may be in flight at once.
    pub parallel_requests: usize,
    /// Send programs, scripts and archives too (recognised by their content, whatever their
    /// name). Off by default: they do not belong in a chart; an administrator can allow them.
    pub allow_programs_and_archives: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_file_bytes: 100 * MIB,
            max_files_per_request: 20,
            max_bytes_per_request: 256 * MIB,
            parallel_requests: 2,
            allow_programs_and_archives: false,
        }
    }
}

impl Limits {
    /// Splits files (given as sizes, in order) into batches that respect the caps, keeping order.
    pub(crate) fn batches(&self, sizes: &[(usize, u64)]) -> Vec<Vec<usize>> {
        let max_files = self.max_files_per_request.max(1);
        let mut batches: Vec<Vec<usize>> = Vec::new();
        let mut current: Vec<usize> = Vec::new();
        let mut bytes = 0u64;
        for &(index, size) in sizes {
            let full = current.len() >= max_files
                || (!current.is_empty() && bytes + size > self.max_bytes_per_request);
            if full {
                batches.push(std::mem::take(&mut current));
                bytes = 0;
            }
            current.push(index);
            bytes += size;
        }
        if !current.is_empty() {
            batches.push(current);
        }
        batches
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_respect_file_and_byte_caps_and_keep_order() {
        let limits = Limits {
            max_files_per_request: 2,
            max_bytes_per_request: 100,
            ..Limits::default()
        };
        let sizes = [(0, 10), (1, 10), (2, 10), (3, 95), (4, 500), (5, 1)];
        assert_eq!(
            limits.batches(&sizes),
            vec![vec![0, 1], vec![2], vec![3], vec![4], vec![5]]
        );
        assert!(limits.batches(&[]).is_empty());
    }
}
