//! `asc-sync demo`: the whole loop on the embedded fake, in one command.
//! The live listing starts equal to the example tree and then drifts the
//! way real listings do: a release note edited on the web, a locale that
//! was never created, a keyword change, promotional text edited on the web.

use super::reconcile::{make_plan, run_apply};
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
use std::sync::Arc;

static EXAMPLE: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/metadata-example/metadata");
const BUNDLE_ID: &str = "com.example.marquee";
const EXAMPLE_PATH: &str = "metadata-example/metadata";

/// The example tree: the checkout's copy when run from the repository,
/// else the copy built into the binary, written to a temporary folder.
fn example_tree() -> anyhow::Result<(std::path::PathBuf, Option<tempfile::TempDir>)> {
    if std::path::Path::new(EXAMPLE_PATH).is_dir() {
        return Ok((EXAMPLE_PATH.into(), None));
    }
    let dir = tempfile::tempdir()?;
    EXAMPLE.extract(dir.path())?;
    Ok((dir.path().to_owned(), Some(dir)))
}

/// The live state: equal to the tree, then drifted.
fn drifted(state: &mut State) {
    let app = &mut state.apps[0];
    let version = &mut app.app_store_versions[1];
    version.localizations.retain(|l| l.locale != "fr-FR");
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
    app.app_infos[1].localizations.retain(|l| l.locale != "fr-FR");
}

/// The key of the plan's secret digests, from the demo's API key.
fn digest_key(credentials: &Credentials) -> anyhow::Result<Arc<DigestKey>> {
    let key = DigestKey::derive(credentials.private_key.expose_secret(), &credentials.key_id)
        .ok_or_else(|| anyhow::anyhow!("the demo key cannot key digests"))?;
    Ok(Arc::new(key))
}

pub fn demo(global: &GlobalArgs, args: DemoArgs) -> anyhow::Result<Outcome> {
    let (path, _keep) = example_tree()?;
    let loaded = crate::tree::load_dir(&path, &Default::default());
    anyhow::ensure!(
        !loaded.has_errors(),
        "the example tree has errors: {:?}",
        loaded.findings
    );
    let tree = loaded.tree;
    let mut state = State::from_tree(&tree, BUNDLE_ID, "IOS");
    drifted(&mut state);

    // A throwaway API key: the fake checks tokens exactly as Apple would.
    use p256::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
    let secret = p256::SecretKey::random(&mut p256::elliptic_curve::rand_core::OsRng);
    let credentials = Credentials {
        key_id: "DEMOKEY123".into(),
        issuer_id: Some("00000000-0000-0000-0000-000000000000".into()),
        private_key: secret.to_pkcs8_pem(LineEnding::LF)?.to_string().into(),
        duration: 1200,
        in_house: false,
    };
    let public = secret.public_key().to_public_key_pem(LineEnding::LF)?;
    let color = super::reconcile::color(global);
    let rt = super::reconcile::runtime()?;
    rt.block_on(async {
        let fake = FakeServer::start_local(FakeOptions {
            state,
            public_keys: vec![public],
            ..Default::default()
        })
        .await?;
        print(&format!(
            "asc-sync demo: a fake App Store Connect is running at {} with the example app {BUNDLE_ID}.\n\
             Its live listing drifted from {}: a German release note was edited on the web, French was never\n\
             created, the English keywords changed, and the English promotional text was edited on the web.\n\n",
            fake.base_url,
            path.display()
        ))?;
        let client = Arc::new(Client::new(
            &credentials,
            ClientOptions {
                base_url: Some(fake.base_url.clone()),
                ..ClientOptions::default()
            },
        )?);
        let target = Target {
            bundle_id: BUNDLE_ID.into(),
            platform: "IOS".into(),
            version: VersionSelector::Editable,
        };
        let key = digest_key(&credentials)?;
        let options = DiffOptions {
            metadata_path: path.display().to_string(),
            key: Some(key.clone()),
            ..DiffOptions::default()
        };
        let planned = make_plan(&client, &tree, &target, &options).await?;
        print(&format!(
            "$ asc-sync plan\n\n{}",
            crate::render::plan::text(&planned.plan, color)
        ))?;
        if !args.apply {
            print("\nRun `asc-sync demo --apply` to apply this plan to the fake and plan again.\n")?;
            return Ok(Outcome::Success);
        }
        let remaining = Remaining::all(&planned.plan);
        let report = run_apply(client.clone(), &planned.plan, remaining, &key).await;
        print(&format!(
            "\n$ asc-sync apply\n\n{}",
            crate::render::report::text(&report)
        ))?;
        let again = make_plan(&client, &tree, &target, &options).await?;
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
