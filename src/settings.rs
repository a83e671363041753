//! Resolved settings: what the user typed (`cli`) merged with
//! `asc-sync.toml` and the environment, flags first, once per run. The
//! commands read these values, never the raw flags or the config again.

use crate::cli::{ConnectionArgs, GlobalArgs, TargetArgs};
use crate::client::{Client, ClientOptions, Partial, Sources};
use crate::config::{BlankFiles, Config};
use crate::live::VersionSelector;
use crate::model::PLATFORMS;
use crate::plan::DiffOptions;
use crate::tree::LoadOptions;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The app, platform and version a run reads and writes.
#[derive(Clone, Debug)]
pub(crate) struct Target {
    pub bundle_id: String,
    pub platform: String,
    pub version: VersionSelector,
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
    pub validate: crate::validate::ValidateOptions,
    pub blank_files: BlankFiles,
}

impl TreeSettings {
    fn resolve(config: &Config, metadata: Option<&Path>, rev: Option<&str>) -> anyhow::Result<TreeSettings> {
        Ok(TreeSettings {
            metadata: config.metadata_path(metadata),
            rev: rev.map(str::to_owned),
            load: config.load_options()?,
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
        }
    }
}

/// Everything `plan` and `apply` need, resolved once.
pub(crate) struct Settings {
    pub tree: TreeSettings,
    /// `None` only when it was not needed (a saved plan names its own app).
    pub target: Option<Target>,
    config: Config,
    connection: ConnectionArgs,
}

impl Settings {
    /// Resolves every setting; a missing app is an error only when
    /// `need_target`, and is reported before any credential problem.
    pub fn resolve(
        global: &GlobalArgs,
        args: &TargetArgs,
        connection: &ConnectionArgs,
        need_target: bool,
    ) -> anyhow::Result<Settings> {
        let config = Config::discover(global.config.as_deref())?;
        let target = match resolve_target(&config, args) {
            Ok(t) => Some(t),
            Err(e) if need_target => return Err(e),
            Err(_) => None,
        };
        Ok(Settings {
            tree: TreeSettings::resolve(&config, args.metadata.as_deref(), args.rev.as_deref())?,
            target,
            config,
            connection: connection.clone(),
        })
    }

    /// The client, with credentials from flags, environment and config.
    /// Built after the tree is read, so a broken tree is reported first.
    pub fn client(&self) -> anyhow::Result<Client> {
        client(&self.config, &self.connection)
    }
}

/// Reads only what a tree needs: for `validate` and the fake's seed tree.
pub(crate) fn tree_settings(
    global: &GlobalArgs,
    metadata: Option<&Path>,
    rev: Option<&str>,
) -> anyhow::Result<TreeSettings> {
    let config = Config::discover(global.config.as_deref())?;
    TreeSettings::resolve(&config, metadata, rev)
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
        .unwrap_or_else(|| "IOS".into())
        .to_ascii_uppercase();
    if !PLATFORMS.contains(&platform.as_str()) {
        anyhow::bail!("platform '{platform}' is not one of {}", PLATFORMS.join(", "));
    }
    let version = args
        .app_version
        .clone()
        .or_else(|| config.version.clone())
        .unwrap_or_else(|| "editable".into())
        .parse()
        .unwrap_or(VersionSelector::Editable);
    Ok(Target {
        bundle_id,
        platform,
        version,
    })
}

/// The client, with credentials from flags, environment and config.
fn client(config: &Config, args: &ConnectionArgs) -> anyhow::Result<Client> {
    let relative = |p: &PathBuf| {
        if p.is_relative() && !config.dir.as_os_str().is_empty() {
            config.dir.join(p)
        } else {
            p.clone()
        }
    };
    let sources = Sources {
        flags: Partial {
            key_id: args.key_id.clone(),
            issuer_id: args.issuer_id.clone(),
            private_key: None,
            private_key_path: args.private_key_path.clone(),
            api_key_path: args.api_key_path.clone(),
        },
        env: Partial::from_env(),
        config: Partial {
            key_id: config.auth.key_id.clone(),
            issuer_id: config.auth.issuer_id.clone(),
            private_key: None,
            private_key_path: config.auth.private_key_path.as_ref().map(relative),
            api_key_path: config.auth.api_key_path.as_ref().map(relative),
        },
    };
    let credentials = sources.resolve()?;
    let max_concurrency = args
        .max_concurrency
        .map(usize::from)
        .or(config.apply.max_concurrency)
        .unwrap_or(8)
        .clamp(1, 64);
    let options = ClientOptions {
        base_url: args.api_base_url.clone(),
        max_concurrency,
        timeout: Duration::from_secs(args.timeout.max(1)),
        ..ClientOptions::default()
    };
    Ok(Client::new(&credentials, options)?)
}
