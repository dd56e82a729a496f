//! Installs the pinned front-end libraries (htmx, ECharts) from the npm registry into OUT_DIR so
//! the crate can embed them. The lock file pins exact versions and integrity hashes; nothing is
//! ever loaded from a CDN at run time.
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    bundle_catalogues();
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

/// Joins each language's catalogue files (`i18n/<lang>/*.toml`, one per module, so modules add
/// texts without touching each other's files) into one TOML document in OUT_DIR.
fn bundle_catalogues() {
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    for lang in ["en", "zh-CN"] {
        let dir = Path::new("i18n").join(lang);
        println!("cargo:rerun-if-changed={}", dir.display());
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        let mut joined = String::new();
        for f in files {
            println!("cargo:rerun-if-changed={}", f.display());
            joined.push_str(&std::fs::read_to_string(&f).unwrap());
            joined.push('\n');
        }
        std::fs::write(out.join(format!("i18n-{lang}.toml")), joined).unwrap();
    }
}
