//! Writing screenshot and preview sets, after the text: per set, the set
//! itself when it is new, then each new file reserved (in the tree's
//! order, so they land in it), uploaded part by part as Apple's operations
//! say, committed with its MD5, and waited for until Apple has processed
//! it; then the images the tree no longer has are deleted, and the order
//! is sent if it still differs. Deletes go first only when the set's cap
//! (10 screenshots, 3 previews) leaves no room for the uploads; a set is
//! never deleted whole. Sets go concurrently, and within a set the
//! uploads, all under the client's limiter.
//!
//! A file Apple fails to process (`FAILED`, e.g. `IMAGE_INCORRECT_DIMENSIONS`)
//! is reported with its file and Apple's codes, and its asset deleted so
//! the set holds nothing half-done; the set's deletes and reorder are then
//! not sent (the old images stay until the file is fixed).

use super::send::{SendError, client_failure, failure, localizations_of};
use super::{Failure, Status};
use crate::client::jsonapi::Resource;
use crate::client::{Client, ClientError, UploadOperation, UploadProgress};
use crate::live::media::{LiveSet, read_sets};
use crate::model::media::{MediaKind, MediaSlot};
use crate::plan::media::{MediaChange, MediaFile, SetStands, stands};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::time::Duration;

/// One set's result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MediaResult {
    pub locale: String,
    #[serde(flatten)]
    pub slot: MediaSlot,
    pub set_id: Option<String>,
    pub status: Status,
    /// The files uploaded.
    pub uploaded: Vec<String>,
    pub deleted: usize,
    pub reordered: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Failure>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl MediaResult {
    pub(super) fn of(change: &MediaChange, status: Status) -> MediaResult {
        MediaResult {
            locale: change.locale.clone(),
            slot: change.slot,
            set_id: change.set_id.clone(),
            status,
            uploaded: Vec::new(),
            deleted: 0,
            reordered: false,
            error: None,
            reason: None,
        }
    }

    /// `en-US APP_IPHONE_67`.
    pub fn label(&self) -> String {
        format!("{} {}", self.locale, self.slot.name())
    }
}

/// How long to wait between polls of a processing asset: short at first
/// (Apple often finishes an image in seconds), then at most this.
const POLL_MAX: Duration = Duration::from_secs(5);
const POLL_FIRST: Duration = Duration::from_millis(200);

/// Sends every set's change; `version_id` finds the localizations the
/// text stage created. `progress` hears of each set as it ends.
pub async fn send_all(
    client: &Client,
    version_id: &str,
    todo: Vec<MediaChange>,
    bytes: &UploadProgress,
    progress: &(dyn Fn(&MediaResult) + Sync),
) -> Vec<MediaResult> {
    let mut created: Option<HashMap<String, String>> = None;
    if todo.iter().any(|c| c.localization_id.is_none()) {
        created = localizations_of(client, version_id)
            .await
            .ok()
            .map(|list| list.into_iter().collect());
    }
    let runs = todo.into_iter().map(|change| {
        let created = &created;
        async move {
            let result = match change.localization_id.clone() {
                Some(id) => send_set(client, change, id, bytes).await,
                None => match created.as_ref().and_then(|m| m.get(&change.locale)) {
                    Some(id) => adopt(client, change, id.clone(), bytes).await,
                    None => {
                        let mut r = MediaResult::of(&change, Status::Failed);
                        r.error = Some(failure(&SendError::Plan(format!(
                            "not sent: the {} localization was not created",
                            change.locale
                        ))));
                        r
                    }
                },
            };
            progress(&result);
            result
        }
    });
    futures::future::join_all(runs).await
}

/// A set of a localization this run created: its sets are read first (an
/// earlier, interrupted run may have made some), then sent from there.
async fn adopt(client: &Client, change: MediaChange, localization_id: String, bytes: &UploadProgress) -> MediaResult {
    let sets = match read_sets(client, &localization_id, change.slot.kind()).await {
        Ok(sets) => sets,
        Err(e) => return failed(&change, &e),
    };
    let now = sets.into_iter().find(|(slot, _)| *slot == change.slot).map(|(_, s)| s);
    let files = change.uploads.clone();
    let mut planned = change.clone();
    planned.localization_id = Some(localization_id.clone());
    match stands(&planned, &files, now.as_ref()) {
        SetStands::Done => MediaResult::of(&change, Status::AlreadyApplied),
        SetStands::Stale(why) => {
            let mut r = MediaResult::of(&change, Status::Failed);
            r.error = Some(failure(&SendError::Plan(why)));
            r
        }
        SetStands::ToSend(mut rest) => {
            rest.localization_id = Some(localization_id.clone());
            send_set(client, rest, localization_id, bytes).await
        }
    }
}

fn failed(change: &MediaChange, e: &ClientError) -> MediaResult {
    let mut r = MediaResult::of(change, Status::Failed);
    r.error = Some(client_failure(e));
    r
}

/// One set, from the set as the change read it.
async fn send_set(
    client: &Client,
    change: MediaChange,
    localization_id: String,
    bytes: &UploadProgress,
) -> MediaResult {
    let kind = change.slot.kind();
    let mut result = MediaResult::of(&change, Status::Applied);
    let set_id = match &change.set_id {
        Some(id) => id.clone(),
        None => match create_set(client, &localization_id, change.slot).await {
            Ok(id) => id,
            Err(e) => return failed(&change, &e),
        },
    };
    result.set_id = Some(set_id.clone());
    // Deletes first only when the cap leaves no room for the uploads.
    let deletes_first = change.before.len() + change.uploads.len() > kind.cap();
    if deletes_first && let Err(e) = delete_all(client, kind, &change, &mut result).await {
        return with_error(result, &e);
    }
    // Reserved one by one, in the tree's order: new assets land in it.
    let mut reserved = Vec::new();
    for file in &change.uploads {
        match reserve(client, kind, &set_id, file).await {
            Ok(asset) => reserved.push((file, asset)),
            Err(e) => {
                clean_up(client, kind, &reserved).await;
                return with_error(result, &e);
            }
        }
    }
    let uploads = reserved
        .iter()
        .map(|(file, asset)| upload_one(client, kind, file, asset, bytes));
    let outcomes = futures::future::join_all(uploads).await;
    let mut new_ids: HashMap<&str, String> = HashMap::new();
    let mut first_error = None;
    for ((file, asset), outcome) in reserved.iter().zip(outcomes) {
        match outcome {
            Ok(()) => {
                result.uploaded.push(file.file.clone());
                new_ids.insert(file.md5.as_str(), asset.id.clone());
            }
            Err(e) => {
                // Nothing half-done stays in the set.
                let _ = client.delete(&format!("/v1/{}/{}", kind.asset_type(), asset.id)).await;
                first_error.get_or_insert(e);
            }
        }
    }
    if let Some(e) = first_error {
        result.status = Status::Failed;
        result.error = Some(e);
        return result;
    }
    if !deletes_first && let Err(e) = delete_all(client, kind, &change, &mut result).await {
        return with_error(result, &e);
    }
    if change.reorder {
        let kept: HashMap<&str, &str> = change
            .before
            .iter()
            .filter(|a| !change.deletes.iter().any(|d| d.id == a.id))
            .filter_map(|a| Some((a.md5.as_deref()?, a.id.as_str())))
            .collect();
        let ids: Vec<Value> = change
            .after
            .iter()
            .filter_map(|md5| {
                let id = new_ids
                    .get(md5.as_str())
                    .map(String::as_str)
                    .or(kept.get(md5.as_str()).copied())?;
                Some(json!({"type": kind.asset_type(), "id": id}))
            })
            .collect();
        let path = format!("/v1/{}/{set_id}/relationships/{}", kind.set_type(), kind.asset_type());
        if let Err(e) = client.patch_relationship(&path, &json!({ "data": ids })).await {
            return with_error(result, &e);
        }
        result.reordered = true;
    }
    result
}

fn with_error(mut result: MediaResult, e: &ClientError) -> MediaResult {
    result.status = Status::Failed;
    result.error = Some(client_failure(e));
    result
}

async fn delete_all(
    client: &Client,
    kind: MediaKind,
    change: &MediaChange,
    result: &mut MediaResult,
) -> Result<(), ClientError> {
    let deletes = change
        .deletes
        .iter()
        .map(|d| async move { client.delete_gone(&format!("/v1/{}/{}", kind.asset_type(), d.id)).await });
    for outcome in futures::future::join_all(deletes).await {
        outcome?;
        result.deleted += 1;
    }
    Ok(())
}

/// Creates the set; a lost answer is found again by its slot.
async fn create_set(client: &Client, localization_id: &str, slot: MediaSlot) -> Result<String, ClientError> {
    let kind = slot.kind();
    let body = json!({"data": {
        "type": kind.set_type(),
        "attributes": { kind.slot_attribute(): slot.name() },
        "relationships": { "appStoreVersionLocalization": {
            "data": {"type": "appStoreVersionLocalizations", "id": localization_id}
        }}
    }});
    let find = || async {
        let sets = read_sets(client, localization_id, kind).await?;
        Ok(sets
            .into_iter()
            .find(|(s, _)| *s == slot)
            .map(|(_, set): (MediaSlot, LiveSet)| Resource {
                type_name: kind.set_type().to_owned(),
                id: set.id,
                ..Resource::default()
            }))
    };
    Ok(client
        .create(&format!("/v1/{}", kind.set_type()), &body, find)
        .await?
        .id)
}

/// A reserved asset: its id and where its bytes go.
struct Reserved {
    id: String,
    operations: Vec<UploadOperation>,
}

/// Reserves a file's place (`POST appScreenshots` with its name and
/// size); a lost answer is found again as an unfinished asset of that
/// name in the set.
async fn reserve(client: &Client, kind: MediaKind, set_id: &str, file: &MediaFile) -> Result<Reserved, ClientError> {
    let mut attributes = json!({"fileName": file.file_name, "fileSize": file.file_size});
    let set_relationship = match kind {
        MediaKind::Screenshots => "appScreenshotSet",
        MediaKind::Previews => {
            attributes["mimeType"] = json!(mime_type(&file.file_name));
            if let Some(code) = &file.preview_frame_time_code {
                attributes["previewFrameTimeCode"] = json!(code);
            }
            "appPreviewSet"
        }
    };
    let body = json!({"data": {
        "type": kind.asset_type(),
        "attributes": attributes,
        "relationships": { set_relationship: {"data": {"type": kind.set_type(), "id": set_id}}}
    }});
    let find = || async {
        let list = client
            .get_all(&format!(
                "/v1/{}/{set_id}/{}?limit=50",
                kind.set_type(),
                kind.asset_type()
            ))
            .await?;
        Ok(list.data.into_iter().find(|r| {
            r.str("fileName") == Some(file.file_name.as_str())
                && r.str("sourceFileChecksum").is_none()
                && state_of(r, kind) == "AWAITING_UPLOAD"
        }))
    };
    let asset = client
        .create(&format!("/v1/{}", kind.asset_type()), &body, find)
        .await?;
    let operations = asset
        .attributes
        .get("uploadOperations")
        .cloned()
        .map(serde_json::from_value::<Vec<UploadOperation>>)
        .transpose()
        .map_err(|e| ClientError::Decode {
            method: "POST".into(),
            path: format!("/v1/{}", kind.asset_type()),
            reason: format!("uploadOperations: {e}"),
        })?
        .unwrap_or_default();
    Ok(Reserved {
        id: asset.id,
        operations,
    })
}

/// Deletes what a failed reservation round left.
async fn clean_up(client: &Client, kind: MediaKind, reserved: &[(&MediaFile, Reserved)]) {
    for (_, asset) in reserved {
        let _ = client.delete(&format!("/v1/{}/{}", kind.asset_type(), asset.id)).await;
    }
}

/// Uploads a reserved file's parts, commits it with its MD5, and waits
/// until Apple has processed it.
async fn upload_one(
    client: &Client,
    kind: MediaKind,
    file: &MediaFile,
    asset: &Reserved,
    bytes: &UploadProgress,
) -> Result<(), Failure> {
    let client_failure = |e: ClientError| client_failure(&e);
    let parts = asset
        .operations
        .iter()
        .enumerate()
        .map(|(i, op)| client.upload(op, i + 1, &file.path, bytes));
    for outcome in futures::future::join_all(parts).await {
        outcome.map_err(client_failure)?;
    }
    let mut attributes = json!({"uploaded": true, "sourceFileChecksum": file.md5});
    if let (MediaKind::Previews, Some(code)) = (kind, &file.preview_frame_time_code) {
        attributes["previewFrameTimeCode"] = json!(code);
    }
    let path = format!("/v1/{}/{}", kind.asset_type(), asset.id);
    client
        .patch(
            &path,
            &json!({"data": {"type": kind.asset_type(), "id": asset.id, "attributes": attributes}}),
        )
        .await
        .map_err(client_failure)?;
    let poll = format!(
        "{path}?fields[{}]={},sourceFileChecksum",
        kind.asset_type(),
        kind.state_attribute()
    );
    let mut wait = POLL_FIRST;
    loop {
        tokio::time::sleep(wait).await;
        let doc = client.get_as::<Resource>(&poll).await.map_err(client_failure)?;
        let state = state_of(&doc.data, kind);
        match state.as_str() {
            "COMPLETE" if doc.data.str("sourceFileChecksum").is_some() => return Ok(()),
            "FAILED" => return Err(processing_failure(file, &doc.data, kind)),
            _ => wait = (wait * 2).min(POLL_MAX),
        }
    }
}

/// The processing state of an asset as read.
fn state_of(r: &Resource, kind: MediaKind) -> String {
    r.attributes
        .get(kind.state_attribute())
        .or_else(|| r.attributes.get("assetDeliveryState"))
        .and_then(|s| s.get("state"))
        .and_then(Value::as_str)
        .unwrap_or("UNKNOWN")
        .to_owned()
}

/// Apple's processing refusal of a file, with its codes.
fn processing_failure(file: &MediaFile, r: &Resource, kind: MediaKind) -> Failure {
    let errors: Vec<(String, String)> = r
        .attributes
        .get(kind.state_attribute())
        .or_else(|| r.attributes.get("assetDeliveryState"))
        .and_then(|s| s.get("errors"))
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .map(|e| {
                    let field = |n: &str| e.get(n).and_then(Value::as_str).unwrap_or_default().to_owned();
                    (field("code"), field("description"))
                })
                .collect()
        })
        .unwrap_or_default();
    let said: Vec<String> = errors
        .iter()
        .map(|(code, description)| format!("{code} {description}").trim().to_owned())
        .collect();
    Failure {
        status: None,
        code: errors.first().map(|(c, _)| c.clone()),
        title: Some("App Store Connect could not process the file".into()),
        detail: format!(
            "{}: App Store Connect failed to process it: {}. Fix the file (asc-sync validate checks sizes offline) and apply again",
            file.file,
            if said.is_empty() {
                "no reason given".to_owned()
            } else {
                said.join("; ")
            }
        ),
        pointer: None,
        problems: Vec::new(),
    }
}

fn mime_type(file_name: &str) -> &'static str {
    let lower = file_name.to_ascii_lowercase();
    if lower.ends_with(".mov") {
        "video/quicktime"
    } else if lower.ends_with(".m4v") {
        "video/x-m4v"
    } else {
        "video/mp4"
    }
}
