//! `apply`: without a saved plan, every app of the run planned as `plan`
//! plans it, shown, confirmed, and written; with one (`apply plan.json`),
//! the plan that was reviewed and nothing else.
//!
//! A saved plan is checked app by app before any request: a run that
//! names another app, platform or version than the plan's (a job for app
//! B must not write app A's plan), or a tree the plan does not follow from
//! (other files, other settings, a hand-edited `after`), is refused, exit
//! 4, nothing written for that app. Then the resources the plan writes
//! are read again, by id, and only what is not live yet is sent, so a
//! re-run writes nothing and a run killed midway is finished by the next.
//! Writes go out concurrently, each app's through its key's client.

use super::emit::{Emit, by_app};
use super::plan::{PlanFlags, color, document, plan_apps, read_plan, runtime};
use super::run::{Key, Run, error_text, worst};
use super::{Outcome, read_tree};
use crate::apply::{self, ApplyReport, Remaining};
use crate::apps::{AppApply, AppId, ApplyOutcome, AppsApply, Halt};
use crate::cli::{ApplyArgs, GlobalArgs, ReportFormat};
use crate::client::Client;
use crate::github::Github;
use crate::live::VersionSelector;
use crate::plan::media::DesiredMedia;
use crate::plan::secret::{DigestKey, is_salted};
use crate::plan::{AppPlan, AppsPlan, Content, Plan, PlanSettings, SavedPlan};
use crate::render;
use crate::settings::{GivenTarget, TreeSettings};
use crate::targeting::Targeting;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub fn apply(global: &GlobalArgs, args: ApplyArgs) -> anyhow::Result<Outcome> {
    if let Some(path) = &args.plan {
        return saved(global, &args, path);
    }
    let targeting = Targeting::parse(&args.targeting.locales, &args.targeting.fields)?;
    let mut run = Run::resolve(global, &args.apps, &args.target, &args.connection, true)?;
    run.ignore(&args.findings.ignore)?;
    let github = Github::detect(args.github.github, args.github.no_github);
    let flags = PlanFlags {
        allow_delete: args.allow_delete,
        allow_destructive: args.allow_destructive,
        targeting,
    };
    let (planned, keys) = plan_apps(&run.apps, &flags, github.as_ref(), args.github.no_annotations)?;
    let (doc, stops) = document(&run, planned, &keys);
    if !run.listed
        && let Some(stop) = stops.into_iter().next()
    {
        return stop.end();
    }
    // The plans go to stderr here: stdout carries the report.
    let color = color(global) && std::io::stderr().is_terminal();
    eprint!(
        "{}",
        match only(&run, &doc) {
            Some(plan) => render::plan::text(plan, color),
            None => render::plan::apps_text(&doc, color),
        }
    );
    if doc.has_changes && !super::confirmed(args.auto_approve)? {
        return Ok(Outcome::Failure);
    }
    let runs = doc.apps.iter().enumerate().map(|(i, entry)| {
        let (keys, run) = (&keys, &run);
        async move {
            let plan = entry.plan.as_ref().ok_or_else(|| halted(entry))?;
            let key = keys.of(i).map_err(Halt::Error)?;
            Ok(send(run, &entry.name, key, plan, Remaining::all(plan)).await)
        }
    });
    let results = runtime()?.block_on(futures::future::join_all(runs));
    let parts: Vec<(AppId, Option<&Plan>)> = run
        .apps
        .iter()
        .zip(&doc.apps)
        .map(|(app, entry)| (app.id(), entry.plan.as_ref()))
        .collect();
    finish(&run, &args, github.as_ref(), parts, results, keys.uses())
}

/// The one plan of a run of the implicit app.
fn only<'a>(run: &Run, doc: &'a AppsPlan) -> Option<&'a Plan> {
    match &doc.apps[..] {
        [AppPlan { plan: Some(plan), .. }] if !run.listed => Some(plan),
        _ => None,
    }
}

/// Why an app could not be planned, as the reason its apply stopped.
fn halted(entry: &AppPlan) -> Halt {
    Halt::Error(entry.error.clone().unwrap_or_else(|| "not planned".into()))
}

/// Sends what is left of one app's plan: a progress bar for the implicit
/// app on a terminal, else each finished write on stderr (under the app's
/// name in a list).
async fn send(run: &Run, name: &str, key: &Key, plan: &Plan, remaining: Remaining) -> ApplyReport {
    let prefix = if run.listed { format!("{name}: ") } else { String::new() };
    run_apply(key.client.clone(), plan, remaining, &key.digest, &prefix).await
}

/// Applies what is left of a plan with a progress bar on a terminal (when
/// no `prefix` names the app), one line per write otherwise.
pub(crate) async fn run_apply(
    client: Arc<Client>,
    plan: &Plan,
    remaining: Remaining,
    key: &DigestKey,
    prefix: &str,
) -> ApplyReport {
    let on_terminal = prefix.is_empty() && std::io::stderr().is_terminal();
    let sets = remaining.media.len() + remaining.media_done.len();
    let upload_bytes: u64 = remaining.media.iter().map(|c| c.upload_bytes()).sum();
    let bars = on_terminal.then(|| {
        let multi = indicatif::MultiProgress::new();
        let style = |template: &str| {
            indicatif::ProgressStyle::with_template(template)
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        };
        let total = plan.changes.len() + sets + plan.products.len() + plan.release.len();
        let changes = multi.add(indicatif::ProgressBar::new(total as u64));
        changes.set_style(style("{bar:30} {pos}/{len} {msg}"));
        let bytes = (upload_bytes > 0).then(|| {
            let bar = multi.add(indicatif::ProgressBar::new(upload_bytes));
            bar.set_style(style("{bar:30} {bytes}/{total_bytes} uploaded, {bytes_per_sec}"));
            bar
        });
        (multi, changes, bytes)
    });
    let sent = crate::client::UploadProgress::default();
    let line = |text: String| match &bars {
        Some((_, bar, _)) => {
            bar.inc(1);
            bar.set_message(text);
        }
        None => eprintln!("{prefix}{text}"),
    };
    let on_media = |r: &apply::MediaResult| line(render::report::media_line(r));
    let on_product = |r: &apply::ProductResult| line(render::report::product_line(r));
    let on_release = |r: &apply::ReleaseResult| line(render::report::release_line(r));
    let applying = apply::execute_all(
        client,
        plan,
        remaining,
        key,
        |r| line(render::report::result_line(r)),
        &on_media,
        &on_product,
        &on_release,
        &sent,
    );
    let report = match bars.as_ref().and_then(|(_, _, bytes)| bytes.as_ref()) {
        Some(bytes) => {
            tokio::pin!(applying);
            loop {
                tokio::select! {
                    report = &mut applying => break report,
                    _ = tokio::time::sleep(std::time::Duration::from_millis(100)) => {
                        bytes.set_position(sent.bytes.load(std::sync::atomic::Ordering::Relaxed));
                    }
                }
            }
        }
        None => applying.await,
    };
    if let Some((multi, changes, bytes)) = bars {
        changes.finish_and_clear();
        if let Some(bytes) = bytes {
            bytes.finish_and_clear();
        }
        let _ = multi.clear();
    }
    report
}

/// Applies a saved plan: one app's, or a part per app of a list, each
/// checked on its own.
fn saved(global: &GlobalArgs, args: &ApplyArgs, path: &Path) -> anyhow::Result<Outcome> {
    let saved = read_plan(path)?;
    let targeting = Targeting::parse(&args.targeting.locales, &args.targeting.fields)?;
    let mut run = Run::resolve(global, &args.apps, &args.target, &args.connection, false)?;
    run.ignore(&args.findings.ignore)?;
    let parts: Vec<(String, Plan)> = match (saved, run.listed) {
        (SavedPlan::One(mut plan), false) => {
            if let Some(metadata) = &args.target.metadata {
                relocate(&mut plan, &metadata.display().to_string());
            }
            vec![(run.apps[0].name.clone(), *plan)]
        }
        (SavedPlan::Apps(doc), true) => parts(&doc, &args.apps.names, path)?,
        (SavedPlan::Apps(doc), false) => anyhow::bail!(
            "{} is a plan of several apps ({}), but no asc-sync.toml here lists [[apps]]; nothing was sent. Apply it with the settings file that made it ({}, or --config FILE)",
            path.display(),
            doc.apps.iter().map(|a| a.name.as_str()).collect::<Vec<_>>().join(", "),
            doc.config
        ),
        (SavedPlan::One(plan), true) => anyhow::bail!(
            "{} is a plan of one app ({} on {}), but {} lists several ([[apps]]); nothing was sent. Make the plan again with this file (asc-sync plan --out plan.json)",
            path.display(),
            plan.source.bundle_id,
            plan.source.platform,
            run.config.display_path()
        ),
    };
    run.apps.retain(|a| parts.iter().any(|(name, _)| *name == a.name));
    let of_part: Vec<Result<usize, Halt>> = parts
        .iter()
        .map(|(name, plan)| part_app(&run, name, plan, &targeting))
        .collect();
    if !run.listed
        && let Some(Err(Halt::Error(text))) = of_part.first()
    {
        anyhow::bail!("{text}");
    }
    // Every part was made in one run, from one commit.
    if let Some((_, plan)) = parts.first() {
        check_commit(plan, args.expect_commit.as_deref())?;
    }
    let github = Github::detect(args.github.github, args.github.no_github);
    let keys = super::run::connect(&run.apps);
    let checked: Vec<Result<(usize, DesiredMedia), Halt>> = of_part
        .into_iter()
        .zip(&parts)
        .map(|(app, (_, plan))| {
            let app = app?;
            let key = keys.of(app).map_err(Halt::Error)?;
            match unbound(plan, &run.apps[app].settings.tree, args, &key.digest, path) {
                Ok(Ok(desired)) => Ok((app, desired)),
                Ok(Err(text)) => Err(Halt::Refused(text)),
                Err(e) => Err(Halt::Error(error_text(&e))),
            }
        })
        .collect();
    if !run.listed
        && let Some(Err(Halt::Error(text))) = checked.first()
    {
        anyhow::bail!("{text}");
    }
    let runs = checked.into_iter().zip(&parts).map(|(app, (name, plan))| {
        let (keys, run) = (&keys, &run);
        async move {
            let (app, desired) = app?;
            let key = keys.of(app).map_err(Halt::Error)?;
            let remaining = match live_remaining(&key.client, plan, &key.digest, &desired).await {
                Ok(Ok(remaining)) => remaining,
                Ok(Err(stale)) => return Err(Halt::Refused(stale)),
                Err(e) => return Err(Halt::Error(error_text(&e))),
            };
            Ok(send(run, name, key, plan, remaining).await)
        }
    });
    let results = runtime()?.block_on(futures::future::join_all(runs));
    let ids = parts.iter().map(|(name, plan)| {
        let id = AppId {
            name: name.clone(),
            bundle_id: plan.source.bundle_id.clone(),
            platform: plan.source.platform,
        };
        (id, Some(plan))
    });
    finish(&run, args, github.as_ref(), ids.collect(), results, keys.uses())
}

/// The parts of a list's plan to apply: those `--app` names, else all.
fn parts(doc: &AppsPlan, names: &[String], path: &Path) -> anyhow::Result<Vec<(String, Plan)>> {
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
        .filter_map(|a| Some((a.name.clone(), a.plan.clone()?)))
        .collect())
}

/// The index of the app a part was made for, by its name; refused when
/// the settings file lists it no more, or it now names another app,
/// platform or version than the part's (nothing is sent for it).
fn part_app(run: &Run, name: &str, plan: &Plan, targeting: &Targeting) -> Result<usize, Halt> {
    let i = run.apps.iter().position(|a| a.name == name).ok_or_else(|| {
        Halt::Error(format!(
            "{} lists no app named {name} any more, so its part of the plan is not applied; nothing was sent for it",
            run.config.display_path(),
        ))
    })?;
    same_target(plan, &run.apps[i].settings.given, targeting).map_err(|e| Halt::Error(error_text(&e)))?;
    Ok(i)
}

/// Prints the report, writes the comment, the job summary and the step
/// outputs, and maps the worst app's result to the exit code.
fn finish(
    run: &Run,
    args: &ApplyArgs,
    github: Option<&Github>,
    parts: Vec<(AppId, Option<&Plan>)>,
    results: Vec<Result<ApplyReport, Halt>>,
    keys: Vec<crate::plan::KeyUse>,
) -> anyhow::Result<Outcome> {
    let plan = parts.first().and_then(|(_, p)| *p);
    let apps = parts
        .iter()
        .zip(results)
        .map(|((id, _), r)| AppApply::new(id.clone(), r));
    let doc = AppsApply::new(&run.config.display_path(), apps.collect(), keys);
    let outcome = worst(doc.apps.iter().map(|a| match a.outcome {
        ApplyOutcome::Applied => Outcome::Success,
        ApplyOutcome::Partial => Outcome::Partial,
        ApplyOutcome::Refused => Outcome::Stale,
        ApplyOutcome::Error => Outcome::Failure,
    }));
    let emit = match (&doc.apps[..], plan, run.listed) {
        ([one], Some(plan), false) => one_app(one, plan, args, outcome)?,
        _ => {
            if args.format == ReportFormat::Json {
                // The JSON holds it too; a reader of the log should see it.
                for app in &doc.apps {
                    if let Some(text) = app.refused.as_ref().or(app.error.as_ref()) {
                        eprintln!("{}: {}", app.app.name, text.trim_end());
                    }
                }
            }
            let stdout = match args.format {
                ReportFormat::Text => render::report::apps_text(&doc),
                ReportFormat::Json => render::report::apps_json(&doc),
            };
            let markdown = render::report::apps_markdown(&doc);
            Emit::new(stdout, markdown, outputs(run, &doc), outcome)
                .comment(args.comment_out.as_ref(), run.marker_label(""))
        }
    };
    emit.run(github)
}

/// The implicit app's report: its own document, or why its saved plan was
/// refused (on stderr, exit 4).
fn one_app(app: &AppApply, plan: &Plan, args: &ApplyArgs, outcome: Outcome) -> anyhow::Result<Emit> {
    let report = match (&app.report, &app.refused, &app.error) {
        (Some(report), _, _) => report,
        (None, Some(text), _) => {
            let mut doc = AppsApply::new("", Vec::new(), Vec::new());
            doc.summary.refused = 1;
            let markdown = format!("### asc-sync apply refused the saved plan\n\n```text\n{text}```\n");
            let mut emit = Emit::new(String::new(), markdown, outputs_of(&doc, false), outcome);
            emit.stderr = text.clone();
            return Ok(emit);
        }
        (None, None, error) => anyhow::bail!("{}", error.as_deref().unwrap_or("not applied")),
    };
    let stdout = match args.format {
        ReportFormat::Text
            if report.results.is_empty()
                && report.media.is_empty()
                && report.products.is_empty()
                && report.release.is_empty() =>
        {
            format!("{}\n", render::plan::summary_line(plan))
        }
        ReportFormat::Text => render::report::text(report),
        ReportFormat::Json => render::report::json(report),
    };
    let doc = AppsApply::new("", vec![app.clone()], Vec::new());
    Ok(Emit::new(
        stdout,
        render::report::markdown(report),
        outputs_of(&doc, false),
        outcome,
    )
    .comment(args.comment_out.as_ref(), plan.source.bundle_id.clone()))
}

fn outputs(run: &Run, doc: &AppsApply) -> Vec<(&'static str, String)> {
    outputs_of(doc, run.listed)
}

/// The totals (`stale` when any app's part was refused), and for a list
/// `apps`: each app's outcome and counts, as JSON.
fn outputs_of(doc: &AppsApply, listed: bool) -> Vec<(&'static str, String)> {
    let s = &doc.summary.changes;
    let mut outputs = vec![
        ("stale", (doc.summary.refused > 0).to_string()),
        ("applied", s.applied.to_string()),
        ("failed", s.failed.to_string()),
        ("skipped", s.skipped.to_string()),
        ("already_applied", s.already_applied.to_string()),
    ];
    if listed {
        let apps = doc.apps.iter().map(|a| {
            let counts = a.report.as_ref().map(|r| r.summary.clone()).unwrap_or_default();
            let value = serde_json::json!({
                "outcome": a.outcome,
                "applied": counts.applied,
                "failed": counts.failed,
                "skipped": counts.skipped,
                "already_applied": counts.already_applied,
            });
            (a.app.name.clone(), value)
        });
        outputs.push(("apps", by_app(apps)));
    }
    outputs
}

/// Why the saved plan does not follow from the tree here (the text to
/// print), or the screenshots and previews the tree has (what uploads
/// read). Warns of a plan without digests, and of salted digests of the
/// demo password.
fn unbound(
    plan: &Plan,
    tree: &TreeSettings,
    args: &ApplyArgs,
    key: &DigestKey,
    path: &Path,
) -> anyhow::Result<Result<DesiredMedia, String>> {
    let mut desired = DesiredMedia::new();
    match &plan.content {
        Some(content) => {
            let (differences, media) = differences(plan, content, tree, args, key)?;
            if !differences.is_empty() {
                return Ok(Err(render::report::unbound_text(plan, &differences)));
            }
            desired = media;
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
    Ok(Ok(desired))
}

/// Reads again the live state the plan writes and sorts each planned
/// value: what is left to send, or why the plan is stale (the text to print).
async fn live_remaining(
    client: &Client,
    plan: &Plan,
    key: &DigestKey,
    desired: &DesiredMedia,
) -> anyhow::Result<Result<apply::Remaining, String>> {
    // Only what the plan writes, by id, in one round.
    let (live, media) = tokio::try_join!(
        async { Ok::<_, anyhow::Error>(apply::reread(client, plan).await?) },
        async { Ok(apply::reread_media(client, plan).await?) }
    )?;
    let stale = |stale: Vec<apply::Stale>| render::report::stale_text(&stale);
    let mut left = match apply::remaining(plan, &live, key) {
        Ok(left) => left,
        Err(s) => return Ok(Err(stale(s))),
    };
    if let Err(s) = apply::media_remaining(plan, &live, desired, &media, &mut left) {
        return Ok(Err(stale(s)));
    }
    if plan.release.iter().any(|c| !c.is_blocked()) {
        let phased = match plan
            .release
            .iter()
            .any(|c| c.setting == crate::plan::release::ReleaseSetting::PhasedRelease)
        {
            true => crate::live::phased_release(client, &live.version.id).await?,
            false => None,
        };
        let build = match plan
            .release
            .iter()
            .any(|c| c.setting == crate::plan::release::ReleaseSetting::Build)
        {
            true => crate::live::attached_build(client, &live.version).await?,
            false => None,
        };
        let tested = plan
            .release
            .iter()
            .find(|c| c.setting == crate::plan::release::ReleaseSetting::WhatToTest)
            .and_then(|c| c.build_id.as_deref());
        let what_to_test = match tested {
            Some(build_id) => crate::live::what_to_test(client, build_id).await?,
            None => Default::default(),
        };
        if let Err(s) = apply::release_remaining(
            plan,
            &live.version,
            phased.as_ref(),
            build.as_ref(),
            &what_to_test,
            &mut left,
        ) {
            return Ok(Err(stale(s)));
        }
    }
    if plan.products.iter().any(|c| !c.is_blocked()) {
        let products = crate::live::products::fetch(client, &plan.source.app_id).await?;
        if let Err(s) = apply::products_remaining(plan, &products, &mut left) {
            return Ok(Err(stale(s)));
        }
    }
    Ok(Ok(left))
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
fn same_target(plan: &Plan, given: &GivenTarget, targeting: &Targeting) -> anyhow::Result<()> {
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
        && !platform.eq_ignore_ascii_case(s.platform.into())
    {
        return Err(refuse("platform", s.platform.into(), from, platform));
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
        VersionSelector::Editable => s.version_state.editable(),
        VersionSelector::Live => s.version_state.live(),
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
) -> anyhow::Result<(Vec<String>, DesiredMedia)> {
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
    let (tree, extras, _) = read_tree(&settings)?;
    let assets = &extras.assets;
    let desired = crate::plan::media::desired(assets)
        .map_err(|e| anyhow::anyhow!("cannot read a screenshot or preview to compute its MD5: {e}"))?;
    let mut now = Content::of(
        &tree,
        PlanSettings {
            allow_delete: content.settings.allow_delete,
            locales: content.settings.locales.clone(),
            fields: content.settings.fields.clone(),
            ..settings.plan_settings(false, &Targeting::default())
        },
        key,
    );
    // A plan that read no images (made with --rev, or by an asc-sync
    // without them) is held to its text only: it sends no image.
    if plan.summary.media.is_some() {
        now.media = crate::plan::media::content(assets, &desired);
    }
    if plan.source.rev.is_none() && settings.rev.is_none() {
        now.products = crate::plan::product_digests(&extras.products, &settings.metadata.display().to_string());
    }
    let differences = content.differences(&now);
    if !differences.is_empty() {
        return Ok((differences, desired));
    }
    Ok((crate::plan::unfollowed(plan, &tree, &content.settings, key), desired))
}

/// `--expect-commit` refuses a plan made from another commit; without it,
/// a plan made from a commit other than HEAD is applied with a note (its
/// files were checked: a merge, squash or rebase keeps them).
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
