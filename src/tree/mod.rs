//! The desired state: a fastlane `metadata/` tree read into typed values.
//!
//! Reading follows fastlane deliver exactly where deliver is right (file
//! names, `String#strip`, `default/` filling absent values, blank = keep)
//! and is stricter where deliver is sloppy: locale folders are sent in
//! Apple's case, a BOM is removed, unknown folders are named with a hint,
//! symlinks never leave the tree, and every problem is collected with its
//! path instead of failing on the first. No network code lives here.

mod source;
pub mod text;

use crate::findings::{Code, Finding};
use crate::locale::{self, Locale};
use crate::model::{Field, ReviewField, RootField, closest, closest_locale_file};
use source::{Entry, Kind, ReadError, Source};
use std::collections::BTreeMap;
use std::path::Path;
use strum::IntoEnumIterator;

pub use source::{GitError, MAX_FILE_BYTES};

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
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize)]
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
}

impl<'a> Loader<'a> {
    fn new(source: &'a dyn Source, root: String, options: &'a LoadOptions) -> Self {
        Loader {
            source,
            root,
            options,
            findings: Vec::new(),
        }
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
        let entries = match self.source.list(folder) {
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
        let entries = match self.source.list(folder) {
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
                    let also = if new.is_some() {
                        format!("; '{current}' is ignored while it exists")
                    } else {
                        String::new()
                    };
                    let message = format!("old file name, read as deliver reads it{also}; rename it to '{current}'");
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

    /// A symlink that git checked out as a plain file (`core.symlinks =
    /// false`, the default on Windows) holds just its target's path, e.g.
    /// `../en-US/release_notes.txt`. Sending that text to Apple is never
    /// what was meant, so when the path names a file inside the tree we read
    /// that file, as the link means, and say so. `Some(Err)` when the path
    /// leads outside the tree or cannot be read (already reported).
    fn link_checked_out_as_file(&mut self, rel: &str, bytes: &[u8]) -> Option<Result<Vec<u8>, ()>> {
        let target = std::str::from_utf8(bytes).ok()?;
        let looks_like_link = target.len() < 256
            && target.contains('/')
            && target.ends_with(".txt")
            && !target.starts_with('/')
            && !target.chars().any(char::is_whitespace);
        if !looks_like_link {
            return None;
        }
        let folder = rel.rsplit_once('/').map_or("", |(dir, _)| dir);
        let Some(parts) = source::normalize(&format!("{folder}/{target}")) else {
            let message = format!(
                "holds only the path '{target}' (a symlink checked out as a file) and it leads outside the metadata folder; asc-sync never reads outside it"
            );
            self.error(Code::SymlinkOutsideTree, rel, message);
            return Some(Err(()));
        };
        let resolved = parts.join("/");
        let bytes = self.source.read(&resolved).ok()?;
        let message = format!(
            "holds only the path '{target}': a symlink that git checked out as a plain file (core.symlinks=false). asc-sync reads {resolved}, as the link means; fastlane would send the path itself as text"
        );
        self.warning(Code::SymlinkAsFile, rel, message);
        Some(Ok(bytes))
    }

    /// Reads and strips one file; `None` (with a finding) when it cannot be used.
    fn read_text(&mut self, rel: &str, kind: &Kind) -> Option<TextValue> {
        if *kind != Kind::File {
            self.unusable(rel, kind);
            return None;
        }
        let bytes = match self.source.read(rel) {
            Ok(b) => b,
            Err(ReadError::TooLarge(size)) => {
                let message = format!(
                    "is {size} bytes; asc-sync reads text files of at most {} bytes (1 MiB), and no App Store field is near that. Is this the right file?",
                    MAX_FILE_BYTES
                );
                self.error(Code::FileTooLarge, rel, message);
                return None;
            }
            Err(ReadError::Io(why)) => {
                self.error(Code::Unreadable, rel, format!("cannot read: {why}"));
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
