//! `pull` over several apps: each app's live listing read concurrently
//! through its key's client, written into that app's tree. Two apps that
//! read one folder cannot both write it, so such a pull is refused for
//! the later ones.

use super::{App, connect, error_text, resolve, worst};
use crate::apps::{AppPull, AppsPull, PullOutcome};
use crate::cli::{GlobalArgs, PlanFormat, PullArgs};
use crate::commands::pull::{read_local, write_pull};
use crate::commands::reconcile::runtime;
use crate::commands::{Outcome, print};
use crate::config::Config;
use crate::github::Github;
use crate::live;
use crate::pull::{Local, PullOptions};
use crate::render;
use crate::targeting::Targeting;
use anyhow::Context;

pub(crate) fn pull(_global: &GlobalArgs, args: &PullArgs, config: Config) -> anyhow::Result<Outcome> {
    if args.target.rev.is_some() {
        anyhow::bail!("--rev reads the tree as committed, but pull writes the work tree; run pull without --rev");
    }
    let options = PullOptions {
        include_secrets: args.include_secrets,
        targeting: Targeting::parse(&args.targeting.locales, &args.targeting.fields)?,
    };
    let apps = resolve(&config, &args.apps.names, &args.target, &args.connection)?;
    let locals: Vec<Result<Local, String>> = apps
        .iter()
        .enumerate()
        .map(|(i, app)| {
            shared_folder(&apps, i)?;
            match read_local(&app.settings) {
                Ok(Ok(local)) => Ok(local),
                Ok(Err(_)) => Err(format!(
                    "{} has errors (listed above), so what its files mean is unclear; nothing was written for this app",
                    app.settings.tree.metadata.display()
                )),
                Err(e) => Err(error_text(&e)),
            }
        })
        .collect();
    let keys = connect(&apps);
    let reads = apps.iter().enumerate().map(|(i, app)| {
        let (local, keys) = (&locals[i], &keys);
        async move {
            local.as_ref().map_err(Clone::clone)?;
            let key = keys.of(i)?;
            let t = app.target();
            live::fetch_app(&key.client, &t.app(), &t.platform, &t.version)
                .await
                .map_err(|e| e.to_string())
        }
    });
    let lives = runtime()?.block_on(futures::future::join_all(reads));
    let entries = apps
        .iter()
        .zip(locals)
        .zip(lives)
        .map(|((app, local), live)| {
            let report =
                local.and_then(|local| write_pull(&local, &live?, &options, args.dry_run).map_err(|e| error_text(&e)));
            AppPull::new(app.id(), report)
        })
        .collect();
    let doc = AppsPull::new(&config.display_path(), args.dry_run, entries, keys.uses());
    finish(args, &doc)
}

/// Refuses to pull into a folder an earlier app of the run pulls into.
fn shared_folder(apps: &[App], i: usize) -> Result<(), String> {
    let folder = &apps[i].settings.tree.metadata;
    match apps[..i].iter().find(|a| &a.settings.tree.metadata == folder) {
        Some(earlier) => Err(format!(
            "{} is also app {}'s folder, and one folder cannot state two listings; nothing was written for this app. Pull one of them (--app NAME)",
            folder.display(),
            earlier.name
        )),
        None => Ok(()),
    }
}

fn finish(args: &PullArgs, doc: &AppsPull) -> anyhow::Result<Outcome> {
    print(&match args.format {
        PlanFormat::Text => render::apps::pull_text(doc),
        PlanFormat::Markdown => render::apps::pull_markdown(doc),
        PlanFormat::Json => render::apps::pull_json(doc),
    })?;
    if let Some(path) = &args.body_out {
        std::fs::write(path, render::apps::pull_markdown(doc))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    if let Some(gh) = Github::detect(args.github.github, args.github.no_github) {
        gh.append_summary(&render::apps::pull_markdown(doc))?;
        let s = &doc.summary.files;
        let apps: serde_json::Map<String, serde_json::Value> = doc
            .apps
            .iter()
            .map(|a| {
                let counts = a.report.as_ref().map(|r| r.summary.clone()).unwrap_or_default();
                let value = serde_json::json!({
                    "outcome": a.outcome,
                    "created": counts.created,
                    "changed": counts.changed,
                    "left": counts.left,
                });
                (a.app.name.clone(), value)
            })
            .collect();
        gh.set_outputs(&[
            ("has_changes", doc.has_changes.to_string()),
            ("created", s.created.to_string()),
            ("changed", s.changed.to_string()),
            ("left", s.left.to_string()),
            ("apps", serde_json::Value::Object(apps).to_string()),
        ])?;
    }
    Ok(worst(doc.apps.iter().map(|a| match a.outcome {
        PullOutcome::Error => Outcome::Failure,
        PullOutcome::Changes if args.detailed_exitcode => Outcome::Changes,
        _ => Outcome::Success,
    })))
}
