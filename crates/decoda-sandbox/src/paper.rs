//! Paper the demo clinic receives: a letter printed to PDF that names one of its patients, for
//! tests and demos of the suggestions read from a page.

/// A one-page US Letter PDF with `lines` in Helvetica (12 pt, top down), as a letter printed to
/// PDF: its text layer can be read without text recognition, and poppler's `pdftoppm` renders it
/// into the page image a scanner would deliver. Characters outside Latin-1 print as `?`.
pub fn letter_pdf(lines: &[&str]) -> Vec<u8> {
    let mut content = Vec::new();
    for (n, line) in lines.iter().enumerate() {
        let y = 700 - 24 * n;
        content.extend(format!("BT /F1 12 Tf 72 {y} Td (").as_bytes());
        content.extend(line.chars().flat_map(escaped));
        content.extend(b") Tj ET\n");
    }
    let mut stream = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
    stream.extend(content);
    stream.extend(b"endstream");
    let objects: [Vec<u8>; 5] = [
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_vec(),
        stream,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_vec(),
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (n, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend(format!("{} 0 obj\n", n + 1).as_bytes());
        pdf.extend(object);
        pdf.extend(b"\nendobj\n");
    }
    let xref = pdf.len();
    pdf.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for offset in offsets {
        pdf.extend(format!("{offset:010} 00000 n \n").as_bytes());
    }
    pdf.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

/// A character as a PDF string's byte(s) in WinAnsi (Latin-1 here), with `(`, `)` and `\`
/// escaped.
fn escaped(c: char) -> Vec<u8> {
    let byte = u8::try_from(u32::from(c)).unwrap_or(b'?');
    match byte {
        b'(' | b')' | b'\\' => vec![b'\\', byte],
        _ => vec![byte],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_letter_is_a_pdf_whose_cross_references_point_at_its_objects() {
        let pdf = letter_pdf(&["Re: O'Brien, Zo\u{eb} (DOB 02/28/2001)"]);
        let find = |needle: &[u8]| pdf.windows(needle.len()).position(|w| w == needle);
        assert!(pdf.starts_with(b"%PDF-1.4"));
        assert!(find(b"(Re: O'Brien, Zo\xeb \\(DOB 02/28/2001\\)) Tj").is_some());
        let text = String::from_utf8_lossy(&pdf);
        let xref: usize = text
            .rsplit("startxref\n")
            .next()
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(&pdf[xref..xref + 4], b"xref");
        let entries = String::from_utf8_lossy(&pdf[xref..]).into_owned();
        let fourth: usize = entries.lines().nth(6).unwrap()[..10].parse().unwrap();
        assert_eq!(&pdf[fourth..fourth + 7], b"4 0 obj");
    }
}
