//! Stops the test cluster under `target/strata-test-cluster` that the tests started
//! (`cargo run -p strata-testing --bin stop-test-cluster`); `scripts/test` runs it at the end.

fn main() -> std::process::ExitCode {
    match strata_testing::stop_test_cluster() {
        Ok(true) => {
            eprintln!("stopped the test cluster");
            std::process::ExitCode::SUCCESS
        }
        Ok(false) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: stopping the test cluster: {err}");
            std::process::ExitCode::FAILURE
        }
    }
}
