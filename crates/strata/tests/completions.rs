//! `strata completions SHELL`, `strata man` and `strata --version`.

mod common;

use std::path::Path;
use std::process::Command as StdCommand;

/// What `strata args` prints; it must succeed.
fn strata(args: &[&str]) -> String {
    common::stdout_of(common::strata_std(Path::new(".")).args(args))
}

#[test]
fn every_shell_gets_a_script() {
    for (shell, marker) in [
        ("bash", "complete -F _strata"),
        ("zsh", "#compdef strata"),
        ("fish", "complete -c strata"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer[strata]"),
    ] {
        let script = strata(&["completions", shell]);
        assert!(script.contains(marker), "{shell}: no {marker:?} in\n{script}");
        assert!(script.contains("init") && script.contains("migrate"), "{shell}");
    }
    let out = common::strata_std(Path::new(".")).args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// Runs the bash script in a real bash, as `strata <TAB>` would, and returns
/// the candidates for the words typed so far (the last one being completed).
fn bash_complete(words: &[&str]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("strata.bash");
    std::fs::write(&script, strata(&["completions", "bash"])).unwrap();
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let program = format!(
        r#"source '{script}'
spec=$(complete -p strata) || exit 7
fn=$(sed -E 's/.*-F ([^ ]+).*/\1/' <<<"$spec")
COMP_WORDS=({words})
COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))
COMP_LINE="${{COMP_WORDS[*]}}"
COMP_POINT=${{#COMP_LINE}}
"$fn" strata "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"
printf '%s\n' "${{COMPREPLY[@]}}""#,
        script = script.display(),
        words = quoted.join(" ")
    );
    let out = StdCommand::new("bash").arg("--norc").arg("-c").arg(program).output().expect("bash");
    assert!(out.status.success(), "bash: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().split_whitespace().map(str::to_owned).collect()
}

#[test]
fn bash_completes_the_subcommands() {
    let top = bash_complete(&["strata", ""]);
    for sub in ["migrate", "seed", "generate", "lint", "verify", "db", "init", "completions", "man", "dev"] {
        assert!(top.contains(&sub.to_owned()), "{sub} missing from {top:?}");
    }
    let migrate = bash_complete(&["strata", "migrate", ""]);
    for sub in ["up", "down", "status", "baseline", "repair"] {
        assert!(migrate.contains(&sub.to_owned()), "{sub} missing from {migrate:?}");
    }
    assert_eq!(bash_complete(&["strata", "ini"]), ["init"]);
    let shells = bash_complete(&["strata", "completions", ""]);
    assert!(shells.contains(&"zsh".to_owned()) && shells.contains(&"powershell".to_owned()), "{shells:?}");
}

#[test]
fn man_page_lists_the_commands() {
    let page = strata(&["man"]);
    assert!(page.contains(".TH strata 1"), "{}", &page[..page.len().min(400)]);
    for word in ["migrate", "init", "completions", "\\-\\-database\\-url"] {
        assert!(page.contains(word), "{word} missing from the man page");
    }
}

/// The version names the commit the binary was built from (build.rs).
#[test]
fn version_names_the_git_commit() {
    let version = strata(&["--version"]);
    let commit = version
        .trim()
        .strip_prefix(concat!("strata ", env!("CARGO_PKG_VERSION"), " (commit "))
        .and_then(|rest| rest.strip_suffix(')'))
        .unwrap_or_else(|| panic!("unexpected version line {version:?}"));
    assert_eq!(commit.len(), 12, "{version}");
    assert!(commit.chars().all(|c| c.is_ascii_hexdigit()), "{version}");
    // A commit of this repository (others may have committed since the build).
    let known = StdCommand::new("git")
        .args(["-C", env!("CARGO_MANIFEST_DIR"), "cat-file", "-e", &format!("{commit}^{{commit}}")])
        .status()
        .unwrap();
    assert!(known.success(), "{commit} is not a commit here");
}
