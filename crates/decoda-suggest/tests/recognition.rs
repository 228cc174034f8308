//! The recognition benchmark: how often the suggestion's first patient is the right one, on a
//! generated set of letters, lab reports, consent forms and insurance cards (see
//! `tests/recognition/set.toml` for how the set is made).
//!
//! The figures it must meet (docs/BENCHMARKS.md): the first candidate offered is the right
//! patient (or none is offered for a page that names no patient of the clinic) for at least 90 %
//! of the documents, and no wrong patient is ever offered with high confidence.
//!
//! It needs Tesseract and poppler's `pdftoppm`; without them it says so and passes, unless
//! `DECODA_REQUIRE_SYSTEM_TOOLS=1` (as in CI). `DECODA_KEEP_PAGES=DIR` keeps the rendered pages.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use decoda_api::models::Patient;
use decoda_api::{ApiKey, BaseUrl, Client, PatientId};
use decoda_suggest::{Confidence, Suggestion, Tesseract};
use futures_util::stream::{self, StreamExt};
use image::{DynamicImage, GrayImage, ImageFormat};
use lopdf::content::{Content, Operation};
use lopdf::{dictionary, Document, Object, Stream};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Set {
    document: Vec<Spec>,
}

#[derive(Debug, Clone, Deserialize)]
struct Spec {
    template: String,
    patient: Option<String>,
    other: Option<String>,
    doctor: Option<String>,
    dates: String,
    turn: u16,
    noise: f32,
    dpi: u32,
}

/// One document's result.
struct Outcome {
    spec: Spec,
    suggestion: Result<Suggestion, String>,
    seconds: f64,
    /// The same page read by `tesseract` alone, when timed (`DECODA_RECOGNITION_TIMING=1`).
    plain_seconds: Option<f64>,
}

impl Outcome {
    fn offered(&self) -> Option<&str> {
        self.suggestion
            .as_ref()
            .ok()?
            .best()
            .map(|c| c.patient.id.as_str())
    }

    fn correct(&self) -> bool {
        self.offered() == self.spec.patient.as_deref()
    }

    fn confidently_wrong(&self) -> bool {
        self.suggestion.as_ref().is_ok_and(|s| {
            s.candidates.iter().any(|c| {
                c.confidence == Confidence::High
                    && Some(c.patient.id.as_str()) != self.spec.patient.as_deref()
            })
        })
    }
}

fn required() -> bool {
    std::env::var("DECODA_REQUIRE_SYSTEM_TOOLS").is_ok_and(|v| v == "1")
}

fn pdftoppm_present() -> bool {
    Command::new("pdftoppm").arg("-v").output().is_ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suggestions_name_the_right_patient_and_never_a_wrong_one_with_confidence() {
    let tesseract = match Tesseract::locate().await {
        Ok(t) => t,
        Err(e) if !required() => return eprintln!("skipped: {e}"),
        Err(e) => panic!("{e} (DECODA_REQUIRE_SYSTEM_TOOLS=1)"),
    };
    if !pdftoppm_present() {
        assert!(
            !required(),
            "pdftoppm (poppler-utils) is needed to render the set"
        );
        return eprintln!("skipped: pdftoppm (poppler-utils) is not installed");
    }
    let set: Set = toml::from_str(include_str!("recognition/set.toml")).expect("the set parses");
    let config = decoda_sandbox::Config::default();
    let key = config.api_key.clone();
    let sandbox = decoda_sandbox::spawn(config, "127.0.0.1:0".parse().expect("an address"))
        .await
        .expect("the sandbox starts");
    let client = Client::builder(
        BaseUrl::parse(&sandbox.base_url()).expect("a URL"),
        "demo-clinic",
        ApiKey::new(key),
    )
    .build()
    .expect("a client");
    let dir = tempfile::tempdir().expect("a folder");
    let keep = std::env::var_os("DECODA_KEEP_PAGES").map(PathBuf::from);

    let mut jobs = Vec::new();
    for (n, spec) in set.document.iter().enumerate() {
        let people = People::of(&client, spec).await;
        let page = render(
            &dir.path().join(format!("doc-{n:02}")),
            spec,
            &people,
            n as u64,
        );
        let path = dir.path().join(format!("doc-{n:02}.jpg"));
        std::fs::write(&path, &page).expect("the page is written");
        if let Some(keep) = &keep {
            std::fs::create_dir_all(keep).expect("a folder to keep pages in");
            std::fs::write(
                keep.join(format!("doc-{n:02}-{}.jpg", spec.template)),
                &page,
            )
            .expect("kept");
        }
        jobs.push((spec.clone(), path));
    }
    let started = Instant::now();
    let outcomes: Vec<Outcome> = stream::iter(jobs)
        .map(|(spec, path)| {
            let (client, tesseract) = (&client, &tesseract);
            async move {
                let began = Instant::now();
                let suggestion = decoda_suggest::suggest(client, Some(tesseract), &path)
                    .await
                    .map_err(|e| e.to_string());
                let seconds = began.elapsed().as_secs_f64();
                let plain_seconds = timing().then(|| plain_tesseract(&path));
                Outcome {
                    spec,
                    suggestion,
                    seconds,
                    plain_seconds,
                }
            }
        })
        .buffered(2)
        .collect()
        .await;
    let total = started.elapsed().as_secs_f64();
    report(&outcomes, total);

    let correct = outcomes.iter().filter(|o| o.correct()).count();
    let wrong: Vec<usize> = (0..outcomes.len())
        .filter(|i| outcomes[*i].confidently_wrong())
        .collect();
    let share = correct as f64 / outcomes.len() as f64;
    assert!(
        share >= 0.9,
        "the first suggestion was right for {correct} of {} documents",
        outcomes.len()
    );
    assert!(
        wrong.is_empty(),
        "a wrong patient was offered with high confidence for documents {wrong:?}"
    );
    sandbox.shutdown().await;
}

fn timing() -> bool {
    std::env::var("DECODA_RECOGNITION_TIMING").is_ok_and(|v| v == "1")
}

/// Seconds for `tesseract` alone to read the page as it is (one thread, as the app runs it): the
/// reference the suggestion's time is compared with.
fn plain_tesseract(path: &Path) -> f64 {
    let began = Instant::now();
    let status = Command::new("tesseract")
        .arg(path)
        .args(["stdout", "-l", "eng"])
        .env("OMP_THREAD_LIMIT", "1")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("tesseract runs");
    assert!(status.success());
    began.elapsed().as_secs_f64()
}

/// The set's figures, as docs/BENCHMARKS.md records them.
fn report(outcomes: &[Outcome], total: f64) {
    let count = outcomes.len();
    let correct = outcomes.iter().filter(|o| o.correct()).count();
    let high = outcomes
        .iter()
        .filter(|o| {
            o.correct()
                && o.suggestion
                    .as_ref()
                    .is_ok_and(|s| s.best().is_some_and(|c| c.confidence == Confidence::High))
        })
        .count();
    let wrong = outcomes.iter().filter(|o| o.confidently_wrong()).count();
    println!("recognition: {count} documents");
    println!(
        "  first suggestion right: {correct} ({:.1} %)",
        100.0 * correct as f64 / count as f64
    );
    println!("  right and with high confidence: {high}");
    println!("  wrong patient with high confidence: {wrong}");
    println!(
        "  time per page: {:.2} s median, {:.1} s for the set (two pages at a time)",
        median(outcomes.iter().map(|o| o.seconds)),
        total
    );
    let plain: Vec<f64> = outcomes.iter().filter_map(|o| o.plain_seconds).collect();
    if !plain.is_empty() {
        let ratios = outcomes
            .iter()
            .filter_map(|o| o.plain_seconds.map(|p| o.seconds / p));
        println!(
            "  suggestion time / tesseract alone on the same page: {:.2}x median (tesseract alone {:.2} s median)",
            median(ratios),
            median(plain.into_iter())
        );
    }
    for (n, o) in outcomes.iter().enumerate() {
        let mark = if o.correct() { "ok   " } else { "WRONG" };
        let offered = match &o.suggestion {
            Ok(s) => s
                .candidates
                .iter()
                .map(|c| {
                    format!(
                        "{} {:?} {:.2}",
                        c.patient.id.as_str(),
                        c.confidence,
                        c.score
                    )
                })
                .collect::<Vec<_>>()
                .join(", "),
            Err(e) => format!("error: {e}"),
        };
        println!(
            "  {mark} doc-{n:02} {:<9} turn {:>3} noise {:.2} expected {:<8} offered [{offered}]",
            o.spec.template,
            o.spec.turn,
            o.spec.noise,
            o.spec.patient.as_deref().unwrap_or("nobody"),
        );
    }
}

fn median(values: impl Iterator<Item = f64>) -> f64 {
    let mut times: Vec<f64> = values.collect();
    times.sort_by(f64::total_cmp);
    times.get(times.len() / 2).copied().unwrap_or(0.0)
}

/// The people a document names, as the API describes them.
struct People {
    patient: Option<Patient>,
    other: Option<Patient>,
    doctor: Option<Patient>,
}

impl People {
    async fn of(client: &Client, spec: &Spec) -> Self {
        let fetch = |id: &Option<String>| {
            let id = id.clone();
            async move {
                match id {
                    Some(id) => Some(
                        client
                            .patient(&PatientId::new(id))
                            .await
                            .expect("a seeded patient"),
                    ),
                    None => None,
                }
            }
        };
        People {
            patient: fetch(&spec.patient).await,
            other: fetch(&spec.other).await,
            doctor: fetch(&spec.doctor).await,
        }
    }
}

fn first(p: &Patient) -> String {
    p.first_name.clone().unwrap_or_default()
}

fn last(p: &Patient) -> String {
    p.last_name.clone().unwrap_or_default()
}

fn full(p: &Patient) -> String {
    format!("{} {}", first(p), last(p))
}

fn born(p: &Patient, style: &str) -> String {
    let date = p.date_of_birth.as_deref().unwrap_or("1970-01-01");
    written(date, style)
}

fn written(iso: &str, style: &str) -> String {
    let date = chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d").expect("an ISO date");
    let format = match style {
        "iso" => "%Y-%m-%d",
        "long" => "%B %-d, %Y",
        "short" => "%m/%d/%y",
        "day-month" => "%-d %b %Y",
        _ => "%m/%d/%Y",
    };
    date.format(format).to_string()
}

/// A line of text on the page: font, size, left and baseline in points from the bottom left.
type Line = (&'static str, f64, f64, f64, String);

/// The document's text, laid out.
fn lines(spec: &Spec, people: &People) -> (Vec<Line>, (f64, f64)) {
    let letter = (612.0, 792.0);
    let dates = spec.dates.as_str();
    let doctor = people
        .doctor
        .as_ref()
        .map(full)
        .unwrap_or_else(|| "Helen Ward".into());
    let mut at = 720.0;
    let mut text = Vec::new();
    let mut put = |font: &'static str, size: f64, words: String| {
        text.push((font, size, 72.0, at, words));
        at -= size * 1.9;
    };
    let none = Patient {
        id: PatientId::new("nobody"),
        first_name: Some("Jane".into()),
        last_name: Some("Doe".into()),
        preferred_name: None,
        date_of_birth: Some("1970-04-17".into()),
        is_archived: None,
        external_id: None,
        gender: None,
    };
    let p = people.patient.as_ref().unwrap_or(&none);
    match spec.template.as_str() {
        "referral" => {
            put("F2", 14.0, "Lakeside Family Medicine".into());
            put("F1", 10.0, "412 Harbor Road, Springfield".into());
            put("F1", 11.0, written("2026-11-02", dates));
            put("F1", 11.0, format!("Dear Dr. {doctor},"));
            put(
                "F2",
                11.0,
                format!("Re: {}, {}    DOB: {}", last(p), first(p), born(p, dates)),
            );
            put(
                "F1",
                11.0,
                format!(
                    "Thank you for seeing {}, who has had intermittent chest pain",
                    full(p)
                ),
            );
            put(
                "F1",
                11.0,
                "for three weeks. An ECG in our office was normal. I would be grateful".into(),
            );
            put(
                "F1",
                11.0,
                "for your assessment and advice on further investigation.".into(),
            );
            put(
                "F1",
                11.0,
                "Current medication: lisinopril 10 mg daily.".into(),
            );
            put("F1", 11.0, "Sincerely,".into());
            put("F1", 11.0, "Dr. Helen Ward".into());
            (text, letter)
        }
        "lab" => {
            put("F3", 14.0, "REGIONAL LABORATORY SERVICES".into());
            put(
                "F3",
                10.0,
                format!(
                    "PATIENT: {}, {}",
                    last(p).to_uppercase(),
                    first(p).to_uppercase()
                ),
            );
            put(
                "F3",
                10.0,
                format!(
                    "DOB: {}   SEX: {}",
                    born(p, dates),
                    p.gender.as_deref().unwrap_or("U")
                ),
            );
            put(
                "F3",
                10.0,
                format!(
                    "Collected: {}  Reported: {}",
                    written("2026-11-20", dates),
                    written("2026-11-21", dates)
                ),
            );
            put("F3", 10.0, "TEST             RESULT       RANGE".into());
            put("F3", 10.0, "Hemoglobin       13.2 g/dL    12.0-15.5".into());
            put("F3", 10.0, "Glucose          92 mg/dL     70-99".into());
            put("F3", 10.0, format!("Ordering physician: Dr. {doctor}"));
            (text, letter)
        }
        "consent" => {
            put("F4", 16.0, "CONSENT TO TREATMENT".into());
            put("F4", 12.0, format!("Patient name: {}", full(p)));
            put("F4", 12.0, format!("Date of birth: {}", born(p, dates)));
            put(
                "F4",
                12.0,
                "I consent to the examination and treatment recommended by my".into(),
            );
            put(
                "F4",
                12.0,
                "care team, and I have had the chance to ask questions.".into(),
            );
            put(
                "F4",
                12.0,
                "Signature of patient or guardian ____________________".into(),
            );
            put(
                "F4",
                12.0,
                format!("Date: {}", written("2026-11-24", dates)),
            );
            (text, letter)
        }
        "card" => {
            let card = vec![
                ("F2", 11.0, 14.0, 125.0, "BLUE RIVER HEALTH PLAN".to_owned()),
                (
                    "F1",
                    9.0,
                    14.0,
                    100.0,
                    format!("Member: {}", full(p).to_uppercase()),
                ),
                ("F1", 9.0, 14.0, 84.0, "Member ID: BRH4471902".to_owned()),
                ("F1", 9.0, 14.0, 68.0, format!("DOB: {}", born(p, dates))),
                (
                    "F1",
                    9.0,
                    14.0,
                    52.0,
                    "Group: 40121   PCP copay $25".to_owned(),
                ),
            ];
            (card, (243.0, 153.0))
        }
        "guardian" => {
            let other = people.other.as_ref().unwrap_or(&none);
            put("F2", 14.0, "Pediatric and Family Associates".into());
            put(
                "F1",
                11.0,
                format!("Re: {}    Date of birth: {}", full(p), born(p, dates)),
            );
            put(
                "F1",
                11.0,
                format!("{} was seen today together with {},", first(p), full(other)),
            );
            put(
                "F1",
                11.0,
                "who gave the history and agreed to the plan below.".into(),
            );
            put(
                "F1",
                11.0,
                "Plan: rest, fluids, and review in one week if not better.".into(),
            );
            put("F1", 11.0, "Dr. Helen Ward".into());
            (text, letter)
        }
        "notice" => {
            put("F2", 14.0, "Lakeside Family Medicine".into());
            put("F2", 12.0, "NOTICE TO PATIENTS".into());
            put(
                "F1",
                11.0,
                format!(
                    "The clinic will be closed on {}.",
                    written("2026-12-25", dates)
                ),
            );
            put(
                "F1",
                11.0,
                "For urgent care, please call (555) 010-2000.".into(),
            );
            if people.doctor.is_some() {
                put(
                    "F1",
                    11.0,
                    format!("Dr. {doctor} will see patients on Saturdays from 9 to 12."),
                );
            }
            (text, letter)
        }
        _ => {
            put("F2", 14.0, "Harbor Orthopedics".into());
            put(
                "F1",
                11.0,
                format!("Re: {}    DOB: {}", full(&none), born(&none, dates)),
            );
            put(
                "F1",
                11.0,
                format!("Thank you for seeing {} about her knee.", full(&none)),
            );
            put("F1", 11.0, "Sincerely, Dr. Helen Ward".into());
            (text, letter)
        }
    }
}

/// The document as a scanner would deliver it: rendered, turned, speckled, as a JPEG.
fn render(stem: &Path, spec: &Spec, people: &People, seed: u64) -> Vec<u8> {
    let (text, size) = lines(spec, people);
    let pdf = stem.with_extension("pdf");
    std::fs::write(&pdf, pdf_of(&text, size)).expect("the PDF is written");
    let status = Command::new("pdftoppm")
        .args(["-r", &spec.dpi.to_string(), "-gray", "-png", "-singlefile"])
        .arg(&pdf)
        .arg(stem)
        .status()
        .expect("pdftoppm runs");
    assert!(status.success(), "pdftoppm failed");
    let page = image::open(stem.with_extension("png"))
        .expect("the rendered page")
        .into_luma8();
    let page = speckle(page, spec.noise, seed);
    let page = match spec.turn {
        90 => DynamicImage::ImageLuma8(page).rotate90(),
        180 => DynamicImage::ImageLuma8(page).rotate180(),
        270 => DynamicImage::ImageLuma8(page).rotate270(),
        _ => DynamicImage::ImageLuma8(page),
    };
    let mut jpeg = Vec::new();
    page.write_to(&mut Cursor::new(&mut jpeg), ImageFormat::Jpeg)
        .expect("a JPEG");
    jpeg
}

/// Flips a fraction of the pixels, the same ones every run.
fn speckle(mut page: GrayImage, fraction: f32, seed: u64) -> GrayImage {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let threshold = (f64::from(fraction) * f64::from(u32::MAX)) as u64;
    for pixel in page.pixels_mut() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        if (state & 0xFFFF_FFFF) < threshold {
            pixel.0[0] = 255 - pixel.0[0];
        }
    }
    page
}

fn pdf_of(lines: &[Line], (width, height): (f64, f64)) -> Vec<u8> {
    let mut ops = Vec::new();
    for (font, size, x, y, words) in lines {
        ops.extend([
            Operation::new("BT", vec![]),
            Operation::new("Tf", vec![(*font).into(), (*size).into()]),
            Operation::new("Td", vec![(*x).into(), (*y).into()]),
            Operation::new("Tj", vec![Object::string_literal(latin1(words))]),
            Operation::new("ET", vec![]),
        ]);
    }
    let content = Content { operations: ops }
        .encode()
        .expect("the page's content");
    let mut doc = Document::with_version("1.5");
    let font = |name: &str| {
        dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => name, "Encoding" => "WinAnsiEncoding" }
    };
    let fonts = dictionary! {
        "F1" => doc.add_object(font("Helvetica")),
        "F2" => doc.add_object(font("Helvetica-Bold")),
        "F3" => doc.add_object(font("Courier")),
        "F4" => doc.add_object(font("Times-Roman")),
    };
    let pages_id = doc.new_object_id();
    let content_id = doc.add_object(Stream::new(dictionary! {}, content));
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => pages_id,
        "MediaBox" => vec![0.into(), 0.into(), width.into(), height.into()],
        "Contents" => content_id,
        "Resources" => dictionary! { "Font" => fonts },
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1 },
        ),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("the PDF");
    out
}

fn latin1(words: &str) -> Vec<u8> {
    words
        .chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
        .collect()
}
