//! `asc-sync demo`: the whole loop on the embedded fake, in one command.
//! The live listing starts equal to the example tree and then drifts the
//! way real listings do: a release note edited on the web, a locale that
//! was never created, a keyword change, promotional text edited on the web.
//! `--apply` restores git's version; `--pull` accepts the web's instead.

use super::apply::run_apply;
use super::plan::make_plan;
use super::{Outcome, print};
use crate::apply::Remaining;
use crate::cli::{DemoArgs, GlobalArgs};
use crate::client::{Client, ClientOptions, Credentials};
use crate::fake::{FakeOptions, FakeServer, State};
use crate::live::VersionSelector;
use crate::plan::DiffOptions;
use crate::plan::secret::DigestKey;
use crate::settings::Target;
use include_dir::{Dir, include_dir};
use secrecy::ExposeSecret;
use std::path::{Path, PathBuf};
use std::sync::Arc;

static EXAMPLE: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/metadata-example/metadata");
static SCREENSHOTS: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/metadata-example/images/screenshots");
const BUNDLE_ID: &str = "com.example.marquee";
const EXAMPLE_PATH: &str = "metadata-example/metadata";
const SCREENSHOTS_PATH: &str = "metadata-example/images/screenshots";

/// The example tree and its screenshots: the checkout's copies when run
/// from the repository, else the copies built into the binary, written to
/// a temporary folder.
fn example_tree() -> anyhow::Result<(PathBuf, PathBuf, Option<tempfile::TempDir>)> {
    if Path::new(EXAMPLE_PATH).is_dir() && Path::new(SCREENSHOTS_PATH).is_dir() {
        return Ok((EXAMPLE_PATH.into(), SCREENSHOTS_PATH.into(), None));
    }
    let dir = tempfile::tempdir()?;
    let (metadata, screenshots) = (dir.path().join("metadata"), dir.path().join("screenshots"));
    EXAMPLE.extract(&metadata)?;
    SCREENSHOTS.extract(&screenshots)?;
    Ok((metadata, screenshots, Some(dir)))
}

/// The live screenshots: the English iPhone set holds the first image
/// as the tree has it and an older second one; German has none yet.
fn live_screenshots(state: &mut State, first: &[u8]) {
    use crate::fake::state::{MediaAsset, MediaSet};
    let version = &state.apps[0].app_store_versions[1];
    let Some(en) = version.localizations.iter().find(|l| l.locale == "en-US") else {
        return;
    };
    let asset = |id: &str, name: &str, bytes: &[u8]| MediaAsset {
        id: id.into(),
        file_name: name.into(),
        file_size: bytes.len() as u64,
        source_file_checksum: Some(crate::tree::assets::probe::md5_bytes(bytes)),
        width: Some(1290),
        height: Some(2796),
        ..MediaAsset::default()
    };
    state.app_screenshot_sets.push(MediaSet {
        id: "demo-set-en".into(),
        localization: en.id.clone(),
        display_type: "APP_IPHONE_67".into(),
        assets: vec![
            asset("demo-shot-1", "01_watchlist.png", first),
            asset("demo-shot-2", "02_diary_2024.png", b"last year's diary screenshot"),
        ],
    });
}

/// The live state: equal to the tree, then drifted. The locale never
/// created is git's change, not the web's, so it is left out when the demo
/// pulls the web's edits.
fn drifted(state: &mut State, locale_missing: bool) {
    let app = &mut state.apps[0];
    let version = &mut app.app_store_versions[1];
    if locale_missing {
        version.localizations.retain(|l| l.locale != "fr-FR");
        app.app_infos[1].localizations.retain(|l| l.locale != "fr-FR");
    }
    for l in &mut version.localizations {
        let set = |l: &mut crate::fake::state::Localization, k: &str, v: &str| {
            l.attributes.insert(k.into(), Some(v.into()));
        };
        match l.locale.as_str() {
            "de-DE" => set(
                l,
                "whatsNew",
                "Neu in 2.1:\n• Gemeinsame Merklisten\n• Fehlerbehebungen\n",
            ),
            "en-US" => {
                set(
                    l,
                    "keywords",
                    "movies,film,diary,watchlist,cinema,reviews,tracker,imdb,tv shows,ratings",
                );
                set(
                    l,
                    "promotionalText",
                    "Black Friday: 50% off Marquee Pro this week only.",
                );
            }
            _ => {}
        }
    }
}

/// A throwaway API key: the fake checks tokens exactly as Apple would.
fn demo_key() -> anyhow::Result<(Credentials, String)> {
    use p256::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
    let secret = p256::SecretKey::random(&mut p256::elliptic_curve::rand_core::OsRng);
    let credentials = Credentials {
        key_id: "DEMOKEY123".into(),
        issuer_id: Some("00000000-0000-0000-0000-000000000000".into()),
        private_key: secret.to_pkcs8_pem(LineEnding::LF)?.to_string().into(),
        duration: 1200,
        in_house: false,
    };
    Ok((credentials, secret.public_key().to_public_key_pem(LineEnding::LF)?))
}

fn intro(base_url: &str, path: &std::path::Path, pull: bool) -> String {
    let drift = if pull {
        "a German release note, the English keywords and the English promotional text were edited on the web"
    } else {
        "a German release note was edited on the web, French was never\n\
         created, the English keywords changed, the English promotional text was edited on the web,\n\
         and the screenshots: German has none yet, and the English second one is last year's"
    };
    format!(
        "asc-sync demo: a fake App Store Connect is running at {base_url} with the example app {BUNDLE_ID}.\n\
         Its live listing drifted from {}: {drift}.\n\n",
        path.display()
    )
}

/// The key of the plan's secret digests, from the demo's API key.
fn digest_key(credentials: &Credentials) -> anyhow::Result<Arc<DigestKey>> {
    let key = DigestKey::derive(credentials.private_key.expose_secret(), &credentials.key_id)
        .ok_or_else(|| anyhow::anyhow!("the demo key cannot key digests"))?;
    Ok(Arc::new(key))
}

pub fn demo(global: &GlobalArgs, args: DemoArgs) -> anyhow::Result<Outcome> {
    let (path, screenshots, _keep) = example_tree()?;
    let loaded = crate::tree::load_dir(&path, &Default::default());
    anyhow::ensure!(
        !loaded.has_errors(),
        "the example tree has errors: {:?}",
        loaded.findings
    );
    let tree = loaded.tree;
    let mut state = State::from_tree(&tree, BUNDLE_ID, "IOS");
    drifted(&mut state, !args.pull);
    let (assets, _) = crate::tree::assets::load(&crate::tree::assets::AssetOptions {
        screenshots: screenshots.clone(),
        app_previews: screenshots.join("no-previews"),
        ..Default::default()
    });
    let desired = crate::plan::media::desired(&assets)?;
    let english = desired.iter().filter(|((locale, _), _)| locale == "en-US");
    if let Some(first) = english.flat_map(|(_, files)| files).next() {
        live_screenshots(&mut state, &std::fs::read(&first.path)?);
    }
    let (credentials, public) = demo_key()?;
    let color = super::plan::color(global);
    let rt = super::plan::runtime()?;
    rt.block_on(async {
        let fake = FakeServer::start_local(FakeOptions {
            state,
            public_keys: vec![public],
            ..Default::default()
        })
        .await?;
        print(&intro(&fake.base_url, &path, args.pull))?;
        let client = Arc::new(Client::new(
            &credentials,
            ClientOptions {
                base_url: Some(fake.base_url.clone()),
                ..ClientOptions::default()
            },
        )?);
        let target = Target {
            bundle_id: BUNDLE_ID.into(),
            app_id: None,
            platform: crate::model::Platform::Ios,
            version: VersionSelector::Editable,
        };
        let key = digest_key(&credentials)?;
        let options = DiffOptions {
            metadata_path: path.display().to_string(),
            key: Some(key.clone()),
            ..DiffOptions::default()
        };
        let mut planned = make_plan(&client, &tree, &target, &options).await?;
        let all = crate::targeting::Targeting::default();
        plan_media(&client, &mut planned.plan, &planned.live, &desired, &all, false).await?;
        print(&format!(
            "$ asc-sync plan\n\n{}",
            crate::render::plan::text(&planned.plan, color)
        ))?;
        if args.pull {
            return pull_into_copy(&client, &path, &target, color).await;
        }
        if !args.apply {
            print(
                "\nRun `asc-sync demo --apply` to apply this plan to the fake and plan again, or\n\
                 `asc-sync demo --pull` to take the web's edits into a copy of the tree instead.\n",
            )?;
            return Ok(Outcome::Success);
        }
        let remaining = Remaining::all(&planned.plan);
        let report = run_apply(client.clone(), &planned.plan, remaining, &key, "").await;
        print(&format!(
            "\n$ asc-sync apply\n\n{}",
            crate::render::report::text(&report)
        ))?;
        let mut again = make_plan(&client, &tree, &target, &options).await?;
        plan_media(&client, &mut again.plan, &again.live, &desired, &all, false).await?;
        print(&format!(
            "\n$ asc-sync plan\n\n{}",
            crate::render::plan::text(&again.plan, color)
        ))?;
        Ok(if report.is_partial() {
            Outcome::Partial
        } else {
            Outcome::Success
        })
    })
}

/// The other way out of drift: pull the live listing into a temporary
/// copy of the example tree (never into the checkout), then plan again.
async fn pull_into_copy(client: &Client, path: &Path, target: &Target, color: bool) -> anyhow::Result<Outcome> {
    let dir = tempfile::tempdir()?;
    let copy = dir.path().join("metadata");
    copy_dir(path, &copy)?;
    let live = crate::live::fetch(client, &target.bundle_id, target.platform, &target.version).await?;
    let (local, _) = crate::pull::Local::read(&copy, &Default::default());
    let pulled = crate::pull::decide(&local, &live, &Default::default());
    pulled.write()?;
    print(&format!(
        "\n$ asc-sync pull --metadata {}\n\n{}",
        copy.display(),
        crate::render::pull::text(&pulled.report)
    ))?;
    let tree = crate::tree::load_dir(&copy, &Default::default()).tree;
    let options = DiffOptions {
        metadata_path: copy.display().to_string(),
        ..DiffOptions::default()
    };
    let again = make_plan(client, &tree, target, &options).await?;
    print(&format!(
        "\n$ asc-sync plan --metadata {}\n\n{}",
        copy.display(),
        crate::render::plan::text(&again.plan, color)
    ))?;
    Ok(Outcome::Success)
}

/// Adds the screenshot and preview sets to a plan: the sets of the
/// localizations the tree has images for, read in one round, diffed.
async fn plan_media(
    client: &Client,
    plan: &mut crate::plan::Plan,
    live: &crate::live::LiveState,
    desired: &crate::plan::media::DesiredMedia,
    targeting: &crate::targeting::Targeting,
    previews: bool,
) -> anyhow::Result<()> {
    let reads = crate::plan::media::reads(desired, live, targeting);
    let live_media = crate::live::media::fetch(client, &reads).await?;
    let created = crate::plan::media::created_locales(&plan.changes);
    let diff = crate::plan::media::diff(desired, live, &live_media, &created, targeting);
    plan.set_media(diff, previews);
    Ok(())
}

/// Copies the example tree, file by file.
fn copy_dir(from: &Path, to: &Path) -> anyhow::Result<()> {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry?;
        let dest = to.join(entry.path().strip_prefix(from)?);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest)?;
        } else {
            std::fs::copy(entry.path(), &dest)?;
        }
    }
    Ok(())
}
