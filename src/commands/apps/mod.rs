//! Several apps in one run: `plan`, `apply`, `pull` and `validate` over
//! the `[[apps]]` of `asc-sync.toml` (or those `--app` names), each app
//! through the same stages as a run of one, all of them concurrently.
//!
//! Apple counts its hourly budget per API key, not per app, so every app
//! that uses a key goes through one client: one limiter, one budget, and
//! the requests in flight of all of them under one bound. Apps on another
//! key get a client of their own. Every app's result is reported, also
//! when another app fails, and the run exits with its worst app's code.

mod apply;
mod plan;
mod pull;
mod validate;

pub(crate) use apply::apply;
pub(crate) use plan::{plan, render_plan};
pub(crate) use pull::pull;
pub(crate) use validate::validate;

use super::Outcome;
use crate::apps::AppId;
use crate::cli::{AppArgs, ConnectionArgs, GlobalArgs, TargetArgs};
use crate::client::Client;
use crate::config::{AppConfig, Config};
use crate::plan::KeyUse;
use crate::plan::secret::DigestKey;
use crate::settings::{Settings, Target};
use secrecy::ExposeSecret;
use std::sync::Arc;

/// One app of the run: its name and its own settings.
pub(crate) struct App {
    pub name: String,
    pub settings: Settings,
}

impl App {
    pub fn target(&self) -> &Target {
        self.settings
            .target
            .as_ref()
            .expect("an [[apps]] entry names its bundle id")
    }

    pub fn id(&self) -> AppId {
        AppId {
            name: self.name.clone(),
            bundle_id: self.target().bundle_id.clone(),
            platform: self.target().platform.clone(),
        }
    }
}

/// `asc-sync.toml` when it lists `[[apps]]`; `None` for a file of one app
/// (the commands then run as they always have). `--app` needs the list.
pub(crate) fn listed(global: &GlobalArgs, apps: &AppArgs) -> anyhow::Result<Option<Config>> {
    let config = Config::discover(global.config.as_deref())?;
    if !config.apps.is_empty() {
        return Ok(Some(config));
    }
    if !apps.names.is_empty() {
        anyhow::bail!(
            "--app {}: {} lists no [[apps]], so there is no app of that name. List the apps there ([[apps]] with a name and a bundle_id each), or drop --app",
            apps.names.join(","),
            config.display_path()
        );
    }
    Ok(None)
}

/// The entries `--app` names (every entry without it), in the file's order.
fn select<'a>(config: &'a Config, names: &[String]) -> anyhow::Result<Vec<&'a AppConfig>> {
    if let Some(unknown) = names.iter().find(|n| !config.apps.iter().any(|a| &a.name == *n)) {
        let hint = match strsim_closest(unknown, &config.app_names()) {
            Some(near) => format!(" Did you mean '{near}'?"),
            None => String::new(),
        };
        anyhow::bail!(
            "--app {unknown}: {} lists no app of that name; it lists {}.{hint}",
            config.display_path(),
            config.app_names().join(", ")
        );
    }
    Ok(config
        .apps
        .iter()
        .filter(|a| names.is_empty() || names.contains(&a.name))
        .collect())
}

fn strsim_closest<'a>(name: &str, names: &[&'a str]) -> Option<&'a str> {
    names
        .iter()
        .map(|n| (strsim::levenshtein(name, n), *n))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, n)| n)
}

/// Refuses the flags that name one app's tree or target: each app's are
/// in its `[[apps]]` entry.
fn refuse_one_app_flags(config: &Config, args: &TargetArgs) -> anyhow::Result<()> {
    let given = [
        ("--metadata", args.metadata.is_some()),
        ("--bundle-id", args.bundle_id.is_some()),
        ("--platform", args.platform.is_some()),
    ];
    if let Some((flag, _)) = given.iter().find(|(_, given)| *given) {
        anyhow::bail!(
            "{flag} names one app, but {} lists several ([[apps]]): each entry names its own bundle_id, platform and metadata_path. Pick apps with --app NAME, or pass --config with a file of one app",
            config.display_path()
        );
    }
    Ok(())
}

/// The settings of each selected app: its entry over the file's top
/// level, then the flags (`--app-version`, `--rev`) for all of them.
pub(crate) fn resolve(
    config: &Config,
    names: &[String],
    args: &TargetArgs,
    connection: &ConnectionArgs,
) -> anyhow::Result<Vec<App>> {
    refuse_one_app_flags(config, args)?;
    select(config, names)?
        .into_iter()
        .map(|entry| {
            let settings = Settings::of_app(config.for_app(entry), args, connection)
                .map_err(|e| anyhow::anyhow!("app {}: {e:#}", entry.name))?;
            Ok(App {
                name: entry.name.clone(),
                settings,
            })
        })
        .collect()
}

/// How the run names its apps in a comment's marker: the settings file,
/// and the apps when `--app` picked some.
pub(crate) fn marker_label(config: &Config, names: &[String]) -> String {
    match names {
        [] => config.display_path(),
        names => format!("{} ({})", config.display_path(), names.join(",")),
    }
}

/// An API key of the run: one client and one digest key for its apps.
pub(crate) struct Key {
    pub key_id: String,
    pub client: Arc<Client>,
    pub digest: Arc<DigestKey>,
    pub apps: Vec<String>,
}

/// The run's keys, and each app's (or why it has none).
pub(crate) struct Keys {
    pub keys: Vec<Key>,
    of_app: Vec<Result<usize, String>>,
}

impl Keys {
    /// The key of the `i`th app, or why it has none.
    pub fn of(&self, i: usize) -> Result<&Key, String> {
        self.of_app[i].clone().map(|k| &self.keys[k])
    }

    /// What each key carried, for the report.
    pub fn uses(&self) -> Vec<KeyUse> {
        self.keys
            .iter()
            .map(|k| KeyUse {
                key_id: k.key_id.clone(),
                apps: k.apps.clone(),
                requests: k.client.stats().requests,
            })
            .collect()
    }
}

/// One client per API key id, shared by every app that uses the key. An
/// app whose key cannot be read, or that names a key id with another
/// private key than an earlier app, gets the reason instead.
pub(crate) fn connect(apps: &[App]) -> Keys {
    let credentials: Vec<_> = apps.iter().map(|a| a.settings.credentials()).collect();
    let mut keys: Vec<Key> = Vec::new();
    let mut of_app = Vec::new();
    for (i, app) in apps.iter().enumerate() {
        let key = match &credentials[i] {
            Ok(c) => key_for(apps, &credentials, &mut keys, i, c),
            Err(e) => Err(format!("{e:#}")),
        };
        if let Ok(k) = key {
            keys[k].apps.push(app.name.clone());
        }
        of_app.push(key);
    }
    Keys { keys, of_app }
}

/// The index of the `i`th app's key among `keys`, making its client when
/// it is the first app with that key id.
fn key_for(
    apps: &[App],
    credentials: &[anyhow::Result<crate::client::Credentials>],
    keys: &mut Vec<Key>,
    i: usize,
    mine: &crate::client::Credentials,
) -> Result<usize, String> {
    let first = credentials
        .iter()
        .position(|c| c.as_ref().is_ok_and(|c| c.key_id == mine.key_id))
        .expect("the app's own credentials match");
    let theirs = credentials[first].as_ref().expect("found above");
    if theirs.private_key.expose_secret() != mine.private_key.expose_secret() {
        return Err(format!(
            "API key {} has another private key here than for app {}: one key id is one key. Give both apps the same key, or each its own key id",
            mine.key_id, apps[first].name
        ));
    }
    if let Some(k) = keys.iter().position(|k| k.key_id == mine.key_id) {
        return Ok(k);
    }
    let sharing = credentials
        .iter()
        .filter(|c| c.as_ref().is_ok_and(|c| c.key_id == mine.key_id))
        .count();
    let client = apps[i]
        .settings
        .shared_client(mine, sharing)
        .map_err(|e| format!("{e:#}"))?;
    let digest = crate::settings::digest_key(mine).map_err(|e| format!("{e:#}"))?;
    keys.push(Key {
        key_id: mine.key_id.clone(),
        client: Arc::new(client),
        digest,
        apps: Vec::new(),
    });
    Ok(keys.len() - 1)
}

/// The run's outcome: its worst app's.
pub(crate) fn worst(outcomes: impl IntoIterator<Item = Outcome>) -> Outcome {
    outcomes.into_iter().fold(Outcome::Success, Outcome::worst)
}

/// An error for a report: the whole cause chain, on one line.
pub(crate) fn error_text(e: &anyhow::Error) -> String {
    format!("{e:#}")
}
