//! The real `decoda` binary with a private settings file, data folder and sandbox.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use decoda_sandbox::{Config, Sandbox};
use serde_json::Value;
use std::{path::PathBuf, process::Output};
use tokio::process::Command;

/// The API key of every test: a canary. The sandbox accepts only it, and every run's standard
/// output and error are checked for it (the leak test runs inside every other test).
pub const KEY: &str = "canary-key-2b7e51d0-cli";

pub struct Env {
    pub sandbox: Sandbox,
    pub dir: tempfile::TempDir,
    /// Runs the command with every log line on (`DECODA_LOG=trace`), so that a key in a debug or
    /// trace line is caught by the checks on its output.
    pub trace: bool,
}

/// An [`env`] whose commands log everything they can.
pub async fn env_traced() -> Env {
    Env {
        trace: true,
        ..env().await
    }
}

pub async fn env() -> Env {
    let config = Config {
        api_key: KEY.into(),
        ..Config::default()
    };
    let sandbox = decoda_sandbox::spawn(config, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    Env {
        sandbox,
        dir: tempfile::tempdir().unwrap(),
        trace: false,
    }
}

impl Env {
    pub fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    /// `decoda` with a private settings file and the sandbox's address, tenant and `key`.
    pub fn cmd(&self, key: Option<&str>) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_decoda"));
        c.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DECODA_CONFIG", self.dir.path().join("settings.toml"))
            .env("DECODA_DATA_DIR", self.dir.path().join("data"))
            .env("DECODA_SYSTEM_CONFIG", self.system_config())
            .env("DECODA_API_URL", self.sandbox.base_url())
            .env("DECODA_TENANT", "demo-clinic")
            .stdin(std::process::Stdio::null());
        if self.trace {
            c.env("DECODA_LOG", "trace");
        }
        for var in ["DBUS_SESSION_BUS_ADDRESS", "HOME", "XDG_RUNTIME_DIR"] {
            if let Ok(v) = std::env::var(var) {
                c.env(var, v);
            }
        }
        if let Some(k) = key {
            c.env("DECODA_API_KEY", k);
        }
        c
    }

    /// `decoda scan` from the stand-in scanner at `scanner_url`, at 150 dpi (small pages keep the
    /// tests quick); the test adds the rest.
    pub fn scan(&self, key: Option<&str>, scanner_url: &str) -> Command {
        let mut c = self.cmd(key);
        c.args(["scan", "--scanner", scanner_url, "--resolution", "150"]);
        c
    }

    /// `decoda login` with `key` typed on standard input (as a script pipes it).
    pub async fn login(&self, key: &str) -> Output {
        use tokio::io::AsyncWriteExt;
        let mut child = self
            .cmd(None)
            .arg("login")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        stdin
            .write_all(format!("{key}\n").as_bytes())
            .await
            .unwrap();
        drop(stdin);
        let out = child.wait_with_output().await.unwrap();
        assert_no_key(&out);
        out
    }

    /// The system-wide file the test's runs read (absent unless a test writes it).
    pub fn system_config(&self) -> PathBuf {
        self.dir.path().join("system.toml")
    }

    pub async fn run(&self, key: Option<&str>, args: &[&str]) -> Output {
        let out = self.cmd(key).args(args).output().await.unwrap();
        assert_no_key(&out);
        out
    }
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

pub fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out.stdout)))
}

/// The key never reaches standard output or error.
pub fn assert_no_key(out: &Output) {
    for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        assert!(
            !text(bytes).contains(KEY),
            "the API key appeared on {stream}: {}",
            text(bytes)
        );
    }
}
