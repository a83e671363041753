//! `plan` and `show`, and the first half of `apply` without a saved plan:
//! for every app of the run, load and validate its tree, read its live
//! state through its key's client, diff, check safety; then one document.

use super::Extras;
use super::emit::{Emit, by_app};
use super::run::{App, Keys, Run, connect, error_text, worst};
use super::{Outcome, print};
use crate::cli::{GlobalArgs, PlanArgs, PlanFormat, ShowArgs};
use crate::client::Client;
use crate::github::Github;
use crate::live::{self, LiveState};
use crate::plan::secret::DigestKey;
use crate::plan::{self, AppOutcome, AppPlan, AppsPlan, Content, DiffOptions, Plan, SavedPlan, TreeView};
use crate::render;
use crate::settings::{Settings, Target, TreeSettings};
use crate::targeting::Targeting;
use crate::tree::MetadataTree;
use anyhow::Context;
use std::collections::HashSet;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// Whether text output gets colours: a terminal, no NO_COLOR, no --no-color.
pub(crate) fn color(global: &GlobalArgs) -> bool {
    !global.no_color && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
}

/// The runtime every command that talks to a server runs on.
pub(crate) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}

/// Why an app's stage stopped before it had a result.
pub(crate) enum Stop {
    /// Its tree has errors, already listed on stderr.
    Tree(String),
    Error(anyhow::Error),
}

impl Stop {
    /// The implicit app's stop as the run's end: exit 1 after the listed
    /// errors, or the error itself.
    pub fn end(self) -> anyhow::Result<Outcome> {
        match self {
            Stop::Tree(_) => Ok(Outcome::Failure),
            Stop::Error(e) => Err(e),
        }
    }

    /// The reason, for a list's entry.
    pub fn text(&self) -> String {
        match self {
            Stop::Tree(text) => text.clone(),
            Stop::Error(e) => error_text(e),
        }
    }
}

/// Loads and validates the tree; `Err(Stop::Tree)` after printing every
/// finding when it has errors, so nothing is requested for a broken tree.
/// Inside GitHub Actions the findings are annotations too, once per job.
pub(crate) fn load_tree(
    settings: &TreeSettings,
    github: Option<&Github>,
    no_annotations: bool,
) -> Result<(MetadataTree, Extras), Stop> {
    let (tree, extras, findings) = super::read_tree(settings).map_err(Stop::Error)?;
    let errors = findings.iter().filter(|f| f.is_error()).count();
    eprint!("{}", render::validation::listing(&findings));
    if github.is_some() && !findings.is_empty() {
        let report = render::validation::report(&tree, settings.rev.as_deref(), &findings);
        crate::github::annotate(&render::validation::github(&report), no_annotations)
            .map_err(|e| Stop::Error(e.into()))?;
    }
    if errors > 0 {
        eprintln!(
            "error: {} has {}; nothing was sent to App Store Connect. Fix them (asc-sync validate lists them too) and plan again.",
            settings.metadata.display(),
            render::count(errors, "error")
        );
        return Err(Stop::Tree(format!(
            "{} has errors (listed above, and by asc-sync validate); nothing was sent for this app",
            settings.metadata.display()
        )));
    }
    Ok((tree, extras))
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
    let live = live::fetch_app(client, &target.app(), target.platform, &target.version).await?;
    let mut plan = plan::diff(tree, &live, options);
    plan.source.version_selector = Some(target.version.to_string());
    Ok(Planned { plan, live })
}

/// Adds the in-app purchase and subscription texts to a plan (every
/// product read in 2 + G GETs, G subscription groups). A product the tree
/// names and App Store Connect lacks stops the plan, naming it.
fn plan_products(
    plan: &mut Plan,
    live: &LiveState,
    products: &crate::tree::products::Products,
    live_products: &live::products::LiveProducts,
    settings: &Settings,
    flags: &PlanFlags,
) -> anyhow::Result<()> {
    // The locales the listing's apply adds come first: they count too.
    let mut locales = plan::products::app_locales(live);
    locales.extend(
        plan.changes
            .iter()
            .filter(|c| !c.is_blocked() && c.action == plan::Action::Create)
            .filter_map(|c| c.locale.clone()),
    );
    let diff = plan::products::diff(
        products,
        live_products,
        &locales,
        settings.tree.blank_files,
        flags.allow_delete,
        &flags.targeting,
    );
    if !diff.missing.is_empty() {
        anyhow::bail!("{}; nothing was sent", diff.missing.join("; "));
    }
    plan.set_products(diff);
    Ok(())
}

/// What shapes a plan besides the tree and the settings.
pub(crate) struct PlanFlags {
    pub allow_delete: bool,
    pub allow_destructive: bool,
    pub targeting: Targeting,
}

/// The plan of one app's tree, checked for safety. It records the digests
/// of the tree's files and the settings it was made with. Screenshots and
/// previews, when the tree has any, are hashed while the live state is
/// read, and their sets read in one more round.
async fn plan_tree(
    settings: &Settings,
    target: &Target,
    client: &Client,
    key: &std::sync::Arc<DigestKey>,
    (tree, extras): &(MetadataTree, Extras),
    flags: &PlanFlags,
) -> anyhow::Result<Plan> {
    let assets = &extras.assets;
    let mut options = settings.tree.diff_options(flags.allow_delete);
    options.targeting = flags.targeting.clone();
    options.key = Some(key.clone());
    let hashing = (!assets.is_empty()).then(|| {
        let assets = assets.clone();
        tokio::task::spawn_blocking(move || plan::media::desired(&assets))
    });
    let planned = make_plan(client, tree, target, &options).await?;
    let mut plan = planned.plan;
    let desired = match hashing {
        Some(hashing) => Some(
            hashing
                .await?
                .context("cannot read a screenshot or preview to compute its MD5")?,
        ),
        None => None,
    };
    // Images and product texts are read in one round after the version.
    let live = &planned.live;
    let release = &settings.release;
    let creates_version = live.version.parent_id().is_none();
    let (live_media, live_products, (phased, builds)) = tokio::try_join!(
        async {
            match &desired {
                Some(d) => {
                    let reads = plan::media::reads(d, live, &flags.targeting);
                    anyhow::Ok(Some(live::media::fetch(client, &reads).await?))
                }
                None => Ok(None),
            }
        },
        async {
            match extras.products.present {
                true => anyhow::Ok(Some(live::products::fetch(client, &live.app_id).await?)),
                false => Ok(None),
            }
        },
        async {
            let reads = !creates_version && flags.targeting.is_all();
            let phased = async {
                match reads && release.phased_release.is_some() {
                    true => anyhow::Ok(live::phased_release(client, &live.version.id).await?),
                    false => Ok(None),
                }
            };
            let builds = async {
                match (reads, &release.build) {
                    (true, Some(wanted)) => {
                        let (attached, wanted) =
                            live::builds(client, &live.app_id, &live.version, live.platform, wanted).await?;
                        anyhow::Ok(Some(plan::release::Builds { attached, wanted }))
                    }
                    _ => Ok(None),
                }
            };
            tokio::try_join!(phased, builds)
        },
    )?;
    if extras.what_to_test.present && release.build.is_none() {
        plan.notes.push("What to Test (testflight/) is written for the build [release] build names: set it (\"latest\" or a build number)".into());
    }
    // Release settings are app-wide: a run limited to locales or fields leaves them out.
    if !release.is_empty() && flags.targeting.is_all() {
        if creates_version {
            plan.notes.push(format!(
                "The release settings of [release] are planned once version {} exists. Plan again after this apply.",
                live.version.version_string
            ));
        } else {
            let mut changes = plan::release::diff(release, &live.version, phased.as_ref(), builds.as_ref());
            let tested = builds.as_ref().and_then(plan::release::testflight_build);
            match (&release.beta_groups, tested) {
                (Some(names), Some(build)) => {
                    let (groups, every) = live::beta_groups(client, &live.app_id, names, &build.id).await?;
                    changes.extend(plan::release::beta_groups(
                        names,
                        &live.version.id,
                        build,
                        &groups,
                        &every,
                    ));
                }
                (Some(_), None) => plan.notes.push(
                    "[release] beta_groups: the build is added to the groups once it is processed; none is yet".into(),
                ),
                (None, _) => {}
            }
            match (extras.what_to_test.present, tested) {
                (false, _) => {}
                (true, Some(build)) => {
                    let live_tested = live::what_to_test(client, &build.id).await?;
                    changes.extend(plan::release::what_to_test(&extras.what_to_test, &live.version.id, build, &live_tested));
                }
                (true, None) => plan.notes.push(
                    "What to Test (testflight/) is planned for a processed build: the version has none yet, and [release] build names none that is processed".into(),
                ),
            }
            plan.set_release(changes);
        }
    }
    let mut media_content = Default::default();
    if let (Some(desired), Some(live_media)) = (&desired, &live_media) {
        let created = plan::media::created_locales(&plan.changes);
        let diff = plan::media::diff(desired, live, live_media, &created, &flags.targeting);
        plan.set_media(diff, !assets.previews.is_empty());
        media_content = plan::media::content(assets, desired);
    }
    if let Some(live_products) = &live_products {
        plan_products(&mut plan, live, &extras.products, live_products, settings, flags)?;
    }
    plan::check_safety(&plan, planned.live.value_count(), flags.allow_destructive)?;
    tracing::info!(gets = client.stats().requests, "live state read");
    let recorded = settings.tree.plan_settings(flags.allow_delete, &flags.targeting);
    let mut content = Content::of(tree, recorded, key);
    content.media = media_content;
    content.products = plan::product_digests(&extras.products, &settings.tree.metadata.display().to_string());
    plan.content = Some(content);
    Ok(plan)
}

/// How the `later`th app's tree disagrees with an earlier one's about the
/// app info of the app both list (one for every platform), if it does.
fn disagreement(apps: &[App], trees: &[Result<(MetadataTree, Extras), Stop>], later: usize) -> Option<String> {
    let view = |i: usize| {
        let (tree, _) = trees[i].as_ref().ok()?;
        Some(TreeView {
            tree,
            blank_files: apps[i].settings.tree.blank_files,
        })
    };
    let mine = view(later)?;
    let bundle_id = &apps[later].target().ok()?.bundle_id;
    (0..later)
        .filter(|&i| apps[i].target().is_ok_and(|t| t.bundle_id == *bundle_id))
        .find_map(|i| plan::app_info_disagreement(bundle_id, &mine, &view(i)?, &apps[i].name))
}

/// Reads and validates every app's tree, connects once per key, and plans
/// every app whose tree and key are good, concurrently. An app that
/// cannot be planned gets its reason; the others are planned all the same.
pub(crate) fn plan_apps(
    apps: &[App],
    flags: &PlanFlags,
    github: Option<&Github>,
    no_annotations: bool,
) -> anyhow::Result<(Vec<Result<Plan, Stop>>, Keys)> {
    let mut trees: Vec<Result<(MetadataTree, Extras), Stop>> = apps
        .iter()
        .map(|app| load_tree(&app.settings.tree, github, no_annotations))
        .collect();
    for later in 1..apps.len() {
        if let Some(disagreement) = disagreement(apps, &trees, later) {
            trees[later] = Err(Stop::Error(anyhow::anyhow!(disagreement)));
        }
    }
    let keys = connect(apps);
    let rt = runtime()?;
    let planned = rt.block_on(futures::future::join_all(trees.into_iter().enumerate().map(
        |(i, tree)| {
            let (app, keys) = (&apps[i], &keys);
            async move {
                let tree = tree?;
                let key = keys.of(i).map_err(|e| Stop::Error(anyhow::anyhow!(e)))?;
                let target = app.target().map_err(Stop::Error)?;
                plan_tree(&app.settings, target, &key.client, &key.digest, &tree, flags)
                    .await
                    .map_err(Stop::Error)
            }
        },
    )));
    Ok((planned, keys))
}

/// Every app's plan (or why it has none) as the run's document; the app
/// info of one app on two platforms is sent once.
pub(crate) fn document(run: &Run, planned: Vec<Result<Plan, Stop>>, keys: &Keys) -> (AppsPlan, Vec<Stop>) {
    let mut stops = Vec::new();
    let mut entries: Vec<AppPlan> = run
        .apps
        .iter()
        .zip(planned)
        .map(|(app, result)| match result {
            Ok(plan) => AppPlan::planned(&app.name, plan),
            Err(stop) => {
                let id = app.id();
                let entry = AppPlan::failed(&app.name, &id.bundle_id, id.platform, stop.text());
                stops.push(stop);
                entry
            }
        })
        .collect();
    plan::settle_shared_app_info(&mut entries);
    (AppsPlan::new(&run.config.display_path(), entries, keys.uses()), stops)
}

pub fn plan(global: &GlobalArgs, args: PlanArgs) -> anyhow::Result<Outcome> {
    let targeting = Targeting::parse(&args.targeting.locales, &args.targeting.fields)?;
    let mut run = Run::resolve(global, &args.apps, &args.target, &args.connection, true)?;
    run.ignore(&args.findings.ignore)?;
    let github = Github::detect(args.github.github, args.github.no_github);
    // A bad base is a usage error: said before any request is sent.
    let changed = match &args.changed_since {
        Some(base) => Some(changed_since(&run.apps, base)?),
        None => None,
    };
    let flags = PlanFlags {
        allow_delete: args.allow_delete,
        allow_destructive: args.allow_destructive,
        targeting,
    };
    let (planned, keys) = plan_apps(&run.apps, &flags, github.as_ref(), args.github.no_annotations)?;
    let (mut doc, stops) = document(&run, planned, &keys);
    if !run.listed
        && let Some(stop) = stops.into_iter().next()
    {
        return stop.end();
    }
    for (app, entry) in run.apps.iter().zip(&mut doc.apps) {
        let Some(plan) = &mut entry.plan else { continue };
        record_git(plan, &app.settings.tree.metadata, app.settings.tree.rev.as_deref());
        if let (Some(base), Some(changed)) = (&args.changed_since, &changed) {
            plan.mark_origins(base, changed);
        }
    }
    save(&run, &doc, args.out.as_ref())?;
    let color = color(global);
    let (stdout, markdown, label) = match (&doc.apps[..], run.listed) {
        ([AppPlan { plan: Some(plan), .. }], false) => (
            render_plan(plan, args.format, color),
            render::plan::markdown(plan),
            run.marker_label(&plan.source.bundle_id),
        ),
        _ => (
            render_apps_plan(&doc, args.format, color),
            render::plan::apps_markdown(&doc),
            run.marker_label(""),
        ),
    };
    let outcome = worst(doc.apps.iter().map(|a| match a.outcome {
        AppOutcome::Error => Outcome::Failure,
        AppOutcome::Changes if args.detailed_exitcode => Outcome::Changes,
        _ => Outcome::Success,
    }));
    Emit::new(stdout, markdown, outputs(&run, &doc, args.out.as_ref()), outcome)
        .comment(args.comment_out.as_ref(), label)
        .run(github.as_ref())
}

/// Writes the plan file, only when every app was planned: a file that
/// leaves an app out would apply without it. One app's plan is its own
/// document.
fn save(run: &Run, doc: &AppsPlan, out: Option<&PathBuf>) -> anyhow::Result<()> {
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
    let text = match (&doc.apps[..], run.listed) {
        ([AppPlan { plan: Some(plan), .. }], false) => plan.to_json(),
        _ => doc.to_json(),
    };
    std::fs::write(out, text).with_context(|| format!("cannot write {}", out.display()))
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

/// The step outputs: the totals, and for a list `apps`, each app's
/// outcome and counts as JSON.
fn outputs(run: &Run, doc: &AppsPlan, out: Option<&PathBuf>) -> Vec<(&'static str, String)> {
    let s = &doc.summary;
    let saved = out.filter(|_| s.failed == 0);
    let mut outputs = vec![
        ("has_changes", doc.has_changes.to_string()),
        ("plan_path", saved.map(|p| p.display().to_string()).unwrap_or_default()),
        ("create", s.create.to_string()),
        ("update", s.update.to_string()),
        ("delete", s.delete.to_string()),
        ("blocked", s.blocked.to_string()),
    ];
    if run.listed {
        let apps = doc.apps.iter().map(|a| {
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
        });
        outputs.push(("apps", by_app(apps)));
    }
    outputs
}

/// Records the commit the tree was read at: the revision's for `--rev`,
/// else HEAD and whether the work tree was dirty.
pub(crate) fn record_git(plan: &mut Plan, metadata: &Path, rev: Option<&str>) {
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

pub(crate) fn render_plan(plan: &Plan, format: PlanFormat, color: bool) -> String {
    match format {
        PlanFormat::Text => render::plan::text(plan, color),
        PlanFormat::Markdown => render::plan::markdown(plan),
        PlanFormat::Json => plan.to_json(),
    }
}

fn render_apps_plan(doc: &AppsPlan, format: PlanFormat, color: bool) -> String {
    match format {
        PlanFormat::Text => render::plan::apps_text(doc, color),
        PlanFormat::Markdown => render::plan::apps_markdown(doc),
        PlanFormat::Json => doc.to_json(),
    }
}

pub fn show(global: &GlobalArgs, args: ShowArgs) -> anyhow::Result<Outcome> {
    let out = match read_plan(&args.plan)? {
        SavedPlan::One(plan) => render_plan(&plan, args.format, color(global)),
        SavedPlan::Apps(doc) => render_apps_plan(&doc, args.format, color(global)),
    };
    print(&out)?;
    Ok(Outcome::Success)
}

/// Reads a saved plan, of one app or of several.
pub(crate) fn read_plan(path: &Path) -> anyhow::Result<SavedPlan> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read the plan {}", path.display()))?;
    Ok(SavedPlan::from_json(&text, &path.display().to_string())?)
}
