//! `plan`, `apply` (without a saved plan) and `show`: one path for both
//! verbs, as in dnscontrol: load and validate the tree, read the live
//! state, diff, check safety, render; `apply` then writes. A saved plan's
//! apply is `saved.rs`.

use super::{Outcome, print};
use crate::apply::{self, ApplyReport, Remaining};
use crate::cli::{ApplyArgs, GlobalArgs, PlanArgs, PlanFormat, ReportFormat, ShowArgs};
use crate::client::Client;
use crate::github::Github;
use crate::live::{self, LiveState};
use crate::plan::secret::DigestKey;
use crate::plan::{self, Content, DiffOptions, Plan, SavedPlan};
use crate::render;
use crate::settings::{Settings, Target, TreeSettings};
use crate::targeting::Targeting;
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
/// Inside GitHub Actions the findings are annotations too, once per job.
pub(crate) fn load_tree(
    settings: &TreeSettings,
    github: Option<&Github>,
    no_annotations: bool,
) -> anyhow::Result<Result<MetadataTree, Outcome>> {
    let (tree, findings) = super::read_tree(settings)?;
    let errors = findings.iter().filter(|f| f.is_error()).count();
    eprint!("{}", render::validation::listing(&findings));
    if github.is_some() && !findings.is_empty() {
        let report = render::validation::report(&tree, settings.rev.as_deref(), &findings);
        crate::github::annotate(&render::validation::github(&report), no_annotations)?;
    }
    if errors > 0 {
        eprintln!(
            "error: {} has {}; nothing was sent to App Store Connect. Fix them (asc-sync validate lists them too) and plan again.",
            settings.metadata.display(),
            render::count(errors, "error")
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
    let live = live::fetch_app(client, &target.app(), &target.platform, &target.version).await?;
    let mut plan = plan::diff(tree, &live, options);
    plan.source.version_selector = Some(target.version.to_string());
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

/// What shapes a plan besides the tree and the settings.
pub(crate) struct PlanFlags {
    pub allow_delete: bool,
    pub allow_destructive: bool,
    pub targeting: Targeting,
}

/// Reads the live state and diffs the tree against it: the common first
/// half of `plan` and of `apply` without a saved plan.
fn plan_from_tree(
    settings: &Settings,
    client: &Client,
    key: &Arc<DigestKey>,
    tree: &MetadataTree,
    flags: &PlanFlags,
) -> anyhow::Result<Plan> {
    runtime()?.block_on(plan_tree(settings, client, key, tree, flags))
}

/// The plan of one app's tree, checked for safety. It records the digests
/// of the tree's files and the settings it was made with.
pub(crate) async fn plan_tree(
    settings: &Settings,
    client: &Client,
    key: &Arc<DigestKey>,
    tree: &MetadataTree,
    flags: &PlanFlags,
) -> anyhow::Result<Plan> {
    let target = settings.target.as_ref().context("no app given")?;
    let mut options = settings.tree.diff_options(flags.allow_delete);
    options.targeting = flags.targeting.clone();
    options.key = Some(key.clone());
    let planned = make_plan(client, tree, target, &options).await?;
    plan::check_safety(&planned.plan, planned.live.value_count(), flags.allow_destructive)?;
    tracing::info!(gets = client.stats().requests, "live state read");
    let mut plan = planned.plan;
    let recorded = settings.tree.plan_settings(flags.allow_delete, &flags.targeting);
    plan.content = Some(Content::of(tree, recorded, key));
    Ok(plan)
}

pub fn plan(global: &GlobalArgs, args: PlanArgs) -> anyhow::Result<Outcome> {
    if let Some(config) = super::apps::listed(global, &args.apps)? {
        return super::apps::plan(global, &args, config);
    }
    let targeting = Targeting::parse(&args.targeting.locales, &args.targeting.fields)?;
    let mut settings = Settings::resolve(global, &args.target, &args.connection, true)?;
    settings.tree.ignore(&args.findings.ignore)?;
    let github = Github::detect(args.github.github, args.github.no_github);
    let metadata = settings.tree.metadata.clone();
    // A bad base is a usage error: said before any request is sent.
    let changed = match &args.changed_since {
        Some(base) => Some((base, crate::gitinfo::changed_since(&metadata, base)?)),
        None => None,
    };
    let tree = match load_tree(&settings.tree, github.as_ref(), args.github.no_annotations)? {
        Ok(t) => t,
        Err(outcome) => return Ok(outcome),
    };
    let (client, key) = settings.connect()?;
    let flags = PlanFlags {
        allow_delete: args.allow_delete,
        allow_destructive: args.allow_destructive,
        targeting,
    };
    let mut plan = plan_from_tree(&settings, &client, &key, &tree, &flags)?;
    record_git(&mut plan, &metadata, settings.tree.rev.as_deref());
    if let Some((base, changed)) = &changed {
        plan.mark_origins(base, changed);
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
    // Blocked differences are differences too: drift a check must see.
    let differs = plan.has_changes || plan.summary.blocked > 0;
    Ok(if args.detailed_exitcode && differs {
        Outcome::Changes
    } else {
        Outcome::Success
    })
}

/// Records the commit the tree was read at: the revision's for `--rev`,
/// else HEAD and whether the work tree was dirty.
pub(crate) fn record_git(plan: &mut Plan, metadata: &std::path::Path, rev: Option<&str>) {
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
    let out = match read_plan(&args.plan)? {
        SavedPlan::One(plan) => render_plan(&plan, args.format, color(global)),
        SavedPlan::Apps(doc) => super::apps::render_plan(&doc, args.format, color(global)),
    };
    print(&out)?;
    Ok(Outcome::Success)
}

/// Reads a saved plan, of one app or of several.
pub(crate) fn read_plan(path: &std::path::Path) -> anyhow::Result<SavedPlan> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read the plan {}", path.display()))?;
    Ok(SavedPlan::from_json(&text, &path.display().to_string())?)
}

pub fn apply(global: &GlobalArgs, args: ApplyArgs) -> anyhow::Result<Outcome> {
    if let Some(config) = super::apps::listed(global, &args.apps)? {
        return super::apps::apply(global, &args, config);
    }
    if let Some(path) = &args.plan {
        return super::saved::apply(global, &args, path);
    }
    let targeting = Targeting::parse(&args.targeting.locales, &args.targeting.fields)?;
    let mut settings = Settings::resolve(global, &args.target, &args.connection, true)?;
    settings.tree.ignore(&args.findings.ignore)?;
    let github = Github::detect(args.github.github, args.github.no_github);
    let tree = match load_tree(&settings.tree, github.as_ref(), args.github.no_annotations)? {
        Ok(t) => t,
        Err(outcome) => return Ok(outcome),
    };
    let (client, key) = settings.connect()?;
    let flags = PlanFlags {
        allow_delete: args.allow_delete,
        allow_destructive: args.allow_destructive,
        targeting,
    };
    let plan = plan_from_tree(&settings, &client, &key, &tree, &flags)?;
    // The plan goes to stderr here: stdout carries the report.
    eprint!(
        "{}",
        render::plan::text(&plan, color(global) && std::io::stderr().is_terminal())
    );
    if plan.has_changes && !confirmed(args.auto_approve)? {
        return Ok(Outcome::Failure);
    }
    let report = runtime()?.block_on(run_apply(Arc::new(client), &plan, Remaining::all(&plan), &key));
    finish(&report, &plan, &args, github.as_ref())
}

/// Prints the report as asked, writes the comment, the job summary and
/// the step outputs (always, also when nothing was sent), and maps it to
/// the exit code.
pub(crate) fn finish(
    report: &ApplyReport,
    plan: &Plan,
    args: &ApplyArgs,
    github: Option<&Github>,
) -> anyhow::Result<Outcome> {
    print(&match args.format {
        ReportFormat::Text if report.results.is_empty() => format!("{}\n", render::plan::summary_line(plan)),
        ReportFormat::Text => render::report::text(report),
        ReportFormat::Json => render::report::json(report),
    })?;
    if let Some(path) = &args.comment_out {
        let body = crate::github::comment_body(&plan.source.bundle_id, &render::report::markdown(report));
        std::fs::write(path, body).with_context(|| format!("cannot write {}", path.display()))?;
    }
    if let Some(gh) = github {
        gh.append_summary(&render::report::markdown(report))?;
        let s = &report.summary;
        gh.set_outputs(&[
            ("stale", "false".into()),
            ("applied", s.applied.to_string()),
            ("failed", s.failed.to_string()),
            ("skipped", s.skipped.to_string()),
            ("already_applied", s.already_applied.to_string()),
        ])?;
    }
    Ok(if report.is_partial() {
        Outcome::Partial
    } else {
        Outcome::Success
    })
}

/// Asks on a terminal; elsewhere only --auto-approve applies.
pub(crate) fn confirmed(auto_approve: bool) -> anyhow::Result<bool> {
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

/// Applies what is left of a plan with a progress bar on a terminal, one
/// line per write otherwise.
pub(crate) async fn run_apply(client: Arc<Client>, plan: &Plan, remaining: Remaining, key: &DigestKey) -> ApplyReport {
    let on_terminal = std::io::stderr().is_terminal();
    let bar = on_terminal.then(|| {
        let bar = indicatif::ProgressBar::new(plan.changes.len() as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let report = apply::execute(client, plan, remaining, key, |r| match &bar {
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
