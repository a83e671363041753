//! `apply plan.json`: applying the plan that was reviewed, and nothing
//! else. Before any request it refuses a run that names another app,
//! platform or version than the plan's (a job for app B must not write
//! app A's plan), and a tree the plan does not follow from (other files,
//! other settings, a hand-edited `after`): exit 4, nothing written. Then
//! it reads again, by id, the resources the plan writes and sends only
//! what is not live yet, so a re-run writes nothing and a run killed
//! midway is finished by the next.

use super::reconcile::{finish, read_plan, run_apply, runtime};
use super::{Outcome, read_tree};
use crate::apply;
use crate::cli::{ApplyArgs, GlobalArgs};
use crate::client::Client;
use crate::github::Github;
use crate::live::VersionSelector;
use crate::model;
use crate::plan::secret::{DigestKey, is_salted};
use crate::plan::{Content, Plan, PlanSettings, SavedPlan};
use crate::render;
use crate::settings::{GivenTarget, Settings, TreeSettings};
use crate::targeting::Targeting;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub fn apply(global: &GlobalArgs, args: &ApplyArgs, path: &Path) -> anyhow::Result<Outcome> {
    let mut plan = match read_plan(path)? {
        SavedPlan::One(plan) => *plan,
        SavedPlan::Apps(doc) => anyhow::bail!(
            "{} is a plan of several apps ({}), but no asc-sync.toml here lists [[apps]]; nothing was sent. Apply it with the settings file that made it ({}, or --config FILE)",
            path.display(),
            doc.apps.iter().map(|a| a.name.as_str()).collect::<Vec<_>>().join(", "),
            doc.config
        ),
    };
    if let Some(metadata) = &args.target.metadata {
        relocate(&mut plan, &metadata.display().to_string());
    }
    let targeting = Targeting::parse(&args.targeting.locales, &args.targeting.fields)?;
    let mut settings = Settings::resolve(global, &args.target, &args.connection, false)?;
    settings.tree.ignore(&args.findings.ignore)?;
    same_target(&plan, &settings.given, &targeting)?;
    check_commit(&plan, args.expect_commit.as_deref())?;
    let github = Github::detect(args.github.github, args.github.no_github);
    let (client, key) = settings.connect()?;
    if let Some(text) = unbound(&plan, &settings.tree, args, &key, path)? {
        return refuse(&text, github.as_ref());
    }
    let rt = runtime()?;
    let remaining = match rt.block_on(live_remaining(&client, &plan, &key))? {
        Ok(r) => r,
        Err(text) => return refuse(&text, github.as_ref()),
    };
    let report = rt.block_on(run_apply(Arc::new(client), &plan, remaining, &key));
    finish(&report, &plan, args, github.as_ref())
}

/// Why the saved plan does not follow from the tree here (the text to
/// print), or `None`. Warns of a plan without digests, and of salted
/// digests of the demo password.
pub(crate) fn unbound(
    plan: &Plan,
    tree: &TreeSettings,
    args: &ApplyArgs,
    key: &DigestKey,
    path: &Path,
) -> anyhow::Result<Option<String>> {
    match &plan.content {
        Some(content) => {
            let differences = differences(plan, content, tree, args, key)?;
            if !differences.is_empty() {
                return Ok(Some(render::report::unbound_text(plan, &differences)));
            }
        }
        None => eprintln!(
            "warning: {} records no digests of the files it was made from (it was saved by asc-sync 0.1): it is applied after checking only the live values it changes (each must still be its `before`, or be its `after` already). Plans made now are bound to their files",
            path.display()
        ),
    }
    if plan.changes.iter().flat_map(|c| c.attributes.values()).any(|a| {
        a.fingerprints
            .iter()
            .flat_map(|f| [&f.before, &f.after])
            .flatten()
            .any(|d| is_salted(d))
    }) {
        eprintln!(
            "warning: {} holds salted SHA-256 digests of the demo password, which can be guessed offline by anyone who can download it. Delete old plan artifacts once applied; plans made now hold keyed digests",
            path.display()
        );
    }
    Ok(None)
}

/// Reads again the live state the plan writes and sorts each planned
/// value: what is left to send, or why the plan is stale (the text to print).
pub(crate) async fn live_remaining(
    client: &Client,
    plan: &Plan,
    key: &DigestKey,
) -> anyhow::Result<Result<apply::Remaining, String>> {
    // Only what the plan writes, by id, in one round.
    let live = apply::reread(client, plan).await?;
    Ok(apply::remaining(plan, &live, key).map_err(|stale| render::report::stale_text(&stale)))
}

/// Reads the plan's files from `--metadata` instead of the folder it was
/// made from (the tree checked out elsewhere): each file path moves there.
fn relocate(plan: &mut Plan, metadata: &str) {
    let from = format!("{}/", plan.source.metadata_path.trim_end_matches('/'));
    let to = format!("{}/", metadata.trim_end_matches('/'));
    for attribute in plan.changes.iter_mut().flat_map(|c| c.attributes.values_mut()) {
        if let Some(rest) = attribute.file.as_deref().and_then(|f| f.strip_prefix(&from)) {
            attribute.file = Some(format!("{to}{rest}"));
        }
    }
}

/// Refuses a run that names another app, platform, version or targeting
/// than the plan's: before any request, naming both.
pub(crate) fn same_target(plan: &Plan, given: &GivenTarget, targeting: &Targeting) -> anyhow::Result<()> {
    let s = &plan.source;
    let refuse = |what: &str, planned: &str, from: &str, named: &str| {
        anyhow::anyhow!(
            "the plan is for {what} {planned}, but {from} names {named}; nothing was sent. Apply a plan made for {named}, or drop {from}"
        )
    };
    if let Some((id, from)) = &given.bundle_id
        && *id != s.bundle_id
    {
        return Err(refuse("the app", &s.bundle_id, from, id));
    }
    if let Some((platform, from)) = &given.platform
        && !platform.eq_ignore_ascii_case(&s.platform)
    {
        return Err(refuse("platform", &s.platform, from, platform));
    }
    if let Some((version, from)) = &given.version
        && !same_version(plan, version)
    {
        let planned = format!(
            "{} ({})",
            s.version_string,
            s.version_selector.as_deref().unwrap_or("as saved")
        );
        return Err(refuse("version", &planned, from, version));
    }
    let (locales, fields) = targeting.names();
    let recorded = plan.content.as_ref().map(|c| &c.settings);
    let differs = |given: &Vec<String>, planned: Option<&Vec<String>>| {
        !given.is_empty() && Some(given) != planned.filter(|p| !p.is_empty())
    };
    if differs(&locales, recorded.map(|r| &r.locales)) || differs(&fields, recorded.map(|r| &r.fields)) {
        anyhow::bail!(
            "--locale and --field must be what the plan was made with ({}); nothing was sent. Make a plan with them, or drop them",
            plan.targeting().unwrap_or_else(|| "everything".into())
        );
    }
    Ok(())
}

/// Whether `version` (as a flag or the config names it) means the plan's.
fn same_version(plan: &Plan, version: &str) -> bool {
    let s = &plan.source;
    if s.version_selector.as_deref() == Some(version) {
        return true;
    }
    match version.parse().unwrap_or(VersionSelector::Editable) {
        VersionSelector::Editable => model::version_editable(&s.version_state),
        VersionSelector::Live => model::version_live(&s.version_state),
        VersionSelector::Exact(v) => v == s.version_string || plan.renames_to() == Some(v.as_str()),
        VersionSelector::Id(_) => false,
    }
}

/// Everything that keeps the plan from following from the tree here: the
/// files and settings that differ, else each planned value the tree does
/// not give. Reads the tree the plan names (or `--metadata`, `--rev`).
fn differences(
    plan: &Plan,
    content: &Content,
    tree_settings: &TreeSettings,
    args: &ApplyArgs,
    key: &DigestKey,
) -> anyhow::Result<Vec<String>> {
    let mut settings = tree_settings.clone();
    if args.target.metadata.is_none() {
        settings.metadata = PathBuf::from(&plan.source.metadata_path);
    }
    if settings.rev.is_none() && !settings.metadata.is_dir() {
        anyhow::bail!(
            "the plan was made from the tree at {}, which is not here; nothing was sent. Run apply in a checkout of the repository, from where the plan was made, or pass --metadata DIR",
            settings.metadata.display()
        );
    }
    let (tree, _) = read_tree(&settings)?;
    let now = Content::of(
        &tree,
        PlanSettings {
            allow_delete: content.settings.allow_delete,
            locales: content.settings.locales.clone(),
            fields: content.settings.fields.clone(),
            ..settings.plan_settings(false, &Targeting::default())
        },
        key,
    );
    let differences = content.differences(&now);
    if !differences.is_empty() {
        return Ok(differences);
    }
    Ok(crate::plan::unfollowed(plan, &tree, &content.settings, key))
}

/// Prints why a saved plan was refused, says so in GitHub, exits 4.
fn refuse(text: &str, github: Option<&Github>) -> anyhow::Result<Outcome> {
    eprint!("{text}");
    if let Some(gh) = github {
        gh.append_summary(&format!(
            "### asc-sync apply refused the saved plan\n\n```text\n{text}```\n"
        ))?;
        gh.set_outputs(&[
            ("stale", "true".into()),
            ("applied", "0".into()),
            ("failed", "0".into()),
            ("skipped", "0".into()),
            ("already_applied", "0".into()),
        ])?;
    }
    Ok(Outcome::Stale)
}

/// `--expect-commit` refuses a plan made from another commit; without it,
/// a plan made from a commit other than HEAD is applied with a note (its
/// files were checked: a merge, squash or rebase keeps them).
pub(crate) fn check_commit(plan: &Plan, expected: Option<&str>) -> anyhow::Result<()> {
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
    if let (Some(made_from), Some(head)) = (made_from, crate::gitinfo::head(Path::new(".")))
        && head.commit != made_from
    {
        let (made_from, head) = (short(made_from), short(&head.commit));
        if plan.content.is_some() {
            eprintln!(
                "note: the plan was made from commit {made_from}, HEAD is {head}: its files are compared with the tree here instead"
            );
        } else {
            eprintln!(
                "warning: the plan was made from commit {made_from}, but HEAD is {head}; applying the plan as it was reviewed"
            );
        }
    }
    Ok(())
}

/// The first 12 characters of a commit id, for messages; a plan file is
/// user input, so its `commit` may hold anything.
fn short(commit: &str) -> String {
    commit.chars().take(12).collect()
}
