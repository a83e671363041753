//! `asc-sync.toml`: the settings a team commits beside its metadata.
//!
//! Command-line flags override it. Unknown keys are errors, not silently
//! ignored, so a typo such as `blank_file = "clear"` cannot quietly change
//! what a plan means; the error names the file, line and key.

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
    /// The folder the file was read from: relative paths in it are relative to it.
    #[serde(skip)]
    pub dir: PathBuf,
    #[serde(skip)]
    pub path: Option<PathBuf>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    pub key_id: Option<String>,
    pub issuer_id: Option<String>,
    pub private_key_path: Option<PathBuf>,
    pub api_key_path: Option<PathBuf>,
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
        Ok(config)
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

    pub fn load_options(&self) -> Result<LoadOptions, ConfigError> {
        let path = self
            .path
            .as_ref()
            .map_or(FILE_NAME.to_owned(), |p| p.display().to_string());
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
}
