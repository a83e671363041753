//! Applying a plan: a saved plan's live state is read again, only what it
//! writes, by id (`reread`); then where each planned value stands against
//! the live state (`fresh`: already applied, to write, or stale, which refuses
//! the plan whole, nothing written), then every change still to write,
//! sent concurrently through the client's shared limiter (`send`). A
//! version the plan creates is created first, and its localizations
//! follow in the same run. Every change gets a result; one failure never
//! stops the others, so a partial apply reports exactly what is left.

mod fresh;
mod media;
mod products;
mod release;
mod reread;
mod send;

pub use fresh::{Remaining, Stale, media_remaining, products_remaining, release_remaining, remaining};
pub use media::MediaResult;
pub use products::ProductResult;
pub use release::ReleaseResult;
pub use reread::{reread, reread_media};

use crate::client::Client;
use crate::model::{Attribute, ResourceKind};
use crate::plan::secret::DigestKey;
use crate::plan::{Action, Change, Plan};
use send::SendError;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Applied,
    Failed,
    /// Blocked: never sent.
    Skipped,
    /// Live already: an earlier run applied it. Counted, not sent.
    AlreadyApplied,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Failure {
    pub status: Option<u16>,
    pub code: Option<String>,
    pub title: Option<String>,
    pub detail: String,
    pub pointer: Option<String>,
    /// Each of Apple's errors, with the field it names: one change may be
    /// refused for several fields at once.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<Problem>,
}

/// One of Apple's errors about a change.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Problem {
    /// The attribute or relationship Apple's `source.pointer` names,
    /// e.g. `name` for `/data/attributes/name`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub code: String,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Problem {
    /// What to show: Apple's detail, or its title when it gave none.
    pub fn text(&self) -> &str {
        self.detail.as_deref().unwrap_or(&self.title)
    }
}

/// One change's result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ChangeResult {
    #[serde(rename = "resource_type")]
    pub resource: ResourceKind,
    pub id: Option<String>,
    pub locale: Option<String>,
    pub action: Action,
    pub attributes: Vec<Attribute>,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Failure>,
    /// Why a change was skipped (blocked).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ReportSummary {
    pub applied: usize,
    pub failed: usize,
    pub skipped: usize,
    /// Changes an earlier run applied, not sent again.
    pub already_applied: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct ApplyReport {
    pub format_version: u32,
    pub bundle_id: String,
    pub version_string: String,
    pub summary: ReportSummary,
    pub results: Vec<ChangeResult>,
    /// Screenshot and preview sets, when the plan has any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub media: Vec<MediaResult>,
    /// In-app purchase and subscription texts, when the plan has any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub products: Vec<ProductResult>,
    /// Release settings, when the plan has any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub release: Vec<ReleaseResult>,
    pub requests: crate::client::Stats,
}

impl ApplyReport {
    pub fn is_partial(&self) -> bool {
        self.summary.failed > 0
    }

    /// Whether nothing had to be sent because every change is live.
    pub fn already_applied(&self) -> bool {
        let s = &self.summary;
        s.already_applied > 0 && s.applied == 0 && s.failed == 0
    }

    /// A report of a plan with nothing to apply (yet).
    pub fn empty(plan: &Plan) -> ApplyReport {
        ApplyReport {
            format_version: crate::FORMAT_VERSION,
            bundle_id: plan.source.bundle_id.clone(),
            version_string: plan.source.version_string.clone(),
            summary: ReportSummary::default(),
            results: Vec::new(),
            media: Vec::new(),
            products: Vec::new(),
            release: Vec::new(),
            requests: crate::client::Stats::default(),
        }
    }
}

/// The changes a run sends, by index in the plan, and their results.
struct Run<'a, P: Fn(&ChangeResult)> {
    plan: &'a Plan,
    results: BTreeMap<usize, ChangeResult>,
    progress: P,
}

impl<P: Fn(&ChangeResult)> Run<'_, P> {
    fn record(&mut self, i: usize, change: &Change, status: Status, error: Option<Failure>, reason: Option<String>) {
        let r = result_of(change, status, error, reason);
        (self.progress)(&r);
        self.results.insert(i, r);
    }

    fn outcome(&mut self, i: usize, change: &Change, outcome: Result<(), SendError>) {
        match outcome {
            Ok(()) => self.record(i, change, Status::Applied, None, None),
            Err(e) => self.record(i, change, Status::Failed, Some(send::failure(&e)), None),
        }
    }
}

/// Sends what is left of a plan: the version it creates first (its
/// localizations need its id), then every other change concurrently.
/// Blocked changes are skipped, live ones counted as already applied;
/// `progress` hears of each result as it comes.
pub async fn execute(
    client: Arc<Client>,
    plan: &Plan,
    remaining: Remaining,
    key: &DigestKey,
    progress: impl Fn(&ChangeResult),
    media_progress: &(dyn Fn(&MediaResult) + Sync),
    bytes: &crate::client::UploadProgress,
) -> ApplyReport {
    execute_all(
        client,
        plan,
        remaining,
        key,
        progress,
        media_progress,
        &|_| {},
        &|_| {},
        bytes,
    )
    .await
}

/// [`execute`], with a progress callback for product texts too.
#[allow(clippy::too_many_arguments)]
pub async fn execute_all(
    client: Arc<Client>,
    plan: &Plan,
    remaining: Remaining,
    key: &DigestKey,
    progress: impl Fn(&ChangeResult),
    media_progress: &(dyn Fn(&MediaResult) + Sync),
    product_progress: &(dyn Fn(&ProductResult) + Sync),
    release_progress: &(dyn Fn(&ReleaseResult) + Sync),
    bytes: &crate::client::UploadProgress,
) -> ApplyReport {
    let before = client.stats();
    let secrets = send::Secrets {
        key,
        salt: plan.secret_salt.as_deref(),
    };
    let mut run = Run {
        plan,
        results: BTreeMap::new(),
        progress,
    };
    for (i, change) in plan.changes.iter().enumerate() {
        if let Some(reason) = &change.blocked {
            run.record(i, change, Status::Skipped, None, Some(reason.clone()));
        }
    }
    for &i in &remaining.done {
        run.record(i, &plan.changes[i], Status::AlreadyApplied, None, None);
    }
    let mut to_send = remaining.to_send;
    let version_id = match create_version(&client, &mut run, &mut to_send, &secrets).await {
        Some(id) => Some(id),
        None => remaining.version_id,
    };
    place_under_version(&mut run, &mut to_send, version_id.as_deref());
    let mut pending = futures::stream::FuturesUnordered::new();
    for (i, change) in &to_send {
        let (client, secrets) = (client.clone(), &secrets);
        pending.push(async move { (*i, send::send(&client, change, secrets).await) });
    }
    use futures::StreamExt;
    while let Some((i, outcome)) = pending.next().await {
        run.outcome(i, &to_send[&i], outcome);
    }
    drop(pending);
    // Images after the text: a set needs its localization to exist.
    let mut media = unsent(
        &plan.media,
        &remaining.media_done,
        |c| c.is_blocked(),
        |c, status| {
            let mut r = MediaResult::of(c, status);
            r.reason = c.blocked.clone();
            r
        },
    );
    for r in &media {
        media_progress(r);
    }
    if !remaining.media.is_empty() {
        let version_id = version_id.as_deref().unwrap_or(&plan.source.version_id);
        media.extend(media::send_all(&client, version_id, remaining.media, bytes, media_progress).await);
    }
    // Release settings after the text and images.
    let mut release = unsent(
        &plan.release,
        &remaining.release_done,
        |c| c.is_blocked(),
        ReleaseResult::of,
    );
    if !remaining.release.is_empty() {
        release.extend(release::send_all(&client, remaining.release, release_progress).await);
    }
    // Product texts last: their versions and localizations stand apart.
    let mut products = unsent(
        &plan.products,
        &remaining.products_done,
        |c| c.is_blocked(),
        ProductResult::of,
    );
    if !remaining.products.is_empty() {
        products.extend(products::send_all(&client, remaining.products, product_progress).await);
    }
    let mut report = report(plan, run.results, client.stats().since(&before));
    let statuses = media.iter().map(|r| r.status).chain(products.iter().map(|r| r.status));
    for status in statuses.chain(release.iter().map(|r| r.status)) {
        count(&mut report.summary, status);
    }
    report.media = media;
    report.products = products;
    report.release = release;
    report
}

/// The results of what is never sent: the blocked changes (skipped), and
/// those live already (`done`, by index).
fn unsent<C, R>(
    changes: &[C],
    done: &[usize],
    blocked: impl Fn(&C) -> bool,
    result: impl Fn(&C, Status) -> R,
) -> Vec<R> {
    changes
        .iter()
        .enumerate()
        .filter_map(|(i, c)| match (blocked(c), done.contains(&i)) {
            (true, _) => Some(result(c, Status::Skipped)),
            (false, true) => Some(result(c, Status::AlreadyApplied)),
            (false, false) => None,
        })
        .collect()
}

fn count(summary: &mut ReportSummary, status: Status) {
    match status {
        Status::Applied => summary.applied += 1,
        Status::Failed => summary.failed += 1,
        Status::Skipped => summary.skipped += 1,
        Status::AlreadyApplied => summary.already_applied += 1,
    }
}

/// Creates the version when the plan does and it is still to create;
/// its id, or `None` when there was none to create or it failed.
async fn create_version<P: Fn(&ChangeResult)>(
    client: &Client,
    run: &mut Run<'_, P>,
    to_send: &mut BTreeMap<usize, Change>,
    secrets: &send::Secrets<'_>,
) -> Option<String> {
    let i = *to_send
        .iter()
        .find(|(_, c)| c.resource == ResourceKind::AppStoreVersions && c.action == Action::Create)?
        .0;
    let change = to_send.remove(&i)?;
    match send::create_version(client, run.plan, &change, secrets).await {
        Ok(id) => {
            run.outcome(i, &change, Ok(()));
            adopt_localizations(client, &id, to_send).await;
            Some(id)
        }
        Err(e) => {
            run.outcome(i, &change, Err(e));
            None
        }
    }
}

/// Turns each create of a locale that a new version already has (Apple
/// may copy them from the version before) into an update of it.
async fn adopt_localizations(client: &Client, version_id: &str, to_send: &mut BTreeMap<usize, Change>) {
    let Ok(existing) = send::localizations_of(client, version_id).await else {
        return; // the creates go ahead; Apple's answer will say what is wrong
    };
    for change in to_send.values_mut() {
        let new_child = change.resource == ResourceKind::AppStoreVersionLocalizations
            && change.action == Action::Create
            && change.parent.as_ref().is_some_and(|p| p.id.is_none());
        let found = existing
            .iter()
            .find(|(locale, _)| Some(locale) == change.locale.as_ref());
        if let (true, Some((_, id))) = (new_child, found) {
            change.action = Action::Update;
            change.id = Some(id.clone());
            change.parent = None;
        }
    }
}

/// Gives the creates under the new version its id; without one (its
/// create failed), they fail too, unsent.
fn place_under_version<P: Fn(&ChangeResult)>(
    run: &mut Run<'_, P>,
    to_send: &mut BTreeMap<usize, Change>,
    version_id: Option<&str>,
) {
    let orphans: Vec<usize> = to_send
        .iter()
        .filter(|(_, c)| c.parent.as_ref().is_some_and(|p| p.id.is_none()))
        .map(|(i, _)| *i)
        .collect();
    for i in orphans {
        match version_id {
            Some(id) => {
                if let Some(parent) = to_send.get_mut(&i).and_then(|c| c.parent.as_mut()) {
                    parent.id = Some(id.to_owned());
                }
            }
            None => {
                let change = to_send.remove(&i).expect("listed above");
                let why = format!("not sent: version {} was not created", run.plan.source.version_string);
                run.outcome(i, &change, Err(SendError::Plan(why)));
            }
        }
    }
}

fn report(plan: &Plan, results: BTreeMap<usize, ChangeResult>, requests: crate::client::Stats) -> ApplyReport {
    let results: Vec<ChangeResult> = results.into_values().collect();
    let mut summary = ReportSummary::default();
    for r in &results {
        count(&mut summary, r.status);
    }
    ApplyReport {
        summary,
        results,
        requests,
        ..ApplyReport::empty(plan)
    }
}

fn result_of(change: &Change, status: Status, error: Option<Failure>, reason: Option<String>) -> ChangeResult {
    ChangeResult {
        resource: change.resource,
        id: change.id.clone(),
        locale: change.locale.clone(),
        action: change.action,
        attributes: change.attributes.keys().copied().collect(),
        status,
        error,
        reason,
    }
}
