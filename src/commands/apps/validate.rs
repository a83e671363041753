//! `validate` over several apps: each app's tree with its own settings,
//! offline, one section per app and the totals.

use super::{error_text, resolve};
use crate::cli::{ConnectionArgs, TargetArgs, ValidateArgs};
use crate::commands::{Outcome, print, read_tree};
use crate::config::Config;
use crate::render::apps::{AppValidation, AppsValidation};
use crate::render::{self, Format};

pub(crate) fn validate(args: &ValidateArgs, config: Config) -> anyhow::Result<Outcome> {
    let target = TargetArgs {
        metadata: args.metadata.clone(),
        rev: args.rev.clone(),
        ..TargetArgs::default()
    };
    let mut apps = resolve(&config, &args.apps.names, &target, &ConnectionArgs::default())?;
    let mut read = Vec::new();
    for app in &mut apps {
        app.settings.tree.ignore(&args.findings.ignore)?;
        let (tree, findings) =
            read_tree(&app.settings.tree).map_err(|e| anyhow::anyhow!("app {}: {}", app.name, error_text(&e)))?;
        read.push((app.id(), tree, findings));
    }
    let doc = AppsValidation::new(
        &config.display_path(),
        read.iter()
            .map(|(id, tree, findings)| {
                let report = render::validation::report(tree, args.rev.as_deref(), findings);
                AppValidation {
                    app: id.clone(),
                    ok: report.ok,
                    report,
                }
            })
            .collect(),
    );
    let out = match args.format {
        Format::Text => render::apps::validation_text(&doc),
        Format::Markdown => render::apps::validation_markdown(&doc),
        Format::Json => render::apps::validation_json(&doc),
        Format::Github => render::apps::validation_github(&doc),
    };
    print(&out)?;
    if let Some(gh) = crate::github::Github::detect(args.github.github, args.github.no_github) {
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
        gh.append_summary(&render::apps::validation_markdown(&doc))?;
        let apps: serde_json::Map<String, serde_json::Value> = doc
            .apps
            .iter()
            .map(|a| {
                let s = &a.report.summary;
                let value = serde_json::json!({"ok": a.ok, "errors": s.errors, "warnings": s.warnings});
                (a.app.name.clone(), value)
            })
            .collect();
        gh.set_outputs(&[
            ("errors", doc.summary.errors.to_string()),
            ("warnings", doc.summary.warnings.to_string()),
            ("apps", serde_json::Value::Object(apps).to_string()),
        ])?;
    }
    Ok(if doc.ok { Outcome::Success } else { Outcome::Failure })
}
