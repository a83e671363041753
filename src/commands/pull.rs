//! `pull`: for every app of the run, read its tree as it is, read its
//! live listing (the same requests as `plan`, whatever the number of
//! locales) through its key's client, decide which files to write, write
//! them, and report. Two apps that read one folder cannot both write it,
//! so such a pull is refused for the later ones. `init` ends with the
//! same stage.

use super::Outcome;
use super::emit::{Emit, by_app};
use super::plan::{Stop, runtime};
use super::run::{App, Run, connect, worst};
use crate::apps::{AppPull, AppsPull, PullOutcome};
use crate::cli::{GlobalArgs, PlanFormat, PullArgs};
use crate::github::Github;
use crate::live;
use crate::pull::{self, FileAction, Local, PullOptions, PullReport};
use crate::render;
use crate::targeting::Targeting;

pub fn pull(global: &GlobalArgs, args: PullArgs) -> anyhow::Result<Outcome> {
    if args.target.rev.is_some() {
        anyhow::bail!("--rev reads the tree as committed, but pull writes the work tree; run pull without --rev");
    }
    let run = Run::resolve(global, &args.apps, &args.target, &args.connection, true)?;
    let options = PullOptions {
        include_secrets: args.include_secrets,
        targeting: Targeting::parse(&args.targeting.locales, &args.targeting.fields)?,
        read_media: false,
    };
    let (pulled, keys) = pull_apps(&run, &options, args.dry_run)?;
    let mut entries = Vec::new();
    for (app, result) in run.apps.iter().zip(pulled) {
        match result {
            Err(stop) if !run.listed => return stop.end(),
            result => entries.push(AppPull::new(app.id(), result.map_err(|s| s.text()))),
        }
    }
    let doc = AppsPull::new(&run.config.display_path(), args.dry_run, entries, keys);
    let (stdout, markdown) = match (&doc.apps[..], run.listed) {
        ([AppPull { report: Some(r), .. }], false) => (render_report(r, args.format), render::pull::markdown(r)),
        _ => (
            match args.format {
                PlanFormat::Text => render::pull::apps_text(&doc),
                PlanFormat::Markdown => render::pull::apps_markdown(&doc),
                PlanFormat::Json => render::pull::apps_json(&doc),
            },
            render::pull::apps_markdown(&doc),
        ),
    };
    let outcome = worst(doc.apps.iter().map(|a| match a.outcome {
        PullOutcome::Error => Outcome::Failure,
        PullOutcome::Changes if args.detailed_exitcode => Outcome::Changes,
        _ => Outcome::Success,
    }));
    Emit::new(stdout, markdown, outputs(&run, &doc), outcome)
        .body(args.body_out.as_ref())
        .run(Github::detect(args.github.github, args.github.no_github).as_ref())
}

/// The totals, and for a list `apps`: each app's outcome and counts.
fn outputs(run: &Run, doc: &AppsPull) -> Vec<(&'static str, String)> {
    let s = &doc.summary.files;
    let mut outputs = vec![
        ("has_changes", doc.has_changes.to_string()),
        ("created", s.created.to_string()),
        ("changed", s.changed.to_string()),
        ("left", s.left.to_string()),
    ];
    if run.listed {
        let apps = doc.apps.iter().map(|a| {
            let counts = a.report.as_ref().map(|r| r.summary.clone()).unwrap_or_default();
            let value = serde_json::json!({
                "outcome": a.outcome,
                "created": counts.created,
                "changed": counts.changed,
                "left": counts.left,
            });
            (a.app.name.clone(), value)
        });
        outputs.push(("apps", by_app(apps)));
    }
    outputs
}

pub(crate) fn render_report(report: &PullReport, format: PlanFormat) -> String {
    match format {
        PlanFormat::Text => render::pull::text(report),
        PlanFormat::Markdown => render::pull::markdown(report),
        PlanFormat::Json => render::pull::json(report),
    }
}

/// One app's pull: its report, or why it stopped.
pub(crate) type Pulled = Result<PullReport, Stop>;

/// Reads every app's tree and live listing, decides, and writes unless
/// `dry_run`. An app whose tree has loader errors (printed) is not
/// written into: what its files mean is unclear.
pub(crate) fn pull_apps(
    run: &Run,
    options: &PullOptions,
    dry_run: bool,
) -> anyhow::Result<(Vec<Pulled>, Vec<crate::plan::KeyUse>)> {
    let locals: Vec<Result<Local, Stop>> = (0..run.apps.len())
        .map(|i| {
            shared_folder(&run.apps, i).map_err(|e| Stop::Error(anyhow::anyhow!(e)))?;
            read_local(&run.apps[i])
        })
        .collect();
    let keys = connect(&run.apps);
    let reads = run.apps.iter().enumerate().map(|(i, app)| {
        let (keys, local) = (&keys, &locals[i]);
        async move {
            // A tree that cannot be written into costs no request.
            if local.is_err() {
                anyhow::bail!("not read");
            }
            let key = keys.of(i).map_err(|e| anyhow::anyhow!(e))?;
            let t = app.target()?;
            let live = live::fetch_app(&key.client, &t.app(), t.platform, &t.version).await?;
            let media = live_media_notes(&key.client, app, &live, options).await?;
            let (iaps, subscriptions) = crate::tree::products::folders(&app.settings.tree.metadata);
            let products = if options.read_media || iaps.is_dir() || subscriptions.is_dir() {
                Some(live::products::fetch(&key.client, &live.app_id).await?)
            } else {
                None
            };
            tracing::info!(gets = key.client.stats().requests, "live state read");
            anyhow::Ok((live, media, products))
        }
    });
    let lives = runtime()?.block_on(futures::future::join_all(reads));
    let pulled = locals
        .into_iter()
        .zip(lives)
        .map(|(local, live)| {
            let local = local?;
            let (live, media, products) = live.map_err(Stop::Error)?;
            let mut report = write_pull(&local, &live, options, dry_run).map_err(Stop::Error)?;
            report.notes.extend(media);
            if let Some(products) = products {
                let metadata = std::path::Path::new(&report.source.metadata_path).to_owned();
                let (files, notes) = pull::products::decide(&metadata, &products);
                if !dry_run {
                    for f in &files {
                        f.write()
                            .map_err(|e| Stop::Error(anyhow::anyhow!("{}: cannot write it: {e}", f.path)))?;
                    }
                }
                for f in &files {
                    match f.action {
                        FileAction::Created => report.summary.created += 1,
                        _ => report.summary.changed += 1,
                    }
                }
                report.has_changes |= !files.is_empty();
                report.product_files = files;
                report.notes.extend(notes);
            }
            Ok(report)
        })
        .collect();
    Ok((pulled, keys.uses()))
}

/// With a screenshots or previews folder (and always for init), the
/// live slots it lacks, each as a note: pull never downloads images, since App Store Connect serves
/// re-encoded copies whose checksum is not the uploaded file's, so a
/// downloaded copy would be uploaded again by the next apply.
async fn live_media_notes(
    client: &crate::client::Client,
    app: &App,
    live: &live::LiveState,
    options: &PullOptions,
) -> anyhow::Result<Vec<String>> {
    use crate::model::media::MediaKind;
    let targeting = &options.targeting;
    let (assets, _) = super::read_assets(&app.settings.tree);
    let folders = &app.settings.tree.assets;
    let kinds: Vec<MediaKind> = [
        (MediaKind::Screenshots, folders.screenshots.is_dir()),
        (MediaKind::Previews, folders.app_previews.is_dir()),
    ]
    .into_iter()
    .filter_map(|(kind, there)| (there || options.read_media).then_some(kind))
    .collect();
    if kinds.is_empty() {
        return Ok(Vec::new());
    }
    let reads: Vec<live::media::MediaRead> = live
        .version
        .localizations
        .iter()
        .map(|(locale, l)| live::media::MediaRead {
            locale: locale.clone(),
            localization_id: l.id.clone(),
            kinds: kinds
                .iter()
                .copied()
                .filter(|k| targeting.selects_media(locale, *k))
                .collect(),
        })
        .filter(|r| !r.kinds.is_empty())
        .collect();
    let media = live::media::fetch(client, &reads).await?;
    let has = |locale: &str, slot: crate::model::media::MediaSlot| match slot {
        crate::model::media::MediaSlot::Screenshots(t) => assets
            .screenshots
            .iter()
            .any(|(l, sets)| l.code() == locale && sets.contains_key(&t)),
        crate::model::media::MediaSlot::Previews(t) => assets
            .previews
            .iter()
            .any(|(l, sets)| l.code() == locale && sets.contains_key(&t)),
    };
    Ok(media
        .sets
        .iter()
        .filter(|((locale, slot), _)| !has(locale, *slot))
        .filter_map(|((locale, slot), set)| {
            let images = set.assets.iter().filter(|a| !a.is_leftover()).count();
            let root = match slot.kind() {
                MediaKind::Screenshots => &folders.screenshots,
                MediaKind::Previews => &folders.app_previews,
            };
            (images > 0).then(|| {
                format!(
                    "{locale} {}: {} live the tree lacks, left as they are. asc-sync does not download them (App Store Connect serves re-encoded copies, which the next apply would upload again): put the originals in {}/{locale}/{}/ to manage them here",
                    slot.name(),
                    crate::render::count(images, if slot.kind() == MediaKind::Screenshots { "screenshot" } else { "preview" }),
                    root.display(),
                    slot.name()
                )
            })
        })
        .collect())
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

/// Reads the tree as it is; `Err(Stop::Tree)` after printing the loader's
/// errors.
fn read_local(app: &App) -> Result<Local, Stop> {
    let metadata = &app.settings.tree.metadata;
    tracing::info!(metadata = %metadata.display(), "reading metadata");
    let (local, findings) = Local::read(metadata, &app.settings.tree.load);
    let local = local.with_validate(app.settings.tree.validate.clone());
    eprint!("{}", crate::render::validation::listing(&findings));
    let errors = findings.iter().filter(|f| f.is_error()).count();
    if errors > 0 {
        eprintln!(
            "error: {} has {errors} error(s), so what its files mean is unclear; nothing was written. Fix them (asc-sync validate lists them too) and pull again.",
            metadata.display()
        );
        return Err(Stop::Tree(format!(
            "{} has errors (listed above), so what its files mean is unclear; nothing was written for this app",
            metadata.display()
        )));
    }
    Ok(local)
}

/// Decides which files state the live listing and writes them (unless
/// `dry_run`).
fn write_pull(
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
fn warn_unlinked(report: &PullReport) {
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
