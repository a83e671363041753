//! Screenshots and app previews in a plan: per locale and slot, what the
//! tree's files make of the live set.
//!
//! Identity is the MD5 of a file's bytes within its (locale, slot), as
//! App Store Connect keeps it (`sourceFileChecksum`): a renamed file is the
//! same image and uploads nothing; a changed one is an upload and a
//! delete. A slot the tree has is the tree's: live images it lacks are
//! deleted. Slots and locales the tree lacks are never read nor touched.
//! Order is its own change, one request. A reservation an interrupted run
//! left (`AWAITING_UPLOAD`, `FAILED`, no checksum) is deleted, so no run
//! leaves a duplicate behind.
//!
//! The plan holds, per set with a difference, the set as read (`before`),
//! the checksums the tree wants in order (`after`), and the uploads,
//! deletes and reorder that lead from one to the other. `apply plan.json`
//! reads the set again and goes on only from `before`, from `after`, or
//! from a state between them an interrupted apply left.

use super::Action;
use crate::live::LiveState;
use crate::live::media::{LiveAsset, LiveMedia, LiveSet, MediaRead};
use crate::model::ResourceKind;
use crate::model::media::{MediaKind, MediaSlot};
use crate::targeting::Targeting;
use crate::tree::assets::Assets;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::PathBuf;

/// A file the tree wants in a set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MediaFile {
    /// The file as shown (`fastlane/screenshots/en-US/1.png`).
    pub file: String,
    #[serde(rename = "fileName")]
    pub file_name: String,
    #[serde(rename = "fileSize")]
    pub file_size: u64,
    /// The MD5 of the bytes, as `sourceFileChecksum` is sent.
    #[serde(rename = "sourceFileChecksum")]
    pub md5: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    #[serde(default, rename = "previewFrameTimeCode", skip_serializing_if = "Option::is_none")]
    pub preview_frame_time_code: Option<String>,
    /// Where the bytes are, for apply; a saved plan finds them again in
    /// the tree by checksum.
    #[serde(skip)]
    pub path: PathBuf,
}

/// What the tree wants: per (locale, slot), the files in order.
pub type DesiredMedia = BTreeMap<(String, MediaSlot), Vec<MediaFile>>;

/// One set's change.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MediaChange {
    pub locale: String,
    #[serde(flatten)]
    pub slot: MediaSlot,
    /// `null`: the localization this plan creates.
    pub localization_id: Option<String>,
    /// `null`: the set does not exist yet and is created.
    pub set_id: Option<String>,
    /// The set as read, in order.
    pub before: Vec<LiveAsset>,
    /// The checksums the tree wants, in order.
    pub after: Vec<String>,
    pub uploads: Vec<MediaFile>,
    pub deletes: Vec<LiveAsset>,
    /// Whether the set's order is sent (one request).
    pub reorder: bool,
    /// Images already live and kept.
    pub unchanged: usize,
    /// Why this set's change will not be sent, or `null`.
    pub blocked: Option<String>,
}

impl MediaChange {
    pub fn is_blocked(&self) -> bool {
        self.blocked.is_some()
    }

    /// `en-US APP_IPHONE_67`.
    pub fn label(&self) -> String {
        format!("{} {}", self.locale, self.slot.name())
    }

    /// The API writes it takes: the set's create, a reserve and a commit per
    /// upload, the deletes and the reorder (uploads of parts go to the
    /// storage host, and polls are reads).
    pub fn requests(&self) -> usize {
        usize::from(self.set_id.is_none()) + 2 * self.uploads.len() + self.deletes.len() + usize::from(self.reorder)
    }

    pub fn upload_bytes(&self) -> u64 {
        self.uploads.iter().map(|u| u.file_size).sum()
    }

    /// Images deleted and not replaced: what the destructive-plan guard
    /// counts (a refreshed set replaces its images; a set that shrinks
    /// loses some).
    pub fn net_deletes(&self) -> usize {
        let live_deletes = self.deletes.iter().filter(|d| !d.is_leftover()).count();
        live_deletes.saturating_sub(self.uploads.len())
    }
}

/// The plan's counts of screenshots and previews.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MediaSummary {
    pub upload: usize,
    pub upload_bytes: u64,
    pub delete: usize,
    pub reorder: usize,
    /// Images live as the tree wants them, in the slots the tree has.
    pub unchanged: usize,
    /// Sets with a difference that is not sent.
    pub blocked: usize,
    /// Whether the tree has previews (the summary line names them).
    #[serde(default)]
    pub previews: bool,
}

impl MediaSummary {
    pub fn of(changes: &[MediaChange], unchanged: usize, previews: bool) -> MediaSummary {
        let mut s = MediaSummary {
            unchanged,
            previews,
            ..MediaSummary::default()
        };
        for c in changes {
            if c.is_blocked() {
                s.blocked += 1;
                continue;
            }
            s.upload += c.uploads.len();
            s.upload_bytes += c.upload_bytes();
            s.delete += c.deletes.len();
            s.reorder += usize::from(c.reorder);
        }
        s
    }
}

/// The tree's screenshots and previews with their checksums (each file
/// read once, in full).
pub fn desired(assets: &Assets) -> std::io::Result<DesiredMedia> {
    let mut out = DesiredMedia::new();
    for (locale, slot, files) in assets.screenshot_sets() {
        let files = files
            .iter()
            .map(|s| {
                Ok(MediaFile {
                    file: s.shown.clone(),
                    file_name: s.file_name.clone(),
                    file_size: s.file_size,
                    md5: s.md5()?,
                    width: Some(s.width),
                    height: Some(s.height),
                    preview_frame_time_code: None,
                    path: s.path.clone(),
                })
            })
            .collect::<std::io::Result<Vec<_>>>()?;
        out.insert((locale.code().to_owned(), MediaSlot::Screenshots(slot)), files);
    }
    for (locale, slot, files) in assets.preview_sets() {
        let files = files
            .iter()
            .map(|p| {
                Ok(MediaFile {
                    file: p.shown.clone(),
                    file_name: p.file_name.clone(),
                    file_size: p.file_size,
                    md5: p.md5()?,
                    width: None,
                    height: None,
                    preview_frame_time_code: p.preview_frame_time_code.clone(),
                    path: p.path.clone(),
                })
            })
            .collect::<std::io::Result<Vec<_>>>()?;
        out.insert((locale.code().to_owned(), MediaSlot::Previews(slot)), files);
    }
    Ok(out)
}

/// The checksum of each file, keyed `screenshots/<path in the folder>`
/// or `previews/<…>`, for a plan's content record.
pub fn content(assets: &Assets, desired: &DesiredMedia) -> BTreeMap<String, String> {
    let key = |file: &str, slot: MediaSlot| {
        let root = match slot.kind() {
            MediaKind::Screenshots => &assets.screenshots_root,
            MediaKind::Previews => &assets.app_previews_root,
        };
        let rel = file
            .strip_prefix(root.trim_end_matches('/'))
            .map_or(file, |r| r.trim_start_matches('/'));
        format!("{}/{rel}", slot.kind())
    };
    desired
        .iter()
        .flat_map(|((_, slot), files)| {
            files
                .iter()
                .map(move |f| (key(&f.file, *slot), format!("md5:{}", f.md5)))
        })
        .collect()
}

/// The localizations whose sets a plan reads: the locales the tree has
/// screenshots or previews for that the version has, within `targeting`.
pub fn reads(desired: &DesiredMedia, live: &LiveState, targeting: &Targeting) -> Vec<MediaRead> {
    let mut kinds: BTreeMap<&str, BTreeSet<MediaKind>> = BTreeMap::new();
    for (locale, slot) in desired.keys() {
        if targeting.selects_media(locale, slot.kind()) {
            kinds.entry(locale).or_default().insert(slot.kind());
        }
    }
    kinds
        .into_iter()
        .filter_map(|(locale, kinds)| {
            let localization = live.version.localizations.get(locale)?;
            Some(MediaRead {
                locale: locale.to_owned(),
                localization_id: localization.id.clone(),
                kinds: kinds.into_iter().collect(),
            })
        })
        .collect()
}

/// What the tree's sets make of the live ones: a change per set with a
/// difference, the number of images unchanged, and notes.
pub struct MediaDiff {
    pub changes: Vec<MediaChange>,
    pub unchanged: usize,
    pub notes: Vec<String>,
}

/// Diffs the tree's sets against the live ones. `created` holds the
/// locales whose localization the plan creates (their sets are new).
pub fn diff(
    desired: &DesiredMedia,
    live: &LiveState,
    media: &LiveMedia,
    created: &BTreeSet<String>,
    targeting: &Targeting,
) -> MediaDiff {
    let mut out = MediaDiff {
        changes: Vec::new(),
        unchanged: 0,
        notes: Vec::new(),
    };
    let version = &live.version;
    if version.parent_id().is_none() {
        out.notes.push(format!(
            "Screenshots and previews are planned once version {} exists: Apple copies the previous version's into a new version. Plan again after this apply.",
            version.version_string
        ));
        return out;
    }
    let blocked = live.editability().media();
    let mut missing = BTreeSet::new();
    for ((locale, slot), files) in desired {
        if !targeting.selects_media(locale, slot.kind()) {
            continue;
        }
        let localization_id = version.localizations.get(locale).map(|l| l.id.clone());
        if localization_id.is_none() && !created.contains(locale) {
            missing.insert(locale.clone());
            continue;
        }
        let set = media.sets.get(&(locale.clone(), *slot));
        let mut change = compare(locale, *slot, files, set);
        change.localization_id = localization_id;
        out.unchanged += change.unchanged;
        if change.uploads.is_empty() && change.deletes.is_empty() && !change.reorder {
            continue;
        }
        change.blocked = blocked.clone();
        out.changes.push(change);
    }
    if !missing.is_empty() {
        let locales: Vec<String> = missing.into_iter().collect();
        out.notes.push(format!(
            "Screenshots or previews for {} are not planned: version {} has no such localization. Add its metadata folder (a description at least), and asc-sync creates it and then its sets.",
            locales.join(", "),
            version.version_string
        ));
    }
    out
}

/// One slot: the tree's files against the live set (if any).
pub fn compare(locale: &str, slot: MediaSlot, files: &[MediaFile], set: Option<&LiveSet>) -> MediaChange {
    let live: &[LiveAsset] = set.map_or(&[], |s| &s.assets);
    let wanted: HashSet<&str> = files.iter().map(|f| f.md5.as_str()).collect();
    let mut seen: HashSet<&str> = HashSet::new();
    let (mut kept, mut deletes) = (Vec::new(), Vec::new());
    for asset in live {
        match asset.md5.as_deref() {
            Some(md5) if !asset.is_leftover() && wanted.contains(md5) && seen.insert(md5) => kept.push(md5),
            _ => deletes.push(asset.clone()),
        }
    }
    let uploads: Vec<MediaFile> = files
        .iter()
        .filter(|f| !seen.contains(f.md5.as_str()))
        .cloned()
        .collect();
    let after: Vec<String> = files.iter().map(|f| f.md5.clone()).collect();
    // New images land at the end of the set, in the order they are reserved.
    let landed: Vec<&str> = kept
        .iter()
        .copied()
        .chain(uploads.iter().map(|u| u.md5.as_str()))
        .collect();
    let reorder = landed != after.iter().map(String::as_str).collect::<Vec<_>>();
    MediaChange {
        locale: locale.to_owned(),
        slot,
        localization_id: None,
        set_id: set.map(|s| s.id.clone()),
        before: live.to_vec(),
        after,
        unchanged: kept.len(),
        uploads,
        deletes,
        reorder,
        blocked: None,
    }
}

/// The locales whose localization a text plan creates (and sends).
pub fn created_locales(changes: &[super::Change]) -> BTreeSet<String> {
    changes
        .iter()
        .filter(|c| c.resource == ResourceKind::AppStoreVersionLocalizations && c.action == Action::Create)
        .filter(|c| !c.is_blocked())
        .filter_map(|c| c.locale.clone())
        .collect()
}

/// Where a set stands against a saved plan's change.
#[derive(Debug, PartialEq)]
pub enum SetStands {
    /// As the tree wants it: nothing to send.
    Done,
    /// What is left to send from here (the plan's change, or what an
    /// interrupted apply left of it).
    ToSend(MediaChange),
    /// Something else moved it: why.
    Stale(String),
}

/// Classifies a planned set against the set read now: live holds only
/// images the plan knew (from `before` or `after`) and leftovers, so the
/// change is recomputed from here; anything else is a change made
/// elsewhere since the plan, and the plan is stale.
pub fn stands(planned: &MediaChange, files: &[MediaFile], now: Option<&LiveSet>) -> SetStands {
    let known: HashSet<&str> = planned
        .before
        .iter()
        .filter_map(|a| a.md5.as_deref())
        .chain(planned.after.iter().map(String::as_str))
        .collect();
    let set_moved = match (&planned.set_id, now) {
        (Some(id), Some(set)) => *id != set.id,
        (Some(_), None) => true,
        (None, _) => false,
    };
    if set_moved {
        return SetStands::Stale(format!(
            "the {} set of {} was deleted or replaced since the plan",
            planned.slot.name(),
            planned.locale
        ));
    }
    if let Some(set) = now
        && let Some(foreign) = set
            .assets
            .iter()
            .find(|a| !a.is_leftover() && a.md5.as_deref().is_none_or(|m| !known.contains(m)))
    {
        return SetStands::Stale(format!(
            "{} of {} has an image the plan did not see ({}, id {})",
            planned.slot.name(),
            planned.locale,
            if foreign.file_name.is_empty() {
                "unnamed"
            } else {
                &foreign.file_name
            },
            foreign.id
        ));
    }
    let mut change = compare(&planned.locale, planned.slot, files, now);
    change.localization_id = planned.localization_id.clone();
    if change.uploads.is_empty() && change.deletes.is_empty() && !change.reorder {
        return SetStands::Done;
    }
    SetStands::ToSend(change)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::media::DisplayType;

    const SLOT: MediaSlot = MediaSlot::Screenshots(DisplayType::AppIphone67);

    fn file(name: &str, md5: &str) -> MediaFile {
        MediaFile {
            file: format!("fastlane/screenshots/en-US/{name}"),
            file_name: name.into(),
            file_size: 100,
            md5: md5.into(),
            width: Some(1290),
            height: Some(2796),
            preview_frame_time_code: None,
            path: PathBuf::new(),
        }
    }

    fn asset(id: &str, md5: Option<&str>, state: &str) -> LiveAsset {
        LiveAsset {
            id: id.into(),
            file_name: format!("{id}.png"),
            md5: md5.map(str::to_owned),
            state: state.into(),
        }
    }

    fn set(assets: Vec<LiveAsset>) -> LiveSet {
        LiveSet {
            id: "set-1".into(),
            assets,
        }
    }

    #[test]
    fn a_renamed_file_is_the_same_image() {
        let live = set(vec![
            asset("a", Some("m1"), "COMPLETE"),
            asset("b", Some("m2"), "COMPLETE"),
        ]);
        let c = compare(
            "en-US",
            SLOT,
            &[file("first.png", "m1"), file("second.png", "m2")],
            Some(&live),
        );
        assert!(c.uploads.is_empty() && c.deletes.is_empty() && !c.reorder);
        assert_eq!(c.unchanged, 2);
    }

    #[test]
    fn a_changed_image_is_one_upload_and_one_delete_and_keeps_its_place() {
        let live = set(vec![
            asset("a", Some("m1"), "COMPLETE"),
            asset("b", Some("m2"), "COMPLETE"),
        ]);
        let c = compare("en-US", SLOT, &[file("1.png", "m1"), file("2.png", "m3")], Some(&live));
        assert_eq!(c.uploads.len(), 1);
        assert_eq!(c.deletes.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(), ["b"]);
        assert!(!c.reorder, "the new image lands last, where it belongs");
        let first_changed = compare("en-US", SLOT, &[file("1.png", "m3"), file("2.png", "m2")], Some(&live));
        assert!(
            first_changed.reorder,
            "the new first image lands last and must be moved"
        );
    }

    #[test]
    fn swapped_files_are_one_reorder() {
        let live = set(vec![
            asset("a", Some("m1"), "COMPLETE"),
            asset("b", Some("m2"), "COMPLETE"),
        ]);
        let c = compare("en-US", SLOT, &[file("1.png", "m2"), file("2.png", "m1")], Some(&live));
        assert!(c.uploads.is_empty() && c.deletes.is_empty() && c.reorder);
        assert_eq!(c.requests(), 1);
    }

    #[test]
    fn leftovers_of_an_interrupted_run_are_deleted_and_uploaded_again() {
        let live = set(vec![
            asset("a", Some("m1"), "COMPLETE"),
            asset("b", None, "AWAITING_UPLOAD"),
            asset("c", Some("m2"), "FAILED"),
        ]);
        let c = compare("en-US", SLOT, &[file("1.png", "m1"), file("2.png", "m2")], Some(&live));
        assert_eq!(c.deletes.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(), ["b", "c"]);
        assert_eq!(c.uploads.len(), 1);
        assert_eq!(c.net_deletes(), 0, "leftovers are not images anyone sees");
    }

    #[test]
    fn a_plan_goes_on_from_where_an_interrupted_apply_stopped_and_not_from_elsewhere() {
        let before = set(vec![
            asset("a", Some("m1"), "COMPLETE"),
            asset("b", Some("m2"), "COMPLETE"),
        ]);
        let files = [file("1.png", "m1"), file("2.png", "m3")];
        let planned = compare("en-US", SLOT, &files, Some(&before));
        // The upload landed, the delete did not.
        let midway = set(vec![
            asset("a", Some("m1"), "COMPLETE"),
            asset("b", Some("m2"), "COMPLETE"),
            asset("n", Some("m3"), "COMPLETE"),
        ]);
        match stands(&planned, &files, Some(&midway)) {
            SetStands::ToSend(rest) => {
                assert!(rest.uploads.is_empty());
                assert_eq!(rest.deletes.len(), 1);
            }
            other => panic!("{other:?}"),
        }
        let done = set(vec![
            asset("a", Some("m1"), "COMPLETE"),
            asset("n", Some("m3"), "COMPLETE"),
        ]);
        assert_eq!(stands(&planned, &files, Some(&done)), SetStands::Done);
        let elsewhere = set(vec![
            asset("a", Some("m1"), "COMPLETE"),
            asset("x", Some("m9"), "COMPLETE"),
        ]);
        assert!(matches!(
            stands(&planned, &files, Some(&elsewhere)),
            SetStands::Stale(_)
        ));
    }
}
