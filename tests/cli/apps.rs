//! Several apps in one `asc-sync.toml` (`[[apps]]`): plan, apply, pull and
//! validate run every app (or those `--app` names) through one client per
//! API key, report each app, and exit with the worst app's code.

use crate::harness::{Signer, copy_tree, example_metadata};
use crate::support::{Env, stderr, stdout};
use asc_sync::fake::{FakeOptions, Seed, State};
use serde_json::Value;
use std::path::{Path, PathBuf};

pub(crate) const MAIN: &str = "com.example.marquee";
const WIDGET: &str = "com.example.marquee.widget";

/// The widget's tree: two locales.
fn write_widget(root: &Path) {
    for (path, text) in [
        ("en-US/name.txt", "Marquee Widget"),
        ("en-US/description.txt", "Your watchlist on the home screen."),
        ("en-US/keywords.txt", "widget,movies"),
        ("de-DE/name.txt", "Marquee Widget DE"),
        ("de-DE/description.txt", "Deine Merkliste auf dem Homescreen."),
    ] {
        let file = root.join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, format!("{text}\n")).unwrap();
    }
}

pub(crate) const CONFIG: &str = r#"
[[apps]]
name = "main"
bundle_id = "com.example.marquee"
metadata_path = "main/metadata"

[[apps]]
name = "widget"
bundle_id = "com.example.marquee.widget"
metadata_path = "widget/metadata"
"#;

/// The two trees in `dir`, `asc-sync.toml` listing them, and the live
/// state of an account holding both apps as their trees say.
fn two_apps(dir: &Path, config: &str) -> State {
    copy_tree(&example_metadata(), &dir.join("main/metadata"));
    write_widget(&dir.join("widget/metadata"));
    std::fs::write(dir.join("asc-sync.toml"), config).unwrap();
    let load = |p: PathBuf| asc_sync::tree::load_dir(&p, &Default::default()).tree;
    let (main, widget) = (load(dir.join("main/metadata")), load(dir.join("widget/metadata")));
    State::from_trees(&[
        Seed {
            tree: &main,
            bundle_id: MAIN,
            platform: "IOS",
        },
        Seed {
            tree: &widget,
            bundle_id: WIDGET,
            platform: "IOS",
        },
    ])
}

/// A fake holding the two apps, with keys for TESTKEY123 (the
/// environment's) and OTHERKEY (`other`, to name in `[apps.auth]`).
pub(crate) async fn start(config: &str, edit: impl FnOnce(&mut State)) -> (Env, Signer) {
    let other = Signer::new("OTHERKEY");
    let dir = tempfile::tempdir().unwrap();
    let mut state = two_apps(dir.path(), config);
    edit(&mut state);
    let mut env = Env::with(FakeOptions {
        state,
        public_keys: vec![other.public_pem.clone()],
        ..Default::default()
    })
    .await;
    env.dir = dir;
    env.key_path = env.dir.path().join("AuthKey_TESTKEY123.p8");
    std::fs::write(&env.key_path, &env.signer.private_pem).unwrap();
    std::fs::write(env.dir.path().join("AuthKey_OTHERKEY.p8"), &other.private_pem).unwrap();
    (env, other)
}

/// The editable version's localization of `locale` of the `app`th app.
fn version_loc<'a>(state: &'a mut State, app: usize, locale: &str) -> &'a mut asc_sync::fake::state::Localization {
    state.apps[app].app_store_versions[1].localization_mut(locale).unwrap()
}

fn set(loc: &mut asc_sync::fake::state::Localization, attribute: &str, value: &str) {
    loc.attributes.insert(attribute.into(), Some(value.into()));
}

/// Web edits in both apps: the main app's keywords, the widget's description.
pub(crate) fn drift(state: &mut State) {
    set(version_loc(state, 0, "en-US"), "keywords", "edited,on,the,web");
    set(version_loc(state, 1, "en-US"), "description", "Edited on the web.");
}

fn json(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}\n{}", stdout(out), stderr(out)))
}

/// Each app's (name, outcome) in a multi-app document.
fn outcomes(doc: &Value) -> Vec<(String, String)> {
    doc["apps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["name"].as_str().unwrap().into(),
                a["outcome"].as_str().unwrap().into(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_reads_every_app_in_one_run_and_reports_each_with_a_total() {
    let (env, _) = start(CONFIG, drift).await;
    let out = env.run(&["plan", "--detailed-exitcode"]).await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("asc-sync plan for 2 apps of asc-sync.toml\n"),
        "{text}"
    );
    let main = text.find("=== main: com.example.marquee (IOS) ===").expect(&text);
    let widget = text
        .find("=== widget: com.example.marquee.widget (IOS) ===")
        .expect(&text);
    assert!(main < widget, "{text}");
    assert!(text[main..widget].contains("keywords"), "{text}");
    assert!(text[widget..].contains("Edited on the web."), "{text}");
    assert!(
        text.ends_with("Total, 2 apps: 0 to create, 2 to update, 0 to delete (2 requests).\n"),
        "{text}"
    );
    assert_eq!(env.gets(), 8, "4 GETs per app");
    assert_eq!(env.writes(), 0);

    let doc = json(&env.run(&["plan", "--format", "json"]).await);
    assert_eq!(doc["format_version"], 1);
    assert_eq!(doc["config"], "asc-sync.toml");
    assert_eq!(outcomes(&doc), pairs(&[("main", "changes"), ("widget", "changes")]));
    assert_eq!(doc["apps"][1]["plan"]["source"]["bundle_id"], WIDGET);
    assert_eq!(doc["summary"]["update"], 2);
    assert_eq!(doc["summary"]["apps"], 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn app_selects_the_apps_a_run_covers() {
    let (env, _) = start(CONFIG, drift).await;
    let doc = json(&env.run(&["plan", "--app", "widget", "--format", "json"]).await);
    assert_eq!(outcomes(&doc), pairs(&[("widget", "changes")]));
    assert_eq!(env.gets(), 4, "only the widget is read");
    let both = json(&env.run(&["plan", "--app", "widget,main", "--format", "json"]).await);
    assert_eq!(both["summary"]["apps"], 2, "comma-separated, in the file's order");
    assert_eq!(both["apps"][0]["name"], "main");

    let unknown = env.run(&["plan", "--app", "widgte"]).await;
    assert_eq!(unknown.status.code(), Some(1));
    let err = stderr(&unknown);
    assert!(
        err.contains("--app widgte") && err.contains("it lists main, widget") && err.contains("'widget'"),
        "{err}"
    );
    let one_app = env
        .run(&["plan", "--bundle-id", MAIN, "--metadata", "main/metadata"])
        .await;
    assert_eq!(one_app.status.code(), Some(1));
    assert!(stderr(&one_app).contains("--app NAME"), "{}", stderr(&one_app));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_apps_failed_apply_leaves_the_others_applied_exit_3_with_both_reported() {
    let (env, _) = start(CONFIG, drift).await;
    // The widget's English name is now the main app's: Apple refuses a
    // name another app of the account has.
    std::fs::write(
        env.dir.path().join("widget/metadata/en-US/name.txt"),
        "Marquee: Movie Journal\n",
    )
    .unwrap();
    let out = env.run(&["apply", "--auto-approve", "--format", "json"]).await;
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let doc = json(&out);
    assert_eq!(outcomes(&doc), pairs(&[("main", "applied"), ("widget", "partial")]));
    assert_eq!(doc["apps"][0]["report"]["summary"]["applied"], 1);
    let widget = &doc["apps"][1]["report"];
    assert_eq!(widget["summary"]["applied"], 1, "its description went through");
    assert_eq!(widget["summary"]["failed"], 1);
    let failed = widget["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["status"] == "failed")
        .unwrap();
    assert_eq!(failed["error"]["problems"][0]["field"], "name");
    assert_eq!(doc["summary"]["applied"], 2);
    assert_eq!(doc["summary"]["failed"], 1);
    let err = stderr(&out);
    assert!(err.contains("main: applied") && err.contains("widget: FAILED"), "{err}");

    let text = env.run(&["plan"]).await;
    assert!(
        stdout(&text).contains("Total, 2 apps: 0 to create, 1 to update, 0 to delete (1 request)."),
        "only the refused name is left: {}",
        stdout(&text)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_app_that_cannot_be_planned_fails_the_run_and_the_others_are_still_reported() {
    let config = CONFIG.replace(
        "bundle_id = \"com.example.marquee.widget\"",
        "bundle_id = \"com.example.gone\"",
    );
    let (env, _) = start(&config, drift).await;
    let out = env.run(&["plan", "--out", "plan.json"]).await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("keywords"), "main is planned all the same: {text}");
    assert!(
        text.contains("error: no app with bundle id 'com.example.gone' is visible to this API key"),
        "{text}"
    );
    assert!(text.contains("1 app could not be planned"), "{text}");
    assert!(
        stderr(&out).contains("the plan was not saved to plan.json: widget could not be planned"),
        "{}",
        stderr(&out)
    );
    assert!(!env.dir.path().join("plan.json").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_plan_of_two_apps_refused_for_one_applies_the_other_and_says_so() {
    let (env, _) = start(CONFIG, drift).await;
    let out = env.run(&["plan", "--out", "plan.json"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(env.dir.path().join("plan.json")).unwrap()).unwrap();
    assert_eq!(saved["apps"].as_array().unwrap().len(), 2);
    // Someone edits the main app's planned keywords on the web again.
    let mut state = env.fake.state();
    set(version_loc(&mut state, 0, "en-US"), "keywords", "edited,again");
    env.fake.set_state(state);
    env.fake.reset_log();

    let apply = env.run(&["apply", "plan.json"]).await;
    assert_eq!(apply.status.code(), Some(4), "{}\n{}", stdout(&apply), stderr(&apply));
    let text = stdout(&apply);
    let widget = text.find("=== widget").expect(&text);
    assert!(
        text[..widget].contains("The saved plan is stale") && text[..widget].contains("edited,again"),
        "{text}"
    );
    assert!(text[widget..].contains("Apply: 1 applied, 0 failed"), "{text}");
    assert!(text.contains("1 app refused (nothing written)"), "{text}");
    let writes: Vec<String> = env
        .fake
        .requests()
        .iter()
        .filter(|e| e.method != "GET")
        .map(|e| e.path.clone())
        .collect();
    let widget_loc = env.fake.state().apps[1].app_store_versions[1]
        .localization("en-US")
        .unwrap()
        .id
        .clone();
    assert_eq!(writes, [format!("/v1/appStoreVersionLocalizations/{widget_loc}")]);
    assert_eq!(
        version_loc(&mut env.fake.state(), 0, "en-US").attributes["keywords"].as_deref(),
        Some("edited,again"),
        "nothing was written for the refused app"
    );

    // Run again: the widget's part is live already; main's is still refused.
    let again = env.run(&["apply", "plan.json", "--format", "json"]).await;
    assert_eq!(again.status.code(), Some(4));
    let doc = json(&again);
    assert_eq!(outcomes(&doc), pairs(&[("main", "refused"), ("widget", "applied")]));
    assert_eq!(doc["apps"][1]["report"]["summary"]["already_applied"], 1);
    assert!(
        stderr(&again).contains("main: The saved plan is stale"),
        "{}",
        stderr(&again)
    );
    // Only the widget's part: nothing stale in it, nothing left to send.
    let widget_only = env.run(&["apply", "plan.json", "--app", "widget"]).await;
    assert_eq!(widget_only.status.code(), Some(0), "{}", stderr(&widget_only));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_plan_part_for_an_app_the_file_now_names_otherwise_is_refused_before_any_request() {
    let (env, _) = start(CONFIG, drift).await;
    env.run(&["plan", "--out", "plan.json"]).await;
    let moved = CONFIG.replace(
        "name = \"widget\"\nbundle_id = \"com.example.marquee.widget\"",
        "name = \"widget\"\nbundle_id = \"com.example.other\"",
    );
    std::fs::write(env.dir.path().join("asc-sync.toml"), moved).unwrap();
    env.fake.reset_log();
    let apply = env.run(&["apply", "plan.json"]).await;
    assert_eq!(apply.status.code(), Some(1), "{}", stderr(&apply));
    let text = stdout(&apply);
    assert!(
        text.contains(
            "the plan is for the app com.example.marquee.widget, but bundle_id in asc-sync.toml names com.example.other"
        ),
        "{text}"
    );
    assert!(text.contains("Apply: 1 applied"), "main is applied: {text}");
    assert!(
        env.fake
            .requests()
            .iter()
            .all(|e| !e.query.as_deref().unwrap_or_default().contains("widget")),
        "nothing was read for the refused part"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apps_on_one_key_share_one_client_and_an_app_with_its_own_key_gets_another() {
    let (env, _) = start(CONFIG, drift).await;
    let doc = json(&env.run(&["plan", "--format", "json"]).await);
    assert_eq!(
        doc["keys"],
        serde_json::json!([{"key_id": "TESTKEY123", "apps": ["main", "widget"], "requests": 8}])
    );
    let kids: std::collections::BTreeSet<Option<String>> = env.fake.requests().into_iter().map(|e| e.kid).collect();
    assert_eq!(kids, [Some("TESTKEY123".to_owned())].into());

    let own_key = format!(
        "{CONFIG}\n[apps.auth]\nkey_id = \"OTHERKEY\"\nissuer_id = \"57246542-96fe-1a63-e053-0824d011072a\"\nprivate_key_path = \"AuthKey_OTHERKEY.p8\"\n"
    );
    std::fs::write(env.dir.path().join("asc-sync.toml"), own_key).unwrap();
    env.fake.reset_log();
    let doc = json(&env.run(&["plan", "--format", "json"]).await);
    assert_eq!(
        doc["keys"],
        serde_json::json!([
            {"key_id": "TESTKEY123", "apps": ["main"], "requests": 4},
            {"key_id": "OTHERKEY", "apps": ["widget"], "requests": 4}
        ])
    );
    let log = env.fake.requests();
    let by = |kid: &str| log.iter().filter(|e| e.kid.as_deref() == Some(kid)).count();
    assert_eq!(
        (by("TESTKEY123"), by("OTHERKEY")),
        (4, 4),
        "each app through its own key"
    );
    let find = |app: &str| {
        log.iter()
            .find(|e| {
                e.path == "/v1/apps"
                    && e.query
                        .as_deref()
                        .is_some_and(|q| q.contains(&format!("filter[bundleId]={app}&")))
            })
            .unwrap()
            .kid
            .clone()
    };
    assert_eq!(
        find("com.example.marquee.widget").as_deref(),
        Some("OTHERKEY"),
        "the environment's key does not override an app's own"
    );
    assert_eq!(find("com.example.marquee").as_deref(), Some("TESTKEY123"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pull_brings_each_apps_web_edits_into_its_own_tree() {
    let (env, _) = start(CONFIG, drift).await;
    let out = env.run(&["pull", "--detailed-exitcode"]).await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let read = |p: &str| std::fs::read_to_string(env.dir.path().join(p)).unwrap();
    assert_eq!(read("main/metadata/en-US/keywords.txt").trim(), "edited,on,the,web");
    assert_eq!(
        read("widget/metadata/en-US/description.txt").trim(),
        "Edited on the web."
    );
    let text = stdout(&out);
    assert!(text.contains("=== main:") && text.contains("=== widget:"), "{text}");
    assert!(text.contains("Total, 2 apps: 0 files created, 2 changed"), "{text}");
    env.fake.reset_log();
    let plan = env.run(&["plan", "--detailed-exitcode"]).await;
    assert_eq!(plan.status.code(), Some(0), "{}", stdout(&plan));
    assert!(
        stdout(&plan).contains("Total, 2 apps: No changes."),
        "{}",
        stdout(&plan)
    );

    let shared = CONFIG.replace("widget/metadata", "main/metadata");
    std::fs::write(env.dir.path().join("asc-sync.toml"), shared).unwrap();
    let refused = env.run(&["pull", "--format", "json"]).await;
    assert_eq!(refused.status.code(), Some(1));
    let doc = json(&refused);
    assert_eq!(outcomes(&doc), pairs(&[("main", "no_changes"), ("widget", "error")]));
    assert!(
        doc["apps"][1]["error"]
            .as_str()
            .unwrap()
            .contains("is also app main's folder")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validate_checks_every_apps_tree_with_its_own_settings() {
    let config = format!("{CONFIG}\n[apps.validate]\nignore = [\"keyword-spaces\"]\n");
    let (env, _) = start(&config, |_| {}).await;
    std::fs::write(env.dir.path().join("widget/metadata/en-US/keywords.txt"), "a, b\n").unwrap();
    let clean = env.run(&["validate", "--format", "json"]).await;
    assert_eq!(clean.status.code(), Some(0), "{}", stdout(&clean));
    let doc = json(&clean);
    assert_eq!(
        doc["summary"],
        serde_json::json!({"apps": 2, "errors": 0, "warnings": 0})
    );
    assert_eq!(doc["apps"][1]["report"]["metadata"], "widget/metadata");

    std::fs::write(env.dir.path().join("main/metadata/en-US/name.txt"), "N".repeat(31)).unwrap();
    let broken = env.run(&["validate"]).await;
    assert_eq!(broken.status.code(), Some(1));
    let text = stdout(&broken);
    assert!(text.contains("=== main:") && text.contains("too-long"), "{text}");
    assert!(text.ends_with("Total, 2 apps: 1 error, 0 warnings.\n"), "{text}");
    // plan stops at the broken tree, and still plans the other app.
    let plan = env.run(&["plan"]).await;
    assert_eq!(plan.status.code(), Some(1));
    assert!(stdout(&plan).contains("main/metadata has errors"), "{}", stdout(&plan));
    assert!(stdout(&plan).contains("=== widget:"), "{}", stdout(&plan));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn github_outputs_the_summary_and_the_comment_cover_every_app() {
    let (env, _) = start(CONFIG, drift).await;
    let (summary, output) = (env.dir.path().join("summary.md"), env.dir.path().join("output.txt"));
    let mut cmd = env.command(&["plan", "--github", "--out", "plan.json", "--comment-out", "comment.md"]);
    cmd.env("GITHUB_STEP_SUMMARY", &summary).env("GITHUB_OUTPUT", &output);
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let outputs = std::fs::read_to_string(&output).unwrap();
    assert!(
        outputs.starts_with("has_changes=true\nplan_path=plan.json\ncreate=0\nupdate=2\n"),
        "{outputs}"
    );
    let apps_line = outputs.lines().find_map(|l| l.strip_prefix("apps=")).unwrap();
    let apps: Value = serde_json::from_str(apps_line).unwrap();
    assert_eq!(apps["widget"]["outcome"], "changes");
    assert_eq!(apps["main"]["update"], 1);
    let summary = std::fs::read_to_string(&summary).unwrap();
    assert!(
        summary.starts_with("### asc-sync plan for 2 apps of asc-sync.toml"),
        "{summary}"
    );
    assert!(
        summary.contains("| widget | com.example.marquee.widget | IOS | Plan: 0 to create, 1 to update"),
        "{summary}"
    );
    let comment = std::fs::read_to_string(env.dir.path().join("comment.md")).unwrap();
    assert!(
        comment.starts_with("<!-- asc-sync plan: asc-sync.toml -->\n"),
        "{comment}"
    );
    let one = env.run(&["plan", "--app", "main", "--comment-out", "main.md"]).await;
    assert_eq!(one.status.code(), Some(0));
    let comment = std::fs::read_to_string(env.dir.path().join("main.md")).unwrap();
    assert!(
        comment.starts_with("<!-- asc-sync plan: asc-sync.toml (main) -->\n"),
        "{comment}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_plan_of_several_apps_shows_and_is_refused_by_a_one_app_file() {
    let (env, _) = start(CONFIG, drift).await;
    env.run(&["plan", "--out", "plan.json"]).await;
    let shown = env.run(&["show", "plan.json"]).await;
    assert_eq!(shown.status.code(), Some(0));
    assert!(stdout(&shown).contains("=== widget: com.example.marquee.widget (IOS) ==="));
    std::fs::write(
        env.dir.path().join("asc-sync.toml"),
        format!("bundle_id = \"{MAIN}\"\n"),
    )
    .unwrap();
    let apply = env.run(&["apply", "plan.json"]).await;
    assert_eq!(apply.status.code(), Some(1));
    assert!(
        stderr(&apply).contains("is a plan of several apps (main, widget)"),
        "{}",
        stderr(&apply)
    );
    assert_eq!(env.writes(), 0);
}

const IOS_AND_MAC: &str = r#"
[[apps]]
name = "ios"
bundle_id = "com.example.marquee"
metadata_path = "ios/metadata"

[[apps]]
name = "mac"
bundle_id = "com.example.marquee"
platform = "MAC_OS"
metadata_path = "mac/metadata"
"#;

/// One app on iOS and macOS, each platform's tree a copy of the example:
/// versions of its own, one app info for both.
async fn ios_and_mac(edit: impl FnOnce(&mut State)) -> Env {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&example_metadata(), &dir.path().join("ios/metadata"));
    copy_tree(&example_metadata(), &dir.path().join("mac/metadata"));
    std::fs::write(dir.path().join("asc-sync.toml"), IOS_AND_MAC).unwrap();
    let tree = asc_sync::tree::load_dir(&example_metadata(), &Default::default()).tree;
    let seed = |platform| Seed {
        tree: &tree,
        bundle_id: MAIN,
        platform,
    };
    let mut state = State::from_trees(&[seed("IOS"), seed("MAC_OS")]);
    edit(&mut state);
    let env = Env::start(state, Default::default()).await;
    copy_tree(dir.path(), env.dir.path());
    env
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ios_and_a_macos_listing_of_one_app_send_its_shared_app_info_once() {
    let env = ios_and_mac(|state| {
        let app = &mut state.apps[0];
        assert_eq!(app.app_store_versions[3].platform, "MAC_OS");
        set(
            app.app_store_versions[1].localization_mut("en-US").unwrap(),
            "keywords",
            "ios,edit",
        );
        set(
            app.app_store_versions[3].localization_mut("en-US").unwrap(),
            "description",
            "Mac edit.",
        );
        let info = app.app_infos[1]
            .localizations
            .iter_mut()
            .find(|l| l.locale == "en-US")
            .unwrap();
        set(info, "subtitle", "Edited on the web");
    })
    .await;
    let doc = json(&env.run(&["plan", "--format", "json"]).await);
    let fields = |i: usize| -> Vec<String> {
        doc["apps"][i]["plan"]["changes"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|c| c["attributes"].as_object().unwrap().keys().cloned())
            .collect()
    };
    assert_eq!(fields(0), ["keywords", "subtitle"]);
    assert_eq!(fields(1), ["description"], "the subtitle is the iOS entry's to send");
    let notes = doc["apps"][1]["plan"]["notes"].to_string();
    assert!(notes.contains("appInfoLocalizations en-US: left to app ios"), "{notes}");
    env.fake.reset_log();
    let apply = env.run(&["apply", "--auto-approve"]).await;
    assert_eq!(apply.status.code(), Some(0), "{}", stderr(&apply));
    assert_eq!(env.writes(), 3);
    let again = env.run(&["plan", "--detailed-exitcode"]).await;
    assert_eq!(again.status.code(), Some(0), "{}", stdout(&again));

    // The macOS tree now says another subtitle: the two disagree about
    // one field they share, and the later entry is not planned.
    std::fs::write(
        env.dir.path().join("mac/metadata/en-US/subtitle.txt"),
        "Other subtitle\n",
    )
    .unwrap();
    let conflict = env.run(&["plan", "--format", "json"]).await;
    assert_eq!(conflict.status.code(), Some(1));
    let doc = json(&conflict);
    assert_eq!(outcomes(&doc), pairs(&[("ios", "no_changes"), ("mac", "error")]));
    let error = doc["apps"][1]["error"].as_str().unwrap();
    assert!(
        error.contains("com.example.marquee has one app info for every platform")
            && error.contains(
                "en-US subtitle: \"Log films, rate, remember\" in app ios's tree, \"Other subtitle\" in this one"
            ),
        "{error}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_sends_no_more_requests_an_hour_than_its_share_of_the_key() {
    let (env, _) = start(CONFIG, drift).await;
    let out = env.run(&["plan", "--hourly-budget", "4"]).await;
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(
        text.contains("not sent: this run may send 4 requests an hour with its key (--hourly-budget"),
        "{text}"
    );
    let sent = env.fake.requests().len();
    assert!(
        (2..=4).contains(&sent),
        "8 were needed; {sent} were sent, at most the budget"
    );

    env.fake.reset_log();
    let config = format!("[apply]\nhourly_budget = 8\n{CONFIG}");
    std::fs::write(env.dir.path().join("asc-sync.toml"), config).unwrap();
    let out = env.run(&["plan"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(env.fake.requests().len(), 8, "within [apply] hourly_budget");
    let zero = env.run(&["plan", "--hourly-budget", "0"]).await;
    assert_eq!(zero.status.code(), Some(1));
}

#[test]
fn the_docs_several_apps_file_reads_as_it_says() {
    let page = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/several-apps.md")).unwrap();
    let section = &page[page.find("# Several apps").unwrap()..];
    let start = section.find("```toml\n").unwrap() + "```toml\n".len();
    let toml = &section[start..start + section[start..].find("```").unwrap()];
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("asc-sync.toml"), toml).unwrap();
    for app in ["main", "mac", "internal"] {
        write_widget(&dir.path().join(format!("apps/{app}/metadata")));
    }
    let out = crate::harness::asc_sync()
        .current_dir(dir.path())
        .args(["validate", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc = json(&out);
    let apps: Vec<(&str, &str)> = doc["apps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["name"].as_str().unwrap(), a["platform"].as_str().unwrap()))
        .collect();
    assert_eq!(apps, [("main", "IOS"), ("mac", "MAC_OS"), ("internal", "IOS")]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_apps_key_may_come_from_a_variable_and_one_key_id_is_one_key() {
    let (env, other) = start(CONFIG, drift).await;
    let auth = |key_id: &str| {
        format!(
            "{CONFIG}\n[apps.auth]\nkey_id = \"{key_id}\"\nissuer_id = \"57246542-96fe-1a63-e053-0824d011072a\"\nprivate_key_env = \"WIDGET_KEY\"\n"
        )
    };
    let run = |args: &'static [&'static str]| {
        let mut cmd = env.command(args);
        cmd.env("WIDGET_KEY", &other.private_pem);
        tokio::task::spawn_blocking(move || cmd.output().unwrap())
    };
    std::fs::write(env.dir.path().join("asc-sync.toml"), auth("OTHERKEY")).unwrap();
    let out = run(&["plan", "--format", "json"]).await.unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(json(&out)["keys"][1]["key_id"], "OTHERKEY");

    // The environment's key id with another private key: the widget is
    // refused, the main app planned.
    std::fs::write(env.dir.path().join("asc-sync.toml"), auth("TESTKEY123")).unwrap();
    let out = run(&["plan", "--format", "json"]).await.unwrap();
    assert_eq!(out.status.code(), Some(1));
    let doc = json(&out);
    assert_eq!(outcomes(&doc), pairs(&[("main", "changes"), ("widget", "error")]));
    let error = doc["apps"][1]["error"].as_str().unwrap();
    assert!(
        error.contains("API key TESTKEY123 has another private key here than for app main"),
        "{error}"
    );

    let unset = env.run(&["plan"]).await;
    assert!(
        stdout(&unset).contains("private_key_env = \"WIDGET_KEY\", but the environment has no WIDGET_KEY"),
        "{}",
        stdout(&unset)
    );
}

#[test]
fn app_needs_a_file_that_lists_apps() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("asc-sync.toml"), format!("bundle_id = \"{MAIN}\"\n")).unwrap();
    let out = crate::harness::asc_sync()
        .current_dir(dir.path())
        .args(["validate", "--app", "main"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("--app main: asc-sync.toml lists no [[apps]]"),
        "{}",
        stderr(&out)
    );
}

/// An `[[apps]]` entry's `app_id` saves that app's lookup, as the top
/// level's does for one app; a top-level `app_id` beside `[[apps]]` is
/// refused, since it could belong to any of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_apps_app_id_saves_its_lookup() {
    let (env, _) = start(CONFIG, |_| {}).await;
    let main_id = env.fake.state().apps[0].id.clone();
    let config = CONFIG.replacen(
        "bundle_id = \"com.example.marquee\"\n",
        &format!("bundle_id = \"com.example.marquee\"\napp_id = \"{main_id}\"\n"),
        1,
    );
    std::fs::write(env.dir.path().join("asc-sync.toml"), &config).unwrap();
    env.fake.reset_log();
    let out = env.run(&["plan", "--app", "main", "--detailed-exitcode"]).await;
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    assert!(
        env.fake.requests().iter().all(|r| r.path != "/v1/apps"),
        "{:?}",
        env.fake.requests()
    );

    let top = format!("app_id = \"{main_id}\"\n{CONFIG}");
    std::fs::write(env.dir.path().join("asc-sync.toml"), top).unwrap();
    let out = env.run(&["plan"]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("app_id") && stderr(&out).contains("[[apps]]"),
        "{}",
        stderr(&out)
    );
}
