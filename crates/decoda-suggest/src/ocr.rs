//! Text recognition with Tesseract, run as a separate program on this computer.
//!
//! Tesseract is a recommended package, not a part of the app: it is found on the `PATH`, in
//! its usual install folders (a desktop app does not get a shell's `PATH` on macOS, and the
//! Windows installer does not add itself to it), or only where `DECODA_TESSERACT` says if set. Pages are
//! given to it on standard input and never leave the computer.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use image::{DynamicImage, GrayImage, ImageFormat, Luma};
use tokio::io::AsyncWriteExt;
use tokio::process::Command;

use crate::error::SuggestError;
use crate::words::{Area, Word};

/// How long one page may take to read before it is given up.
const PAGE_TIMEOUT: Duration = Duration::from_secs(60);

/// Below this many confidently read words the page may be sideways or upside down.
const FEW_WORDS: usize = 12;

/// Tesseract, found and checked to have the English language data.
#[derive(Debug, Clone)]
pub struct Tesseract {
    program: PathBuf,
}

/// A page's words as read, and how far the page was turned to read them.
#[derive(Debug, Clone)]
pub struct Reading {
    /// The words, in reading order.
    pub words: Vec<Word>,
    /// Degrees the page was turned clockwise to be read.
    pub turned: u16,
}

impl Tesseract {
    /// Finds Tesseract, or says that suggestions are unavailable and why.
    pub async fn locate() -> Result<Self, SuggestError> {
        for program in candidates() {
            let Ok(out) = Command::new(&program)
                .arg("--list-langs")
                .stdin(Stdio::null())
                .kill_on_drop(true)
                .output()
                .await
            else {
                continue;
            };
            let listed = String::from_utf8_lossy(&out.stdout);
            if listed.lines().any(|l| l.trim() == "eng") {
                return Ok(Tesseract { program });
            }
            return Err(SuggestError::NoEnglish);
        }
        Err(SuggestError::Unavailable)
    }

    /// Reads the words of a page image (any format Tesseract reads: JPEG, PNG, TIFF…). A page
    /// with few readable words is read again cleaned of speckles (a fax, a dusty glass), then
    /// turned to the orientation Tesseract detects, and the best reading is kept.
    pub async fn read(&self, image: &[u8]) -> Result<Reading, SuggestError> {
        let words = self.words(image).await?;
        let mut best = Reading { words, turned: 0 };
        if confident(&best.words) >= FEW_WORDS {
            return Ok(best);
        }
        let Ok(decoded) = image::load_from_memory(image) else {
            return Ok(best);
        };
        let grey = decoded.to_luma8();
        let cleaned = tokio::task::spawn_blocking(move || despeckle(&grey))
            .await
            .map_err(|e| SuggestError::Recognition(e.to_string()))?;
        let cleaned = DynamicImage::ImageLuma8(cleaned);
        let cleaned_png = turn(&cleaned, 0)?;
        let words = self.words(&cleaned_png).await?;
        // The page is turned as it reads best: cleaned only if cleaning helped (it thins the
        // finest strokes of a clean page).
        let (base, base_png) = if confident(&words) > confident(&best.words) {
            best = Reading { words, turned: 0 };
            (cleaned, cleaned_png)
        } else {
            (decoded, image.to_vec())
        };
        for turned in self.turns_to_try(&base_png).await {
            if confident(&best.words) >= FEW_WORDS {
                break;
            }
            let words = self.words(&turn(&base, turned)?).await?;
            if confident(&words) > confident(&best.words) {
                best = Reading { words, turned };
            }
        }
        Ok(best)
    }

    /// The orientation Tesseract detects first, then the other turns.
    async fn turns_to_try(&self, image: &[u8]) -> Vec<u16> {
        let detected = self.orientation(image).await;
        let mut turns = vec![90, 180, 270];
        if let Some(d) = detected.filter(|d| turns.contains(d)) {
            turns.retain(|t| *t != d);
            turns.insert(0, d);
        }
        turns
    }

    /// Tesseract's orientation and script detection: how far to turn the page clockwise.
    async fn orientation(&self, image: &[u8]) -> Option<u16> {
        let out = self.run(image, &["--psm", "0"]).await.ok()?;
        out.lines()
            .find_map(|l| l.strip_prefix("Rotate:"))
            .and_then(|n| n.trim().parse().ok())
    }

    async fn words(&self, image: &[u8]) -> Result<Vec<Word>, SuggestError> {
        let tsv = self.run(image, &["-l", "eng", "--psm", "3", "tsv"]).await?;
        Ok(parse_tsv(&tsv))
    }

    async fn run(&self, image: &[u8], args: &[&str]) -> Result<String, SuggestError> {
        let mut child = Command::new(&self.program)
            .args(["stdin", "stdout"])
            .args(args)
            // One thread each: pages are read one at a time, and OpenMP's spinning threads
            // would only slow the rest of the computer.
            .env("OMP_THREAD_LIMIT", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| SuggestError::Recognition(e.to_string()))?;
        let mut stdin = child
            .stdin
            .take()
            .ok_or_else(|| SuggestError::Recognition("no input to Tesseract".into()))?;
        let image = image.to_vec();
        let feed = tokio::spawn(async move {
            let _ = stdin.write_all(&image).await;
        });
        let out = tokio::time::timeout(PAGE_TIMEOUT, child.wait_with_output())
            .await
            .map_err(|_| SuggestError::Recognition("it took too long to read the page".into()))?
            .map_err(|e| SuggestError::Recognition(e.to_string()))?;
        let _ = feed.await;
        if !out.status.success() {
            let said = String::from_utf8_lossy(&out.stderr);
            let last = said
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("no reason given");
            return Err(SuggestError::Recognition(last.trim().to_owned()));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

/// Where Tesseract may be, in order. `DECODA_TESSERACT`, when set, is the only place looked.
fn candidates() -> Vec<PathBuf> {
    if let Some(given) = std::env::var_os("DECODA_TESSERACT").filter(|g| !g.is_empty()) {
        return vec![PathBuf::from(given)];
    }
    let mut found = Vec::new();
    let name = if cfg!(windows) {
        "tesseract.exe"
    } else {
        "tesseract"
    };
    found.push(PathBuf::from(name));
    let folders: &[&str] = if cfg!(windows) {
        &[
            r"C:\Program Files\Tesseract-OCR",
            r"C:\Program Files (x86)\Tesseract-OCR",
        ]
    } else if cfg!(target_os = "macos") {
        &["/opt/homebrew/bin", "/usr/local/bin", "/opt/local/bin"]
    } else {
        &["/usr/bin", "/usr/local/bin"]
    };
    found.extend(folders.iter().map(|f| Path::new(f).join(name)));
    found
}

/// Words read with some confidence and at least two letters or digits: what tells a page read
/// the right way up from noise.
fn confident(words: &[Word]) -> usize {
    words
        .iter()
        .filter(|w| {
            w.confidence >= 70.0 && w.text.chars().filter(|c| c.is_alphanumeric()).count() >= 2
        })
        .count()
}

fn turn(image: &DynamicImage, degrees: u16) -> Result<Vec<u8>, SuggestError> {
    let turned = match degrees {
        90 => image.rotate90(),
        180 => image.rotate180(),
        270 => image.rotate270(),
        _ => image.clone(),
    };
    let mut png = Vec::new();
    turned
        .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
        .map_err(|e| SuggestError::Recognition(e.to_string()))?;
    Ok(png)
}

/// The page with each pixel replaced by the median of its 3×3 neighbourhood: isolated specks
/// (a fax line's noise, dust on the glass) go, letters' strokes stay.
fn despeckle(page: &GrayImage) -> GrayImage {
    let (width, height) = page.dimensions();
    let at = |x: i64, y: i64| {
        let x = x.clamp(0, i64::from(width) - 1) as u32;
        let y = y.clamp(0, i64::from(height) - 1) as u32;
        page.get_pixel(x, y).0[0]
    };
    GrayImage::from_fn(width, height, |x, y| {
        let (x, y) = (i64::from(x), i64::from(y));
        let mut around = [0_u8; 9];
        for (n, (dx, dy)) in (-1..=1)
            .flat_map(|dy| (-1..=1).map(move |dx| (dx, dy)))
            .enumerate()
        {
            around[n] = at(x + dx, y + dy);
        }
        around.sort_unstable();
        Luma([around[4]])
    })
}

/// Tesseract's TSV: one row per page, block, paragraph, line and word; words (level 5) carry
/// their text, confidence and box, and the page (level 1) its size.
fn parse_tsv(tsv: &str) -> Vec<Word> {
    let mut page = (1.0_f32, 1.0_f32);
    let mut words = Vec::new();
    let mut line_key = None;
    let mut line = 0_u32;
    for row in tsv.lines().skip(1) {
        let cols: Vec<&str> = row.split('\t').collect();
        let [level, _page, block, par, ln, _word, left, top, width, height, conf, text] =
            cols.as_slice()
        else {
            continue;
        };
        let number = |s: &str| s.trim().parse::<f32>().unwrap_or(0.0);
        if *level == "1" {
            page = (number(width).max(1.0), number(height).max(1.0));
            continue;
        }
        if *level != "5" || text.trim().is_empty() {
            continue;
        }
        let key = (*block, *par, *ln);
        if line_key.is_some_and(|k| k != key) {
            line += 1;
        }
        line_key = Some(key);
        words.push(Word {
            text: text.trim().to_owned(),
            confidence: number(conf),
            area: Some(Area {
                x: number(left) / page.0,
                y: number(top) / page.1,
                w: number(width) / page.0,
                h: number(height) / page.1,
            }),
            line,
        });
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specks_go_and_strokes_stay() {
        let mut page = GrayImage::from_pixel(20, 20, Luma([255]));
        page.put_pixel(3, 3, Luma([0]));
        for y in 5..15 {
            for x in 9..12 {
                page.put_pixel(x, y, Luma([0]));
            }
        }
        let clean = despeckle(&page);
        assert_eq!(clean.get_pixel(3, 3).0[0], 255, "a lone speck is gone");
        assert_eq!(
            clean.get_pixel(10, 10).0[0],
            0,
            "a stroke three pixels wide stays"
        );
    }

    #[test]
    fn tsv_rows_become_words_on_lines_with_areas_on_the_page() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
            1\t1\t0\t0\t0\t0\t0\t0\t1000\t2000\t-1\t\n\
            4\t1\t1\t1\t1\t0\t100\t200\t300\t20\t-1\t\n\
            5\t1\t1\t1\t1\t1\t100\t200\t100\t20\t96.5\tRe:\n\
            5\t1\t1\t1\t1\t2\t250\t200\t150\t20\t91\tGARCIA,\n\
            5\t1\t1\t1\t2\t1\t100\t240\t100\t20\t95\tDOB\n\
            5\t1\t1\t1\t2\t2\t100\t240\t100\t20\t0\t \n";
        let words = parse_tsv(tsv);
        let texts: Vec<(&str, u32)> = words.iter().map(|w| (w.text.as_str(), w.line)).collect();
        assert_eq!(texts, [("Re:", 0), ("GARCIA,", 0), ("DOB", 1)]);
        assert_eq!(
            words[1].area,
            Some(Area {
                x: 0.25,
                y: 0.1,
                w: 0.15,
                h: 0.01
            })
        );
        assert!((words[0].confidence - 96.5).abs() < 1e-3);
    }
}
