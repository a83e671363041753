//! The `asc-sync` binary: parse the command line, run the command, and
//! turn its outcome into the documented exit code.

use asc_sync::cli::Cli;
use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // Help and --version succeed; every usage error is 1, because
            // 2 means "changes present" for `plan --detailed-exitcode`.
            return if e.use_stderr() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    asc_sync::logging::init(cli.global.verbose);
    match asc_sync::commands::run(cli) {
        Ok(outcome) => outcome.into(),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}
