//! `apply` over several apps: a saved plan of several apps applied as a
//! unit, each app's part checked on its own (a part that names another
//! app than its entry, does not follow from its tree, or whose live
//! values moved, applies nothing and says so; the others apply), or every
//! app planned and applied in one go. Writes go out concurrently, each
//! app's through its key's client.

use super::plan::plan_apps;
use super::{App, Keys, connect, error_text, marker_label, refuse_one_app_flags, resolve, worst};
use crate::apply::{self, ApplyReport, Remaining};
use crate::apps::{AppApply, AppId, ApplyOutcome, AppsApply, Halt};
use crate::cli::{ApplyArgs, GlobalArgs, ReportFormat};
use crate::commands::reconcile::{PlanFlags, color, confirmed, read_plan, runtime};
use crate::commands::saved::{check_commit, live_remaining, same_target, unbound};
use crate::commands::{Outcome, print};
use crate::config::Config;
use crate::github::Github;
use crate::plan::{AppPlan, AppsPlan, Plan, SavedPlan};
use crate::render;
use crate::settings::Settings;
use crate::targeting::Targeting;
use anyhow::Context;
use std::io::IsTerminal;
use std::path::Path;

pub(crate) fn apply(global: &GlobalArgs, args: &ApplyArgs, config: Config) -> anyhow::Result<Outcome> {
    if let Some(path) = &args.plan {
        return saved(args, config, path);
    }
    let mut apps = resolve(&config, &args.apps.names, &args.target, &args.connection)?;
    for app in &mut apps {
        app.settings.tree.ignore(&args.findings.ignore)?;
    }
    let github = Github::detect(args.github.github, args.github.no_github);
    let flags = PlanFlags {
        allow_delete: args.allow_delete,
        allow_destructive: args.allow_destructive,
        targeting: Targeting::parse(&args.targeting.locales, &args.targeting.fields)?,
    };
    let (entries, keys) = plan_apps(&apps, &flags, github.as_ref(), args.github.no_annotations)?;
    let doc = AppsPlan::new(&config.display_path(), entries, Vec::new());
    // The plans go to stderr here: stdout carries the report.
    eprint!(
        "{}",
        render::apps::plan_text(&doc, color(global) && std::io::stderr().is_terminal())
    );
    if doc.has_changes && !confirmed(args.auto_approve)? {
        return Ok(Outcome::Failure);
    }
    let runs = doc.apps.iter().enumerate().map(|(i, entry)| {
        let keys = &keys;
        async move {
            let plan = entry.plan.as_ref().ok_or_else(|| halted(entry))?;
            let key = keys.of(i).map_err(Halt::Error)?;
            Ok(send(&entry.name, key, plan, Remaining::all(plan)).await)
        }
    });
    let results = runtime()?.block_on(futures::future::join_all(runs));
    let ids = apps.iter().map(App::id);
    finish(&config, args, github.as_ref(), report(&config, ids, results, &keys))
}

/// Why an app could not be planned, as the reason its apply stopped.
fn halted(entry: &AppPlan) -> Halt {
    Halt::Error(entry.error.clone().unwrap_or_else(|| "not planned".into()))
}

/// Sends what is left of one app's plan, each finished write on stderr
/// under the app's name.
async fn send(name: &str, key: &super::Key, plan: &Plan, remaining: Remaining) -> ApplyReport {
    apply::execute(key.client.clone(), plan, remaining, &key.digest, |r| {
        eprintln!("{name}: {}", render::report::result_line(r));
    })
    .await
}

fn report(
    config: &Config,
    ids: impl Iterator<Item = AppId>,
    results: Vec<Result<ApplyReport, Halt>>,
    keys: &Keys,
) -> AppsApply {
    let apps = ids.zip(results).map(|(id, r)| AppApply::new(id, r)).collect();
    AppsApply::new(&config.display_path(), apps, keys.uses())
}

/// Applies a saved plan of several apps, each part on its own.
fn saved(args: &ApplyArgs, config: Config, path: &Path) -> anyhow::Result<Outcome> {
    let doc = match read_plan(path)? {
        SavedPlan::Apps(doc) => doc,
        SavedPlan::One(plan) => anyhow::bail!(
            "{} is a plan of one app ({} on {}), but {} lists several ([[apps]]); nothing was sent. Make the plan again with this file (asc-sync plan --out plan.json)",
            path.display(),
            plan.source.bundle_id,
            plan.source.platform,
            config.display_path()
        ),
    };
    refuse_one_app_flags(&config, &args.target)?;
    let targeting = Targeting::parse(&args.targeting.locales, &args.targeting.fields)?;
    let parts = parts(&doc, &args.apps.names, path)?;
    // Every part was made in one run, from one commit.
    if let Some((_, plan)) = parts.first() {
        check_commit(plan, args.expect_commit.as_deref())?;
    }
    let github = Github::detect(args.github.github, args.github.no_github);
    let resolved: Vec<Result<App, Halt>> = parts
        .iter()
        .map(|(entry, plan)| part_app(&config, entry, plan, args, &targeting))
        .collect();
    let (apps, of_part) = split(resolved);
    let keys = connect(&apps);
    let checked: Vec<Result<usize, Halt>> = of_part
        .into_iter()
        .zip(&parts)
        .map(|(app, (_, plan))| bound(app?, &apps, &keys, plan, args, path))
        .collect();
    let runs = checked.into_iter().zip(&parts).map(|(app, (entry, plan))| {
        let keys = &keys;
        async move {
            let key = keys.of(app?).map_err(Halt::Error)?;
            let remaining = match live_remaining(&key.client, plan, &key.digest).await {
                Ok(Ok(remaining)) => remaining,
                Ok(Err(stale)) => return Err(Halt::Refused(stale)),
                Err(e) => return Err(Halt::Error(error_text(&e))),
            };
            Ok(send(&entry.name, key, plan, remaining).await)
        }
    });
    let results = runtime()?.block_on(futures::future::join_all(runs));
    let ids = parts.iter().map(|(entry, _)| AppId {
        name: entry.name.clone(),
        bundle_id: entry.bundle_id.clone(),
        platform: entry.platform.clone(),
    });
    finish(&config, args, github.as_ref(), report(&config, ids, results, &keys))
}

/// The parts of the plan to apply: those `--app` names, else all.
fn parts<'a>(doc: &'a AppsPlan, names: &[String], path: &Path) -> anyhow::Result<Vec<(&'a AppPlan, &'a Plan)>> {
    if let Some(unknown) = names.iter().find(|n| !doc.apps.iter().any(|a| &a.name == *n)) {
        let held: Vec<&str> = doc.apps.iter().map(|a| a.name.as_str()).collect();
        anyhow::bail!(
            "--app {unknown}: {} holds no plan for that app; it holds {}. Nothing was sent",
            path.display(),
            held.join(", ")
        );
    }
    Ok(doc
        .apps
        .iter()
        .filter(|a| names.is_empty() || names.contains(&a.name))
        .filter_map(|a| a.plan.as_ref().map(|p| (a, p)))
        .collect())
}

/// The settings of the app a part was made for, by its name in
/// `asc-sync.toml`; refused when the entry now names another app,
/// platform or version than the part's (nothing is sent for it).
fn part_app(
    config: &Config,
    entry: &AppPlan,
    plan: &Plan,
    args: &ApplyArgs,
    targeting: &Targeting,
) -> Result<App, Halt> {
    let own = config.apps.iter().find(|a| a.name == entry.name).ok_or_else(|| {
        Halt::Error(format!(
            "{} lists no app named {} any more, so its part of the plan is not applied; nothing was sent for it",
            config.display_path(),
            entry.name
        ))
    })?;
    let error = |e: anyhow::Error| Halt::Error(error_text(&e));
    let mut settings = Settings::of_app(config.for_app(own), &args.target, &args.connection).map_err(error)?;
    settings.tree.ignore(&args.findings.ignore).map_err(error)?;
    same_target(plan, &settings.given, targeting).map_err(error)?;
    Ok(App {
        name: entry.name.clone(),
        settings,
    })
}

/// The apps that resolved, and for each part the index of its app.
fn split(resolved: Vec<Result<App, Halt>>) -> (Vec<App>, Vec<Result<usize, Halt>>) {
    let mut apps = Vec::new();
    let mut of_part = Vec::new();
    for r in resolved {
        of_part.push(r.map(|app| {
            apps.push(app);
            apps.len() - 1
        }));
    }
    (apps, of_part)
}

/// The app's index when its part follows from its tree here; the text of
/// why not otherwise.
fn bound(app: usize, apps: &[App], keys: &Keys, plan: &Plan, args: &ApplyArgs, path: &Path) -> Result<usize, Halt> {
    let key = keys.of(app).map_err(Halt::Error)?;
    match unbound(plan, &apps[app].settings.tree, args, &key.digest, path) {
        Ok(None) => Ok(app),
        Ok(Some(text)) => Err(Halt::Refused(text)),
        Err(e) => Err(Halt::Error(error_text(&e))),
    }
}

/// Prints the report, writes the comment, the job summary and the step
/// outputs, and maps the worst app's result to the exit code.
fn finish(config: &Config, args: &ApplyArgs, github: Option<&Github>, doc: AppsApply) -> anyhow::Result<Outcome> {
    if args.format == ReportFormat::Json {
        // The JSON holds it too; a reader of the log should see it.
        for app in &doc.apps {
            if let Some(text) = app.refused.as_ref().or(app.error.as_ref()) {
                eprintln!("{}: {}", app.app.name, text.trim_end());
            }
        }
    }
    print(&match args.format {
        ReportFormat::Text => render::apps::apply_text(&doc),
        ReportFormat::Json => render::apps::apply_json(&doc),
    })?;
    if let Some(path) = &args.comment_out {
        let body = crate::github::comment_body(
            &marker_label(config, &args.apps.names),
            &render::apps::apply_markdown(&doc),
        );
        std::fs::write(path, body).with_context(|| format!("cannot write {}", path.display()))?;
    }
    if let Some(gh) = github {
        gh.append_summary(&render::apps::apply_markdown(&doc))?;
        gh.set_outputs(&outputs(&doc))?;
    }
    Ok(worst(doc.apps.iter().map(|a| match a.outcome {
        ApplyOutcome::Applied => Outcome::Success,
        ApplyOutcome::Partial => Outcome::Partial,
        ApplyOutcome::Refused => Outcome::Stale,
        ApplyOutcome::Error => Outcome::Failure,
    })))
}

/// The totals as for one app (`stale` when any app's part was refused),
/// and `apps`: each app's outcome and counts, as JSON.
fn outputs(doc: &AppsApply) -> Vec<(&'static str, String)> {
    let s = &doc.summary.changes;
    let apps: serde_json::Map<String, serde_json::Value> = doc
        .apps
        .iter()
        .map(|a| {
            let counts = a.report.as_ref().map(|r| r.summary.clone()).unwrap_or_default();
            let value = serde_json::json!({
                "outcome": a.outcome,
                "applied": counts.applied,
                "failed": counts.failed,
                "skipped": counts.skipped,
                "already_applied": counts.already_applied,
            });
            (a.app.name.clone(), value)
        })
        .collect();
    vec![
        ("stale", (doc.summary.refused > 0).to_string()),
        ("applied", s.applied.to_string()),
        ("failed", s.failed.to_string()),
        ("skipped", s.skipped.to_string()),
        ("already_applied", s.already_applied.to_string()),
        ("apps", serde_json::Value::Object(apps).to_string()),
    ]
}
