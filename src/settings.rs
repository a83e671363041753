//! Resolved settings: what the user typed (`cli`) merged with
//! `asc-sync.toml` and the environment, flags first. Everything downstream
//! takes these values, never the raw flags.

use crate::cli::{ConnectionArgs, TargetArgs};
use crate::client::{Client, ClientOptions, Partial, Sources};
use crate::config::Config;
use crate::live::VersionSelector;
use std::path::PathBuf;
use std::time::Duration;

use crate::model::PLATFORMS;

#[derive(Clone, Debug)]
pub struct Target {
    pub bundle_id: String,
    pub platform: String,
    pub version: VersionSelector,
}

pub fn target(config: &Config, args: &TargetArgs) -> anyhow::Result<Target> {
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
        .unwrap_or_else(|| "IOS".into());
    let platform = platform.to_ascii_uppercase();
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

pub fn metadata_path(config: &Config, args: &TargetArgs) -> PathBuf {
    config.metadata_path(args.metadata.as_deref())
}

/// The client, with credentials from flags, environment and config.
pub fn client(config: &Config, args: &ConnectionArgs) -> anyhow::Result<Client> {
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
