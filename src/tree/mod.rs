//! The desired state: a fastlane `metadata/` tree read into typed values.
//!
//! Reading follows fastlane deliver exactly where deliver is right (file
//! names, `String#strip`, `default/` filling absent values, blank = keep)
//! and is stricter where deliver is sloppy: locale folders are sent in
//! Apple's case, a BOM is removed, unknown folders are named with a hint,
//! symlinks never leave the tree, and every problem is collected with its
//! path instead of failing on the first. No network code lives here.

pub mod assets;
pub mod products;
mod source;
pub mod testflight;
pub mod text;

use crate::findings::{Code, Finding};
use crate::locale::{self, Locale};
use crate::model::{Field, ReviewField, RootField, closest, closest_locale_file};
use source::{Entry, Kind, MAX_LINK_HOPS, ReadError, Source};
use std::collections::BTreeMap;
use std::path::Path;
use strum::IntoEnumIterator;

pub use source::{GitError, MAX_FILE_BYTES, normalize};

/// One file's value after stripping, and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextValue {
    /// The stripped text. Empty means the file exists but is blank.
    pub value: String,
    /// The file, as the user would type it (`metadata/en-US/name.txt`).
    pub path: String,
    /// Line and column of the value's first character in the file.
    pub origin: (usize, usize),
    /// Filled in from `default/` because the locale had no such file.
    pub from_default: bool,
}

impl TextValue {
    /// A blank file (empty or whitespace only): "keep the live value",
    /// unless `blank_files = "clear"`.
    pub fn is_blank(&self) -> bool {
        self.value.is_empty()
    }

    /// Line and column of the character at `char_index`.
    pub fn position(&self, char_index: usize) -> (usize, usize) {
        text::position(&self.value, self.origin, char_index)
    }
}

/// The localized values of one locale.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LocaleValues {
    /// The folder as written (`fr-ca`), or `None` when the locale is enabled
    /// only by the `languages` setting.
    pub folder: Option<String>,
    /// Only files that exist: a missing file is absent from the map.
    pub fields: BTreeMap<Field, TextValue>,
}

/// A whole metadata tree.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MetadataTree {
    /// The metadata folder as given by the user.
    pub root: String,
    pub locales: BTreeMap<Locale, LocaleValues>,
    /// `default/`: already copied into every locale where a file was absent;
    /// kept for validation and display.
    pub defaults: BTreeMap<Field, TextValue>,
    pub root_fields: BTreeMap<RootField, TextValue>,
    pub review: BTreeMap<ReviewField, TextValue>,
}

impl MetadataTree {
    /// deliver's `demoAccountRequired`: true when both the demo user and the
    /// demo password are non-blank. `None` when neither file exists.
    pub fn demo_account_required(&self) -> Option<bool> {
        let user = self.review.get(&ReviewField::DemoAccountName);
        let password = self.review.get(&ReviewField::DemoAccountPassword);
        if user.is_none() && password.is_none() {
            return None;
        }
        let filled = |v: Option<&TextValue>| v.is_some_and(|v| !v.is_blank());
        Some(filled(user) && filled(password))
    }

    /// Every value in the tree, each file once, in path order.
    pub fn values(&self) -> impl Iterator<Item = (ValueRef, &TextValue)> {
        let localized = self.locales.iter().flat_map(|(l, v)| {
            v.fields
                .iter()
                .filter(|(_, t)| !t.from_default)
                .map(move |(f, t)| (ValueRef::Localized(Some(*l), *f), t))
        });
        let defaults = self.defaults.iter().map(|(f, t)| (ValueRef::Localized(None, *f), t));
        let root = self.root_fields.iter().map(|(f, t)| (ValueRef::Root(*f), t));
        let review = self.review.iter().map(|(f, t)| (ValueRef::Review(*f), t));
        localized.chain(defaults).chain(root).chain(review)
    }
}

/// Which field a value is, for validation rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueRef {
    /// A localized field; `None` for `default/`.
    Localized(Option<Locale>, Field),
    Root(RootField),
    Review(ReviewField),
}

/// What an unknown folder at the top of the tree means.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UnknownFolders {
    /// An error: nothing is planned until it is renamed or removed.
    #[default]
    Error,
    /// A warning, and the folder is skipped (deliver's
    /// `ignore_language_directory_validation`).
    Warn,
}

#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    pub unknown_folders: UnknownFolders,
    /// Locales enabled even without a folder (deliver's `languages`), so
    /// that `default/` fills them.
    pub languages: Vec<Locale>,
}

/// A loaded tree and everything worth saying about it.
#[derive(Debug)]
pub struct Loaded {
    pub tree: MetadataTree,
    pub findings: Vec<Finding>,
}

impl Loaded {
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(Finding::is_error)
    }
}

/// Reads a metadata folder from disk.
pub fn load_dir(root: &Path, options: &LoadOptions) -> Loaded {
    let display = root.display().to_string();
    Loader::new(&source::FsSource::new(root), display, options).run()
}

/// Reads the same metadata folder as it is in git revision `rev` (a branch,
/// tag, sha or `HEAD~1`), without touching the work tree.
pub fn load_rev(root: &Path, rev: &str, options: &LoadOptions) -> Result<Loaded, GitError> {
    let display = root.display().to_string();
    let source = source::GitSource::open(root, rev)?;
    Ok(Loader::new(&source, display, options).run())
}

/// Top-level folders deliver skips (case-insensitively): screenshot and
/// contact folders, and an Android `supply` tree kept beside the iOS one.
const SKIPPED_FOLDERS: [&str; 7] = [
    "trade_representative_contact_information",
    "app_clip_review_information",
    "android",
    "fonts",
    "appletv",
    "imessage",
    "review_information",
];
const REVIEW_FOLDER: &str = "review_information";
const DEFAULT_FOLDER: &str = "default";

struct Loader<'a> {
    source: &'a dyn Source,
    root: String,
    options: &'a LoadOptions,
    findings: Vec<Finding>,
    /// Top-level folder symlinks that git checked out as plain files, with
    /// the folder each names (`en-GB` → `en-US`): a path under `en-GB/` is
    /// read from `en-US/`, as the link means, and shown under `en-GB/`, as
    /// the real symlink is.
    linked_folders: BTreeMap<String, String>,
}

/// What a path held by a plain file is expected to name.
#[derive(Clone, Copy, PartialEq, Eq)]
enum LinkTo {
    File,
    Folder,
}

/// Where a plain-file link leads, after any further plain-file links.
enum Followed {
    /// A text file: its path inside the tree, as shown, and its bytes.
    File { shown: String, bytes: Vec<u8> },
    /// A folder: its path inside the tree, as shown, and where it is read from.
    Folder { shown: String, real: String },
    /// Not a link after all: text that only looks like a path.
    Text,
    /// It cannot be followed; already reported.
    Failed,
}

/// The path a plain file holds when it is a symlink that git checked out
/// as a file (`core.symlinks=false`): one relative path, without spaces,
/// followed at most by the line end an editor adds (git never writes one).
/// A link to a file must name a `.txt` file in a folder (`../en-US/…`), so
/// that a one-word value is never taken for a link.
fn held_link(bytes: &[u8], to: LinkTo) -> Option<&str> {
    let text = std::str::from_utf8(bytes).ok()?;
    let target = match text.strip_suffix('\n') {
        Some(line) => line.strip_suffix('\r').unwrap_or(line),
        None => text,
    };
    let path_like = !target.is_empty()
        && target.len() < 256
        && !target.starts_with('/')
        && !target.chars().any(|c| c.is_whitespace() || c.is_control());
    let shaped = match to {
        LinkTo::File => target.contains('/') && target.ends_with(".txt"),
        LinkTo::Folder => true,
    };
    (path_like && shaped).then_some(target)
}

/// Whether a held path is unmistakably a relative path (`../en-US/…`),
/// not text such as a URL without its scheme (`www.example.com/terms.txt`).
fn plainly_relative(target: &str) -> bool {
    target.split('/').any(|part| part == ".." || part == ".")
}

fn parent(rel: &str) -> &str {
    rel.rsplit_once('/').map_or("", |(dir, _)| dir)
}

impl<'a> Loader<'a> {
    fn new(source: &'a dyn Source, root: String, options: &'a LoadOptions) -> Self {
        Loader {
            source,
            root,
            options,
            findings: Vec::new(),
            linked_folders: BTreeMap::new(),
        }
    }

    /// Where a path inside the tree is read from: under a folder link
    /// checked out as a plain file, in the folder the link names.
    fn real_path(&self, rel: &str) -> String {
        let (first, rest) = rel.split_once('/').map_or((rel, None), |(a, b)| (a, Some(b)));
        match (self.linked_folders.get(first), rest) {
            (None, _) => rel.to_owned(),
            (Some(folder), None) => folder.clone(),
            (Some(folder), Some(rest)) if folder.is_empty() => rest.to_owned(),
            (Some(folder), Some(rest)) => format!("{folder}/{rest}"),
        }
    }

    fn list(&self, rel: &str) -> Result<Vec<Entry>, String> {
        self.source.list(&self.real_path(rel))
    }

    fn read(&self, rel: &str) -> Result<Vec<u8>, ReadError> {
        self.source.read(&self.real_path(rel))
    }

    fn kind(&self, rel: &str) -> Kind {
        self.source.kind(&self.real_path(rel))
    }

    fn display(&self, rel: &str) -> String {
        if rel.is_empty() {
            self.root.clone()
        } else {
            format!("{}/{}", self.root.trim_end_matches('/'), rel)
        }
    }

    fn error(&mut self, code: Code, rel: &str, message: impl Into<String>) {
        let path = self.display(rel);
        self.findings.push(Finding::error(code, path, message));
    }

    fn warning(&mut self, code: Code, rel: &str, message: impl Into<String>) {
        let path = self.display(rel);
        self.findings.push(Finding::warning(code, path, message));
    }

    fn run(mut self) -> Loaded {
        let mut tree = MetadataTree {
            root: self.root.clone(),
            ..MetadataTree::default()
        };
        if let Err(why) = self.source.root_status() {
            self.error(
                Code::MetadataNotFound,
                "",
                format!(
                    "cannot read the metadata folder ({why}); pass --metadata DIR or set metadata_path in asc-sync.toml"
                ),
            );
            return self.finish(tree);
        }
        let entries = match self.source.list("") {
            Ok(e) => e,
            Err(why) => {
                self.error(Code::Unreadable, "", format!("cannot list the metadata folder: {why}"));
                return self.finish(tree);
            }
        };
        let mut folders: BTreeMap<Locale, String> = BTreeMap::new();
        let mut default_folder = None;
        for entry in entries {
            if entry.name.starts_with('.') {
                continue; // deliver's Dir.glob skips hidden entries too
            }
            if entry.name.ends_with(".txt") {
                self.root_file(&entry, &mut tree);
            } else if entry.kind == Kind::Dir {
                self.top_folder(&entry, &mut folders, &mut default_folder, &mut tree);
            } else if entry.kind == Kind::File && self.would_read_folder(&entry.name) {
                if self.folder_link(&entry.name) {
                    let linked = Entry {
                        name: entry.name.clone(),
                        kind: Kind::Dir,
                    };
                    self.top_folder(&linked, &mut folders, &mut default_folder, &mut tree);
                }
            } else if self.would_read_folder(&entry.name) {
                // A link to a locale folder that leads out of the tree or nowhere.
                self.unusable(&entry.name, &entry.kind);
            }
        }
        for locale in &self.options.languages {
            tree.locales.entry(*locale).or_default();
        }
        for (locale, folder) in folders {
            let fields = self.locale_files(&folder);
            tree.locales.insert(
                locale,
                LocaleValues {
                    folder: Some(folder),
                    fields,
                },
            );
        }
        if let Some(folder) = default_folder {
            tree.defaults = self.locale_files(&folder);
            for values in tree.locales.values_mut() {
                for (field, value) in &tree.defaults {
                    values.fields.entry(*field).or_insert_with(|| TextValue {
                        from_default: true,
                        ..value.clone()
                    });
                }
            }
        }
        self.finish(tree)
    }

    fn finish(mut self, tree: MetadataTree) -> Loaded {
        crate::findings::sort(&mut self.findings);
        Loaded {
            tree,
            findings: self.findings,
        }
    }

    /// Whether a top-level name is a folder asc-sync would read.
    fn would_read_folder(&self, name: &str) -> bool {
        Locale::ignoring_case(name).is_some()
            || name.eq_ignore_ascii_case(DEFAULT_FOLDER)
            || name.eq_ignore_ascii_case(REVIEW_FOLDER)
    }

    fn unusable(&mut self, rel: &str, kind: &Kind) {
        match kind {
            Kind::Escapes(target) => self.error(
                Code::SymlinkOutsideTree,
                rel,
                format!("symlink to '{target}' leads outside the metadata folder; asc-sync never reads outside it. Copy the file into the tree or point the link inside it"),
            ),
            Kind::Broken(why) => self.error(Code::Unreadable, rel, format!("broken symlink: {why}")),
            Kind::Dir => self.error(Code::NotAFile, rel, "is a folder, but a text file is expected here"),
            Kind::Other => self.error(Code::NotAFile, rel, "is not a regular file"),
            Kind::File => {}
        }
    }

    fn top_folder(
        &mut self,
        entry: &Entry,
        folders: &mut BTreeMap<Locale, String>,
        default_folder: &mut Option<String>,
        tree: &mut MetadataTree,
    ) {
        let name = entry.name.as_str();
        if name.eq_ignore_ascii_case(REVIEW_FOLDER) {
            tree.review = self.review_files(name);
            return;
        }
        if SKIPPED_FOLDERS.iter().any(|s| s.eq_ignore_ascii_case(name)) {
            return;
        }
        if name.eq_ignore_ascii_case(DEFAULT_FOLDER) {
            *default_folder = Some(name.to_owned());
            return;
        }
        let Some(locale) = Locale::ignoring_case(name) else {
            self.unknown_folder(name);
            return;
        };
        if let Some(first) = folders.get(&locale) {
            let message = format!(
                "folders '{first}' and '{name}' are both locale {locale}; keep one of them (App Store Connect spells it '{locale}')"
            );
            self.error(Code::DuplicateLocale, name, message);
            return;
        }
        if locale.code() != name {
            self.warning(
                Code::LocaleCase,
                name,
                format!("read as locale '{locale}': App Store Connect only accepts that spelling (fastlane would send '{name}' and be refused); rename the folder to '{locale}'"),
            );
        }
        folders.insert(locale, name.to_owned());
    }

    fn unknown_folder(&mut self, name: &str) {
        let hint = match locale::suggest(name).as_slice() {
            [] => ".".to_owned(),
            [one] => format!("; did you mean '{one}'?"),
            many => {
                let list: Vec<_> = many.iter().map(|l| format!("'{l}'")).collect();
                format!("; did you mean one of {}?", list.join(", "))
            }
        };
        let message = format!(
            "'{name}' is not one of App Store Connect's locale codes{hint} Rename the folder, remove it, or set unknown_folders = \"warn\" in asc-sync.toml to skip it"
        );
        match self.options.unknown_folders {
            UnknownFolders::Error => self.error(Code::UnknownFolder, name, message),
            UnknownFolders::Warn => {
                let message = format!(
                    "'{name}' is not one of App Store Connect's locale codes{hint} Skipped (unknown_folders = \"warn\")"
                );
                self.warning(Code::UnknownFolder, name, message)
            }
        }
    }

    fn root_file(&mut self, entry: &Entry, tree: &mut MetadataTree) {
        match RootField::from_file_name(&entry.name) {
            Some(field) => {
                if let Some(v) = self.read_text(&entry.name, &entry.kind) {
                    tree.root_fields.insert(field, v);
                }
            }
            None => {
                let known: Vec<&str> = RootField::all().map(RootField::file_name).collect();
                let hint = match closest(&entry.name.to_ascii_lowercase(), known.iter().copied()) {
                    Some(c) => format!("; did you mean '{c}'?"),
                    None => String::new(),
                };
                let message = format!("not a metadata file at the top of the tree, ignored{hint}");
                self.warning(Code::UnknownFile, &entry.name, message);
            }
        }
    }

    /// The known files of a locale folder (or `default/`).
    fn locale_files(&mut self, folder: &str) -> BTreeMap<Field, TextValue> {
        let mut fields = BTreeMap::new();
        let entries = match self.list(folder) {
            Ok(e) => e,
            Err(why) => {
                self.error(Code::Unreadable, folder, format!("cannot list this folder: {why}"));
                return fields;
            }
        };
        for entry in entries {
            let rel = format!("{folder}/{}", entry.name);
            if entry.name.starts_with('.') {
                continue;
            }
            if let Some(field) = Field::from_file_name(&entry.name) {
                if let Some(v) = self.read_text(&rel, &entry.kind) {
                    fields.insert(field, v);
                }
            } else if entry.kind == Kind::Dir {
                self.warning(
                    Code::NestedFolder,
                    &rel,
                    "a folder inside a locale folder is not read; locale folders belong directly under metadata/",
                );
            } else if entry.name.to_ascii_lowercase().ends_with(".txt") {
                let message = match closest_locale_file(&entry.name) {
                    Some(known) => format!("not a metadata file, ignored; did you mean '{known}'?"),
                    None => "not a metadata file, ignored".to_owned(),
                };
                self.warning(Code::UnknownFile, &rel, message);
            }
        }
        fields
    }

    fn review_files(&mut self, folder: &str) -> BTreeMap<ReviewField, TextValue> {
        let mut values = BTreeMap::new();
        let entries = match self.list(folder) {
            Ok(e) => e,
            Err(why) => {
                self.error(Code::Unreadable, folder, format!("cannot list this folder: {why}"));
                return values;
            }
        };
        let find = |name: &str| entries.iter().find(|e| e.name == name);
        for field in ReviewField::iter() {
            let (current, legacy) = field.file_names();
            let chosen = match (find(legacy), find(current)) {
                (Some(old), new) => {
                    // deliver reads the legacy name first; say how to end up
                    // with the current name alone, whichever text is meant.
                    let message = if new.is_some() {
                        format!(
                            "old file name, read as deliver reads it; '{current}' is ignored while it exists. Keep one: move the text you want into '{current}' and delete '{legacy}'"
                        )
                    } else {
                        format!("old file name, read as deliver reads it; rename it to '{current}'")
                    };
                    self.warning(Code::LegacyReviewFile, &format!("{folder}/{legacy}"), message);
                    old
                }
                (None, Some(new)) => new,
                (None, None) => continue,
            };
            let rel = format!("{folder}/{}", chosen.name);
            if let Some(v) = self.read_text(&rel, &chosen.kind) {
                values.insert(field, v);
            }
        }
        let known: Vec<&str> = ReviewField::iter()
            .flat_map(|f| {
                let (a, b) = f.file_names();
                [a, b]
            })
            .collect();
        for entry in &entries {
            if entry.name.ends_with(".txt") && !known.contains(&entry.name.as_str()) {
                let hint = match closest(&entry.name.to_ascii_lowercase(), known.iter().copied()) {
                    Some(c) => format!("; did you mean '{c}'?"),
                    None => String::new(),
                };
                self.warning(
                    Code::UnknownFile,
                    &format!("{folder}/{}", entry.name),
                    format!("not a review information file, ignored{hint}"),
                );
            }
        }
        values
    }

    /// A plain file where a folder asc-sync reads belongs (`metadata/en-GB`).
    /// A folder symlink that git checked out as a file holds just the
    /// folder's path (`en-US`), and fastlane skips it, so that locale would
    /// silently never be updated. When the path names a folder inside the
    /// tree it is read as that folder, as the real symlink is, with a
    /// warning; `true` then. Anything else is reported and skipped.
    fn folder_link(&mut self, name: &str) -> bool {
        let bytes = match self.read(name) {
            Ok(b) => b,
            Err(why) => {
                self.read_failed(name, why);
                return false;
            }
        };
        let Some(target) = held_link(&bytes, LinkTo::Folder) else {
            self.warning(
                Code::NotAFile,
                name,
                "is a file, but a folder is expected here; skipped, as fastlane skips it. Make it a folder or remove it",
            );
            return false;
        };
        let target = target.to_owned();
        let Followed::Folder { shown, real } = self.follow_link(name, &target, LinkTo::Folder) else {
            return false;
        };
        let message = format!(
            "holds only the path '{target}': a folder symlink that git checked out as a plain file (core.symlinks=false). asc-sync reads the folder {shown} as {name}, as the link means; fastlane would skip {name}"
        );
        self.warning(Code::SymlinkAsFile, name, message);
        self.linked_folders.insert(name.to_owned(), real);
        true
    }

    /// A symlink that git checked out as a plain file (`core.symlinks =
    /// false`, the default on Windows) holds just its target's path, e.g.
    /// `../en-US/release_notes.txt`. Sending that text to Apple is never
    /// what was meant, so when the path names a file inside the tree we read
    /// that file, as the link means, and say so. `Some(Err)` when it cannot
    /// be followed (already reported): leading outside the tree, to nothing,
    /// or to a folder is an error, as for the real symlink, never text.
    fn link_checked_out_as_file(&mut self, rel: &str, bytes: &[u8]) -> Option<Result<Vec<u8>, ()>> {
        let target = held_link(bytes, LinkTo::File)?.to_owned();
        match self.follow_link(rel, &target, LinkTo::File) {
            Followed::File { shown, bytes } => {
                let message = format!(
                    "holds only the path '{target}': a symlink that git checked out as a plain file (core.symlinks=false). asc-sync reads {shown}, as the link means; fastlane would send the path itself as text"
                );
                self.warning(Code::SymlinkAsFile, rel, message);
                Some(Ok(bytes))
            }
            Followed::Text => None,
            Followed::Folder { .. } | Followed::Failed => Some(Err(())),
        }
    }

    /// Follows the path `target` that the plain file `rel` holds, through
    /// any further plain files that hold paths (with `core.symlinks=false`
    /// every link of a chain is one), by the rules real symlinks follow:
    /// never out of the tree, and never more than [`MAX_LINK_HOPS`] links.
    /// Problems are reported at `rel`. A link to a file is text after all
    /// when the path names nothing and is not plainly relative
    /// (`www.example.com/terms.txt`).
    fn follow_link(&mut self, rel: &str, target: &str, to: LinkTo) -> Followed {
        let link = |problem: &str| format!("holds only the path '{target}' (a symlink checked out as a file){problem}");
        let (mut from, mut next) = (rel.to_owned(), target.to_owned());
        let mut text: Option<Vec<u8>> = None;
        for _ in 0..=MAX_LINK_HOPS {
            let Some(parts) = source::normalize(&format!("{}/{next}", parent(&from))) else {
                let message = link(" and it leads outside the metadata folder; asc-sync never reads outside it");
                self.error(Code::SymlinkOutsideTree, rel, message);
                return Followed::Failed;
            };
            let path = parts.join("/");
            let shown = if path.is_empty() { ".".to_owned() } else { path.clone() };
            match (self.kind(&path), to) {
                (Kind::Escapes(_), _) => {
                    let message = link(&format!(
                        " and {shown} leads outside the metadata folder through a symlink; asc-sync never reads outside it"
                    ));
                    self.error(Code::SymlinkOutsideTree, rel, message);
                }
                (Kind::Broken(_), LinkTo::File) if !plainly_relative(&next) => {
                    // Text that only looks like a path: the value, as before.
                    return match text {
                        None => Followed::Text,
                        Some(bytes) => Followed::File { shown: from, bytes },
                    };
                }
                (Kind::Broken(why), _) => {
                    let fix = match to {
                        LinkTo::File => {
                            "so the path is not sent as text. Correct the path, or replace it with the text itself"
                        }
                        LinkTo::Folder => {
                            "so it is not read as a folder. Correct the path, or replace the file with the folder itself"
                        }
                    };
                    let message = link(&format!(
                        ", but it leads nowhere ({why}); nothing is read from it, {fix}"
                    ));
                    self.error(Code::Unreadable, rel, message);
                }
                (Kind::Dir, LinkTo::Folder) => {
                    let real = self.real_path(&path);
                    return Followed::Folder { shown, real };
                }
                (Kind::Dir, LinkTo::File) => {
                    let message = link(&format!(", but {shown} is a folder, not a text file"));
                    self.error(Code::NotAFile, rel, message);
                }
                (Kind::Other, _) => {
                    self.error(
                        Code::NotAFile,
                        rel,
                        link(&format!(", but {shown} is not a regular file")),
                    );
                }
                (Kind::File, _) => {
                    let bytes = match self.read(&path) {
                        Ok(b) => b,
                        Err(ReadError::Io(why)) => {
                            let message = link(&format!(", but {shown} cannot be read: {why}"));
                            self.error(Code::Unreadable, rel, message);
                            return Followed::Failed;
                        }
                        Err(too_large @ ReadError::TooLarge(_)) => {
                            let (code, problem) = read_problem(too_large);
                            self.error(code, rel, link(&format!(", but {shown} {problem}")));
                            return Followed::Failed;
                        }
                    };
                    // A `.txt` file is text, never a link to a folder.
                    let holds_link = to == LinkTo::File || !path.ends_with(".txt");
                    match (held_link(&bytes, to).filter(|_| holds_link), to) {
                        (Some(further), _) => {
                            next = further.to_owned();
                            from = path;
                            text = Some(bytes);
                            continue;
                        }
                        (None, LinkTo::File) => return Followed::File { shown, bytes },
                        (None, LinkTo::Folder) => {
                            let message = link(&format!(", but {shown} is a file, not a folder"));
                            self.error(Code::NotAFile, rel, message);
                        }
                    }
                }
            }
            return Followed::Failed;
        }
        let message = link(&format!(
            ", but following it goes round in circles (more than {MAX_LINK_HOPS} links); nothing is read from it"
        ));
        self.error(Code::Unreadable, rel, message);
        Followed::Failed
    }

    fn read_failed(&mut self, rel: &str, why: ReadError) {
        let (code, problem) = read_problem(why);
        self.error(code, rel, problem);
    }

    /// Reads and strips one file; `None` (with a finding) when it cannot be used.
    fn read_text(&mut self, rel: &str, kind: &Kind) -> Option<TextValue> {
        if *kind != Kind::File {
            self.unusable(rel, kind);
            return None;
        }
        let bytes = match self.read(rel) {
            Ok(b) => b,
            Err(why) => {
                self.read_failed(rel, why);
                return None;
            }
        };
        let bytes = match self.link_checked_out_as_file(rel, &bytes) {
            Some(Ok(target)) => target,
            Some(Err(())) => return None,
            None => bytes,
        };
        match text::decode(&bytes) {
            Ok(decoded) => {
                if decoded.had_bom {
                    self.warning(
                        Code::BomRemoved,
                        rel,
                        "starts with a UTF-8 byte order mark; asc-sync removes it (fastlane would send it as an invisible character). Save the file as UTF-8 without BOM",
                    );
                }
                Some(TextValue {
                    value: decoded.value,
                    path: self.display(rel),
                    origin: decoded.origin,
                    from_default: false,
                })
            }
            Err(bad) => {
                let message = format!(
                    "is not valid UTF-8 (first bad byte at offset {}); save it as UTF-8",
                    bad.offset
                );
                let path = self.display(rel);
                self.findings
                    .push(Finding::error(Code::InvalidUtf8, path, message).at(Some((bad.line, bad.column))));
                None
            }
        }
    }
}

/// The finding for a file that could not be read, and what to say about it.
fn read_problem(why: ReadError) -> (Code, String) {
    match why {
        ReadError::TooLarge(size) => (
            Code::FileTooLarge,
            format!(
                "is {size} bytes; asc-sync reads text files of at most {MAX_FILE_BYTES} bytes (1 MiB), and no App Store field is near that. Is this the right file?"
            ),
        ),
        ReadError::Io(why) => (Code::Unreadable, format!("cannot read: {why}")),
    }
}
