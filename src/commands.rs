//! One function per subcommand, wiring the stages together. The only
//! module that prints results to stdout.

use crate::cli::{Cli, Command, ValidateArgs};
use crate::config::Config;
use crate::render::{self, Format};
use crate::tree;
use anyhow::Context;
use std::io::Write;
use std::process::ExitCode;

/// What a command ended with, mapped to the documented exit codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Failure,
}

impl From<Outcome> for ExitCode {
    fn from(o: Outcome) -> ExitCode {
        match o {
            Outcome::Success => ExitCode::from(0),
            Outcome::Failure => ExitCode::from(1),
        }
    }
}

pub fn run(cli: Cli) -> anyhow::Result<Outcome> {
    match cli.command {
        Command::Validate(args) => validate(&cli.global, args),
    }
}

fn validate(global: &crate::cli::GlobalArgs, args: ValidateArgs) -> anyhow::Result<Outcome> {
    let config = Config::discover(global.config.as_deref())?;
    let metadata = config.metadata_path(args.metadata.as_deref());
    let options = config.load_options()?;
    tracing::info!(metadata = %metadata.display(), rev = ?args.rev, "reading metadata");
    let loaded = match &args.rev {
        Some(rev) => {
            tree::load_rev(&metadata, rev, &options).context("cannot read the git revision")?
        }
        None => tree::load_dir(&metadata, &options),
    };
    let mut findings = loaded.findings;
    findings.extend(crate::validate::validate(&loaded.tree));
    crate::findings::sort(&mut findings);

    let report = render::validation::report(&loaded.tree, args.rev.as_deref(), &findings);
    let out = match args.format {
        Format::Text => render::validation::text(&report),
        Format::Markdown => render::validation::markdown(&report),
        Format::Json => render::validation::json(&report),
        Format::Github => render::validation::github(&report),
    };
    print(&out)?;
    Ok(if report.ok {
        Outcome::Success
    } else {
        Outcome::Failure
    })
}

/// Writes to stdout; a closed pipe (`| head`) is not an error.
fn print(s: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(s.as_bytes()).and_then(|_| stdout.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}
