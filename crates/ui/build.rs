//! Installs the pinned front-end libraries (htmx, ECharts) from the npm registry into OUT_DIR so
//! the crate can embed them. The lock file pins exact versions and integrity hashes; nothing is
//! ever loaded from a CDN at run time.
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("npm");
    let assets = manifest.join("assets");
    println!("cargo:rerun-if-changed=assets/package.json");
    println!("cargo:rerun-if-changed=assets/package-lock.json");
    std::fs::create_dir_all(&out).unwrap();
    let lock = std::fs::read(assets.join("package-lock.json")).unwrap();
    let stamp = out.join("installed.lock");
    let wanted = [
        "node_modules/htmx.org/dist/htmx.min.js",
        "node_modules/echarts/dist/echarts.min.js",
    ];
    let fresh = std::fs::read(&stamp).is_ok_and(|s| s == lock)
        && wanted.iter().all(|f| out.join(f).exists());
    if !fresh {
        std::fs::copy(assets.join("package.json"), out.join("package.json")).unwrap();
        std::fs::write(out.join("package-lock.json"), &lock).unwrap();
        npm_ci(&out);
        std::fs::write(&stamp, &lock).unwrap();
    }
    for f in wanted {
        assert!(out.join(f).exists(), "{f} missing after npm ci");
    }
}

fn npm_ci(dir: &Path) {
    let status = Command::new("npm")
        .args([
            "ci",
            "--ignore-scripts",
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
        ])
        .current_dir(dir)
        .status();
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => panic!("`npm ci` for the UI assets failed ({s}); is the npm registry reachable?"),
        Err(e) => panic!(
            "cannot run npm to fetch the UI assets (htmx, ECharts): {e}. Install Node.js and npm."
        ),
    }
}
