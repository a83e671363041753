//! `pull`: the live listing written back into the fastlane tree, the other
//! direction of `plan`. After a pull, `plan` shows No changes, and a second
//! pull writes nothing.
//!
//! A file is written only when what the tree means for its value (what
//! the loader reads: after strip and BOM removal, through links, filled
//! from `default/`) differs from the live value, compared as `plan`
//! compares. A file that already means the live value is left exactly as
//! it is, CRLF, BOM, missing final newline and all, so `git diff` shows
//! only real changes. New files end with one `"\n"`; a rewritten file keeps
//! the line end it had. An unset live value creates no file, except a
//! blank one where `default/` would otherwise fill in a value.
//!
//! Links are never written through (see `decide` and `write`), and the
//! demo password is written only with `--include-secrets`.
//!
//! A pulled tree always validates: a live value that `validate` would
//! refuse (emoji Apple took before it refused them, a text over its limit,
//! a phone without its country code) is not written. Its file is left as it
//! is and the report says why (see `refused`); with no file there, plan
//! keeps the live value, so the next plan of the pulled tree is clean.
//!
//! The JSON report (`format_version` 1):
//!
//! ```text
//! { "format_version": 1, "tool_version", "source": {bundle_id, app_id, platform,
//!     version_string, version_state, app_info_state, metadata_path},
//!   "dry_run", "has_changes",
//!   "summary": {created, changed, left, unchanged},
//!   "folders": [{path, was_link}],
//!   "files": [{path, action: "created"|"changed"|"left", attribute, locale, was_link?, reason?}],
//!   "notes": [..] }
//! ```
//!
//! No value appears in it: only paths and attribute names.

mod decide;
mod layout;
pub mod products;
mod refused;
mod slots;
mod write;

pub use write::WriteError;

use crate::findings::Finding;
use crate::live::LiveState;
use crate::model::{AppInfoState, Attribute, Platform, VersionState};
use crate::targeting::Targeting;
use crate::tree::{self, LoadOptions, MetadataTree};
use crate::validate::ValidateOptions;
use decide::{Decider, Decision, Withheld, source_file};
use layout::{DiskLayout, Kind, Layout, split};
use serde::Serialize;
use std::path::{Path, PathBuf};
use write::{FileWrite, FolderWrite};

#[derive(Clone, Debug, Default)]
pub struct PullOptions {
    /// Write the demo password too.
    pub include_secrets: bool,
    pub targeting: Targeting,
    /// Read the live screenshots, previews and product texts even without
    /// their folders (init: a first look at all the listing has).
    pub read_media: bool,
}

/// The tree as it is on disk before a pull.
pub struct Local {
    root: PathBuf,
    tree: MetadataTree,
    layout: DiskLayout,
    review_folder: String,
    /// The tree's `[validate]` strictness: pull writes no live value it
    /// would refuse (see `refused`).
    validate: ValidateOptions,
}

impl Local {
    /// Reads the tree at `root`, with the loader's findings. A folder that
    /// does not exist yet is an empty tree: pull creates it.
    pub fn read(root: &Path, options: &LoadOptions) -> (Local, Vec<Finding>) {
        let (tree, findings) = if std::fs::symlink_metadata(root).is_err() {
            let tree = MetadataTree {
                root: root.display().to_string(),
                ..MetadataTree::default()
            };
            (tree, Vec::new())
        } else {
            let loaded = tree::load_dir(root, options);
            (loaded.tree, loaded.findings)
        };
        let local = Local {
            root: root.to_owned(),
            layout: DiskLayout::new(root, &findings),
            review_folder: review_folder(root),
            tree,
            validate: ValidateOptions::default(),
        };
        (local, findings)
    }

    /// The tree as read, judged with this `[validate]` strictness (emoji
    /// as a warning, say) when pull decides which live values it can
    /// write.
    pub fn with_validate(mut self, options: ValidateOptions) -> Local {
        self.validate = options;
        self
    }
}

/// `review_information`, spelled as the tree spells it (the loader
/// matches it ignoring case).
fn review_folder(root: &Path) -> String {
    const NAME: &str = "review_information";
    std::fs::read_dir(root)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().into_string().ok())
        .find(|name| name.eq_ignore_ascii_case(NAME))
        .unwrap_or_else(|| NAME.to_owned())
}

/// What a pull does to one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileAction {
    Created,
    Changed,
    /// The live value differs, but the file is left as it is (`reason`).
    Left,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FileChange {
    /// As the user would type it: the metadata folder joined with the file.
    pub path: String,
    pub action: FileAction,
    pub attribute: Attribute,
    pub locale: Option<String>,
    /// The file was a link to this target; it becomes a file of its own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub was_link: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A linked locale folder turned into a folder of its own.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FolderChange {
    pub path: String,
    pub was_link: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PullSummary {
    pub created: usize,
    pub changed: usize,
    pub left: usize,
    /// Files (or absent files) that already state the live value.
    pub unchanged: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PullSource {
    pub bundle_id: String,
    pub app_id: String,
    pub platform: Platform,
    pub version_string: String,
    pub version_state: VersionState,
    pub app_info_state: Option<AppInfoState>,
    pub metadata_path: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PullReport {
    pub format_version: u32,
    pub tool_version: String,
    pub source: PullSource,
    /// Nothing was written: the files are what a pull would do.
    pub dry_run: bool,
    pub has_changes: bool,
    pub summary: PullSummary,
    pub folders: Vec<FolderChange>,
    pub files: Vec<FileChange>,
    /// In-app purchase and subscription text files, when read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub product_files: Vec<products::ProductFile>,
    pub notes: Vec<String>,
}

/// A decided pull: the report, and the writes that carry it out.
pub struct Pull {
    pub report: PullReport,
    root: PathBuf,
    folders: Vec<FolderWrite>,
    files: Vec<FileWrite>,
}

impl Pull {
    /// Writes the files. Nothing is written for a report marked `dry_run`.
    pub fn write(&self) -> Result<(), WriteError> {
        if self.report.dry_run || !self.report.has_changes {
            return Ok(());
        }
        write::carry_out(
            &self.root,
            &self.report.source.metadata_path,
            &self.folders,
            &self.files,
        )
    }
}

/// Decides which files a pull of `live` writes into `local`.
pub fn decide(local: &Local, live: &LiveState, options: &PullOptions) -> Pull {
    let sources = slots::Sources {
        tree: &local.tree,
        live,
        targeting: &options.targeting,
        review_folder: &local.review_folder,
    };
    let (slots, mut notes) = slots::slots(&sources);
    let refused = refused::refused(&slots, &local.validate);
    let decision = Decider {
        layout: &local.layout,
        slots: &slots,
        tree: &local.tree,
        demo_account_required: live.review.as_ref().and_then(|r| r.demo_account_required),
        include_secrets: options.include_secrets,
        refused: &refused,
    }
    .decide();
    notes.extend(decision.notes.iter().cloned());
    let shown = local.tree.root.trim_end_matches('/').to_owned();
    let outcome = Outcome::of(&local.layout, &slots, &decision, &shown);
    let report = PullReport {
        format_version: crate::FORMAT_VERSION,
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        source: source(live, &local.tree.root),
        dry_run: false,
        has_changes: !outcome.files.is_empty() || !outcome.folders.is_empty(),
        product_files: Vec::new(),
        summary: outcome.summary,
        folders: outcome.folder_changes,
        files: outcome.changes,
        notes,
    };
    Pull {
        report,
        root: local.root.clone(),
        folders: outcome.folders,
        files: outcome.files,
    }
}

fn source(live: &LiveState, metadata_path: &str) -> PullSource {
    PullSource {
        bundle_id: live.bundle_id.clone(),
        app_id: live.app_id.clone(),
        platform: live.platform,
        version_string: live.version.version_string.clone(),
        version_state: live.version.state.clone(),
        app_info_state: live.app_info.as_ref().map(|i| i.state.clone()),
        metadata_path: metadata_path.to_owned(),
    }
}

/// The decision as report entries and as writes.
#[derive(Default)]
struct Outcome {
    summary: PullSummary,
    changes: Vec<FileChange>,
    folder_changes: Vec<FolderChange>,
    files: Vec<FileWrite>,
    folders: Vec<FolderWrite>,
}

impl Outcome {
    fn of(layout: &dyn Layout, slots: &[slots::Slot], decision: &Decision, shown: &str) -> Outcome {
        let mut out = Outcome::default();
        for folder in &decision.folders {
            out.unlink_folder(layout, folder, shown);
        }
        for (i, slot) in slots.iter().enumerate() {
            let change = |action, was_link, reason| FileChange {
                path: format!("{shown}/{}", slot.rel),
                action,
                attribute: slot.attribute,
                locale: slot.locale.clone(),
                was_link,
                reason,
            };
            if let Some(value) = decision.writes.get(&slot.rel) {
                let (folder, _) = split(&slot.rel);
                let was_link = match layout.kind(&slot.rel) {
                    Kind::Link(link) if !decision.folders.contains(folder) => Some(link.shown),
                    _ => None,
                };
                let action = if source_file(layout, &slot.rel).is_some() {
                    out.summary.changed += 1;
                    FileAction::Changed
                } else {
                    out.summary.created += 1;
                    FileAction::Created
                };
                out.changes.push(change(action, was_link, None));
                out.files.push(FileWrite {
                    rel: slot.rel.clone(),
                    content: format!("{value}{}", layout.ending(&slot.rel)),
                });
            } else if let Some((_, why)) = decision.withheld.iter().find(|(w, _)| *w == i) {
                out.summary.left += 1;
                out.changes
                    .push(change(FileAction::Left, None, Some(reason(*why, slot))));
            } else {
                out.summary.unchanged += 1;
            }
        }
        out.changes.sort_by(|a, b| a.path.cmp(&b.path));
        out
    }

    fn unlink_folder(&mut self, layout: &dyn Layout, folder: &str, shown: &str) {
        let Some(link) = layout.folder_link(folder) else { return };
        let copies = link
            .next
            .as_deref()
            .map(|target| layout.files(target))
            .unwrap_or_default()
            .into_iter()
            .filter_map(|name| source_file(layout, &format!("{folder}/{name}")).map(|from| (name, from)))
            .collect();
        self.folders.push(FolderWrite {
            folder: folder.to_owned(),
            copies,
        });
        self.folder_changes.push(FolderChange {
            path: format!("{shown}/{folder}"),
            was_link: link.shown,
        });
    }
}

fn reason(why: Withheld, slot: &slots::Slot) -> String {
    match why {
        Withheld::Refused(code, at) => {
            let at = at.map(|(line, column)| format!(" at {line}:{column}")).unwrap_or_default();
            let then = if slot.current.is_none() {
                "with no file there, plan keeps the live value"
            } else {
                "plan proposes the file's value instead"
            };
            format!(
                "the live value is one App Store Connect refuses now ({code}{at}), and validate would refuse the tree holding it; {then}"
            )
        }
        Withheld::Secret => "a secret, written only with --include-secrets".to_owned(),
        Withheld::DemoUserWithoutPassword => {
            "written only with the demo password (--include-secrets): a demo user alone would make plan turn demoAccountRequired off".to_owned()
        }
    }
}
