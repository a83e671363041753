//! The live screenshots and previews of a version's localizations: per
//! localization and kind, one GET of its sets with their assets included
//! (`/v1/appStoreVersionLocalizations/{id}/appScreenshotSets?include=…`),
//! all in one parallel round after the version read. An include from the
//! version does not reach the assets, so this is the fewest reads there
//! are. Order within a set is the order of its relationship's `data`.
//!
//! Sets are matched to slots here, by the slot each set names, never by
//! a `filter[…]` Apple may ignore (shared/reference §2.3).

use crate::client::jsonapi::Resource;
use crate::client::{Client, ClientError};
use crate::model::media::{MediaKind, MediaSlot};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One live asset of a set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveAsset {
    pub id: String,
    pub file_name: String,
    /// `sourceFileChecksum`: the MD5 the uploader committed (`None` until
    /// committed, and for an asset whose uploader sent none).
    #[serde(rename = "sourceFileChecksum")]
    pub md5: Option<String>,
    /// `assetDeliveryState.state` (`videoDeliveryState` for previews).
    pub state: String,
}

impl LiveAsset {
    /// A reservation never committed, or an asset Apple refused: it
    /// shows nothing on the App Store and only takes a place in the set.
    pub fn is_leftover(&self) -> bool {
        matches!(self.state.as_str(), "AWAITING_UPLOAD" | "FAILED") || self.md5.is_none()
    }
}

/// One live set: its id and assets, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveSet {
    pub id: String,
    pub assets: Vec<LiveAsset>,
}

/// The sets of the localizations read, by locale and slot.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LiveMedia {
    pub sets: BTreeMap<(String, MediaSlot), LiveSet>,
    /// The localizations read, with the kinds read for each: a slot of
    /// these without a set has none live.
    pub read: BTreeMap<String, Vec<MediaKind>>,
}

/// What to read: a localization (`locale`, id) and the kinds it needs.
#[derive(Clone, Debug)]
pub struct MediaRead {
    pub locale: String,
    pub localization_id: String,
    pub kinds: Vec<MediaKind>,
}

/// The path of one localization's sets of `kind`, with their assets.
pub fn sets_path(localization_id: &str, kind: MediaKind) -> String {
    let (sets, assets) = (kind.set_type(), kind.asset_type());
    let fields = match kind {
        MediaKind::Screenshots => "fileName,sourceFileChecksum,assetDeliveryState",
        MediaKind::Previews => "fileName,sourceFileChecksum,videoDeliveryState",
    };
    format!(
        "/v1/appStoreVersionLocalizations/{localization_id}/{sets}?include={assets}&limit=200&limit[{assets}]=50&fields[{assets}]={fields}"
    )
}

/// Reads every localization's sets in one parallel round (the client's
/// limiter bounds how many are in flight).
pub async fn fetch(client: &Client, reads: &[MediaRead]) -> Result<LiveMedia, ClientError> {
    let requests = reads.iter().flat_map(|r| r.kinds.iter().map(move |k| (r, *k)));
    let answers = futures::future::join_all(requests.map(|(r, kind)| async move {
        let sets = read_sets(client, &r.localization_id, kind).await?;
        Ok::<_, ClientError>((r.locale.clone(), sets))
    }))
    .await;
    let mut media = LiveMedia::default();
    for r in reads {
        media.read.insert(r.locale.clone(), r.kinds.clone());
    }
    for answer in answers {
        let (locale, sets) = answer?;
        for (slot, set) in sets {
            media.sets.insert((locale.clone(), slot), set);
        }
    }
    Ok(media)
}

/// One localization's sets of `kind`, by slot.
pub async fn read_sets(
    client: &Client,
    localization_id: &str,
    kind: MediaKind,
) -> Result<Vec<(MediaSlot, LiveSet)>, ClientError> {
    let doc = client.get_all(&sets_path(localization_id, kind)).await?;
    let assets: BTreeMap<&str, &Resource> = doc
        .included
        .iter()
        .filter(|r| r.type_name == kind.asset_type())
        .map(|r| (r.id.as_str(), r))
        .collect();
    let mut out = Vec::new();
    for set in &doc.data {
        let Some(slot) = set.str(kind.slot_attribute()).and_then(|n| MediaSlot::parse(kind, n)) else {
            continue; // a slot this version of asc-sync does not know: never touched
        };
        let ids = set.related_ids(kind.asset_type()).unwrap_or_default();
        let assets = ids
            .iter()
            .map(|id| match assets.get(id) {
                Some(r) => asset_of(r, kind),
                None => LiveAsset {
                    id: (*id).to_owned(),
                    file_name: String::new(),
                    md5: None,
                    state: "UNKNOWN".into(),
                },
            })
            .collect();
        out.push((
            slot,
            LiveSet {
                id: set.id.clone(),
                assets,
            },
        ));
    }
    Ok(out)
}

/// An asset as the API answers it.
pub fn asset_of(r: &Resource, kind: MediaKind) -> LiveAsset {
    let state = r
        .attributes
        .get(kind.state_attribute())
        .or_else(|| r.attributes.get("assetDeliveryState"))
        .and_then(|s| s.get("state"))
        .and_then(|s| s.as_str())
        .unwrap_or("UNKNOWN");
    LiveAsset {
        id: r.id.clone(),
        file_name: r.str("fileName").unwrap_or_default().to_owned(),
        md5: r.str("sourceFileChecksum").map(str::to_ascii_lowercase),
        state: state.to_owned(),
    }
}
