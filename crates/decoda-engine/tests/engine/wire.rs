//! What goes over the wire: field names and order, one part per file, names, bytes.

use crate::support::*;
use decoda_engine::{
    api::NoteId, CancellationToken, FileProblem, FileSpec, FileStatus, Phase, Progress,
};

/// A file name with double quotes, which a part's header must escape. Windows allows none in a
/// file name, so there the name has single quotes.
const QUOTED: &str = if cfg!(windows) {
    "say 'cheese'.png"
} else {
    "say \"cheese\".png"
};

#[tokio::test]
async fn bulk_request_matches_the_contract_part_for_part() {
    let w = world().await;
    let tricky = ["scan 1.pdf", "bills, 2026.txt", QUOTED, "Zoë Ærø 日本.txt"];
    let contents: Vec<Vec<u8>> = vec![
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n".to_vec(),
        b"amount,date\n12,2026-01-01\n".to_vec(),
        vec![
            0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, b'I', b'H', b'D', b'R', 1,
            2, 3,
        ],
        "héllo wörld\n".as_bytes().to_vec(),
    ];
    let paths: Vec<_> = tricky
        .iter()
        .zip(&contents)
        .map(|(n, c)| w.file(n, c))
        .collect();
    let mut specs: Vec<FileSpec> = paths.iter().map(FileSpec::new).collect();
    specs[0].name = Some("Consent form, signed".into());
    specs[0].external_id = Some("EXT-1".into());
    let mut job = w.job(specs).await;
    job.note = Some(NoteId::new("note_2001"));
    let report = w.uploader.upload(job, None, CancellationToken::new()).await;
    w.assert_each_stored_once(&report, &paths);

    let uploads = w.sandbox.state().uploads();
    assert_eq!(uploads.len(), 1, "four small files go in one bulk request");
    let up = &uploads[0];
    assert_eq!(up.endpoint, "/attachments/bulk");
    assert_eq!(up.patient_id.as_deref(), Some(PATIENT));
    assert_eq!(up.note_id.as_deref(), Some("note_2001"));
    assert_eq!(
        up.field_order,
        [
            "patient_id",
            "note_id",
            "names",
            "external_ids",
            "attachments",
            "attachments",
            "attachments",
            "attachments"
        ]
    );
    let quoted_in_json = if cfg!(windows) {
        r#""say 'cheese'.png""#
    } else {
        r#""say \"cheese\".png""#
    };
    assert_eq!(
        up.names,
        Some(format!(
            r#"["Consent form, signed","bills, 2026.txt",{quoted_in_json},"Zoë Ærø 日本.txt"]"#
        ))
    );
    assert_eq!(
        up.external_ids.as_deref(),
        Some(r#"["EXT-1",null,null,null]"#)
    );
    let types = ["application/pdf", "text/plain", "image/png", "text/plain"];
    for (i, part) in file_parts(up).into_iter().enumerate() {
        assert_eq!(part.field, "attachments");
        assert_eq!(
            part.file_name.as_deref(),
            Some(tricky[i]),
            "file name survives: {}",
            part.content_disposition
        );
        assert_eq!(
            part.content_type.as_deref(),
            Some(types[i]),
            "type sniffed from content"
        );
        assert_eq!(part.sha256, sha256(&contents[i]), "bytes identical");
        assert!(part.complete);
    }
    // Each returned attachment serves back the same bytes and carries what was sent.
    let http = reqwest::Client::new();
    for (i, f) in report.files.iter().enumerate() {
        let FileStatus::Uploaded {
            attachment,
            found_after_interruption,
        } = &f.status
        else {
            panic!()
        };
        assert!(!found_after_interruption);
        let body = http
            .get(&attachment.signed_url)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert_eq!(body.as_ref(), contents[i].as_slice());
        assert_eq!(attachment.patient.as_ref().unwrap().id.as_str(), PATIENT);
    }
    let FileStatus::Uploaded { attachment, .. } = &report.files[0].status else {
        panic!()
    };
    assert_eq!(attachment.name, "Consent form, signed");
    assert_eq!(attachment.external_id.as_deref(), Some("EXT-1"));
    assert!(
        report.files.iter().all(|f| f.notes.is_empty()),
        "nothing to repair: {:?}",
        report.files
    );
}

#[tokio::test]
async fn bad_files_are_reported_and_the_good_ones_still_go() {
    let w = world().await;
    let good = w.files(2);
    let empty = w.file("empty.pdf", b"");
    let sub = w.dir.path().join("folder");
    std::fs::create_dir(&sub).unwrap();
    std::fs::write(sub.join("inside.txt"), b"inside").unwrap();
    std::fs::write(sub.join(".hidden"), b"x").unwrap();
    let specs = vec![
        FileSpec::new(&good[0]),
        FileSpec::new(&empty),
        FileSpec::new(w.dir.path().join("missing.pdf")),
        FileSpec::new(&sub),
        FileSpec::new(&good[1]),
    ];
    let report = w
        .uploader
        .upload(w.job(specs).await, None, CancellationToken::new())
        .await;
    let statuses: Vec<_> = report
        .files
        .iter()
        .map(|f| match &f.status {
            FileStatus::Uploaded { .. } => "uploaded".to_owned(),
            FileStatus::Failed { problem } => format!("{problem}"),
            FileStatus::Skipped { reason } => reason.clone(),
        })
        .collect();
    assert_eq!(
        statuses,
        [
            "uploaded",
            "the file is empty",
            "file not found",
            "uploaded",
            "uploaded"
        ]
    );
    assert!(report.files[3].path.ends_with("folder/inside.txt"));
    assert_eq!(w.sandbox.state().attachments().len(), 3);
    assert!(matches!(
        report.files[1].status,
        FileStatus::Failed {
            problem: FileProblem::Empty
        }
    ));
}

#[tokio::test]
async fn large_selections_are_split_and_sent_in_parallel() {
    let w = world_with(decoda_sandbox::Config::default(), small_batches(2)).await;
    // Each request is answered 300 ms after it is stored: requests sent one after another would
    // each wait for the previous answer before the next is sent.
    w.sandbox.state().push_fault(
        decoda_sandbox::FaultRule::once(decoda_sandbox::Fault::Delay { ms: 300 })
            .times(3)
            .on_path("/attachments/bulk"),
    );
    let paths = w.files(5);
    let job = w.job(paths.iter().map(FileSpec::new).collect()).await;
    let (report, events) = w.upload_watching(job, CancellationToken::new()).await;
    let second_request_sent = events
        .iter()
        .enumerate()
        .filter(|(_, e)| {
            matches!(
                e,
                Progress::Phase {
                    phase: Phase::Sending,
                    ..
                }
            )
        })
        .nth(1)
        .map(|(i, _)| i)
        .unwrap();
    let first_answer = events
        .iter()
        .position(|e| matches!(e, Progress::FileDone { .. }))
        .unwrap();
    assert!(
        second_request_sent < first_answer,
        "the second request went out while the first waited for its answer"
    );
    w.assert_each_stored_once(&report, &paths);
    let sizes: Vec<usize> = w.batch_sizes();
    assert_eq!(sizes.iter().sum::<usize>(), 5);
    assert_eq!(sizes.len(), 3, "5 files at 2 per request: {sizes:?}");

    let total: u64 = paths
        .iter()
        .map(|p| std::fs::metadata(p).unwrap().len())
        .sum();
    assert!(
        matches!(events.first(), Some(Progress::Started { files: 5, requests: 3, total_bytes }) if *total_bytes == total)
    );
    let last_bytes = events
        .iter()
        .rev()
        .find_map(|e| match e {
            Progress::Bytes(b) => Some(b.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(
        (last_bytes.sent, last_bytes.total),
        (total, total),
        "the final count is complete"
    );
    let done = events
        .iter()
        .filter(|e| matches!(e, Progress::FileDone { uploaded: true, .. }))
        .count();
    assert_eq!(done, 5, "one FileDone per file");
    assert!(events.iter().any(|e| matches!(
        e,
        Progress::Phase {
            phase: Phase::Sending,
            ..
        }
    )));
    assert!(matches!(
        events.last(),
        Some(Progress::Finished {
            uploaded: 5,
            failed: 0
        })
    ));
}

#[tokio::test]
async fn a_file_much_larger_than_a_chunk_streams_through_intact() {
    // 40 MiB streamed through 512 KiB chunks: the sandbox checks the hash, so every byte arrived.
    // (Memory use is measured by the benchmark, scripts/bench-upload.sh, not here.)
    let w = world().await;
    let big: Vec<u8> = (0..40 * 1024 * 1024u32).map(|i| (i % 251) as u8).collect();
    let path = w.file("big.bin", &big);
    let report = w.upload(std::slice::from_ref(&path)).await;
    w.assert_each_stored_once(&report, &[path]);
}

#[tokio::test]
async fn a_file_that_changes_after_the_check_is_not_stored_half_written() {
    let w = world().await;
    let paths = w.files(3);
    let job = w.job(paths.iter().map(FileSpec::new).collect()).await;
    std::fs::write(
        &paths[1],
        "rewritten by the scanner, longer than before
"
        .repeat(100),
    )
    .unwrap();
    let report = w.uploader.upload(job, None, CancellationToken::new()).await;
    assert!(
        matches!(
            report.files[1].status,
            FileStatus::Failed {
                problem: FileProblem::Changed
            }
        ),
        "{:?}",
        report.files[1]
    );
    assert!(matches!(
        report.files[0].status,
        FileStatus::Uploaded { .. }
    ));
    assert!(matches!(
        report.files[2].status,
        FileStatus::Uploaded { .. }
    ));
    assert_eq!(w.copies_of(&paths[0]) + w.copies_of(&paths[2]), 2);
    assert_eq!(
        w.sandbox.state().attachments().len(),
        2,
        "the changed file was not stored"
    );
}

#[tokio::test]
async fn each_file_is_hashed_as_it_is_sent_and_one_unlike_its_earlier_hash_is_not_stored() {
    let w = world().await;
    let paths = w.files(3);
    let mut job = w.job(paths.iter().map(FileSpec::new).collect()).await;
    // Hashed before sending, then rewritten with the same size and time: only its bytes differ.
    if let Ok(file) = &mut job.items[1].result {
        file.content_hash = Some(decoda_engine::hash::ContentHash::from_hex("00".repeat(32)));
    }
    let (report, events) = w.upload_watching(job, CancellationToken::new()).await;
    assert!(
        matches!(
            report.files[1].status,
            FileStatus::Failed {
                problem: FileProblem::Changed
            }
        ),
        "{:?}",
        report.files[1]
    );
    assert_eq!(w.sandbox.state().attachments().len(), 2);
    for index in [0, 2] {
        let expected = decoda_engine::hash::hash_file(&paths[index]).unwrap();
        let hashed = events.iter().position(
            |e| matches!(e, Progress::Hashed { index: i, hash } if *i == index && *hash == expected),
        );
        let done = events.iter().position(
            |e| matches!(e, Progress::FileDone { index: i, uploaded: true, .. } if *i == index),
        );
        assert!(
            matches!((hashed, done), (Some(h), Some(d)) if h < d),
            "file {index}: its hash as sent comes before its answer: {events:?}"
        );
    }
}
