//! `asc-sync.toml`: the settings a team commits beside its metadata.
//!
//! Command-line flags override it. Unknown keys are errors, not silently
//! ignored, so a typo such as `blank_file = "clear"` cannot quietly change
//! what a plan means; the error names the file, line and key.
//!
//! One file may list several apps (`[[apps]]`, each with a `name`): the
//! top-level settings are then every app's defaults, and each entry
//! overrides them for its app (see [`AppConfig`]).

use crate::locale::Locale;
use crate::tree::{LoadOptions, UnknownFolders};
use serde::Deserialize;
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = "asc-sync.toml";
pub const DEFAULT_METADATA_PATH: &str = "fastlane/metadata";

/// What a blank file (empty or whitespace only) means.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BlankFiles {
    /// Keep the live value, as fastlane deliver does.
    #[default]
    Keep,
    /// Clear the live value. A missing file still means keep.
    Clear,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub bundle_id: Option<String>,
    /// The app's App Store Connect id: saves looking the app up by its
    /// bundle id, so `plan` reads the live state in one round trip.
    pub app_id: Option<String>,
    pub platform: Option<String>,
    pub version: Option<String>,
    pub metadata_path: Option<PathBuf>,
    /// `<locale>/*.png|jpg` screenshots, as deliver reads them.
    pub screenshots_path: Option<PathBuf>,
    /// `<locale>/*.mp4|mov|m4v` app previews.
    pub app_previews_path: Option<PathBuf>,
    #[serde(default)]
    pub blank_files: BlankFiles,
    #[serde(default)]
    pub unknown_folders: UnknownFolders,
    /// Locales to fill from `default/` even without a folder (deliver's `languages`).
    #[serde(default)]
    pub languages: Vec<String>,
    #[serde(default)]
    pub auth: AuthConfig,
    #[serde(default)]
    pub apply: ApplyConfig,
    #[serde(default)]
    pub validate: ValidateConfig,
    /// `[release]`: how the version is released.
    #[serde(default)]
    pub release: ReleaseConfig,
    /// `[[apps]]`: the apps of a multi-app file; empty for one app.
    #[serde(default)]
    pub apps: Vec<AppConfig>,
    /// The folder the file was read from: relative paths in it are relative to it.
    #[serde(skip)]
    pub dir: PathBuf,
    #[serde(skip)]
    pub path: Option<PathBuf>,
    /// `auth` is an app's own `[apps.auth]`: its key, which the flags and
    /// environment (the run's one key) do not override.
    #[serde(skip)]
    pub own_auth: bool,
}

/// One `[[apps]]` entry: an app (a bundle id on a platform) and its own
/// settings; what it leaves out is taken from the top level of the file.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppConfig {
    /// What `--app` and every report call it: letters, digits, `.`, `_`, `-`.
    pub name: String,
    pub bundle_id: String,
    /// The app's App Store Connect id: saves the app lookup.
    pub app_id: Option<String>,
    pub platform: Option<String>,
    pub version: Option<String>,
    pub metadata_path: Option<PathBuf>,
    pub screenshots_path: Option<PathBuf>,
    pub app_previews_path: Option<PathBuf>,
    pub blank_files: Option<BlankFiles>,
    pub unknown_folders: Option<UnknownFolders>,
    pub languages: Option<Vec<String>>,
    /// The app's own API key, used whole in place of the flags, the
    /// environment and the top-level `[auth]`.
    pub auth: Option<AuthConfig>,
    /// Replaces the top-level `[validate]` for this app.
    pub validate: Option<ValidateConfig>,
    /// `[apps.release]`: each key set here wins over the top level's.
    pub release: Option<ReleaseConfig>,
}

/// `[release]`: how the version is released. Every key is optional, and
/// an absent key leaves App Store Connect as it is (fastlane deliver, by
/// contrast, deletes a phased release whenever `phased_release` is unset).
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ReleaseConfig {
    /// `manual`, `after_approval` or `scheduled`.
    pub release_type: Option<ReleaseType>,
    /// With `scheduled`: the earliest date and time, RFC 3339.
    pub earliest_release_date: Option<String>,
    /// A 7-day phased release of the update: `true` adds it, `false`
    /// removes it (only before it started).
    pub phased_release: Option<bool>,
    /// The build the version ships with: `"latest"` (the newest build of
    /// the version's version string) or a build number.
    pub build: Option<String>,
    /// TestFlight groups (by name) the build is added to; groups not
    /// named are left as they are.
    pub beta_groups: Option<Vec<String>>,
}

impl ReleaseConfig {
    /// Each key of `over` that is set, else this one's.
    fn overridden_by(&self, over: &ReleaseConfig) -> ReleaseConfig {
        ReleaseConfig {
            release_type: over.release_type.or(self.release_type),
            earliest_release_date: over
                .earliest_release_date
                .clone()
                .or(self.earliest_release_date.clone()),
            phased_release: over.phased_release.or(self.phased_release),
            build: over.build.clone().or(self.build.clone()),
            beta_groups: over.beta_groups.clone().or(self.beta_groups.clone()),
        }
    }

    /// What Apple needs together: a scheduled release needs its date, and
    /// a date means a scheduled release.
    fn check(&self) -> Result<(), String> {
        match (self.release_type, &self.earliest_release_date) {
            (Some(ReleaseType::Scheduled), None) => {
                return Err("[release] release_type = \"scheduled\" needs earliest_release_date (e.g. \"2026-12-24T08:00:00Z\")".into());
            }
            (Some(other), Some(_)) if other != ReleaseType::Scheduled => {
                return Err("[release] earliest_release_date goes with release_type = \"scheduled\" only".into());
            }
            _ => {}
        }
        if let Some(date) = &self.earliest_release_date
            && time::OffsetDateTime::parse(date, &time::format_description::well_known::Rfc3339).is_err()
        {
            return Err(format!(
                "[release] earliest_release_date = \"{date}\" is not an RFC 3339 date and time (e.g. \"2026-12-24T08:00:00Z\")"
            ));
        }
        Ok(())
    }

    /// Whether no key is set: nothing to read or plan.
    pub fn is_empty(&self) -> bool {
        *self == ReleaseConfig::default()
    }
}

/// `releaseType`: when an approved version goes on sale.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ReleaseType {
    Manual,
    AfterApproval,
    Scheduled,
}

impl ReleaseType {
    pub fn api_name(self) -> &'static str {
        match self {
            ReleaseType::Manual => "MANUAL",
            ReleaseType::AfterApproval => "AFTER_APPROVAL",
            ReleaseType::Scheduled => "SCHEDULED",
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    pub key_id: Option<String>,
    pub issuer_id: Option<String>,
    pub private_key_path: Option<PathBuf>,
    pub api_key_path: Option<PathBuf>,
    /// The name of an environment variable holding the key's text, as
    /// `ASC_PRIVATE_KEY` holds it: one CI secret per key.
    pub private_key_env: Option<String>,
}

/// `[validate]`: how strict the offline checks are.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValidateConfig {
    /// `"warning"` lets emoji through validation (Apple refuses them in
    /// most fields; some teams know better for their app).
    pub invalid_characters: Option<crate::findings::Severity>,
    /// Warning codes not to report (`keyword-spaces`, …). Errors are
    /// always reported: they are what Apple would refuse.
    #[serde(default)]
    pub ignore: Vec<String>,
}

impl ValidateConfig {
    /// The codes of `ignore`, or the first name that is no code, with a hint.
    pub fn ignored(&self) -> Result<std::collections::BTreeSet<crate::findings::Code>, (String, String)> {
        crate::findings::Code::parse_all(&self.ignore)
    }

    pub fn options(&self) -> crate::validate::ValidateOptions {
        let defaults = crate::validate::ValidateOptions::default();
        crate::validate::ValidateOptions {
            invalid_characters: self.invalid_characters.unwrap_or(defaults.invalid_characters),
            ignore: self.ignored().unwrap_or_default(),
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApplyConfig {
    pub max_concurrency: Option<usize>,
    /// At most this many requests per rolling hour from this process: its
    /// share of the key's budget when several jobs use one key.
    pub hourly_budget: Option<u64>,
}

/// The bounds of `max_concurrency`, as the flag takes it.
pub const MAX_CONCURRENCY: std::ops::RangeInclusive<usize> = 1..=64;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{path}: {message}")]
    Parse { path: String, message: String },
    #[error("{path}: languages: '{value}' is not an App Store locale{hint}")]
    Language { path: String, value: String, hint: String },
    #[error(
        "{path}: [apply] max_concurrency = {value}: it must be between 1 and 64 (requests in flight); remove it for the default of 8"
    )]
    Concurrency { path: String, value: usize },
    #[error("{path}: [validate] ignore: '{value}' is not a finding code{hint}")]
    IgnoreCode { path: String, value: String, hint: String },
    #[error(
        "{path}: [apply] hourly_budget = 0: it must be at least 1 (requests per hour this process may send); remove it to pace against Apple's budget alone"
    )]
    HourlyBudget { path: String },
    #[error("{path}: {what}")]
    Apps { path: String, what: String },
}

impl Config {
    /// Reads `explicit` if given (it must exist), else `./asc-sync.toml` if
    /// it exists, else the defaults.
    pub fn discover(explicit: Option<&Path>) -> Result<Config, ConfigError> {
        match explicit {
            Some(path) => Config::read(path),
            None if Path::new(FILE_NAME).is_file() => Config::read(Path::new(FILE_NAME)),
            None => Ok(Config::default()),
        }
    }

    pub fn read(path: &Path) -> Result<Config, ConfigError> {
        let display = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: display.clone(),
            source,
        })?;
        let mut config: Config = toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: display.clone(),
            message: e.to_string().trim_end().to_owned(),
        })?;
        config.dir = path.parent().map(Path::to_owned).unwrap_or_default();
        config.path = Some(path.to_owned());
        config.load_options()?;
        if let Some(value) = config.apply.max_concurrency.filter(|n| !MAX_CONCURRENCY.contains(n)) {
            return Err(ConfigError::Concurrency {
                path: display.clone(),
                value,
            });
        }
        config
            .validate
            .ignored()
            .map_err(|(value, hint)| ConfigError::IgnoreCode {
                path: display.clone(),
                value,
                hint,
            })?;
        if config.apply.hourly_budget == Some(0) {
            return Err(ConfigError::HourlyBudget { path: display });
        }
        let releases = std::iter::once(config.release.clone()).chain(config.apps.iter().map(|a| {
            config
                .release
                .overridden_by(a.release.as_ref().unwrap_or(&ReleaseConfig::default()))
        }));
        for release in releases {
            release.check().map_err(|message| ConfigError::Parse {
                path: display.clone(),
                message,
            })?;
        }
        config.check_apps()?;
        Ok(config)
    }

    /// Each `[[apps]]` entry has a name of its own, and its settings read
    /// as the top level's do; no top-level `bundle_id` beside them.
    fn check_apps(&self) -> Result<(), ConfigError> {
        let path = self.display_path();
        let bad = |what: String| ConfigError::Apps {
            path: path.clone(),
            what,
        };
        if self.apps.is_empty() {
            return Ok(());
        }
        if let Some(id) = &self.bundle_id {
            return Err(bad(format!(
                "bundle_id = \"{id}\" at the top level and [[apps]]: each app names its own bundle_id; move it into an [[apps]] entry"
            )));
        }
        if let Some(id) = &self.app_id {
            return Err(bad(format!(
                "app_id = \"{id}\" at the top level and [[apps]]: each app names its own app_id; move it into an [[apps]] entry"
            )));
        }
        let mut seen = std::collections::BTreeSet::new();
        for (i, app) in self.apps.iter().enumerate() {
            let valid = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
            if app.name.is_empty() || !app.name.chars().all(valid) {
                return Err(bad(format!(
                    "[[apps]] entry {}: name = \"{}\": use letters, digits, '.', '_' and '-' only (it is what --app takes)",
                    i + 1,
                    app.name
                )));
            }
            if !seen.insert(app.name.as_str()) {
                return Err(bad(format!(
                    "[[apps]]: two apps are named \"{}\"; give each its own name",
                    app.name
                )));
            }
            let own = self.for_app(app);
            own.load_options()?;
            own.validate
                .ignored()
                .map_err(|(value, hint)| ConfigError::IgnoreCode {
                    path: format!("{path}: app {}", app.name),
                    value,
                    hint,
                })?;
        }
        Ok(())
    }

    /// The names of the `[[apps]]` entries, in the file's order.
    pub fn app_names(&self) -> Vec<&str> {
        self.apps.iter().map(|a| a.name.as_str()).collect()
    }

    /// One app's settings as a file of its own: the entry's values over
    /// the top level's, its paths still relative to this file.
    pub fn for_app(&self, app: &AppConfig) -> Config {
        let top = self.clone();
        Config {
            bundle_id: Some(app.bundle_id.clone()),
            app_id: app.app_id.clone(),
            platform: app.platform.clone().or(top.platform),
            version: app.version.clone().or(top.version),
            // An app's own metadata folder brings its own screenshots
            // beside it, unless the top level names them.
            metadata_path: app.metadata_path.clone().or(top.metadata_path),
            screenshots_path: app.screenshots_path.clone().or(top.screenshots_path),
            app_previews_path: app.app_previews_path.clone().or(top.app_previews_path),
            blank_files: app.blank_files.unwrap_or(top.blank_files),
            unknown_folders: app.unknown_folders.unwrap_or(top.unknown_folders),
            languages: app.languages.clone().unwrap_or(top.languages),
            own_auth: app.auth.is_some(),
            auth: app.auth.clone().unwrap_or(top.auth),
            validate: app.validate.clone().unwrap_or(top.validate),
            release: top
                .release
                .overridden_by(app.release.as_ref().unwrap_or(&ReleaseConfig::default())),
            apps: Vec::new(),
            ..top
        }
    }

    /// The file's path for messages (`asc-sync.toml` when none was read).
    pub fn display_path(&self) -> String {
        self.path
            .as_ref()
            .map_or(FILE_NAME.to_owned(), |p| p.display().to_string())
    }

    /// The metadata folder: the flag, else `metadata_path` (relative to the
    /// config file), else `fastlane/metadata`.
    pub fn metadata_path(&self, flag: Option<&Path>) -> PathBuf {
        match (flag, &self.metadata_path) {
            (Some(p), _) => p.to_owned(),
            (None, Some(p)) if self.dir.as_os_str().is_empty() => p.clone(),
            (None, Some(p)) => self.dir.join(p),
            (None, None) => PathBuf::from(DEFAULT_METADATA_PATH),
        }
    }

    /// The screenshots folder: the flag, else `screenshots_path` (relative
    /// to the config file), else `screenshots` beside the metadata folder
    /// in effect (`fastlane/screenshots` by default).
    pub fn screenshots_path(&self, flag: Option<&Path>, metadata_flag: Option<&Path>) -> PathBuf {
        self.beside_metadata(flag, &self.screenshots_path, metadata_flag, "screenshots")
    }

    /// The app previews folder: the flag, else `app_previews_path`, else
    /// `app_previews` beside the metadata folder in effect.
    pub fn app_previews_path(&self, flag: Option<&Path>, metadata_flag: Option<&Path>) -> PathBuf {
        self.beside_metadata(flag, &self.app_previews_path, metadata_flag, "app_previews")
    }

    fn beside_metadata(
        &self,
        flag: Option<&Path>,
        set: &Option<PathBuf>,
        metadata_flag: Option<&Path>,
        name: &str,
    ) -> PathBuf {
        match (flag, set) {
            (Some(p), _) => p.to_owned(),
            (None, Some(p)) if self.dir.as_os_str().is_empty() => p.clone(),
            (None, Some(p)) => self.dir.join(p),
            (None, None) => {
                let metadata = self.metadata_path(metadata_flag);
                match metadata.parent() {
                    Some(parent) => parent.join(name),
                    None => PathBuf::from(name),
                }
            }
        }
    }

    pub fn load_options(&self) -> Result<LoadOptions, ConfigError> {
        let path = self.display_path();
        let mut languages = Vec::new();
        for value in &self.languages {
            let locale = Locale::ignoring_case(value).ok_or_else(|| {
                let hint = match crate::locale::suggest(value).first() {
                    Some(l) => format!("; did you mean '{l}'?"),
                    None => String::new(),
                };
                ConfigError::Language {
                    path: path.clone(),
                    value: value.clone(),
                    hint,
                }
            })?;
            languages.push(locale);
        }
        Ok(LoadOptions {
            unknown_folders: self.unknown_folders,
            languages,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        std::fs::write(&path, text).unwrap();
        Config::read(&path)
    }

    #[test]
    fn a_typo_names_the_file_the_line_and_the_key() {
        let err = parse("bundle_id = \"x\"\nblank_file = \"clear\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("asc-sync.toml"), "{err}");
        assert!(err.contains("line 2"), "{err}");
        assert!(err.contains("blank_file"), "{err}");
    }

    #[test]
    fn settings_are_read() {
        let c = parse("blank_files = \"clear\"\nunknown_folders = \"warn\"\nlanguages = [\"en-au\"]\n").unwrap();
        assert_eq!(c.blank_files, BlankFiles::Clear);
        let o = c.load_options().unwrap();
        assert_eq!(o.unknown_folders, UnknownFolders::Warn);
        assert_eq!(o.languages[0].code(), "en-AU");
    }

    #[test]
    fn a_bad_language_is_named() {
        let err = parse("languages = [\"nb\"]\n").unwrap_err().to_string();
        assert!(err.contains("'nb'") && err.contains("'no'"), "{err}");
    }

    const TWO_APPS: &str = r#"
platform = "IOS"
blank_files = "clear"
[auth]
key_id = "TEAMKEY"
[[apps]]
name = "main"
bundle_id = "com.example.app"
metadata_path = "main/metadata"
[[apps]]
name = "mac"
bundle_id = "com.example.app"
platform = "MAC_OS"
version = "live"
blank_files = "keep"
[apps.auth]
key_id = "MACKEY"
"#;

    #[test]
    fn each_app_takes_the_top_level_settings_it_does_not_override() {
        let c = parse(TWO_APPS).unwrap();
        assert_eq!(c.app_names(), ["main", "mac"]);
        let main = c.for_app(&c.apps[0]);
        assert_eq!(main.bundle_id.as_deref(), Some("com.example.app"));
        assert_eq!(main.platform.as_deref(), Some("IOS"));
        assert_eq!(main.blank_files, BlankFiles::Clear);
        assert_eq!(main.auth.key_id.as_deref(), Some("TEAMKEY"));
        assert!(!main.own_auth);
        assert!(main.metadata_path(None).ends_with("main/metadata"));
        let mac = c.for_app(&c.apps[1]);
        assert_eq!(mac.platform.as_deref(), Some("MAC_OS"));
        assert_eq!(mac.version.as_deref(), Some("live"));
        assert_eq!(mac.blank_files, BlankFiles::Keep);
        assert_eq!(mac.auth.key_id.as_deref(), Some("MACKEY"));
        assert!(mac.own_auth);
        assert!(mac.apps.is_empty());
    }

    #[test]
    fn apps_need_names_of_their_own_and_no_top_level_bundle_id() {
        let twice = TWO_APPS.replace("name = \"mac\"", "name = \"main\"");
        let err = parse(&twice).unwrap_err().to_string();
        assert!(err.contains("two apps are named \"main\""), "{err}");
        let err = parse(&format!("bundle_id = \"x\"\n{TWO_APPS}"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("move it into an [[apps]] entry"), "{err}");
        let err = parse(&TWO_APPS.replace("name = \"mac\"", "name = \"mac os\""))
            .unwrap_err()
            .to_string();
        assert!(err.contains("letters, digits"), "{err}");
        let err = parse(&TWO_APPS.replace("version = \"live\"", "langauges = []"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("langauges") && err.contains("line"), "{err}");
        let err = parse("[[apps]]\nname = \"a\"\n").unwrap_err().to_string();
        assert!(err.contains("bundle_id"), "{err}");
    }

    #[test]
    fn an_hourly_budget_of_zero_is_refused() {
        let err = parse("[apply]\nhourly_budget = 0\n").unwrap_err().to_string();
        assert!(err.contains("hourly_budget"), "{err}");
        assert_eq!(
            parse("[apply]\nhourly_budget = 1200\n").unwrap().apply.hourly_budget,
            Some(1200)
        );
    }

    #[test]
    fn metadata_path_is_relative_to_the_config_file() {
        let c = Config {
            metadata_path: Some("meta".into()),
            dir: "conf".into(),
            ..Config::default()
        };
        assert_eq!(c.metadata_path(None), Path::new("conf/meta"));
        assert_eq!(c.metadata_path(Some(Path::new("x"))), Path::new("x"));
    }

    #[test]
    fn screenshots_sit_beside_the_metadata_folder_unless_named() {
        let c = Config::default();
        assert_eq!(c.screenshots_path(None, None), Path::new("fastlane/screenshots"));
        assert_eq!(c.app_previews_path(None, None), Path::new("fastlane/app_previews"));
        assert_eq!(
            c.screenshots_path(None, Some(Path::new("a/meta"))),
            Path::new("a/screenshots")
        );
        let c = Config {
            metadata_path: Some("x/metadata".into()),
            dir: "conf".into(),
            ..Config::default()
        };
        assert_eq!(c.screenshots_path(None, None), Path::new("conf/x/screenshots"));
        let c = Config {
            screenshots_path: Some("shots".into()),
            dir: "conf".into(),
            ..Config::default()
        };
        assert_eq!(c.screenshots_path(None, None), Path::new("conf/shots"));
        assert_eq!(c.screenshots_path(Some(Path::new("f")), None), Path::new("f"));
    }
}
