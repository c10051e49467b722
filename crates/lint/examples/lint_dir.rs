//! Lints a migration directory and prints the report: `cargo run -p strata-lint
//! --example lint_dir -- migrations [text|json|github|sarif]`.
fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().unwrap_or_else(|| "migrations".to_owned());
    let format = args.next().map_or(strata_lint::Format::Text, |f| f.parse().expect("format"));
    let scan = strata_migrate::source::scan(std::path::Path::new(&dir));
    let report = strata_lint::lint_set(&scan, &strata_lint::Config::default());
    print!("{}", strata_lint::render(&report, format, false));
    std::process::exit(if report.passed() { 0 } else { 3 });
}
