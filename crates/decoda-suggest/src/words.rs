//! The words read off a page, where they are, and how they are compared.

use serde::Serialize;

/// Where a word is on the page, as fractions of the page's width and height measured on the
/// page as the preview shows it (so a highlight can be drawn over any size of preview).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Area {
    /// Left edge, 0 to 1.
    pub x: f32,
    /// Top edge, 0 to 1.
    pub y: f32,
    /// Width, 0 to 1.
    pub w: f32,
    /// Height, 0 to 1.
    pub h: f32,
}

impl Area {
    /// The area as it lies on the page before the page was turned by `degrees` clockwise to be
    /// read: evidence is shown on the page as the person sees it.
    pub(crate) fn unturned(self, degrees: u16) -> Self {
        let Area { x, y, w, h } = self;
        match degrees {
            90 => Area {
                x: y,
                y: 1.0 - (x + w),
                w: h,
                h: w,
            },
            180 => Area {
                x: 1.0 - (x + w),
                y: 1.0 - (y + h),
                w,
                h,
            },
            270 => Area {
                x: 1.0 - (y + h),
                y: x,
                w: h,
                h: w,
            },
            _ => self,
        }
    }
}

/// One word as read: its text, how sure the reader was, and where it is (none for text taken
/// from a PDF's text layer).
#[derive(Debug, Clone, PartialEq)]
pub struct Word {
    /// The text as read.
    pub text: String,
    /// The reader's confidence, 0 to 100.
    pub confidence: f32,
    /// Where it is on the page.
    pub area: Option<Area>,
    /// Which line it is on, counted from 0 in reading order: names and labels are only
    /// looked for within a line.
    pub line: u32,
}

impl Word {
    /// The word's letters only, lower-cased and without accents: "O'Brien," and "OBRIEN" compare
    /// equal, as do "Zoë" and "Zoe" (scanned accents are often lost).
    pub(crate) fn letters(&self) -> String {
        letters(&self.text)
    }
}

/// Lower-cased letters without accents, everything else dropped.
pub(crate) fn letters(text: &str) -> String {
    fold(text)
        .chars()
        .filter(char::is_ascii_alphabetic)
        .collect()
}

/// Lower-cased, with accents and other marks taken off ("Zoë" → "zoe", "Núñez" → "nunez"):
/// scanned pages often lose them, and people type names without them.
pub(crate) fn fold(text: &str) -> String {
    deunicode::deunicode(text).to_lowercase()
}

/// The words of plain text, line by line (a PDF's text layer, or a test's page): no areas.
pub(crate) fn words_of_text(text: &str) -> Vec<Word> {
    text.lines()
        .enumerate()
        .flat_map(|(line, l)| {
            l.split_whitespace().map(move |w| Word {
                text: w.to_owned(),
                confidence: 100.0,
                area: None,
                line: u32::try_from(line).unwrap_or(u32::MAX),
            })
        })
        .collect()
}

/// The words grouped by line, in reading order.
pub(crate) fn lines(words: &[Word]) -> Vec<&[Word]> {
    words.chunk_by(|a, b| a.line == b.line).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_ignore_case_accents_and_punctuation() {
        assert_eq!(letters("O'Brien,"), "obrien");
        assert_eq!(letters("Zoë"), "zoe");
        assert_eq!(letters("Álvarez-Núñez"), "alvareznunez");
        assert_eq!(letters("07/30/1991"), "");
    }

    #[test]
    fn an_area_turned_back_lands_where_it_was() {
        let area = Area {
            x: 0.1,
            y: 0.2,
            w: 0.3,
            h: 0.05,
        };
        // A box near the top left of a page turned a quarter clockwise was near the bottom
        // left of the page as it lay.
        let back = area.unturned(90);
        assert!((back.x - 0.2).abs() < 1e-6 && (back.y - 0.6).abs() < 1e-6);
        assert!((back.w - 0.05).abs() < 1e-6 && (back.h - 0.3).abs() < 1e-6);
        let half = area.unturned(180);
        assert!((half.x - 0.6).abs() < 1e-6 && (half.y - 0.75).abs() < 1e-6);
        let three = area.unturned(270);
        assert!((three.x - 0.75).abs() < 1e-6 && (three.y - 0.1).abs() < 1e-6);
        assert_eq!(area.unturned(0), area);
    }
}
