//! Bad input through the real `decoda` binary: each case gets a clear, specific message and the
//! documented exit status, and loses nothing (a good file given alongside still lands; nothing is
//! sent when the command as a whole is wrong).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{env_traced as env, text, Env, KEY};
use decoda_sandbox::{Fault, FaultRule};
use std::path::PathBuf;

/// What a case runs and what it must leave behind.
struct Setup {
    args: Vec<String>,
    env: Vec<(&'static str, String)>,
    /// Files that must be in the chart afterwards, by their name there.
    lands: Vec<String>,
}

struct Case {
    name: &'static str,
    setup: fn(&Env) -> Setup,
    exit: i32,
    says: &'static str,
}

fn good(e: &Env) -> PathBuf {
    e.file("good.txt", b"a good file\n")
}

fn upload(paths: &[&PathBuf], extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = ["upload", "--patient", "pat_1001", "--yes"]
        .map(String::from)
        .to_vec();
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    args.extend(paths.iter().map(|p| p.display().to_string()));
    args
}

/// A bad file next to a good one: the bad one is reported, the good one lands.
fn with_good(e: &Env, bad: PathBuf, extra: &[&str]) -> Setup {
    let good = good(e);
    Setup {
        args: upload(&[&bad, &good], extra),
        env: Vec::new(),
        lands: vec!["good.txt".into()],
    }
}

/// A whole command that must be refused before anything is sent.
fn refused(args: Vec<String>) -> Setup {
    Setup {
        args,
        env: Vec::new(),
        lands: Vec::new(),
    }
}

/// A file with an unusual name that must land under exactly that name (or `shown`).
fn lands_as(e: &Env, file_name: &str, extra: &[&str], shown: &str) -> Setup {
    let p = e.file(file_name, b"named file\n");
    Setup {
        args: upload(&[&p], extra),
        env: Vec::new(),
        lands: vec![shown.to_owned()],
    }
}

fn server(url: &str, e: &Env) -> Setup {
    let g = good(e);
    Setup {
        args: upload(&[&g], &[]),
        env: vec![("DECODA_API_URL", url.to_owned())],
        lands: Vec::new(),
    }
}

const CASES: &[Case] = &[
    Case {
        name: "missing file",
        setup: |e| with_good(e, e.dir.path().join("nowhere.pdf"), &[]),
        exit: 1,
        says: "file not found",
    },
    Case {
        name: "empty file",
        setup: |e| with_good(e, e.file("empty.pdf", b""), &[]),
        exit: 1,
        says: "the file is empty",
    },
    Case {
        name: "file over the size limit",
        setup: |e| {
            with_good(
                e,
                e.file("big.bin", &vec![7u8; 2 * 1024 * 1024]),
                &["--max-file-size", "1"],
            )
        },
        exit: 1,
        says: "over the 1.0 MiB limit",
    },
    Case {
        name: "folder with nothing to send",
        setup: |e| {
            let dir = e.dir.path().join("only hidden");
            std::fs::create_dir(&dir).unwrap();
            std::fs::write(dir.join(".DS_Store"), b"x").unwrap();
            with_good(e, dir, &[])
        },
        exit: 1,
        says: "the folder has no files to send",
    },
    Case {
        name: "folder with a symbolic link loop",
        setup: |e| {
            let dir = e.dir.path().join("scans");
            std::fs::create_dir(&dir).unwrap();
            std::fs::write(dir.join("page.txt"), b"page\n").unwrap();
            symlink(&dir, &dir.join("loop")).unwrap();
            let good = good(e);
            Setup {
                args: upload(&[&dir, &good], &[]),
                env: Vec::new(),
                lands: vec!["page.txt".into(), "good.txt".into()],
            }
        },
        exit: 1,
        says: "symbolic link loop",
    },
    Case {
        name: "broken symbolic link",
        setup: |e| {
            let link = e.dir.path().join("gone.pdf");
            symlink(&e.dir.path().join("deleted.pdf"), &link).unwrap();
            with_good(e, link, &[])
        },
        exit: 1,
        says: "file not found",
    },
    Case {
        name: "not a regular file (a named pipe)",
        setup: |e| {
            let fifo = e.dir.path().join("scanner.pipe");
            let made = std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap();
            assert!(made.success());
            with_good(e, fifo, &[])
        },
        exit: 1,
        says: "not a regular file",
    },
    Case {
        name: "the same file listed twice",
        setup: |e| {
            let g = good(e);
            Setup {
                args: upload(&[&g, &g], &[]),
                env: Vec::new(),
                lands: vec!["good.txt".into()],
            }
        },
        exit: 1,
        says: "listed twice",
    },
    Case {
        name: "a name given for a folder",
        setup: |e| {
            let dir = e.dir.path().join("folder");
            std::fs::create_dir(&dir).unwrap();
            std::fs::write(dir.join("inside.txt"), b"inside\n").unwrap();
            let g = good(e);
            Setup {
                args: upload(
                    &[&dir, &g],
                    &["--name", "Named folder", "--name", "good.txt"],
                ),
                env: Vec::new(),
                lands: vec!["good.txt".into()],
            }
        },
        exit: 1,
        says: "a name or external id was given for a folder",
    },
    Case {
        name: "more names than files",
        setup: |e| refused(upload(&[&good(e)], &["--name", "a", "--name", "b"])),
        exit: 2,
        says: "2 --name values for 1 paths",
    },
    Case {
        name: "name with double quotes",
        setup: |e| lands_as(e, "say \"hello\".txt", &[], "say \"hello\".txt"),
        exit: 0,
        says: "1 of 1 file uploaded",
    },
    Case {
        name: "name with commas",
        setup: |e| {
            lands_as(
                e,
                "referral, signed, final.pdf",
                &[],
                "referral, signed, final.pdf",
            )
        },
        exit: 0,
        says: "1 of 1 file uploaded",
    },
    Case {
        name: "display name with a line break",
        setup: |e| lands_as(e, "x.txt", &["--name", "Consent\nform"], "Consent form"),
        exit: 0,
        says: "as \"Consent form\"",
    },
    Case {
        name: "name with emoji",
        setup: |e| lands_as(e, "📄 scan 😀.txt", &[], "📄 scan 😀.txt"),
        exit: 0,
        says: "1 of 1 file uploaded",
    },
    Case {
        name: "right-to-left name",
        setup: |e| lands_as(e, "تقرير المريض.txt", &[], "تقرير المريض.txt"),
        exit: 0,
        says: "1 of 1 file uploaded",
    },
    Case {
        name: "255-byte file name",
        setup: |e| {
            let name = format!("{}.txt", "n".repeat(251));
            lands_as(e, &name, &[], &name)
        },
        exit: 0,
        says: "1 of 1 file uploaded",
    },
    Case {
        name: "external id with quotes and commas",
        setup: |e| {
            lands_as(
                e,
                "lab.txt",
                &["--external-id", "LAB \"7\", 2026"],
                "lab.txt",
            )
        },
        exit: 0,
        says: "1 of 1 file uploaded",
    },
    Case {
        name: "patient id with a slash",
        setup: |e| {
            let mut args = upload(&[&good(e)], &[]);
            args[2] = "pat_1001/../pat_1002".into();
            refused(args)
        },
        exit: 4,
        says: "no patient with id `pat_1001/../pat_1002`",
    },
    Case {
        name: "patient id pasted with spaces and a line break",
        setup: |e| {
            let mut s = lands_as(e, "pasted.txt", &[], "pasted.txt");
            s.args[2] = " pat_1001\n".into();
            s
        },
        exit: 0,
        says: "uploaded to GARCIA, Maria, born 12-Mar-1984",
    },
    Case {
        name: "patient id with a space inside",
        setup: |e| {
            let mut args = upload(&[&good(e)], &[]);
            args[2] = "pat 1001".into();
            refused(args)
        },
        exit: 4,
        says: "no patient with id `pat 1001`",
    },
    Case {
        name: "unknown patient",
        setup: |e| {
            let mut args = upload(&[&good(e)], &[]);
            args[2] = "pat_9999".into();
            refused(args)
        },
        exit: 4,
        says: "no patient with id `pat_9999`",
    },
    Case {
        name: "note of another patient",
        setup: |e| refused(upload(&[&good(e)], &["--note", "note_2003"])),
        exit: 4,
        says: "note_2003",
    },
    Case {
        name: "unknown note",
        setup: |e| refused(upload(&[&good(e)], &["--note", "note_9999"])),
        exit: 4,
        says: "note_9999",
    },
    Case {
        name: "bad base URL",
        setup: |e| server("not a url", e),
        exit: 2,
        says: "not a url",
    },
    Case {
        name: "plain HTTP to a host that is not this computer",
        setup: |e| server("http://api.decodahealth.example", e),
        exit: 2,
        says: "https",
    },
    Case {
        name: "nothing listening at the address",
        setup: |e| server("http://127.0.0.1:9", e),
        exit: 5,
        says: "could not connect to Decoda: the network may be down",
    },
    Case {
        name: "wrong key",
        setup: |e| {
            let mut s = refused(upload(&[&good(e)], &[]));
            s.env.push(("DECODA_API_KEY", "wrong-key".into()));
            s
        },
        exit: 3,
        says: "rejected",
    },
    Case {
        name: "no tenant",
        setup: |e| {
            let mut s = refused(upload(&[&good(e)], &[]));
            s.env.push(("DECODA_TENANT", String::new()));
            s
        },
        exit: 2,
        says: "no tenant is set",
    },
    Case {
        name: "server that answers an HTML page",
        setup: |e| {
            e.sandbox
                .state()
                .push_fault(FaultRule::once(Fault::BadGatewayHtml).times(1000));
            refused(upload(&[&good(e)], &[]))
        },
        exit: 5,
        says: "502",
    },
    Case {
        name: "server that never answers an upload",
        setup: |e| {
            std::fs::write(
                e.dir.path().join("settings.toml"),
                "[retry]\nmax_attempts = 2\ninitial_delay = 10\nmax_delay = 20\n\n[timeouts]\nanswer = 500\n",
            )
            .unwrap();
            e.sandbox.state().push_fault(
                FaultRule::once(Fault::Hang)
                    .times(1000)
                    .on_path("/attachments/bulk"),
            );
            refused(upload(&[&good(e)], &[]))
        },
        exit: 1,
        says: "FAILED",
    },
];

#[tokio::test]
async fn every_bad_input_gets_a_clear_message_and_loses_nothing() {
    assert!(CASES.len() >= 30, "{} cases", CASES.len());
    for case in CASES {
        let e = env().await;
        let setup = (case.setup)(&e);
        let mut cmd = e.cmd(Some(KEY));
        for (k, v) in &setup.env {
            cmd.env(k, v);
        }
        let out = cmd.args(&setup.args).output().await.unwrap();
        common::assert_no_key(&out);
        let said = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert_eq!(out.status.code(), Some(case.exit), "{}: {said}", case.name);
        assert!(
            said.contains(case.says),
            "{}: expected {:?} in: {said}",
            case.name,
            case.says
        );
        assert!(!said.contains("panicked"), "{}: {said}", case.name);
        let mut landed: Vec<String> = e
            .sandbox
            .state()
            .attachments()
            .into_iter()
            .map(|a| a.response.name)
            .collect();
        landed.sort();
        let mut expected = setup.lands.clone();
        expected.sort();
        assert_eq!(landed, expected, "{}: what is in the chart", case.name);
    }
}

/// A connection failure is said in words on the error line; the technical chain (for IT) comes on
/// a line of its own.
#[tokio::test]
async fn an_unreachable_server_is_said_in_words_with_the_detail_apart() {
    let e = env().await;
    let file = good(&e);
    let out = e
        .cmd(Some(KEY))
        .env("DECODA_API_URL", "http://127.0.0.1:9")
        .args(upload(&[&file], &[]))
        .output()
        .await
        .unwrap();
    let said = text(&out.stderr);
    let error = said
        .lines()
        .find(|l| l.starts_with("decoda: error:"))
        .unwrap_or_else(|| panic!("no error line: {said}"));
    assert!(
        !error.contains("os error"),
        "no chain on the error line: {error}"
    );
    let detail = said
        .lines()
        .find(|l| l.starts_with("decoda: detail:"))
        .unwrap_or_else(|| panic!("no detail line: {said}"));
    assert!(detail.to_lowercase().contains("connect"), "{detail}");
}

/// Root reads anything, and CI runs as root: there the command runs as the unprivileged user
/// `nobody` (uid 65534), so the permission check is real wherever the suite runs. (Unix
/// permissions: Windows denies reading through access lists, which this test does not set.)
#[cfg(unix)]
#[tokio::test]
async fn an_unreadable_file_is_reported_when_permissions_apply() {
    use std::os::unix::fs::PermissionsExt;
    let e = env().await;
    let as_root = is_root();
    if as_root {
        // The unprivileged user must reach the test's folder and write its data folder there.
        std::fs::set_permissions(e.dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    }
    let locked = e.file("locked.pdf", b"%PDF-1.4 secret");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let g = good(&e);
    let args = upload(&[&locked, &g], &[]);
    let mut cmd = e.cmd(Some(KEY));
    cmd.args(&args);
    if as_root {
        cmd.uid(NOBODY).gid(NOBODY).env("HOME", e.dir.path());
    }
    let out = cmd.output().await.unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("permission denied"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(e.sandbox.state().attachments().len(), 1);
}

/// A symbolic link at `link` to `target` (a folder or a file, existing or not).
#[cfg(unix)]
fn symlink(target: &std::path::Path, link: &std::path::Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

/// A symbolic link at `link` to `target`; Windows has one kind for folders and one for files.
#[cfg(windows)]
fn symlink(target: &std::path::Path, link: &std::path::Path) -> std::io::Result<()> {
    if target.is_dir() {
        std::os::windows::fs::symlink_dir(target, link)
    } else {
        std::os::windows::fs::symlink_file(target, link)
    }
}

/// The unprivileged user and group on Debian and most Linux systems.
#[cfg(unix)]
const NOBODY: u32 = 65534;

/// Whether this process runs as root (root's reads ignore permissions).
#[cfg(unix)]
fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .map(|l| l.split_whitespace().nth(2) == Some("0"))
        })
        .unwrap_or(false)
}
