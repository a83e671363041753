//! One function per subcommand, wiring the stages together; the only
//! module that prints results. Every verb over a run of apps (`run`): one
//! app is a list of one, and every verb ends in one emit step (`emit`).

mod apply;
#[cfg(feature = "fake")]
mod demo;
mod docs;
mod emit;
mod init;
mod plan;
mod pull;
mod run;

use crate::cli::{Cli, Command, ValidateArgs};
use crate::render::validation::{AppValidation, AppsValidation};
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
        Command::Plan(args) => plan::plan(&cli.global, args),
        Command::Apply(args) => apply::apply(&cli.global, args),
        Command::Show(args) => plan::show(&cli.global, args),
        Command::Pull(args) => pull::pull(&cli.global, args),
        Command::Init(args) => init::init(&cli.global, args),
        Command::Completions(args) => docs::completions(args),
        Command::Man(args) => docs::man(args),
        #[cfg(feature = "fake")]
        Command::Demo(args) => demo::demo(&cli.global, args),
    }
}

/// `validate`: every app's tree with its own settings, offline.
fn validate(global: &crate::cli::GlobalArgs, args: ValidateArgs) -> anyhow::Result<Outcome> {
    let target = crate::cli::TargetArgs {
        metadata: args.metadata.clone(),
        screenshots: args.screenshots.clone(),
        app_previews: args.app_previews.clone(),
        rev: args.rev.clone(),
        ..Default::default()
    };
    let mut run = run::Run::resolve(global, &args.apps, &target, &Default::default(), false)?;
    run.ignore(&args.findings.ignore)?;
    let mut read = Vec::new();
    for app in &run.apps {
        let (tree, _, findings) = read_tree(&app.settings.tree).map_err(|e| match run.listed {
            true => anyhow::anyhow!("app {}: {}", app.name, run::error_text(&e)),
            false => e,
        })?;
        read.push((app.id(), tree, findings));
    }
    let reports = read.iter().map(|(id, tree, findings)| {
        let report = render::validation::report(tree, args.rev.as_deref(), findings);
        AppValidation {
            app: id.clone(),
            ok: report.ok,
            report,
        }
    });
    let doc = AppsValidation::new(&run.config.display_path(), reports.collect());
    let (stdout, markdown) = match (&doc.apps[..], run.listed) {
        ([one], false) => (
            match args.format {
                Format::Text => render::validation::text(&one.report),
                Format::Markdown => render::validation::markdown(&one.report),
                Format::Json => render::validation::json(&one.report),
                Format::Github => render::validation::github(&one.report),
            },
            render::validation::markdown(&one.report),
        ),
        _ => (
            match args.format {
                Format::Text => render::validation::apps_text(&doc),
                Format::Markdown => render::validation::apps_markdown(&doc),
                Format::Json => render::validation::apps_json(&doc),
                Format::Github => render::validation::apps_github(&doc),
            },
            render::validation::apps_markdown(&doc),
        ),
    };
    let mut outputs = vec![
        ("errors", doc.summary.errors.to_string()),
        ("warnings", doc.summary.warnings.to_string()),
    ];
    if run.listed {
        let apps = doc.apps.iter().map(|a| {
            let s = &a.report.summary;
            let value = serde_json::json!({"ok": a.ok, "errors": s.errors, "warnings": s.warnings});
            (a.app.name.clone(), value)
        });
        outputs.push(("apps", emit::by_app(apps)));
    }
    let outcome = if doc.ok { Outcome::Success } else { Outcome::Failure };
    let github = crate::github::Github::detect(args.github.github, args.github.no_github);
    let outcome = emit::Emit::new(stdout, markdown, outputs, outcome).run(github.as_ref())?;
    if github.is_some() {
        // App by app, as `plan` annotates them, so that a later step with
        // the same findings knows them.
        for app in &doc.apps {
            let annotations = render::validation::github(&app.report);
            if args.format == Format::Github {
                // Printed above, as asked: a later step need not annotate them again.
                crate::github::first_time(&annotations)?;
            } else {
                crate::github::annotate(&annotations, args.github.no_annotations)?;
            }
        }
    }
    Ok(outcome)
}

/// Reads the tree (from disk, or at `--rev`) and validates it: every
/// finding of the loader and of Apple's rules, in path order, but the
/// warnings the user chose to ignore.
/// What a tree holds besides the listing's text: its screenshots and
/// previews, and its in-app purchase and subscription texts.
#[derive(Clone, Debug, Default)]
pub(crate) struct Extras {
    pub assets: tree::assets::Assets,
    pub products: tree::products::Products,
    pub what_to_test: tree::testflight::WhatToTest,
}

pub(crate) fn read_tree(
    settings: &crate::settings::TreeSettings,
) -> anyhow::Result<(tree::MetadataTree, Extras, Vec<crate::findings::Finding>)> {
    let metadata = &settings.metadata;
    tracing::info!(metadata = %metadata.display(), rev = ?settings.rev, "reading metadata");
    let loaded = match &settings.rev {
        Some(rev) => tree::load_rev(metadata, rev, &settings.load).context("cannot read the git revision")?,
        None => tree::load_dir(metadata, &settings.load),
    };
    let mut findings = loaded.findings;
    findings.extend(crate::validate::validate_with(&loaded.tree, &settings.validate));
    let (assets, asset_findings) = read_assets(settings);
    findings.extend(asset_findings);
    // Product texts are read from the work tree, as images are.
    let (products, product_findings) = match settings.rev {
        Some(_) => Default::default(),
        None => tree::products::load(metadata),
    };
    findings.extend(product_findings);
    let listing: Vec<crate::locale::Locale> = loaded.tree.locales.keys().copied().collect();
    let (what_to_test, testflight_findings) = match settings.rev {
        Some(_) => Default::default(),
        None => tree::testflight::load(metadata, &listing),
    };
    findings.extend(testflight_findings);
    findings.retain(|f| settings.validate.reports(f));
    crate::findings::sort(&mut findings);
    Ok((
        loaded.tree,
        Extras {
            assets,
            products,
            what_to_test,
        },
        findings,
    ))
}

/// Reads the screenshots and app previews folders, with their findings.
/// Under `--rev` they are not read: only the text metadata is read from
/// git for now, and the work tree's images would not be that revision's.
pub(crate) fn read_assets(
    settings: &crate::settings::TreeSettings,
) -> (tree::assets::Assets, Vec<crate::findings::Finding>) {
    if settings.rev.is_some() {
        tracing::debug!("--rev: screenshots and app previews are not read");
        return (tree::assets::Assets::default(), Vec::new());
    }
    let options = &settings.assets;
    tracing::info!(screenshots = %options.screenshots.display(), app_previews = %options.app_previews.display(), "reading screenshots and app previews");
    tree::assets::load(options)
}

/// Asks on a terminal; elsewhere only --auto-approve applies.
pub(crate) fn confirmed(auto_approve: bool) -> anyhow::Result<bool> {
    if auto_approve {
        return Ok(true);
    }
    if !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        anyhow::bail!("not on a terminal, so asc-sync cannot ask: pass --auto-approve to apply this plan");
    }
    eprint!("\nApply these changes to the App Store? Only 'yes' is accepted: ");
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    if answer.trim() == "yes" {
        Ok(true)
    } else {
        eprintln!("Apply cancelled; nothing was written.");
        Ok(false)
    }
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
            let config = crate::config::Config::discover(global.config.as_deref())?;
            let target = crate::cli::TargetArgs {
                metadata: Some(dir.clone()),
                ..Default::default()
            };
            let settings = crate::settings::Settings::of(config, &target, &Default::default(), false)?;
            let loaded = tree::load_dir(dir, &settings.tree.load);
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
    let runtime = plan::runtime()?;
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
