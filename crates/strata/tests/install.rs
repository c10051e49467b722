//! The README's install command, `cargo install --locked --path crates/strata`, into
//! a temporary root, then the installed binary's first steps. Slow (it builds the
//! binary again, without the test build's dev-dependencies), hence ignored by
//! default: `cargo test -p strata --test install -- --ignored`.

use std::path::Path;
use std::process::Command;

#[test]
#[ignore = "builds strata from scratch (minutes); run with --ignored"]
fn cargo_install_from_a_checkout() {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let root = tempfile::tempdir().unwrap();
    // --debug only to keep the test's build short; the README's command builds release.
    let status = Command::new(env!("CARGO"))
        .args(["install", "--locked", "--debug", "--path"])
        .arg(workspace.join("crates/strata"))
        .arg("--root")
        .arg(root.path())
        .status()
        .unwrap();
    assert!(status.success());
    let strata = root.path().join("bin/strata");
    let version = Command::new(&strata).arg("--version").output().unwrap();
    let version = String::from_utf8(version.stdout).unwrap();
    assert!(version.starts_with(concat!("strata ", env!("CARGO_PKG_VERSION"), " (commit ")), "{version}");
    assert!(!version.contains("unknown"), "built from a git checkout: {version}");
    let project = tempfile::tempdir().unwrap();
    let init = Command::new(&strata).arg("init").current_dir(project.path()).status().unwrap();
    assert!(init.success());
    assert!(project.path().join("strata.toml").is_file());
}
