//! A run is a list of apps. `asc-sync.toml` is read once; a file without
//! `[[apps]]` is one implicit app, a file with them is those apps (or the
//! ones `--app` names). Every verb runs its per-app stage over the list,
//! concurrently, and emits one document (`emit`): the implicit app's is the
//! one-app document, a list's holds a section per app.
//!
//! Apple counts its hourly budget per API key, not per app, so every app
//! that uses a key goes through one client: one limiter, one budget, and
//! the requests in flight of all of them under one bound. Apps on another
//! key get a client of their own.

use super::Outcome;
use crate::apps::AppId;
use crate::cli::{AppArgs, ConnectionArgs, GlobalArgs, TargetArgs};
use crate::client::{Client, Credentials};
use crate::config::{AppConfig, Config};
use crate::plan::KeyUse;
use crate::plan::secret::DigestKey;
use crate::settings::{Settings, Target};
use secrecy::ExposeSecret;
use std::sync::Arc;

/// One app of the run: its name and its own settings.
pub(crate) struct App {
    /// Its `[[apps]]` name; the bundle id for the implicit app.
    pub name: String,
    pub settings: Settings,
}

impl App {
    /// The app, platform and version it targets; an error naming what to
    /// pass when the run was not told.
    pub fn target(&self) -> anyhow::Result<&Target> {
        self.settings.target.as_ref().ok_or_else(|| {
            anyhow::anyhow!("no app given: pass --bundle-id com.example.app or set bundle_id in asc-sync.toml")
        })
    }

    pub fn id(&self) -> AppId {
        let (bundle_id, platform) = match &self.settings.target {
            Some(t) => (t.bundle_id.clone(), t.platform),
            None => (String::new(), Default::default()),
        };
        AppId {
            name: self.name.clone(),
            bundle_id,
            platform,
        }
    }
}

/// The apps of one invocation, with the settings file they came from.
pub(crate) struct Run {
    pub config: Config,
    /// Whether the file lists `[[apps]]`: the documents then hold a
    /// section per app; otherwise the one app's document is the output.
    pub listed: bool,
    /// The names `--app` picked (empty: every app).
    pub picked: Vec<String>,
    pub apps: Vec<App>,
}

impl Run {
    /// Reads `asc-sync.toml` once and resolves every app's settings. The
    /// implicit app's target is required when `need_target` (a saved plan
    /// names its own; `validate` needs none).
    pub fn resolve(
        global: &GlobalArgs,
        picked: &AppArgs,
        args: &TargetArgs,
        connection: &ConnectionArgs,
        need_target: bool,
    ) -> anyhow::Result<Run> {
        let config = Config::discover(global.config.as_deref())?;
        if config.apps.is_empty() {
            if !picked.names.is_empty() {
                anyhow::bail!(
                    "--app {}: {} lists no [[apps]], so there is no app of that name. List the apps there ([[apps]] with a name and a bundle_id each), or drop --app",
                    picked.names.join(","),
                    config.display_path()
                );
            }
            let settings = Settings::of(config.clone(), args, connection, need_target)?;
            let name = settings
                .target
                .as_ref()
                .map_or_else(String::new, |t| t.bundle_id.clone());
            return Ok(Run {
                config,
                listed: false,
                picked: Vec::new(),
                apps: vec![App { name, settings }],
            });
        }
        refuse_one_app_flags(&config, args)?;
        let apps = select(&config, &picked.names)?
            .into_iter()
            .map(|entry| {
                let settings = Settings::of(config.for_app(entry), args, connection, true)
                    .map_err(|e| anyhow::anyhow!("app {}: {e:#}", entry.name))?;
                Ok(App {
                    name: entry.name.clone(),
                    settings,
                })
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(Run {
            config,
            listed: true,
            picked: picked.names.clone(),
            apps,
        })
    }

    /// Adds `--ignore` codes to every app's `[validate] ignore`.
    pub fn ignore(&mut self, codes: &[String]) -> anyhow::Result<()> {
        self.apps.iter_mut().try_for_each(|a| a.settings.tree.ignore(codes))
    }

    /// How the run names its apps in a comment's marker: the bundle id of
    /// the implicit app, else the settings file, and the apps when `--app`
    /// picked some.
    pub fn marker_label(&self, bundle_id: &str) -> String {
        match (self.listed, self.picked.as_slice()) {
            (false, _) => bundle_id.to_owned(),
            (true, []) => self.config.display_path(),
            (true, names) => format!("{} ({})", self.config.display_path(), names.join(",")),
        }
    }
}

/// The entries `--app` names (every entry without it), in the file's order.
fn select<'a>(config: &'a Config, names: &[String]) -> anyhow::Result<Vec<&'a AppConfig>> {
    if let Some(unknown) = names.iter().find(|n| !config.apps.iter().any(|a| &a.name == *n)) {
        let near = config
            .app_names()
            .into_iter()
            .map(|n| (strsim::levenshtein(unknown, n), n))
            .filter(|(d, _)| *d <= 2)
            .min();
        let hint = near.map_or_else(String::new, |(_, n)| format!(" Did you mean '{n}'?"));
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
    credentials: &[anyhow::Result<Credentials>],
    keys: &mut Vec<Key>,
    i: usize,
    mine: &Credentials,
) -> Result<usize, String> {
    let same_id = |c: &anyhow::Result<Credentials>| c.as_ref().is_ok_and(|c| c.key_id == mine.key_id);
    // The first app with this key id: this one at the latest.
    let first = credentials.iter().position(same_id).unwrap_or(i);
    if let Ok(theirs) = &credentials[first]
        && theirs.private_key.expose_secret() != mine.private_key.expose_secret()
    {
        return Err(format!(
            "API key {} has another private key here than for app {}: one key id is one key. Give both apps the same key, or each its own key id",
            mine.key_id, apps[first].name
        ));
    }
    if let Some(k) = keys.iter().position(|k| k.key_id == mine.key_id) {
        return Ok(k);
    }
    let sharing = credentials.iter().filter(|c| same_id(c)).count();
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
