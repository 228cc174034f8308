//! The content type of a file, from its first bytes rather than its name.
//!
//! Phone photos arrive as `.jpg` that are HEIC, scans as `.pdf` that are TIFF; the server and its
//! thumbnailer go by the part's content type, so it must describe what the bytes really are.

use std::{fs::File, io::Read, path::Path};

const SNIFF_BYTES: usize = 8192;

/// Returns a MIME type for the file at `path`, from its content.
pub fn sniff_content_type(path: &Path) -> std::io::Result<String> {
    Ok(sniff(path)?.content_type)
}

/// What a file's first bytes say it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Sniffed {
    /// Its MIME type.
    pub content_type: String,
    /// A program, a script or an archive: what it is, in words, for the refusal.
    pub program_or_archive: Option<&'static str>,
}

/// Reads the file's first bytes once and says what it is.
pub(crate) fn sniff(path: &Path) -> std::io::Result<Sniffed> {
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    File::open(path)?
        .take(SNIFF_BYTES as u64)
        .read_to_end(&mut head)?;
    Ok(Sniffed {
        content_type: content_type_of(&head).to_owned(),
        program_or_archive: program_or_archive(&head),
    })
}

/// Archives that hide what they hold from whoever opens the chart, or install software. (The
/// content sniffer also files PDF, RTF, PostScript, EPUB and DICOM images under "archive": those
/// are documents and stay allowed.)
const ARCHIVES: &[&str] = &[
    "application/zip",
    "application/x-tar",
    "application/x-par2",
    "application/vnd.rar",
    "application/gzip",
    "application/x-bzip2",
    "application/vnd.bzip3",
    "application/x-7z-compressed",
    "application/x-xz",
    "application/x-google-chrome-extension",
    "application/vnd.ms-cab-compressed",
    "application/vnd.debian.binary-package",
    "application/x-unix-archive",
    "application/x-compress",
    "application/x-lzip",
    "application/x-rpm",
    "application/zstd",
    "application/x-lz4",
    "application/x-cpio",
];

/// An office document (Word, Excel, PowerPoint, or OpenDocument) whose zip layout the sniffer did
/// not recognise: its first entries name it.
fn office_document(head: &[u8]) -> bool {
    let has = |needle: &[u8]| head.windows(needle.len()).any(|w| w == needle);
    has(b"[Content_Types].xml") || has(b"mimetypeapplication/vnd.oasis.opendocument")
}

/// Programs, scripts and archives do not belong in a chart (an `.exe` was once uploaded to one).
/// Office documents are zip files inside, but are recognised as documents first.
fn program_or_archive(head: &[u8]) -> Option<&'static str> {
    let kind = infer::get(head)?;
    match kind.matcher_type() {
        infer::MatcherType::App => Some("a program"),
        _ if kind.mime_type() == "application/zip" && office_document(head) => None,
        _ if ARCHIVES.contains(&kind.mime_type()) => Some("an archive"),
        _ if kind.mime_type() == "text/x-shellscript" => Some("a script"),
        _ => None,
    }
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

    #[test]
    fn programs_scripts_and_archives_are_told_apart_from_documents() {
        let exe = [b"MZ".as_slice(), &[0x90; 62]].concat();
        let mut pe = exe.clone();
        pe[0x3c] = 0x40;
        pe.extend_from_slice(b"PE\0\0");
        assert_eq!(program_or_archive(&pe), Some("a program"));
        let elf = [[0x7f, b'E', b'L', b'F', 2, 1, 1].as_slice(), &[0; 57]].concat();
        assert_eq!(program_or_archive(&elf), Some("a program"));
        assert_eq!(
            program_or_archive(b"PK\x03\x04\x14\0\0\0"),
            Some("an archive")
        );
        assert_eq!(
            program_or_archive(b"#!/bin/sh\nrm -rf /\n"),
            Some("a script")
        );
        assert_eq!(program_or_archive(b"%PDF-1.7\n"), None);
        let dicom = [[0; 128].as_slice(), b"DICM"].concat();
        assert_eq!(
            program_or_archive(&dicom),
            None,
            "a DICOM image is a document"
        );
        assert_eq!(program_or_archive(b"plain notes"), None);
        let docx = [b"PK\x03\x04".as_slice(), &[0; 26], b"word/document.xml"].concat();
        assert_eq!(program_or_archive(&docx), None, "a Word document");
        let reordered = [
            b"PK\x03\x04".as_slice(),
            &[0; 26],
            b"docProps/app.xml",
            &[0; 40],
            b"[Content_Types].xml",
        ]
        .concat();
        assert_eq!(
            program_or_archive(&reordered),
            None,
            "entries in another order"
        );
    }
}
