//! `pull`: read the tree as it is, read the live listing (the same
//! requests as `plan`, whatever the number of locales), decide which files
//! to write, write them, and report. `init` ends with the same steps.

use super::reconcile::runtime;
use super::{Outcome, print};
use crate::cli::{GlobalArgs, PlanFormat, PullArgs};
use crate::github::Github;
use crate::live;
use crate::pull::{self, FileAction, Local, PullOptions, PullReport};
use crate::render;
use crate::settings::{Settings, Target};
use crate::targeting::Targeting;
use anyhow::Context;

pub fn pull(global: &GlobalArgs, args: PullArgs) -> anyhow::Result<Outcome> {
    if let Some(config) = super::apps::listed(global, &args.apps)? {
        return super::apps::pull(global, &args, config);
    }
    if args.target.rev.is_some() {
        anyhow::bail!("--rev reads the tree as committed, but pull writes the work tree; run pull without --rev");
    }
    let targeting = Targeting::parse(&args.targeting.locales, &args.targeting.fields)?;
    let settings = Settings::resolve(global, &args.target, &args.connection, true)?;
    let target = settings.target.as_ref().context("no app given")?;
    let options = PullOptions {
        include_secrets: args.include_secrets,
        targeting,
    };
    let report = match pulled(&settings, target, &options, args.dry_run)? {
        Ok(report) => report,
        Err(outcome) => return Ok(outcome),
    };
    print(&render_report(&report, args.format))?;
    if let Some(path) = &args.body_out {
        std::fs::write(path, render::pull::markdown(&report))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    if let Some(gh) = Github::detect(args.github.github, args.github.no_github) {
        gh.append_summary(&render::pull::markdown(&report))?;
        let s = &report.summary;
        gh.set_outputs(&[
            ("has_changes", report.has_changes.to_string()),
            ("created", s.created.to_string()),
            ("changed", s.changed.to_string()),
            ("left", s.left.to_string()),
        ])?;
    }
    Ok(if args.detailed_exitcode && report.has_changes {
        Outcome::Changes
    } else {
        Outcome::Success
    })
}

pub(crate) fn render_report(report: &PullReport, format: PlanFormat) -> String {
    match format {
        PlanFormat::Text => render::pull::text(report),
        PlanFormat::Markdown => render::pull::markdown(report),
        PlanFormat::Json => render::pull::json(report),
    }
}

/// Reads the tree and the live listing, decides, and writes unless
/// `dry_run`. `Err(outcome)` after printing the loader's errors: a tree
/// whose files cannot be read safely is not written into.
pub(crate) fn pulled(
    settings: &Settings,
    target: &Target,
    options: &PullOptions,
    dry_run: bool,
) -> anyhow::Result<Result<PullReport, Outcome>> {
    let local = match read_local(settings)? {
        Ok(local) => local,
        Err(outcome) => return Ok(Err(outcome)),
    };
    let client = settings.client()?;
    let live = runtime()?.block_on(live::fetch_app(
        &client,
        &target.app(),
        &target.platform,
        &target.version,
    ))?;
    tracing::info!(gets = client.stats().requests, "live state read");
    Ok(Ok(write_pull(&local, &live, options, dry_run)?))
}

/// Reads the tree as it is; `Err(outcome)` after printing the loader's
/// errors.
pub(crate) fn read_local(settings: &Settings) -> anyhow::Result<Result<Local, Outcome>> {
    let metadata = &settings.tree.metadata;
    tracing::info!(metadata = %metadata.display(), "reading metadata");
    let (local, findings) = Local::read(metadata, &settings.tree.load);
    let local = local.with_validate(settings.tree.validate.clone());
    for f in &findings {
        eprintln!("{f}");
    }
    let errors = findings.iter().filter(|f| f.is_error()).count();
    if errors > 0 {
        eprintln!(
            "error: {} has {errors} error(s), so what its files mean is unclear; nothing was written. Fix them (asc-sync validate lists them too) and pull again.",
            metadata.display()
        );
        return Ok(Err(Outcome::Failure));
    }
    Ok(Ok(local))
}

/// Decides which files state the live listing and writes them (unless
/// `dry_run`).
pub(crate) fn write_pull(
    local: &Local,
    live: &live::LiveState,
    options: &PullOptions,
    dry_run: bool,
) -> anyhow::Result<PullReport> {
    let mut pull = pull::decide(local, live, options);
    pull.report.dry_run = dry_run;
    pull.write()?;
    warn_unlinked(&pull.report);
    Ok(pull.report)
}

/// Says so on stderr when a link became a file or a folder: the tree's
/// shape changed, not only its text.
pub(crate) fn warn_unlinked(report: &PullReport) {
    let now = if report.dry_run { "would become" } else { "is now" };
    for folder in &report.folders {
        eprintln!(
            "warning: {} was a link to {}, but its locale differs live from that folder; it {now} a folder of its own",
            folder.path, folder.was_link
        );
    }
    for f in report.files.iter().filter(|f| f.action == FileAction::Changed) {
        if let Some(target) = &f.was_link {
            let locale = f.locale.as_deref().unwrap_or("the app");
            eprintln!(
                "warning: {} was a link to {target}, but {locale}'s {} differs live from the linked file; it {now} a file of its own (nothing is written through the link)",
                f.path, f.attribute
            );
        }
    }
}
