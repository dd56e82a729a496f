//! THE way a test finds the real `opsdesk` executable — shared by the server's reliability
//! harness and `crates/opsdesk/tests/binary.rs` (which includes this file with `#[path]`), so
//! both run the same binary, built the same way.
//!
//! Cargo hands the opsdesk crate's own tests the binary it built (`CARGO_BIN_EXE_opsdesk`);
//! other crates' tests, and the variant with the test-only fault switches, are built here with
//! `cargo build` into the same target directory and profile. Either way the binary is checked
//! for the fault-injection marker: present exactly in the variant asked for it.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Mutex, OnceLock};

/// The workspace's target directory, found from the running test binary
/// (`target/<profile>/deps/<test>-…`).
pub fn target_dir() -> PathBuf {
    if let Ok(d) = std::env::var("CARGO_TARGET_DIR") {
        return PathBuf::from(d);
    }
    let exe = std::env::current_exe().expect("test binary path");
    exe.ancestors()
        .nth(3)
        .expect("test binary lives in target/<profile>/deps")
        .to_path_buf()
}

static BUILD_LOCK: Mutex<()> = Mutex::new(());
static PLAIN: OnceLock<PathBuf> = OnceLock::new();
static FAULTY: OnceLock<PathBuf> = OnceLock::new();

/// The opsdesk binary (`faults`: with the test-only fault switches compiled in).
pub fn opsdesk_bin(faults: bool) -> PathBuf {
    let cell = if faults { &FAULTY } else { &PLAIN };
    cell.get_or_init(|| {
        let _g = BUILD_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let bin = match option_env!("CARGO_BIN_EXE_opsdesk") {
            Some(p) if !faults => PathBuf::from(p),
            _ => build(faults),
        };
        // The fault switches exist only in the variant built for them.
        let bytes = std::fs::read(&bin).expect("read the opsdesk binary");
        let marker = b"FAULT INJECTION";
        let has_faults = bytes.windows(marker.len()).any(|w| w == marker);
        assert_eq!(
            has_faults,
            faults,
            "{}: fault-injection code present = {has_faults}",
            bin.display()
        );
        bin
    })
    .clone()
}

/// `cargo build` with this test's profile; the copy keeps the two variants from overwriting
/// each other.
fn build(faults: bool) -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = std::process::Command::new(cargo);
    cmd.args([
        "build",
        "-p",
        "opsdesk",
        "--bin",
        "opsdesk",
        "--message-format=json",
    ])
    .arg("--target-dir")
    .arg(target_dir())
    .current_dir(env!("CARGO_MANIFEST_DIR"));
    if !cfg!(debug_assertions) {
        cmd.arg("--release");
    }
    if faults {
        cmd.args(["--features", "fault-injection"]);
    }
    let out = cmd.stderr(Stdio::inherit()).output().expect("cargo runs");
    assert!(out.status.success(), "building opsdesk failed");
    // `"executable":"…"` of the opsdesk artifact (read without a JSON parser, so the opsdesk
    // crate's tests need no extra dependency for this file).
    let stdout = String::from_utf8_lossy(&out.stdout);
    let exe = stdout
        .lines()
        .filter(|l| l.contains("\"compiler-artifact\"") && l.contains("\"name\":\"opsdesk\""))
        .find_map(|l| {
            let rest = &l[l.find("\"executable\":\"")? + 14..];
            Some(PathBuf::from(&rest[..rest.find('"')?]))
        })
        .expect("cargo reports the opsdesk executable");
    let name = if faults {
        "opsdesk-harness-faults"
    } else {
        "opsdesk-harness"
    };
    let copy = exe.with_file_name(name);
    std::fs::copy(&exe, &copy).expect("copy the binary");
    copy
}
