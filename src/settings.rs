//! Resolved settings: what the user typed (`cli`) merged with
//! `asc-sync.toml` and the environment, flags first, once per run. The
//! commands read these values, never the raw flags or the config again.

use crate::cli::{ConnectionArgs, TargetArgs};
use crate::client::{Client, ClientOptions, Credentials, Partial, Sources};
use crate::config::{BlankFiles, Config};
use crate::live::{AppRef, VersionSelector};
use crate::model::Platform;
use crate::plan::secret::DigestKey;
use crate::plan::{DiffOptions, PlanSettings};
use crate::targeting::Targeting;
use crate::tree::LoadOptions;
use crate::tree::assets::AssetOptions;
use anyhow::Context;
use secrecy::ExposeSecret;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// The app, platform and version a run reads and writes.
#[derive(Clone, Debug)]
pub(crate) struct Target {
    pub bundle_id: String,
    /// `app_id` of asc-sync.toml, for its own bundle id only.
    pub app_id: Option<String>,
    pub platform: Platform,
    pub version: VersionSelector,
}

impl Target {
    /// The app, as the live state is read.
    pub fn app(&self) -> AppRef<'_> {
        AppRef {
            bundle_id: &self.bundle_id,
            app_id: self.app_id.as_deref(),
        }
    }
}

/// Where the tree is and how to read it.
#[derive(Clone, Debug)]
pub(crate) struct TreeSettings {
    /// The metadata folder: the flag, else `metadata_path` (relative to the
    /// config file), else `fastlane/metadata`.
    pub metadata: PathBuf,
    /// `--rev`: read the tree from this git revision instead of the disk.
    pub rev: Option<String>,
    pub load: LoadOptions,
    /// The screenshots and app previews folders: the flags, else
    /// `screenshots_path` / `app_previews_path`, else beside the metadata.
    pub assets: AssetOptions,
    pub validate: crate::validate::ValidateOptions,
    pub blank_files: BlankFiles,
}

impl TreeSettings {
    fn resolve(config: &Config, args: &TargetArgs) -> anyhow::Result<TreeSettings> {
        let metadata = args.metadata.as_deref();
        let load = config.load_options()?;
        Ok(TreeSettings {
            metadata: config.metadata_path(metadata),
            rev: args.rev.clone(),
            assets: AssetOptions {
                screenshots: config.screenshots_path(args.screenshots.as_deref(), metadata),
                app_previews: config.app_previews_path(args.app_previews.as_deref(), metadata),
                unknown_folders: load.unknown_folders,
            },
            load,
            validate: config.validate.options(),
            blank_files: config.blank_files,
        })
    }

    pub fn diff_options(&self, allow_delete: bool) -> DiffOptions {
        DiffOptions {
            blank_files: self.blank_files,
            allow_delete,
            metadata_path: self.metadata.display().to_string(),
            rev: self.rev.clone(),
            ..DiffOptions::default()
        }
    }

    /// Adds `--ignore` codes to `[validate] ignore`.
    pub fn ignore(&mut self, codes: &[String]) -> anyhow::Result<()> {
        let codes = crate::findings::Code::parse_all(codes)
            .map_err(|(value, hint)| anyhow::anyhow!("--ignore {value}: not a finding code{hint}"))?;
        self.validate.ignore.extend(codes);
        Ok(())
    }

    /// The settings a plan records, so its apply can compare them.
    pub fn plan_settings(&self, allow_delete: bool, targeting: &Targeting) -> PlanSettings {
        let (locales, fields) = targeting.names();
        PlanSettings {
            blank_files: self.blank_files,
            unknown_folders: self.load.unknown_folders,
            languages: self.load.languages.iter().map(|l| l.code().to_owned()).collect(),
            allow_delete,
            locales,
            fields,
        }
    }
}

/// The app, platform and version as the user gave them (a flag or
/// `asc-sync.toml`), each with where it came from; defaults are not here.
#[derive(Clone, Debug, Default)]
pub(crate) struct GivenTarget {
    pub bundle_id: Option<(String, &'static str)>,
    pub platform: Option<(String, &'static str)>,
    pub version: Option<(String, &'static str)>,
}

/// Everything `plan` and `apply` need, resolved once.
pub(crate) struct Settings {
    pub tree: TreeSettings,
    /// `None` only when it was not needed (a saved plan names its own
    /// app, `validate` none): `App::target` says what to pass.
    pub target: Option<Target>,
    /// What the user named of the target, for a saved plan to compare.
    pub given: GivenTarget,
    /// `[release]`: how the version is released.
    pub release: crate::config::ReleaseConfig,
    config: Config,
    connection: ConnectionArgs,
}

impl Settings {
    /// Every setting of one app from its `config` (a file of one app, or
    /// one `[[apps]]` entry as [`Config::for_app`] gives it) and the flags.
    /// A missing app is an error only when `need_target`, and is reported
    /// before any credential problem.
    pub fn of(
        config: Config,
        args: &TargetArgs,
        connection: &ConnectionArgs,
        need_target: bool,
    ) -> anyhow::Result<Settings> {
        let target = match resolve_target(&config, args) {
            Ok(t) => Some(t),
            Err(e) if need_target => return Err(e),
            Err(_) => None,
        };
        Ok(Settings {
            tree: TreeSettings::resolve(&config, args)?,
            target,
            given: given_target(&config, args),
            release: config.release.clone(),
            config,
            connection: connection.clone(),
        })
    }

    /// The client alone, for `init`, which makes no plan.
    pub fn client(&self) -> anyhow::Result<Client> {
        let credentials = credentials(&self.config, &self.connection)?;
        client(&self.config, &self.connection, &credentials, 1)
    }

    /// The API key this app is read and written with.
    pub fn credentials(&self) -> anyhow::Result<Credentials> {
        credentials(&self.config, &self.connection)
    }

    /// One client for the `apps` apps that use `credentials`: one limiter
    /// and one hourly budget for all of them. Without a configured
    /// maximum, each app brings the 8 requests in flight it would have
    /// alone, up to 64 in all.
    pub fn shared_client(&self, credentials: &Credentials, apps: usize) -> anyhow::Result<Client> {
        client(&self.config, &self.connection, credentials, apps)
    }
}

/// The key of a plan's secret digests, derived from the API key.
pub(crate) fn digest_key(credentials: &Credentials) -> anyhow::Result<Arc<DigestKey>> {
    let key = DigestKey::derive(credentials.private_key.expose_secret(), &credentials.key_id)
        .context("cannot derive a key from the App Store Connect API key")?;
    Ok(Arc::new(key))
}

fn given_target(config: &Config, args: &TargetArgs) -> GivenTarget {
    let pick = |flag: &Option<String>, flag_name, conf: &Option<String>, conf_name| {
        flag.clone()
            .map(|v| (v, flag_name))
            .or_else(|| conf.clone().map(|v| (v, conf_name)))
    };
    GivenTarget {
        bundle_id: pick(
            &args.bundle_id,
            "--bundle-id",
            &config.bundle_id,
            "bundle_id in asc-sync.toml",
        ),
        platform: pick(
            &args.platform,
            "--platform",
            &config.platform,
            "platform in asc-sync.toml",
        ),
        version: pick(
            &args.app_version,
            "--app-version",
            &config.version,
            "version in asc-sync.toml",
        ),
    }
}

fn resolve_target(config: &Config, args: &TargetArgs) -> anyhow::Result<Target> {
    let bundle_id = args
        .bundle_id
        .clone()
        .or_else(|| config.bundle_id.clone())
        .ok_or_else(|| {
            anyhow::anyhow!("no app given: pass --bundle-id com.example.app or set bundle_id in asc-sync.toml")
        })?;
    let platform = args
        .platform
        .clone()
        .or_else(|| config.platform.clone())
        .map_or(Ok(Platform::Ios), |p| Platform::named(&p).map_err(anyhow::Error::msg))?;
    let version = args
        .app_version
        .clone()
        .or_else(|| config.version.clone())
        .unwrap_or_else(|| "editable".into())
        .parse()
        .unwrap_or(VersionSelector::Editable);
    // An app id names the config's app: not one --bundle-id asks for.
    let app_id = config
        .app_id
        .clone()
        .filter(|_| config.bundle_id.as_ref() == Some(&bundle_id));
    Ok(Target {
        bundle_id,
        app_id,
        platform,
        version,
    })
}

/// The API key, from flags, environment and config; an app's own
/// `[apps.auth]` from that table alone.
fn credentials(config: &Config, args: &ConnectionArgs) -> anyhow::Result<Credentials> {
    let relative = |p: &PathBuf| {
        if p.is_relative() && !config.dir.as_os_str().is_empty() {
            config.dir.join(p)
        } else {
            p.clone()
        }
    };
    let private_key = match &config.auth.private_key_env {
        Some(name) => Some(key_from_env(config, name)?),
        None => None,
    };
    let from_config = Partial {
        key_id: config.auth.key_id.clone(),
        issuer_id: config.auth.issuer_id.clone(),
        private_key,
        private_key_path: config.auth.private_key_path.as_ref().map(relative),
        api_key_path: config.auth.api_key_path.as_ref().map(relative),
    };
    let sources = if config.own_auth {
        Sources {
            config: from_config,
            ..Sources::default()
        }
    } else {
        Sources {
            flags: Partial {
                key_id: args.key_id.clone(),
                issuer_id: args.issuer_id.clone(),
                private_key: None,
                private_key_path: args.private_key_path.clone(),
                api_key_path: args.api_key_path.clone(),
            },
            env: Partial::from_env(),
            config: from_config,
        }
    };
    Ok(sources.resolve()?)
}

/// The key text in the variable `private_key_env` names.
fn key_from_env(config: &Config, name: &str) -> anyhow::Result<crate::client::credentials::SecretStringClone> {
    match std::env::var(name) {
        Ok(text) if !text.is_empty() => Ok(crate::client::credentials::SecretStringClone(text.into())),
        _ => anyhow::bail!(
            "{}: private_key_env = \"{name}\", but the environment has no {name}: set it to the key's text (as a CI secret), or name another variable",
            config.display_path()
        ),
    }
}

/// The client for `credentials`, with the connection settings, for
/// `apps` apps.
fn client(config: &Config, args: &ConnectionArgs, credentials: &Credentials, apps: usize) -> anyhow::Result<Client> {
    let max_concurrency = args
        .max_concurrency
        .map(usize::from)
        .or(config.apply.max_concurrency)
        .unwrap_or_else(|| (8 * apps.max(1)).min(*crate::config::MAX_CONCURRENCY.end()));
    let options = ClientOptions {
        base_url: args.api_base_url.clone(),
        max_concurrency,
        timeout: Duration::from_secs(args.timeout.max(1)),
        hourly_budget: args.hourly_budget.or(config.apply.hourly_budget),
        ..ClientOptions::default()
    };
    Ok(Client::new(credentials, options)?)
}
