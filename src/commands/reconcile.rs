//! `plan`, `apply` and `show`: one path for both verbs, as in dnscontrol:
//! load and validate the tree, read the live state, diff, check safety,
//! render; `apply` then checks freshness and writes.

use super::{Outcome, print};
use crate::apply::{self, ApplyReport};
use crate::cli::{ApplyArgs, GlobalArgs, PlanArgs, PlanFormat, ReportFormat, ShowArgs};
use crate::client::Client;
use crate::github::Github;
use crate::live::{self, LiveState};
use crate::plan::{self, DiffOptions, Plan};
use crate::render;
use crate::settings::{Settings, Target, TreeSettings};
use crate::tree::MetadataTree;
use anyhow::Context;
use std::io::IsTerminal;
use std::sync::Arc;

/// Whether text output gets colours: a terminal, no NO_COLOR, no --no-color.
pub(crate) fn color(global: &GlobalArgs) -> bool {
    !global.no_color && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
}

/// Loads and validates the tree; `Err(outcome)` after printing every
/// finding when it has errors, so nothing is requested for a broken tree.
/// Inside GitHub Actions the findings are annotations too.
pub(crate) fn load_tree(
    settings: &TreeSettings,
    github: Option<&Github>,
) -> anyhow::Result<Result<MetadataTree, Outcome>> {
    let (tree, findings) = super::read_tree(settings)?;
    let errors = findings.iter().filter(|f| f.is_error()).count();
    for f in &findings {
        eprintln!("{f}");
    }
    if github.is_some() && !findings.is_empty() {
        let report = render::validation::report(&tree, settings.rev.as_deref(), &findings);
        eprint!("{}", render::validation::github(&report));
    }
    if errors > 0 {
        eprintln!(
            "error: {} has {errors} error(s); nothing was sent to App Store Connect. Fix them (asc-sync validate lists them too) and plan again.",
            settings.metadata.display()
        );
        return Ok(Err(Outcome::Failure));
    }
    Ok(Ok(tree))
}

pub(crate) struct Planned {
    pub plan: Plan,
    pub live: LiveState,
}

/// Reads the live state and diffs the tree against it.
pub(crate) async fn make_plan(
    client: &Client,
    tree: &MetadataTree,
    target: &Target,
    options: &DiffOptions,
) -> anyhow::Result<Planned> {
    let live = live::fetch(client, &target.bundle_id, &target.platform, &target.version).await?;
    let plan = plan::diff(tree, &live, options);
    Ok(Planned { plan, live })
}

pub(crate) fn render_plan(plan: &Plan, format: PlanFormat, color: bool) -> String {
    match format {
        PlanFormat::Text => render::plan::text(plan, color),
        PlanFormat::Markdown => render::plan::markdown(plan),
        PlanFormat::Json => plan.to_json(),
    }
}

/// The runtime every command that talks to a server runs on.
pub(crate) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}

/// Reads the tree, then the live state, and diffs them: the common first
/// half of `plan` and of `apply` without a saved plan.
fn plan_from_tree(
    settings: &Settings,
    client: &Client,
    tree: &MetadataTree,
    allow_delete: bool,
    allow_destructive: bool,
) -> anyhow::Result<Plan> {
    let target = settings.target.as_ref().context("no app given")?;
    let options = settings.tree.diff_options(allow_delete);
    let planned = runtime()?.block_on(make_plan(client, tree, target, &options))?;
    plan::check_safety(&planned.plan, planned.live.value_count(), allow_destructive)?;
    tracing::info!(gets = client.stats().requests, "live state read");
    Ok(planned.plan)
}

pub fn plan(global: &GlobalArgs, args: PlanArgs) -> anyhow::Result<Outcome> {
    let settings = Settings::resolve(global, &args.target, &args.connection, true)?;
    let github = Github::detect(args.github.github, args.github.no_github);
    let tree = match load_tree(&settings.tree, github.as_ref())? {
        Ok(t) => t,
        Err(outcome) => return Ok(outcome),
    };
    let client = settings.client()?;
    let mut plan = plan_from_tree(&settings, &client, &tree, args.allow_delete, args.allow_destructive)?;
    let metadata = &settings.tree.metadata;
    record_git(&mut plan, metadata, settings.tree.rev.as_deref());
    if let Some(base) = &args.changed_since {
        let changed = crate::gitinfo::changed_since(metadata, base)?;
        plan.mark_origins(base, &changed);
    }
    if let Some(out) = &args.out {
        std::fs::write(out, plan.to_json()).with_context(|| format!("cannot write {}", out.display()))?;
    }
    print(&render_plan(&plan, args.format, color(global)))?;
    let markdown = || render::plan::markdown(&plan);
    if let Some(path) = &args.comment_out {
        let body = crate::github::comment_body(&plan.source.bundle_id, &markdown());
        std::fs::write(path, body).with_context(|| format!("cannot write {}", path.display()))?;
    }
    if let Some(gh) = &github {
        gh.append_summary(&markdown())?;
        let s = &plan.summary;
        gh.set_outputs(&[
            ("has_changes", plan.has_changes.to_string()),
            (
                "plan_path",
                args.out.as_ref().map(|p| p.display().to_string()).unwrap_or_default(),
            ),
            ("create", s.create.to_string()),
            ("update", s.update.to_string()),
            ("delete", s.delete.to_string()),
            ("blocked", s.blocked.to_string()),
        ])?;
    }
    Ok(if args.detailed_exitcode && plan.has_changes {
        Outcome::Changes
    } else {
        Outcome::Success
    })
}

/// Records the commit the tree was read at: the revision's for `--rev`,
/// else HEAD and whether the work tree was dirty.
fn record_git(plan: &mut Plan, metadata: &std::path::Path, rev: Option<&str>) {
    match rev {
        Some(rev) => {
            plan.source.commit = crate::gitinfo::resolve(metadata, rev);
            plan.source.dirty = Some(false);
        }
        None => {
            if let Some(head) = crate::gitinfo::head(metadata) {
                plan.source.commit = Some(head.commit);
                plan.source.dirty = Some(head.dirty);
            }
        }
    }
}

pub fn show(global: &GlobalArgs, args: ShowArgs) -> anyhow::Result<Outcome> {
    let plan = read_plan(&args.plan)?;
    print(&render_plan(&plan, args.format, color(global)))?;
    Ok(Outcome::Success)
}

fn read_plan(path: &std::path::Path) -> anyhow::Result<Plan> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read the plan {}", path.display()))?;
    Ok(Plan::from_json(&text, &path.display().to_string())?)
}

pub fn apply(global: &GlobalArgs, args: ApplyArgs) -> anyhow::Result<Outcome> {
    let settings = Settings::resolve(global, &args.target, &args.connection, args.plan.is_none())?;
    let github = Github::detect(args.github.github, args.github.no_github);
    let plan = match &args.plan {
        Some(path) => {
            let client = settings.client()?;
            match saved_plan(path, &args, &client, github.as_ref())? {
                Ok(plan) => (plan, client),
                Err(outcome) => return Ok(outcome),
            }
        }
        None => {
            let tree = match load_tree(&settings.tree, github.as_ref())? {
                Ok(t) => t,
                Err(outcome) => return Ok(outcome),
            };
            let client = settings.client()?;
            let plan = plan_from_tree(&settings, &client, &tree, args.allow_delete, args.allow_destructive)?;
            // The plan goes to stderr here: stdout carries the report.
            eprint!(
                "{}",
                render::plan::text(&plan, color(global) && std::io::stderr().is_terminal())
            );
            if plan.has_changes && !confirmed(args.auto_approve)? {
                return Ok(Outcome::Failure);
            }
            (plan, client)
        }
    };
    let (plan, client) = plan;
    if !plan.has_changes {
        print(&format!("{}\n", render::plan::summary_line(&plan)))?;
        return Ok(Outcome::Success);
    }
    let report = runtime()?.block_on(run_apply(Arc::new(client), &plan));
    print(&match args.format {
        ReportFormat::Text => render::report::text(&report),
        ReportFormat::Json => render::report::json(&report),
    })?;
    if let Some(path) = &args.comment_out {
        let body = crate::github::comment_body(&plan.source.bundle_id, &render::report::markdown(&report));
        std::fs::write(path, body).with_context(|| format!("cannot write {}", path.display()))?;
    }
    if let Some(gh) = &github {
        gh.append_summary(&render::report::markdown(&report))?;
        let s = &report.summary;
        gh.set_outputs(&[
            ("stale", "false".into()),
            ("applied", s.applied.to_string()),
            ("failed", s.failed.to_string()),
            ("skipped", s.skipped.to_string()),
        ])?;
    }
    Ok(if report.is_partial() {
        Outcome::Partial
    } else {
        Outcome::Success
    })
}

/// A saved plan, checked against the live state now: `Err(Stale)` after
/// saying what moved when any planned value did, since applying it would
/// overwrite someone's edit.
fn saved_plan(
    path: &std::path::Path,
    args: &ApplyArgs,
    client: &Client,
    github: Option<&Github>,
) -> anyhow::Result<Result<Plan, Outcome>> {
    let plan = read_plan(path)?;
    check_commit(&plan, args.expect_commit.as_deref())?;
    let source = &plan.source;
    let version = live::VersionSelector::Exact(source.version_string.clone());
    let live = runtime()?.block_on(live::fetch(client, &source.bundle_id, &source.platform, &version))?;
    let stale = apply::stale(&plan, &live);
    if stale.is_empty() {
        return Ok(Ok(plan));
    }
    let text = render::report::stale_text(&stale);
    eprint!("{text}");
    if let Some(gh) = github {
        gh.append_summary(&format!(
            "### asc-sync apply refused a stale plan\n\n```text\n{text}```\n"
        ))?;
        gh.set_outputs(&[
            ("stale", "true".into()),
            ("applied", "0".into()),
            ("failed", "0".into()),
        ])?;
    }
    Ok(Err(Outcome::Stale))
}

/// Asks on a terminal; elsewhere only --auto-approve applies.
fn confirmed(auto_approve: bool) -> anyhow::Result<bool> {
    if auto_approve {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() {
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

/// Applies with a progress bar on a terminal, one line per write otherwise.
pub(crate) async fn run_apply(client: Arc<Client>, plan: &Plan) -> ApplyReport {
    let on_terminal = std::io::stderr().is_terminal();
    let bar = on_terminal.then(|| {
        let bar = indicatif::ProgressBar::new(plan.changes.len() as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let report = apply::execute(client, plan, |r| match &bar {
        Some(bar) => {
            bar.inc(1);
            bar.set_message(render::report::result_line(r));
        }
        None => eprintln!("{}", render::report::result_line(r)),
    })
    .await;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    report
}

/// `--expect-commit` refuses a plan made from another commit; without it,
/// a plan made from a commit other than HEAD is applied with a warning.
fn check_commit(plan: &Plan, expected: Option<&str>) -> anyhow::Result<()> {
    let made_from = plan.source.commit.as_deref();
    if let Some(expected) = expected {
        let matches = made_from.is_some_and(|c| !expected.is_empty() && c.starts_with(expected));
        if !matches {
            anyhow::bail!(
                "the plan was made from commit {}, not {expected} (--expect-commit); nothing was written. Make the plan from that commit",
                made_from.unwrap_or("(unknown: not in a git repository)")
            );
        }
    }
    if plan.source.dirty == Some(true) {
        eprintln!("warning: the plan was made from a work tree with uncommitted changes");
    }
    if let (Some(made_from), Some(head)) = (made_from, crate::gitinfo::head(std::path::Path::new(".")))
        && head.commit != made_from
    {
        eprintln!(
            "warning: the plan was made from commit {}, but HEAD is {}; applying the plan as it was reviewed",
            short(made_from),
            short(&head.commit)
        );
    }
    Ok(())
}

/// The first 12 characters of a commit id, for messages; a plan file is
/// user input, so its `commit` may hold anything.
fn short(commit: &str) -> String {
    commit.chars().take(12).collect()
}
