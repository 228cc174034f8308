//! The content type of a file, from its first bytes rather than its name.
//!
//! Phone photos arrive as `.jpg` that are HEIC, scans as `.pdf` that are TIFF; the server and its
//! thumbnailer go by the part's content type, so it must describe what the bytes really are.

use std::{fs::File, io::Read, path::Path};

const SNIFF_BYTES: usize = 8192;

/// Returns a MIME type for the file at `path`, from its content.
pub fn sniff_content_type(path: &Path) -> std::io::Result<String> {
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    File::open(path)?
        .take(SNIFF_BYTES as u64)
        .read_to_end(&mut head)?;
    Ok(content_type_of(&head).to_owned())
}

fn content_type_of(head: &[u8]) -> &'static str {
    if let Some(kind) = infer::get(head) {
        return kind.mime_type();
    }
    if looks_like_text(head) {
        "text/plain"
    } else {
        "application/octet-stream"
    }
}

fn looks_like_text(head: &[u8]) -> bool {
    if head.is_empty() || head.contains(&0) {
        return false;
    }
    match std::str::from_utf8(head) {
        Ok(_) => true,
        // A multi-byte character cut at the end of the sample is still text.
        Err(e) => e.error_len().is_none() && head.len() - e.valid_up_to() < 4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_wins_over_extension() {
        assert_eq!(content_type_of(b"%PDF-1.7\n..."), "application/pdf");
        assert_eq!(
            content_type_of(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]),
            "image/png"
        );
        assert_eq!(
            content_type_of(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F']),
            "image/jpeg"
        );
        assert_eq!(content_type_of("notes, ünïcode".as_bytes()), "text/plain");
        assert_eq!(
            content_type_of(&[0, 1, 2, 3, 0xfe]),
            "application/octet-stream"
        );
        let cut = &"é".as_bytes()[..1];
        assert_eq!(
            content_type_of(&[b"abc".as_slice(), cut].concat()),
            "text/plain"
        );
    }
}
