//! `init`: from nothing to a first "No changes" plan. Finds the app the API
//! key can see, writes `asc-sync.toml` (bundle id, platform, metadata
//! path), and pulls the live listing into the tree.

use super::plan::runtime;
use super::pull::pull_apps;
use super::run::Run;
use super::{Outcome, print};
use crate::cli::{AppArgs, GlobalArgs, InitArgs, TargetArgs};
use crate::client::Client;
use crate::config::{DEFAULT_METADATA_PATH, FILE_NAME};
use crate::model::Platform;
use crate::pull::PullOptions;
use crate::settings::Settings;
use anyhow::Context;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

pub fn init(global: &GlobalArgs, args: InitArgs) -> anyhow::Result<Outcome> {
    let config_path = global.config.clone().unwrap_or_else(|| PathBuf::from(FILE_NAME));
    if config_path.exists() && !args.force {
        anyhow::bail!(
            "{} already exists, and init does not overwrite it. Run asc-sync pull to bring the tree up to date, or pass --force to replace the file",
            config_path.display()
        );
    }
    let platform = args.platform.as_deref().map(platform).transpose()?;
    // The key comes from the flags, the environment, or the file being replaced.
    let lookup = with_config(global, config_path.is_file().then(|| config_path.clone()));
    let config = crate::config::Config::discover(lookup.config.as_deref())?;
    let client = Settings::of(config, &TargetArgs::default(), &args.connection, false)?.client()?;
    let (bundle_id, app_id, platform) = runtime()?.block_on(find_app(&client, args.bundle_id.as_deref(), platform))?;
    let metadata = args
        .metadata
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_METADATA_PATH));

    // Pull first, with what the file will say, so that a failure (no
    // editable version, say) leaves no settings file behind.
    let target = TargetArgs {
        metadata: Some(config_path.parent().unwrap_or(Path::new("")).join(&metadata)),
        bundle_id: Some(bundle_id.clone()),
        platform: Some(platform.clone()),
        app_version: args.app_version.clone(),
        rev: None,
        ..TargetArgs::default()
    };
    let run = Run::resolve(&lookup, &AppArgs::default(), &target, &args.connection, true)?;
    let options = PullOptions {
        include_secrets: args.include_secrets,
        read_media: true,
        ..PullOptions::default()
    };
    let (pulled, _) = pull_apps(&run, &options, false)?;
    let report = match pulled.into_iter().next() {
        Some(Ok(report)) => report,
        Some(Err(stop)) => return stop.end(),
        None => return Ok(Outcome::Failure),
    };
    let text = config_text(&bundle_id, &app_id, &platform, &metadata, args.app_version.as_deref());
    std::fs::write(&config_path, text).with_context(|| format!("cannot write {}", config_path.display()))?;
    print(&crate::render::pull::text(&report))?;
    print(&format!(
        "\nWrote {}: {bundle_id} on {platform}, metadata in {}.\nNext: `asc-sync plan` shows No changes. Commit both.\n",
        config_path.display(),
        run.apps[0].settings.tree.metadata.display()
    ))?;
    Ok(Outcome::Success)
}

fn with_config(global: &GlobalArgs, config: Option<PathBuf>) -> GlobalArgs {
    GlobalArgs {
        verbose: global.verbose,
        config,
        no_color: global.no_color,
    }
}

fn platform(value: &str) -> anyhow::Result<String> {
    Ok(Platform::named(value).map_err(anyhow::Error::msg)?.to_string())
}

/// The settings file: each value quoted as TOML quotes it.
fn config_text(bundle_id: &str, app_id: &str, platform: &str, metadata: &Path, version: Option<&str>) -> String {
    let quote = |s: &str| toml::Value::String(s.to_owned()).to_string();
    let mut text = format!(
        "# asc-sync settings, written by `asc-sync init`. Flags override every key.\n\
         bundle_id = {}\n\
         app_id = {}   # saves the app lookup: plan reads in one round trip\n\
         platform = {}\n\
         metadata_path = {}   # relative to this file\n",
        quote(bundle_id),
        quote(app_id),
        quote(platform),
        quote(&metadata.display().to_string())
    );
    if let Some(version) = version {
        text.push_str(&format!("version = {}\n", quote(version)));
    }
    text
}

/// The app's bundle id and id, and its platform: the one given, else the
/// one it has versions for (iOS when it has several).
async fn find_app(
    client: &Client,
    bundle_id: Option<&str>,
    platform: Option<String>,
) -> anyhow::Result<(String, String, String)> {
    let mut query = vec![("fields[apps]", "bundleId,name"), ("limit", "200")];
    if let Some(id) = bundle_id {
        query.push(("filter[bundleId]", id));
    }
    let apps = client
        .get_all(&format!("/v1/apps?{}", serde_urlencoded::to_string(&query)?))
        .await?;
    let found: Vec<(&str, &str)> = apps
        .data
        .iter()
        .filter_map(|a| Some((a.str("bundleId")?, a.id.as_str())))
        .collect();
    let (bundle_id, app_id) = match (bundle_id, found.as_slice()) {
        // Apple's filter also returns near matches: compare exactly.
        (Some(wanted), _) => found.iter().find(|(b, _)| *b == wanted).copied().with_context(|| {
            format!(
                "no app with bundle id '{wanted}' is visible to this API key; check the bundle id and the key's team"
            )
        })?,
        (None, [one]) => *one,
        (None, []) => anyhow::bail!("this API key sees no app; check the key's team and access, or pass --bundle-id"),
        (None, many) => {
            let ids: Vec<&str> = many.iter().map(|(b, _)| *b).collect();
            anyhow::bail!(
                "this API key sees {} apps; pass --bundle-id with one of: {}",
                many.len(),
                ids.join(", ")
            )
        }
    };
    let platform = match platform {
        Some(p) => p,
        None => platform_of(client, app_id).await?,
    };
    Ok((bundle_id.to_owned(), app_id.to_owned(), platform))
}

async fn platform_of(client: &Client, app_id: &str) -> anyhow::Result<String> {
    let versions = client
        .get_all(&format!(
            "/v1/apps/{app_id}/appStoreVersions?fields[appStoreVersions]=platform&limit=200"
        ))
        .await?;
    let platforms: BTreeSet<&str> = versions.data.iter().filter_map(|v| v.str("platform")).collect();
    let chosen = match platforms.first() {
        Some(first) if !platforms.contains("IOS") => *first,
        _ => "IOS",
    };
    if platforms.len() > 1 {
        let all: Vec<&str> = platforms.iter().copied().collect();
        eprintln!(
            "note: the app has versions for {}; init chose {chosen}. Pass --platform to choose another",
            all.join(", ")
        );
    }
    Ok(chosen.to_owned())
}
