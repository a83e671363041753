//! One function per subcommand, wiring the stages together. The only
//! module that prints results to stdout. `apps` runs the same stages for
//! each app of an `asc-sync.toml` that lists several.

mod apps;
#[cfg(feature = "fake")]
mod demo;
mod docs;
mod init;
mod pull;
mod reconcile;
mod saved;

use crate::cli::{Cli, Command, ValidateArgs};
use crate::render::{self, Format};
use crate::tree;
use anyhow::Context;
use std::io::Write;
use std::process::ExitCode;

/// What a command ended with, mapped to the documented exit codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// 0
    Success,
    /// 1: an error before any write.
    Failure,
    /// 2: `plan --detailed-exitcode` found changes.
    Changes,
    /// 3: some writes failed, the rest were applied.
    Partial,
    /// 4: a saved plan was refused as stale.
    Stale,
}

impl Outcome {
    /// How bad an outcome is, for [`Outcome::worst`]: an error beats all,
    /// a refused plan beats a partial apply, which beats success.
    fn severity(self) -> u8 {
        match self {
            Outcome::Success => 0,
            Outcome::Changes => 1,
            Outcome::Partial => 2,
            Outcome::Stale => 3,
            Outcome::Failure => 4,
        }
    }

    /// The worse of two outcomes: a run of several apps ends with its
    /// worst app's.
    pub fn worst(self, other: Outcome) -> Outcome {
        if other.severity() > self.severity() {
            other
        } else {
            self
        }
    }
}

impl From<Outcome> for ExitCode {
    fn from(o: Outcome) -> ExitCode {
        ExitCode::from(match o {
            Outcome::Success => 0,
            Outcome::Failure => 1,
            Outcome::Changes => 2,
            Outcome::Partial => 3,
            Outcome::Stale => 4,
        })
    }
}

pub fn run(cli: Cli) -> anyhow::Result<Outcome> {
    match cli.command {
        Command::Validate(args) => validate(&cli.global, args),
        #[cfg(feature = "fake")]
        Command::FakeAsc(args) => fake_asc(&cli.global, *args),
        Command::Plan(args) => reconcile::plan(&cli.global, args),
        Command::Apply(args) => reconcile::apply(&cli.global, args),
        Command::Show(args) => reconcile::show(&cli.global, args),
        Command::Pull(args) => pull::pull(&cli.global, args),
        Command::Init(args) => init::init(&cli.global, args),
        Command::Completions(args) => docs::completions(args),
        Command::Man(args) => docs::man(args),
        #[cfg(feature = "fake")]
        Command::Demo(args) => demo::demo(&cli.global, args),
    }
}

fn validate(global: &crate::cli::GlobalArgs, args: ValidateArgs) -> anyhow::Result<Outcome> {
    if let Some(config) = apps::listed(global, &args.apps)? {
        return apps::validate(&args, config);
    }
    let mut settings = crate::settings::tree_settings(global, args.metadata.as_deref(), args.rev.as_deref())?;
    settings.ignore(&args.findings.ignore)?;
    let (tree, findings) = read_tree(&settings)?;
    let report = render::validation::report(&tree, args.rev.as_deref(), &findings);
    let out = match args.format {
        Format::Text => render::validation::text(&report),
        Format::Markdown => render::validation::markdown(&report),
        Format::Json => render::validation::json(&report),
        Format::Github => render::validation::github(&report),
    };
    print(&out)?;
    if let Some(gh) = crate::github::Github::detect(args.github.github, args.github.no_github) {
        if args.format == Format::Github {
            // Printed above, as asked: a later step need not annotate them again.
            crate::github::first_time(&out)?;
        } else {
            crate::github::annotate(&render::validation::github(&report), args.github.no_annotations)?;
        }
        gh.append_summary(&render::validation::markdown(&report))?;
        gh.set_outputs(&[
            ("errors", report.summary.errors.to_string()),
            ("warnings", report.summary.warnings.to_string()),
        ])?;
    }
    Ok(if report.ok { Outcome::Success } else { Outcome::Failure })
}

/// Reads the tree (from disk, or at `--rev`) and validates it: every
/// finding of the loader and of Apple's rules, in path order, but the
/// warnings the user chose to ignore.
pub(crate) fn read_tree(
    settings: &crate::settings::TreeSettings,
) -> anyhow::Result<(tree::MetadataTree, Vec<crate::findings::Finding>)> {
    let metadata = &settings.metadata;
    tracing::info!(metadata = %metadata.display(), rev = ?settings.rev, "reading metadata");
    let loaded = match &settings.rev {
        Some(rev) => tree::load_rev(metadata, rev, &settings.load).context("cannot read the git revision")?,
        None => tree::load_dir(metadata, &settings.load),
    };
    let mut findings = loaded.findings;
    findings.extend(crate::validate::validate_with(&loaded.tree, &settings.validate));
    findings.retain(|f| settings.validate.reports(f));
    crate::findings::sort(&mut findings);
    Ok((loaded.tree, findings))
}

/// Writes to stdout; a closed pipe (`| head`) is not an error.
pub(crate) fn print(s: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(s.as_bytes()).and_then(|_| stdout.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

#[cfg(feature = "fake")]
fn fake_asc(global: &crate::cli::GlobalArgs, args: crate::cli::FakeAscArgs) -> anyhow::Result<Outcome> {
    use crate::fake::{FakeOptions, FakeServer, FaultConfig, State};
    let state = match (&args.state, &args.seed_tree) {
        (Some(path), _) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
            State::from_json(&text, &path.display().to_string())?
        }
        (None, Some(dir)) => {
            let settings = crate::settings::tree_settings(global, Some(dir), None)?;
            let loaded = tree::load_dir(dir, &settings.load);
            if loaded.has_errors() {
                let list: Vec<String> = loaded
                    .findings
                    .iter()
                    .filter(|f| f.is_error())
                    .map(ToString::to_string)
                    .collect();
                anyhow::bail!("the seed tree has errors:\n{}", list.join("\n"));
            }
            let bundle_id = args.bundle_id.as_deref().context("--seed-tree needs --bundle-id")?;
            State::from_tree(&loaded.tree, bundle_id, &args.platform)
        }
        (None, None) => State::default(),
    };
    let public_keys = args
        .public_key
        .iter()
        .map(|p| std::fs::read_to_string(p).with_context(|| format!("cannot read public key {}", p.display())))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let options = FakeOptions {
        state,
        public_keys,
        rate_limit_per_hour: args.rate_limit_per_hour,
        faults: FaultConfig {
            latency_ms: args.latency_ms,
            jitter_ms: args.jitter_ms,
            fail_429: args.fail_429,
            retry_after: args.retry_after,
            fail_5xx: args.fail_5xx,
            fail_401: args.fail_401,
            drop: args.drop,
            drop_after_write: args.drop_after_write,
            seed: args.seed,
            ..FaultConfig::default()
        },
        processing_ms: args.processing_ms,
    };
    let runtime = reconcile::runtime()?;
    runtime.block_on(async {
        let addrs: Vec<std::net::SocketAddr> = tokio::net::lookup_host(&args.listen)
            .await
            .with_context(|| format!("cannot resolve --listen {}", args.listen))?
            .collect();
        if !args.listen_any && addrs.iter().any(|a| !a.ip().is_loopback()) {
            anyhow::bail!(
                "refusing to listen on {} (not a loopback address): the fake accepts any well-formed token. Pass --listen-any to do it anyway",
                args.listen
            );
        }
        let server = FakeServer::start(&args.listen, options).await?;
        print(&format!("{}\n", server.base_url))?;
        tracing::info!(url = %server.base_url, "fake App Store Connect listening");
        shutdown_signal().await;
        let state = server.stop().await;
        if let Some(out) = &args.state_out {
            let json = serde_json::to_string_pretty(&state)? + "\n";
            std::fs::write(out, json).with_context(|| format!("cannot write {}", out.display()))?;
        }
        Ok(Outcome::Success)
    })
}

/// Resolves on Ctrl-C or SIGTERM.
#[cfg(feature = "fake")]
async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => return std::future::pending().await,
        };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}

#[cfg(test)]
mod tests {
    use super::Outcome::*;

    #[test]
    fn the_worst_outcome_wins_error_over_refused_over_partial_over_success() {
        assert_eq!(Success.worst(Partial), Partial);
        assert_eq!(Partial.worst(Stale), Stale);
        assert_eq!(Stale.worst(Failure), Failure);
        assert_eq!(Failure.worst(Success), Failure);
        assert_eq!(Changes.worst(Success), Changes);
        assert_eq!(Changes.worst(Failure), Failure);
    }
}
