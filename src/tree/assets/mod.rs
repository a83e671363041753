//! Screenshots and app previews: the `screenshots/` and `app_previews/`
//! trees read as fastlane deliver reads them, into the desired side of two
//! resource kinds, keyed by locale and slot, and checked offline for what
//! App Store Connect refuses.
//!
//! deliver's rules, kept: locale folders (case-insensitive, any of the 50
//! codes), `iMessage/<locale>/` and `appleTV/<locale>/` parents, only
//! `*_framed.*` files (and names with `watch`) when a folder has framed
//! ones, the slot from the pixel size (the two shared sizes decided by the
//! path), previews typed by a `PreviewType` token in the file name.
//! Added: a `<locale>/<DISPLAY_TYPE>/` (or `<locale>/<PREVIEW_TYPE>/`)
//! folder names the slot outright; a `<video>.timecode` file beside a
//! preview sets its poster frame; every problem is a finding with its path.
//!
//! Only headers are read (see [`probe`]); a file's MD5 is computed when
//! asked ([`Screenshot::md5`]), by whoever compares with App Store Connect.

pub mod probe;
/// The slots, as the model states them.
pub use crate::model::media as slots;

use crate::findings::{Code, Finding};
use crate::locale::{self, Locale};
use crate::tree::UnknownFolders;
use probe::ImageFormat;
use slots::{DisplayType, MAX_PREVIEW_BYTES, MAX_PREVIEWS, MAX_SCREENSHOTS, PREVIEW_SECONDS, PreviewType};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One screenshot file, as the tree has it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Screenshot {
    /// The file on disk.
    #[serde(skip)]
    pub path: PathBuf,
    /// The file as findings and plans show it (`fastlane/screenshots/en-US/1.png`).
    pub shown: String,
    /// The name sent to App Store Connect (`fileName`): the file's name.
    pub file_name: String,
    /// `fileSize`, in bytes.
    pub file_size: u64,
    pub width: u32,
    pub height: u32,
    pub format: ImageFormat,
    /// The PNG has an alpha channel or a transparency chunk.
    pub alpha: bool,
}

impl Screenshot {
    /// The file's MD5 in lower-case hex, as App Store Connect's
    /// `sourceFileChecksum`: read in full, so only when needed.
    pub fn md5(&self) -> std::io::Result<String> {
        probe::md5_hex(&self.path)
    }
}

/// One app preview file, as the tree has it.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Preview {
    #[serde(skip)]
    pub path: PathBuf,
    pub shown: String,
    pub file_name: String,
    pub file_size: u64,
    /// The length in seconds, when the file's `mvhd` box could be read.
    pub seconds: Option<f64>,
    /// `previewFrameTimeCode` from `<video>.timecode`, as written there
    /// (`00:00:05:00`); `None` leaves App Store Connect's choice.
    pub preview_frame_time_code: Option<String>,
}

impl Preview {
    pub fn md5(&self) -> std::io::Result<String> {
        probe::md5_hex(&self.path)
    }
}

/// The screenshots and previews a tree wants: per locale and slot, the
/// files in the order App Store Connect is to show them.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Assets {
    /// The screenshots folder as given (`fastlane/screenshots`).
    pub screenshots_root: String,
    pub app_previews_root: String,
    pub screenshots: BTreeMap<Locale, BTreeMap<DisplayType, Vec<Screenshot>>>,
    pub previews: BTreeMap<Locale, BTreeMap<PreviewType, Vec<Preview>>>,
}

impl Assets {
    /// Whether the tree has no screenshot and no preview: nothing to plan.
    pub fn is_empty(&self) -> bool {
        self.screenshots.is_empty() && self.previews.is_empty()
    }

    /// Every screenshot set, `(locale, display type, files in order)`.
    pub fn screenshot_sets(&self) -> impl Iterator<Item = (Locale, DisplayType, &[Screenshot])> {
        self.screenshots
            .iter()
            .flat_map(|(l, sets)| sets.iter().map(move |(t, files)| (*l, *t, files.as_slice())))
    }

    /// Every preview set, `(locale, preview type, files in order)`.
    pub fn preview_sets(&self) -> impl Iterator<Item = (Locale, PreviewType, &[Preview])> {
        self.previews
            .iter()
            .flat_map(|(l, sets)| sets.iter().map(move |(t, files)| (*l, *t, files.as_slice())))
    }
}

/// Where the two trees are and how strict to be about their folders.
#[derive(Clone, Debug, Default)]
pub struct AssetOptions {
    pub screenshots: PathBuf,
    pub app_previews: PathBuf,
    pub unknown_folders: UnknownFolders,
}

/// Top-level folders deliver skips under `screenshots/`, case-insensitively.
const SKIPPED: [&str; 5] = [
    "trade_representative_contact_information",
    "review_information",
    "app_clip_review_information",
    "android",
    "fonts",
];
const IMAGE_EXTENSIONS: [&str; 3] = ["png", "jpg", "jpeg"];
const VIDEO_EXTENSIONS: [&str; 3] = ["mp4", "mov", "m4v"];

/// Reads both trees. A folder that does not exist reads as nothing, with
/// no finding: most apps keep screenshots elsewhere, or nowhere.
pub fn load(options: &AssetOptions) -> (Assets, Vec<Finding>) {
    let mut reader = Reader {
        options,
        findings: Vec::new(),
    };
    let mut assets = Assets {
        screenshots_root: options.screenshots.display().to_string(),
        app_previews_root: options.app_previews.display().to_string(),
        ..Assets::default()
    };
    reader.screenshots(&mut assets);
    reader.previews(&mut assets);
    crate::findings::sort(&mut reader.findings);
    (assets, reader.findings)
}

struct Reader<'a> {
    options: &'a AssetOptions,
    findings: Vec<Finding>,
}

/// A directory entry: its name and whether it is a folder.
struct Item {
    name: String,
    dir: bool,
}

fn extension(name: &str) -> Option<String> {
    name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase())
}

fn stem(name: &str) -> &str {
    name.rsplit_once('.').map_or(name, |(s, _)| s)
}

impl Reader<'_> {
    fn shown(root: &Path, rel: &str) -> String {
        let root = root.display().to_string();
        format!("{}/{rel}", root.trim_end_matches('/'))
    }

    fn error(&mut self, code: Code, path: String, message: impl Into<String>) {
        self.findings.push(Finding::error(code, path, message));
    }

    fn warning(&mut self, code: Code, path: String, message: impl Into<String>) {
        self.findings.push(Finding::warning(code, path, message));
    }

    /// The entries of a folder, hidden ones left out, in name order; `None`
    /// (with a finding) when it cannot be listed.
    fn list(&mut self, root: &Path, rel: &str) -> Option<Vec<Item>> {
        let dir = if rel.is_empty() {
            root.to_owned()
        } else {
            root.join(rel)
        };
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(why) => {
                let shown = if rel.is_empty() {
                    root.display().to_string()
                } else {
                    Self::shown(root, rel)
                };
                self.error(Code::Unreadable, shown, format!("cannot list this folder: {why}"));
                return None;
            }
        };
        let mut items: Vec<Item> = entries
            .filter_map(Result::ok)
            .filter_map(|e| {
                let name = e.file_name().to_str()?.to_owned();
                // A link is followed, as deliver's Dir.glob does.
                let dir = std::fs::metadata(e.path()).is_ok_and(|m| m.is_dir());
                (!name.starts_with('.')).then_some(Item { name, dir })
            })
            .collect();
        items.sort_by(|a, b| a.name.cmp(&b.name));
        Some(items)
    }

    /// The locale folders under a root and under its `iMessage/` and
    /// `appleTV/` parents: `(path inside the root, locale, under iMessage)`.
    fn locale_folders(&mut self, root: &Path, what: &str) -> Vec<(String, Locale, bool)> {
        let mut found = Vec::new();
        if !root.is_dir() {
            if root.exists() {
                let message = format!("is not a folder; the {what} folder holds one folder per locale");
                self.error(Code::NotAFile, root.display().to_string(), message);
            }
            return found;
        }
        let Some(top) = self.list(root, "") else {
            return found;
        };
        let mut seen: BTreeMap<(String, Locale), String> = BTreeMap::new();
        for item in top.iter().filter(|i| i.dir) {
            let name = item.name.as_str();
            if SKIPPED.iter().any(|s| s.eq_ignore_ascii_case(name)) {
                continue;
            }
            let parent = ["iMessage", "appleTV"]
                .into_iter()
                .find(|p| p.eq_ignore_ascii_case(name));
            if let Some(parent) = parent {
                let Some(inner) = self.list(root, name) else {
                    continue;
                };
                for sub in inner.iter().filter(|i| i.dir) {
                    let rel = format!("{name}/{}", sub.name);
                    if let Some(locale) = self.locale_of(root, &rel, &sub.name, parent, &mut seen) {
                        found.push((rel, locale, parent == "iMessage"));
                    }
                }
            } else if name.eq_ignore_ascii_case("default") {
                let message = format!(
                    "{what} in default/ are not read (deliver does not send them either); put them in each locale's folder"
                );
                self.warning(Code::UnknownFolder, Self::shown(root, name), message);
            } else if let Some(locale) = self.locale_of(root, name, name, "", &mut seen) {
                found.push((name.to_owned(), locale, false));
            }
        }
        found
    }

    /// The locale of a folder, with the findings the metadata loader gives
    /// for its case, a duplicate, or a name that is no locale.
    fn locale_of(
        &mut self,
        root: &Path,
        rel: &str,
        name: &str,
        parent: &str,
        seen: &mut BTreeMap<(String, Locale), String>,
    ) -> Option<Locale> {
        let shown = Self::shown(root, rel);
        let Some(locale) = Locale::ignoring_case(name) else {
            let hint = match locale::suggest(name).as_slice() {
                [] => ".".to_owned(),
                [one] => format!("; did you mean '{one}'?"),
                many => {
                    let list: Vec<_> = many.iter().map(|l| format!("'{l}'")).collect();
                    format!("; did you mean one of {}?", list.join(", "))
                }
            };
            let message = format!("'{name}' is not one of App Store Connect's locale codes{hint}");
            match self.options.unknown_folders {
                UnknownFolders::Error => self.error(
                    Code::UnknownFolder,
                    shown,
                    format!("{message} Rename the folder, remove it, or set unknown_folders = \"warn\" in asc-sync.toml to skip it"),
                ),
                UnknownFolders::Warn => {
                    self.warning(Code::UnknownFolder, shown, format!("{message} Skipped (unknown_folders = \"warn\")"))
                }
            }
            return None;
        };
        if let Some(first) = seen.get(&(parent.to_owned(), locale)) {
            let message = format!("folders '{first}' and '{name}' are both locale {locale}; keep one of them");
            self.error(Code::DuplicateLocale, shown, message);
            return None;
        }
        seen.insert((parent.to_owned(), locale), name.to_owned());
        if locale.code() != name {
            self.warning(
                Code::LocaleCase,
                shown,
                format!("read as locale '{locale}': App Store Connect only accepts that spelling; rename the folder to '{locale}'"),
            );
        }
        Some(locale)
    }

    fn screenshots(&mut self, assets: &mut Assets) {
        let root = self.options.screenshots.clone();
        for (rel, locale, imessage) in self.locale_folders(&root, "screenshots") {
            let Some(items) = self.list(&root, &rel) else {
                continue;
            };
            let mut files: Vec<(String, Option<DisplayType>)> = Vec::new();
            let loose: Vec<&str> = items.iter().filter(|i| !i.dir).map(|i| i.name.as_str()).collect();
            files.extend(framed(&loose).into_iter().map(|n| (format!("{rel}/{n}"), None)));
            for sub in items.iter().filter(|i| i.dir) {
                let sub_rel = format!("{rel}/{}", sub.name);
                let Some(slot) = DisplayType::from_name(&sub.name) else {
                    let names = DisplayType::ALL.iter().map(|t| t.name());
                    let hint = crate::model::closest(&sub.name.to_ascii_uppercase(), names)
                        .map(|c| format!("; did you mean '{c}'?"))
                        .unwrap_or_default();
                    let message = format!(
                        "not read: a folder inside a locale folder must be named for a display type, such as APP_IPHONE_67{hint}"
                    );
                    self.warning(Code::NestedFolder, Self::shown(&root, &sub_rel), message);
                    continue;
                };
                let slot = match (imessage, slot.imessage()) {
                    (true, Some(i)) if !slot.is_imessage() => i,
                    _ => slot,
                };
                let Some(inner) = self.list(&root, &sub_rel) else {
                    continue;
                };
                let loose: Vec<&str> = inner.iter().filter(|i| !i.dir).map(|i| i.name.as_str()).collect();
                files.extend(
                    framed(&loose)
                        .into_iter()
                        .map(|n| (format!("{sub_rel}/{n}"), Some(slot))),
                );
            }
            for (file_rel, slot) in files {
                if let Some((slot, shot)) = self.screenshot(&root, &file_rel, slot, imessage) {
                    let set = assets.screenshots.entry(locale).or_default().entry(slot).or_default();
                    set.push(shot);
                }
            }
        }
        for (locale, sets) in &mut assets.screenshots {
            for (slot, set) in sets.iter_mut() {
                set.sort_by(|a, b| natord::compare(&a.file_name, &b.file_name).then_with(|| a.shown.cmp(&b.shown)));
                self.check_set(*locale, *slot, set);
            }
        }
    }

    /// One image: its header read and checked, and its slot.
    fn screenshot(
        &mut self,
        root: &Path,
        rel: &str,
        slot: Option<DisplayType>,
        imessage: bool,
    ) -> Option<(DisplayType, Screenshot)> {
        let path = root.join(rel);
        let shown = Self::shown(root, rel);
        let file_name = rel.rsplit('/').next().unwrap_or(rel).to_owned();
        let file_size = match std::fs::metadata(&path) {
            Ok(m) if m.is_file() => m.len(),
            Ok(_) => return None,
            Err(why) => {
                self.error(Code::Unreadable, shown, format!("cannot read this file: {why}"));
                return None;
            }
        };
        let header = match probe::image(&path) {
            Ok(h) => h,
            Err(why) => {
                let message = format!("cannot read this screenshot: {why}. Export it again as PNG or JPEG");
                self.error(Code::Unreadable, shown, message);
                return None;
            }
        };
        let ext = extension(&file_name).unwrap_or_default();
        match header.format {
            ImageFormat::Other(name) => self.error(
                Code::ImageFormat,
                shown.clone(),
                format!("is a {name} image; App Store Connect takes PNG and JPEG only. Convert it to PNG"),
            ),
            format if !format.extensions().contains(&ext.as_str()) => {
                let rename = format!("{}.{}", stem(&file_name), format.extensions()[0]);
                self.error(
                    Code::ImageFormat,
                    shown.clone(),
                    format!(
                        "is a {} image named .{ext}; App Store Connect checks the two agree. Rename it to '{rename}'",
                        format.label()
                    ),
                );
            }
            _ => {}
        }
        if header.alpha {
            self.warning(
                Code::ImageAlpha,
                shown.clone(),
                "the PNG has an alpha channel; Apple's guidance is no transparency, and a transparent screenshot has been seen refused. Export it without alpha (e.g. `magick in.png -alpha off out.png`)",
            );
        }
        let (w, h) = (header.width, header.height);
        let slot = match slot {
            Some(slot) if slot.accepts(w, h) => slot,
            Some(slot) => {
                let message = format!(
                    "{w}×{h} is not a size of {slot}, the folder it is in; {slot} takes {}. Resize the image or move it to the folder of its display type",
                    slot.sizes_text()
                );
                self.error(Code::ScreenshotSize, shown, message);
                return None;
            }
            None => match DisplayType::from_size(w, h, rel, imessage) {
                Some(slot) => slot,
                None => {
                    let near: Vec<String> = DisplayType::nearest(w, h, imessage, 3)
                        .into_iter()
                        .map(|t| format!("{t} takes {}", t.sizes_text()))
                        .collect();
                    let message = format!(
                        "{w}×{h} is not a screenshot size App Store Connect takes{}; the nearest slots: {}. Resize the image, or put it in a folder named for its display type",
                        if imessage { " for iMessage" } else { "" },
                        near.join("; ")
                    );
                    self.error(Code::ScreenshotSize, shown, message);
                    return None;
                }
            },
        };
        let shot = Screenshot {
            path,
            shown,
            file_name,
            file_size,
            width: w,
            height: h,
            format: header.format,
            alpha: header.alpha,
        };
        Some((slot, shot))
    }

    /// A set's own rules: at most 10, and no file twice.
    fn check_set(&mut self, locale: Locale, slot: DisplayType, set: &[Screenshot]) {
        if set.len() > MAX_SCREENSHOTS {
            let message = format!(
                "{slot} of {locale} has {} screenshots; App Store Connect takes at most {MAX_SCREENSHOTS} per set. Remove {} (files sort by name: this is the first one past the limit)",
                set.len(),
                set.len() - MAX_SCREENSHOTS
            );
            self.error(Code::TooManyScreenshots, set[MAX_SCREENSHOTS].shown.clone(), message);
        }
        self.duplicates(
            set.iter().map(|s| (&s.path, &s.shown, s.file_size)),
            &format!("{slot} of {locale}"),
        );
    }

    /// Files of one set with the same bytes: compared by size first, then
    /// by MD5, so that only files of equal size are read in full.
    fn duplicates<'s>(&mut self, files: impl Iterator<Item = (&'s PathBuf, &'s String, u64)>, set: &str) {
        let mut by_size: BTreeMap<u64, Vec<(&PathBuf, &String)>> = BTreeMap::new();
        for (path, shown, size) in files {
            by_size.entry(size).or_default().push((path, shown));
        }
        for group in by_size.values().filter(|g| g.len() > 1) {
            let mut first_of: BTreeMap<String, &String> = BTreeMap::new();
            for (path, shown) in group {
                let Ok(md5) = probe::md5_hex(path) else {
                    continue;
                };
                match first_of.get(&md5) {
                    Some(first) => {
                        let message = format!(
                            "the same bytes as '{first}' in {set}; a set tells its files apart by checksum, so one of them would be lost. Remove one"
                        );
                        self.findings
                            .push(Finding::error(Code::DuplicateScreenshot, (*shown).clone(), message));
                    }
                    None => {
                        first_of.insert(md5, shown);
                    }
                }
            }
        }
    }

    fn previews(&mut self, assets: &mut Assets) {
        let root = self.options.app_previews.clone();
        for (rel, locale, _) in self.locale_folders(&root, "app previews") {
            let Some(items) = self.list(&root, &rel) else {
                continue;
            };
            let mut files: Vec<(String, String, Option<PreviewType>)> = Vec::new();
            for item in &items {
                if item.dir {
                    let sub_rel = format!("{rel}/{}", item.name);
                    let Some(kind) = PreviewType::from_name(&item.name) else {
                        let names = PreviewType::ALL.iter().map(|t| t.name());
                        let hint = crate::model::closest(&item.name.to_ascii_uppercase(), names)
                            .map(|c| format!("; did you mean '{c}'?"))
                            .unwrap_or_default();
                        let message = format!(
                            "not read: a folder inside a locale folder must be named for a preview type, such as IPHONE_67{hint}"
                        );
                        self.warning(Code::NestedFolder, Self::shown(&root, &sub_rel), message);
                        continue;
                    };
                    let Some(inner) = self.list(&root, &sub_rel) else {
                        continue;
                    };
                    for f in inner.iter().filter(|i| !i.dir) {
                        files.push((sub_rel.clone(), f.name.clone(), Some(kind)));
                    }
                } else {
                    files.push((rel.clone(), item.name.clone(), None));
                }
            }
            let names: Vec<(String, String)> = files.iter().map(|(d, n, _)| (d.clone(), n.clone())).collect();
            for (dir, name, kind) in files {
                let ext = extension(&name).unwrap_or_default();
                if !VIDEO_EXTENSIONS.contains(&ext.as_str()) {
                    continue;
                }
                let timecode = names
                    .iter()
                    .find(|(d, n)| *d == dir && n.eq_ignore_ascii_case(&format!("{}.timecode", stem(&name))))
                    .map(|(d, n)| format!("{d}/{n}"));
                if let Some((kind, preview)) = self.preview(&root, &dir, &name, kind, timecode) {
                    assets
                        .previews
                        .entry(locale)
                        .or_default()
                        .entry(kind)
                        .or_default()
                        .push(preview);
                }
            }
        }
        for (locale, sets) in &mut assets.previews {
            for (kind, set) in sets.iter_mut() {
                set.sort_by(|a, b| natord::compare(&a.file_name, &b.file_name).then_with(|| a.shown.cmp(&b.shown)));
                if set.len() > MAX_PREVIEWS {
                    let message = format!(
                        "{kind} of {locale} has {} previews; App Store Connect takes at most {MAX_PREVIEWS} per set. Remove {} (files sort by name: this is the first one past the limit)",
                        set.len(),
                        set.len() - MAX_PREVIEWS
                    );
                    self.error(Code::TooManyPreviews, set[MAX_PREVIEWS].shown.clone(), message);
                }
                let set_name = format!("{kind} of {locale}");
                self.duplicates(set.iter().map(|p| (&p.path, &p.shown, p.file_size)), &set_name);
            }
        }
    }

    fn preview(
        &mut self,
        root: &Path,
        dir: &str,
        name: &str,
        kind: Option<PreviewType>,
        timecode: Option<String>,
    ) -> Option<(PreviewType, Preview)> {
        let rel = format!("{dir}/{name}");
        let path = root.join(&rel);
        let shown = Self::shown(root, &rel);
        let file_size = match std::fs::metadata(&path) {
            Ok(m) => m.len(),
            Err(why) => {
                self.error(Code::Unreadable, shown, format!("cannot read this file: {why}"));
                return None;
            }
        };
        let Some(kind) = kind.or_else(|| PreviewType::from_file_name(name)) else {
            let message = "no preview type in the file name; put one (IPHONE_67, IPAD_PRO_3GEN_129, …) in the name, as deliver reads it, or move the file into a folder named for it";
            self.error(Code::PreviewType, shown, message);
            return None;
        };
        if file_size > MAX_PREVIEW_BYTES {
            let message = format!(
                "{} MB; App Store Connect takes previews of at most 500 MB. Export it at a lower bit rate",
                file_size / (1024 * 1024)
            );
            self.error(Code::PreviewTooLarge, shown.clone(), message);
        }
        let seconds = match probe::video(&path, file_size) {
            Ok(header) => {
                let s = header.seconds;
                if header.silent {
                    let message = "the video has no sound track; App Store Connect fails such a preview after the upload (MOV_RESAVE_STEREO). Add a stereo sound track, silent if need be";
                    self.warning(Code::PreviewSound, shown.clone(), message);
                }
                let (min, max) = PREVIEW_SECONDS;
                if !(min..=max).contains(&s) {
                    let message = format!(
                        "{s:.2} seconds long; an app preview is {min:.0} to {max:.0} seconds. Trim or extend it"
                    );
                    self.error(Code::PreviewDuration, shown.clone(), message);
                }
                Some(s)
            }
            Err(why) => {
                let message = format!(
                    "cannot read the video's length ({why}); App Store Connect takes 15 to 30 seconds of H.264 in MP4 or MOV"
                );
                self.warning(Code::PreviewDuration, shown.clone(), message);
                None
            }
        };
        let preview_frame_time_code = timecode.and_then(|tc_rel| self.time_code(root, &tc_rel, seconds));
        let preview = Preview {
            path,
            shown,
            file_name: name.to_owned(),
            file_size,
            seconds,
            preview_frame_time_code,
        };
        Some((kind, preview))
    }

    /// A `<video>.timecode` file: one `HH:MM:SS:FF` time code (frames
    /// 00-29), within the video when its length is known.
    fn time_code(&mut self, root: &Path, rel: &str, seconds: Option<f64>) -> Option<String> {
        let shown = Self::shown(root, rel);
        let text = match std::fs::read_to_string(root.join(rel)) {
            Ok(t) => t.trim().to_owned(),
            Err(why) => {
                self.error(Code::Unreadable, shown, format!("cannot read this file: {why}"));
                return None;
            }
        };
        let Some(at) = parse_time_code(&text) else {
            let message = format!(
                "'{text}' is not a time code; write the poster frame as HH:MM:SS:FF, e.g. 00:00:05:00 (frames 00-29)"
            );
            self.error(Code::PreviewTimeCode, shown, message);
            return None;
        };
        if let Some(length) = seconds.filter(|len| at > *len) {
            let message = format!(
                "the poster frame at {text} is past the end of the {length:.2}-second video; pick a frame inside it"
            );
            self.error(Code::PreviewTimeCode, shown, message);
            return None;
        }
        Some(text)
    }
}

/// A poster frame time code `HH:MM:SS:FF` in seconds (30 frames a second).
pub fn parse_time_code(text: &str) -> Option<f64> {
    let parts: Vec<&str> = text.split(':').collect();
    let [h, m, s, f] = parts.as_slice() else {
        return None;
    };
    let num = |p: &str, max: u32| {
        (p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse::<u32>().ok())
            .flatten()
            .filter(|v| *v <= max)
    };
    let (h, m, s, f) = (num(h, 99)?, num(m, 59)?, num(s, 59)?, num(f, 29)?);
    Some(f64::from(h * 3600 + m * 60 + s) + f64::from(f) / 30.0)
}

/// deliver's framed rule for one folder: when any image is `*_framed.*`,
/// only the images whose name has `framed` or `watch` (frameit does not
/// frame watch screenshots); otherwise every image. Images only: `png`,
/// `jpg`, `jpeg`, in any case.
fn framed<'n>(names: &[&'n str]) -> Vec<&'n str> {
    let images: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| extension(n).is_some_and(|e| IMAGE_EXTENSIONS.contains(&e.as_str())))
        .collect();
    let any_framed = images.iter().any(|n| stem(n).to_lowercase().ends_with("_framed"));
    if !any_framed {
        return images;
    }
    images
        .into_iter()
        .filter(|n| {
            let lower = n.to_lowercase();
            lower.contains("framed") || lower.contains("watch")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn framed_files_win_but_watch_files_stay() {
        let names = ["1.png", "1_framed.png", "watch_1.png", "notes.txt", "2.JPG"];
        assert_eq!(framed(&names), vec!["1_framed.png", "watch_1.png"]);
        assert_eq!(framed(&["1.png", "2.JPG", "a.txt"]), vec!["1.png", "2.JPG"]);
    }

    #[test]
    fn time_codes_are_hours_minutes_seconds_frames() {
        assert_eq!(parse_time_code("00:00:05:00"), Some(5.0));
        assert_eq!(parse_time_code("00:00:10:15"), Some(10.5));
        assert_eq!(parse_time_code("00:00:05"), None);
        assert_eq!(parse_time_code("00:00:05:30"), None);
        assert_eq!(parse_time_code("0:0:5:0"), None);
    }
}
