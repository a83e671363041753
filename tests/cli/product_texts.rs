//! In-app purchase and subscription texts in the tree, planned and applied
//! against the fake over real HTTP: the draft version's texts written in
//! place, an approved product's change made on a new version, a product
//! missing live a plan error naming it, a second plan clean.

use crate::fake_iap::iap_state;
use crate::support::{Env, stderr, stdout};
use serde_json::Value;
use std::path::{Path, PathBuf};

const MOVIES: &str = "com.example.movies";

/// The movies app's metadata pulled from the fake, so the listing's text
/// matches and only product texts differ.
async fn env_with_tree() -> (Env, PathBuf) {
    let env = Env::new(iap_state(3)).await;
    let metadata = env.dir.path().join("fastlane/metadata");
    let out = env
        .run(&["pull", "--bundle-id", MOVIES, "--metadata", metadata.to_str().unwrap()])
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    (env, metadata)
}

fn put(metadata: &Path, rel: &str, text: &str) {
    let path = metadata.parent().unwrap().join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, format!("{text}\n")).unwrap();
}

async fn plan(env: &Env, metadata: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["plan", "--bundle-id", MOVIES, "--metadata", metadata.to_str().unwrap()];
    args.extend_from_slice(extra);
    env.run(&args).await
}

async fn apply(env: &Env, metadata: &Path) -> std::process::Output {
    env.run(&[
        "apply",
        "--auto-approve",
        "--bundle-id",
        MOVIES,
        "--metadata",
        metadata.to_str().unwrap(),
    ])
    .await
}

/// The texts of a product's newest version in the fake, by locale.
fn live_texts(env: &Env, family: &str, id: &str) -> Vec<(String, Option<String>, Option<String>)> {
    let state = serde_json::to_value(env.fake.state()).unwrap();
    let product = state[family]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id)
        .unwrap()
        .clone();
    let newest = product["versions"]
        .as_array()
        .unwrap()
        .iter()
        .max_by_key(|v| v["version"].as_u64())
        .unwrap()
        .clone();
    let text = |v: &Value| v.as_str().map(str::to_owned);
    newest["localizations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let second = if l.get("customAppName").is_some_and(|c| !c.is_null()) {
                &l["customAppName"]
            } else {
                &l["description"]
            };
            (l["locale"].as_str().unwrap().to_owned(), text(&l["name"]), text(second))
        })
        .collect()
}

fn versions(env: &Env, family: &str, id: &str) -> Vec<(u64, String)> {
    let state = serde_json::to_value(env.fake.state()).unwrap();
    let product = state[family]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id)
        .unwrap()
        .clone();
    product["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["version"].as_u64().unwrap(), v["state"].as_str().unwrap().to_owned()))
        .collect()
}

#[tokio::test]
async fn draft_texts_are_written_in_place_and_a_second_plan_is_clean() {
    let (env, metadata) = env_with_tree().await;
    put(
        &metadata,
        "in_app_purchases/com.example.movies.pack2/en-US/name.txt",
        "Pack of Two",
    );
    put(
        &metadata,
        "in_app_purchases/com.example.movies.pack2/en-US/description.txt",
        "Two films to rent",
    );
    put(
        &metadata,
        "in_app_purchases/com.example.movies.pack2/de-DE/name.txt",
        "Zweierpack",
    );
    put(&metadata, "subscriptions/Extras/en-US/name.txt", "Extras");
    put(
        &metadata,
        "subscriptions/Extras/en-US/custom_app_name.txt",
        "Movies Extras",
    );
    put(
        &metadata,
        "subscriptions/Extras/com.example.movies.extras/en-US/description.txt",
        "Behind the scenes",
    );

    let out = plan(&env, &metadata, &["--format", "json"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let changes = doc["products"].as_array().unwrap();
    let labels: Vec<String> = changes
        .iter()
        .map(|c| {
            format!(
                "{} {} {}",
                c["action"].as_str().unwrap(),
                c["product"].as_str().unwrap(),
                c["locale"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        labels,
        [
            "create com.example.movies.pack2 de-DE",
            "update com.example.movies.pack2 en-US",
            "update Extras en-US",
            "update com.example.movies.extras en-US"
        ],
        "{doc:#}"
    );
    assert!(doc.get("product_versions").is_none(), "drafts are edited in place");
    let text = stdout(&plan(&env, &metadata, &[]).await);
    assert!(text.contains("~ name: \"Pack 2\" → \"Pack of Two\""), "{text}");

    let out = apply(&env, &metadata).await;
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    let mut pack = live_texts(&env, "inAppPurchases", "iap-2");
    pack.sort();
    assert_eq!(
        pack,
        [
            ("de-DE".to_owned(), Some("Zweierpack".to_owned()), None),
            (
                "en-US".to_owned(),
                Some("Pack of Two".to_owned()),
                Some("Two films to rent".to_owned())
            ),
        ]
    );
    assert_eq!(versions(&env, "inAppPurchases", "iap-2").len(), 1);
    env.fake.reset_log();
    let again = plan(&env, &metadata, &["--detailed-exitcode"]).await;
    assert_eq!(again.status.code(), Some(0), "{}", stdout(&again));
    assert_eq!(env.writes(), 0);
}

#[tokio::test]
async fn an_approved_products_change_makes_a_new_version_and_says_so() {
    let (env, metadata) = env_with_tree().await;
    put(
        &metadata,
        "in_app_purchases/com.example.movies.pack1/en-US/name.txt",
        "100 Gold Coins",
    );
    let out = plan(&env, &metadata, &[]).await;
    let text = stdout(&out);
    assert!(
        text.contains("+ create inAppPurchaseVersions com.example.movies.pack1")
            && text.contains("version 1 is APPROVED")
            && text.contains("goes to review with the next submission")
            && text.contains("cannot be deleted"),
        "{text}"
    );
    let out = apply(&env, &metadata).await;
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    assert_eq!(
        versions(&env, "inAppPurchases", "iap-1"),
        [(1, "APPROVED".to_owned()), (2, "PREPARE_FOR_SUBMISSION".to_owned())]
    );
    let mut texts = live_texts(&env, "inAppPurchases", "iap-1");
    texts.sort();
    assert_eq!(texts[1].1.as_deref(), Some("100 Gold Coins"));
    assert_eq!(
        texts[0].1.as_deref(),
        Some("100 Münzen"),
        "the new version keeps the other texts"
    );
    let again = plan(&env, &metadata, &["--detailed-exitcode"]).await;
    assert_eq!(again.status.code(), Some(0), "{}", stdout(&again));
}

#[tokio::test]
async fn a_product_missing_live_is_a_plan_error_naming_it() {
    let (env, metadata) = env_with_tree().await;
    put(
        &metadata,
        "in_app_purchases/com.example.movies.nope/en-US/name.txt",
        "Nope",
    );
    env.fake.reset_log();
    let out = plan(&env, &metadata, &[]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("in_app_purchases/com.example.movies.nope")
            && stderr(&out).contains("has no in-app purchase com.example.movies.nope"),
        "{}",
        stderr(&out)
    );
    assert_eq!(env.writes(), 0);
}

#[tokio::test]
async fn product_texts_are_checked_offline_for_apples_limits() {
    let (env, metadata) = env_with_tree().await;
    put(
        &metadata,
        "in_app_purchases/com.example.movies.pack2/en-US/description.txt",
        "A description far longer than forty-five characters",
    );
    put(
        &metadata,
        "in_app_purchases/com.example.movies.pack2/en-US/name.txt",
        "Pack 🎬",
    );
    let out = env.run(&["validate", "--metadata", metadata.to_str().unwrap()]).await;
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let said = stdout(&out) + &stderr(&out);
    assert!(said.contains("too-long") && said.contains("at most 45"), "{said}");
    assert!(said.contains("invalid-characters") && said.contains("🎬"), "{said}");
}

#[tokio::test]
async fn a_saved_plan_applies_once_is_bound_to_its_files_and_refused_when_a_text_moved() {
    let (env, metadata) = env_with_tree().await;
    put(
        &metadata,
        "in_app_purchases/com.example.movies.pack1/en-US/name.txt",
        "100 Gold Coins",
    );
    put(
        &metadata,
        "in_app_purchases/com.example.movies.pack2/en-US/name.txt",
        "Pack of Two",
    );
    let saved = plan(&env, &metadata, &["--out", "plan.json"]).await;
    assert!(saved.status.success(), "{}", stderr(&saved));
    let dir = metadata.to_str().unwrap().to_owned();
    let args = ["apply", "plan.json", "--metadata", dir.as_str()];
    let apply_saved = || env.run(&args);

    // A file edited after review: refused, naming it.
    put(
        &metadata,
        "in_app_purchases/com.example.movies.pack2/en-US/name.txt",
        "Pack of 2",
    );
    let refused = apply_saved().await;
    assert_eq!(refused.status.code(), Some(4), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("in_app_purchases/com.example.movies.pack2/en-US/name.txt"),
        "{}",
        stderr(&refused)
    );
    put(
        &metadata,
        "in_app_purchases/com.example.movies.pack2/en-US/name.txt",
        "Pack of Two",
    );

    let out = apply_saved().await;
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    assert_eq!(versions(&env, "inAppPurchases", "iap-1").len(), 2);
    let twice = apply_saved().await;
    assert!(twice.status.success(), "{}", stderr(&twice));
    assert!(stdout(&twice).contains("already applied"), "{}", stdout(&twice));
    assert_eq!(
        versions(&env, "inAppPurchases", "iap-1").len(),
        2,
        "no second new version"
    );

    // A text edited on the web since a plan was made: stale.
    put(
        &metadata,
        "in_app_purchases/com.example.movies.pack2/en-US/name.txt",
        "Pack for Two",
    );
    let saved = plan(&env, &metadata, &["--out", "plan2.json"]).await;
    assert!(saved.status.success());
    let mut state = serde_json::to_value(env.fake.state()).unwrap();
    state["inAppPurchases"][1]["versions"][0]["localizations"][0]["name"] = "Edited on the web".into();
    env.fake.set_state(serde_json::from_value(state).unwrap());
    let stale = env
        .run(&["apply", "plan2.json", "--metadata", metadata.to_str().unwrap()])
        .await;
    assert_eq!(stale.status.code(), Some(4), "{}\n{}", stdout(&stale), stderr(&stale));
}

#[tokio::test]
async fn init_writes_every_products_texts_and_the_next_plan_is_clean() {
    let env = Env::new(iap_state(3)).await;
    let project = env.dir.path().join("project");
    std::fs::create_dir_all(&project).unwrap();
    let out = env
        .run_in(&project, &["init", "--bundle-id", MOVIES, "--platform", "IOS"])
        .await;
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    let read = |rel: &str| std::fs::read_to_string(project.join("fastlane").join(rel)).unwrap();
    assert_eq!(
        read("in_app_purchases/com.example.movies.pack1/de-DE/name.txt"),
        "100 Münzen\n"
    );
    assert_eq!(read("subscriptions/Movies Plus/en-US/custom_app_name.txt"), "Movies+\n");
    assert_eq!(
        read("subscriptions/Movies Plus/com.example.movies.monthly/en-US/description.txt"),
        "All films, every month\n"
    );
    assert!(
        !project
            .join("fastlane/in_app_purchases/com.example.movies.pack2/en-US/description.txt")
            .exists()
    );
    let out = env.run_in(&project, &["plan", "--detailed-exitcode"]).await;
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));

    // A web edit comes back with pull, byte-stable otherwise.
    let mut state = serde_json::to_value(env.fake.state()).unwrap();
    state["subscriptions"][1]["versions"][0]["localizations"][0]["name"] = "Yearly Pass".into();
    env.fake.set_state(serde_json::from_value(state).unwrap());
    let out = env.run_in(&project, &["pull"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("~ fastlane/subscriptions/Movies Plus/com.example.movies.yearly/en-US/name.txt"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        read("subscriptions/Movies Plus/com.example.movies.yearly/en-US/name.txt"),
        "Yearly Pass\n"
    );
}

#[tokio::test]
async fn product_texts_cost_no_read_without_their_folders_and_two_plus_one_per_group_with() {
    let env = Env::new(iap_state(50)).await;
    let metadata = env.dir.path().join("fastlane/metadata");
    let out = env
        .run(&["pull", "--bundle-id", MOVIES, "--metadata", metadata.to_str().unwrap()])
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    env.fake.reset_log();
    assert!(plan(&env, &metadata, &[]).await.status.success());
    let without = env.gets();
    put(
        &metadata,
        "in_app_purchases/com.example.movies.pack7/en-US/name.txt",
        "Pack 7",
    );
    env.fake.reset_log();
    let out = plan(&env, &metadata, &["--detailed-exitcode"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let with = env.gets();
    eprintln!("plan GETs: {without} without product folders, {with} with them (50 in-app purchases, 2 groups)");
    assert_eq!(
        with - without,
        2 + 2,
        "the in-app purchases, the groups, and each group's subscriptions"
    );
}

#[tokio::test]
async fn three_in_app_purchases_and_a_group_of_two_subscriptions_in_five_locales_apply_and_plan_clean() {
    let (env, metadata) = env_with_tree().await;
    // Three more locales for the app itself: the listing's apply adds them first.
    for locale in ["fr-FR", "ja", "es-ES"] {
        for entry in std::fs::read_dir(metadata.join("en-US")).unwrap() {
            let entry = entry.unwrap();
            let to = metadata.join(locale).join(entry.file_name());
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(entry.path(), to).unwrap();
        }
    }
    let locales = ["en-US", "de-DE", "fr-FR", "ja", "es-ES"];
    for (i, locale) in locales.iter().enumerate() {
        for pack in 1..=3 {
            let dir = format!("in_app_purchases/com.example.movies.pack{pack}/{locale}");
            put(&metadata, &format!("{dir}/name.txt"), &format!("Pack {pack} ({i})"));
            put(
                &metadata,
                &format!("{dir}/description.txt"),
                &format!("Films to rent, pack {pack}"),
            );
        }
        put(
            &metadata,
            &format!("subscriptions/Movies Plus/{locale}/name.txt"),
            &format!("Movies Plus {i}"),
        );
        put(
            &metadata,
            &format!("subscriptions/Movies Plus/{locale}/custom_app_name.txt"),
            "Movies+",
        );
        for (product, name) in [
            ("com.example.movies.monthly", "Monthly"),
            ("com.example.movies.yearly", "Yearly"),
        ] {
            let dir = format!("subscriptions/Movies Plus/{product}/{locale}");
            put(&metadata, &format!("{dir}/name.txt"), &format!("{name} {i}"));
            put(
                &metadata,
                &format!("{dir}/description.txt"),
                &format!("All films, {name}"),
            );
        }
    }
    let out = plan(&env, &metadata, &["--format", "json"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let blocked: Vec<&Value> = doc["products"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| !c["blocked"].is_null())
        .collect();
    assert!(blocked.is_empty(), "{blocked:#?}");
    // pack1, the group and the monthly subscription are approved: new versions.
    assert_eq!(
        doc["product_versions"].as_array().unwrap().len(),
        3,
        "{:#}",
        doc["product_versions"]
    );

    let out = apply(&env, &metadata).await;
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    assert_eq!(live_texts(&env, "inAppPurchases", "iap-3").len(), 5);
    assert_eq!(live_texts(&env, "subscriptions", "sub-2").len(), 5);
    assert_eq!(live_texts(&env, "subscriptionGroups", "group-1").len(), 5);
    env.fake.reset_log();
    let again = plan(&env, &metadata, &["--detailed-exitcode"]).await;
    assert_eq!(again.status.code(), Some(0), "{}", stdout(&again));
    assert_eq!(env.writes(), 0);
}
