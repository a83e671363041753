//! `plan` over several apps: every tree read and validated, every live
//! listing read concurrently through its key's client, one plan per app,
//! printed in sections and saved as one file.

use super::{App, Keys, connect, error_text, marker_label, resolve, worst};
use crate::cli::{GlobalArgs, PlanArgs, PlanFormat};
use crate::commands::reconcile::{PlanFlags, color, load_tree, plan_tree, record_git, runtime};
use crate::commands::{Outcome, print};
use crate::config::Config;
use crate::github::Github;
use crate::plan::{AppOutcome, AppPlan, AppsPlan, TreeView, app_info_disagreement};
use crate::render;
use crate::targeting::Targeting;
use crate::tree::MetadataTree;
use anyhow::Context;
use std::collections::HashSet;
use std::path::PathBuf;

pub(crate) fn plan(global: &GlobalArgs, args: &PlanArgs, config: Config) -> anyhow::Result<Outcome> {
    let targeting = Targeting::parse(&args.targeting.locales, &args.targeting.fields)?;
    let mut apps = resolve(&config, &args.apps.names, &args.target, &args.connection)?;
    for app in &mut apps {
        app.settings.tree.ignore(&args.findings.ignore)?;
    }
    let github = Github::detect(args.github.github, args.github.no_github);
    // A bad base is a usage error: said before any request is sent.
    let changed = match &args.changed_since {
        Some(base) => Some(changed_since(&apps, base)?),
        None => None,
    };
    let flags = PlanFlags {
        allow_delete: args.allow_delete,
        allow_destructive: args.allow_destructive,
        targeting,
    };
    let (entries, keys) = plan_apps(&apps, &flags, github.as_ref(), args.github.no_annotations)?;
    let mut doc = AppsPlan::new(&config.display_path(), entries, keys.uses());
    for (app, entry) in apps.iter().zip(&mut doc.apps) {
        let Some(plan) = &mut entry.plan else { continue };
        record_git(plan, &app.settings.tree.metadata, app.settings.tree.rev.as_deref());
        if let (Some(base), Some(changed)) = (&args.changed_since, &changed) {
            plan.mark_origins(base, changed);
        }
    }
    save(&doc, args.out.as_ref())?;
    print(&render_plan(&doc, args.format, color(global)))?;
    let markdown = || render::apps::plan_markdown(&doc);
    if let Some(path) = &args.comment_out {
        let body = crate::github::comment_body(&marker_label(&config, &args.apps.names), &markdown());
        std::fs::write(path, body).with_context(|| format!("cannot write {}", path.display()))?;
    }
    if let Some(gh) = &github {
        gh.append_summary(&markdown())?;
        gh.set_outputs(&outputs(&doc, args.out.as_ref()))?;
    }
    Ok(worst(doc.apps.iter().map(|a| match a.outcome {
        AppOutcome::Error => Outcome::Failure,
        AppOutcome::Changes if args.detailed_exitcode => Outcome::Changes,
        _ => Outcome::Success,
    })))
}

/// Writes the plan file, only when every app was planned: a file that
/// leaves an app out would apply without it.
fn save(doc: &AppsPlan, out: Option<&PathBuf>) -> anyhow::Result<()> {
    let Some(out) = out else { return Ok(()) };
    if doc.summary.failed > 0 {
        let failed: Vec<&str> = doc
            .apps
            .iter()
            .filter(|a| a.plan.is_none())
            .map(|a| a.name.as_str())
            .collect();
        eprintln!(
            "error: the plan was not saved to {}: {} could not be planned (see above). Fix that and plan again",
            out.display(),
            failed.join(", ")
        );
        return Ok(());
    }
    std::fs::write(out, doc.to_json()).with_context(|| format!("cannot write {}", out.display()))
}

/// The files each app's tree changed since `base`, all in one set (the
/// paths name their tree).
fn changed_since(apps: &[App], base: &str) -> anyhow::Result<HashSet<PathBuf>> {
    let mut all = HashSet::new();
    for app in apps {
        all.extend(crate::gitinfo::changed_since(&app.settings.tree.metadata, base)?);
    }
    Ok(all)
}

pub(crate) fn render_plan(doc: &AppsPlan, format: PlanFormat, color: bool) -> String {
    match format {
        PlanFormat::Text => render::apps::plan_text(doc, color),
        PlanFormat::Markdown => render::apps::plan_markdown(doc),
        PlanFormat::Json => doc.to_json(),
    }
}

/// The step outputs: the totals as for one app, and `apps`, each app's
/// outcome and counts as JSON (`fromJSON(steps.plan.outputs.apps).main.has_changes`).
fn outputs(doc: &AppsPlan, out: Option<&PathBuf>) -> Vec<(&'static str, String)> {
    let s = &doc.summary;
    let saved = out.filter(|_| s.failed == 0);
    let apps: serde_json::Map<String, serde_json::Value> = doc
        .apps
        .iter()
        .map(|a| {
            let counts = a.plan.as_ref().map(|p| &p.summary);
            let value = serde_json::json!({
                "outcome": a.outcome,
                "has_changes": a.plan.as_ref().is_some_and(|p| p.has_changes),
                "create": counts.map_or(0, |c| c.create),
                "update": counts.map_or(0, |c| c.update),
                "delete": counts.map_or(0, |c| c.delete),
                "blocked": counts.map_or(0, |c| c.blocked),
            });
            (a.name.clone(), value)
        })
        .collect();
    vec![
        ("has_changes", doc.has_changes.to_string()),
        ("plan_path", saved.map(|p| p.display().to_string()).unwrap_or_default()),
        ("create", s.create.to_string()),
        ("update", s.update.to_string()),
        ("delete", s.delete.to_string()),
        ("blocked", s.blocked.to_string()),
        ("apps", serde_json::Value::Object(apps).to_string()),
    ]
}

/// How the `later`th app's tree disagrees with an earlier one's about the
/// app info of the app both list (one for every platform), if it does.
fn disagreement(apps: &[App], trees: &[Result<MetadataTree, String>], later: usize) -> Option<String> {
    let view = |i: usize| {
        let tree = trees[i].as_ref().ok()?;
        Some(TreeView {
            tree,
            blank_files: apps[i].settings.tree.blank_files,
        })
    };
    let mine = view(later)?;
    let bundle_id = &apps[later].target().bundle_id;
    (0..later)
        .filter(|&i| apps[i].target().bundle_id == *bundle_id)
        .find_map(|i| app_info_disagreement(bundle_id, &mine, &view(i)?, &apps[i].name))
}

/// Reads and validates every app's tree, connects once per key, and plans
/// every app whose tree and key are good, concurrently. An app that
/// cannot be planned gets its reason; the others are planned all the same.
pub(crate) fn plan_apps(
    apps: &[App],
    flags: &PlanFlags,
    github: Option<&Github>,
    no_annotations: bool,
) -> anyhow::Result<(Vec<AppPlan>, Keys)> {
    let mut trees: Vec<Result<MetadataTree, String>> = apps
        .iter()
        .map(|app| match load_tree(&app.settings.tree, github, no_annotations) {
            Ok(Ok(tree)) => Ok(tree),
            Ok(Err(_)) => Err(format!(
                "{} has errors (listed above, and by asc-sync validate); nothing was sent for this app",
                app.settings.tree.metadata.display()
            )),
            Err(e) => Err(error_text(&e)),
        })
        .collect();
    for later in 1..apps.len() {
        if let Some(disagreement) = disagreement(apps, &trees, later) {
            trees[later] = Err(disagreement);
        }
    }
    let keys = connect(apps);
    let planned = runtime()?.block_on(futures::future::join_all(apps.iter().enumerate().map(|(i, app)| {
        let (tree, keys) = (&trees[i], &keys);
        async move {
            let tree = tree.as_ref().map_err(Clone::clone)?;
            let key = keys.of(i)?;
            plan_tree(&app.settings, &key.client, &key.digest, tree, flags)
                .await
                .map_err(|e| error_text(&e))
        }
    })));
    let mut entries: Vec<AppPlan> = apps
        .iter()
        .zip(planned)
        .map(|(app, result)| {
            let id = app.id();
            match result {
                Ok(plan) => AppPlan::planned(&app.name, plan),
                Err(error) => AppPlan::failed(&app.name, &id.bundle_id, &id.platform, error),
            }
        })
        .collect();
    crate::plan::settle_shared_app_info(&mut entries);
    Ok((entries, keys))
}
