//! Screenshots and previews planned and applied against the fake over
//! real HTTP: identity by MD5 within a slot, the tree owning the slots it
//! has and nothing else, uploads by Apple's protocol, processing failures
//! reported by file, interrupted runs finished without duplicates, and
//! saved plans refused when a set moved.

use crate::screenshots::png;
use crate::support::{Env, example_state, stderr, stdout};
use asc_sync::fake::FakeOptions;
use serde_json::Value;
use std::path::PathBuf;

/// A screenshots folder in the test's folder.
fn shots(env: &Env) -> PathBuf {
    env.dir.path().join("screenshots")
}

fn put(env: &Env, rel: &str, bytes: &[u8]) {
    let path = shots(env).join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// A 6.9" iPhone screenshot (1290×2796) that differs by `tag`.
fn iphone(tag: &str) -> Vec<u8> {
    png(1290, 2796, false, tag)
}

/// An iPad 13" screenshot (2064×2752).
fn ipad(tag: &str) -> Vec<u8> {
    png(2064, 2752, false, tag)
}

async fn fake() -> Env {
    fake_of(example_state(), Default::default(), 20).await
}

/// The fake holding `state`, with `faults`, processing uploads in `processing_ms`.
async fn fake_of(state: asc_sync::fake::State, faults: asc_sync::fake::FaultConfig, processing_ms: u64) -> Env {
    Env::with(FakeOptions {
        state,
        faults,
        processing_ms,
        ..Default::default()
    })
    .await
}

async fn plan_json(env: &Env, extra: &[&str]) -> Value {
    let dir = shots(env);
    let mut args = vec!["--screenshots", dir.to_str().unwrap(), "--format", "json"];
    args.extend_from_slice(extra);
    let out = env.plan(&args).await;
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_str(&stdout(&out)).unwrap()
}

async fn apply(env: &Env, extra: &[&str]) -> std::process::Output {
    let dir = shots(env);
    let mut args = vec!["--screenshots", dir.to_str().unwrap()];
    args.extend_from_slice(extra);
    env.apply(&args).await
}

/// The checksums of a live set, in order, as the fake holds it.
fn live_set(env: &Env, locale: &str, display_type: &str) -> Vec<String> {
    let state = env.fake.state();
    let app = &state.apps[0];
    let version = app
        .app_store_versions
        .iter()
        .find(|v| v.app_version_state == "PREPARE_FOR_SUBMISSION")
        .unwrap();
    let localization = version.localizations.iter().find(|l| l.locale == locale).unwrap();
    state
        .app_screenshot_sets
        .iter()
        .filter(|s| s.localization == localization.id && s.display_type == display_type)
        .flat_map(|s| {
            s.assets
                .iter()
                .map(|a| a.source_file_checksum.clone().unwrap_or_else(|| a.state.clone()))
        })
        .collect()
}

fn md5(bytes: &[u8]) -> String {
    use md5::Digest;
    hex::encode(md5::Md5::digest(bytes))
}

fn media_writes(env: &Env) -> Vec<String> {
    env.fake
        .requests()
        .iter()
        .filter(|r| r.method != "GET" && (r.path.contains("Screenshot") || r.path.contains("blobstore")))
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

#[tokio::test]
async fn a_tree_uploads_and_the_next_plan_has_no_changes() {
    let env = fake().await;
    for i in 1..=3 {
        put(&env, &format!("en-US/iphone_{i}.png"), &iphone(&format!("en {i}")));
    }
    put(&env, "en-US/ipad_1.png", &ipad("en ipad"));
    put(&env, "de-DE/iphone_1.png", &iphone("de 1"));

    let plan = plan_json(&env, &[]).await;
    assert_eq!(plan["summary"]["media"]["upload"], 5, "{plan:#}");
    assert_eq!(plan["media"].as_array().unwrap().len(), 3);
    let text = stdout(&env.plan(&["--screenshots", shots(&env).to_str().unwrap()]).await);
    assert!(
        text.contains("Screenshots: 5 to upload") && text.contains("+ ") && text.contains("1290×2796"),
        "{text}"
    );

    let out = apply(&env, &[]).await;
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    assert_eq!(
        live_set(&env, "en-US", "APP_IPHONE_67"),
        (1..=3).map(|i| md5(&iphone(&format!("en {i}")))).collect::<Vec<_>>()
    );
    assert_eq!(
        live_set(&env, "en-US", "APP_IPAD_PRO_3GEN_129"),
        [md5(&ipad("en ipad"))]
    );

    env.fake.reset_log();
    let dir = shots(&env);
    let again = env
        .plan(&["--screenshots", dir.to_str().unwrap(), "--detailed-exitcode"])
        .await;
    assert_eq!(again.status.code(), Some(0), "{}", stdout(&again));
    assert!(
        stdout(&again).contains("No changes") && stdout(&again).contains("its 5 screenshots"),
        "{}",
        stdout(&again)
    );
    assert_eq!(env.writes(), 0);
    let second = apply(&env, &[]).await;
    assert!(second.status.success());
    assert_eq!(env.writes(), 0, "a second apply with nothing changed writes nothing");
}

#[tokio::test]
async fn a_rename_uploads_nothing_and_a_changed_image_is_one_upload_and_one_delete() {
    let env = fake().await;
    put(&env, "en-US/1.png", &iphone("one"));
    put(&env, "en-US/2.png", &iphone("two"));
    assert!(apply(&env, &[]).await.status.success());

    std::fs::rename(shots(&env).join("en-US/1.png"), shots(&env).join("en-US/01_home.png")).unwrap();
    let plan = plan_json(&env, &[]).await;
    assert_eq!(plan["has_changes"], false, "a rename is the same image: {plan:#}");

    put(&env, "en-US/2.png", &iphone("two, retouched"));
    let plan = plan_json(&env, &[]).await;
    let set = &plan["media"][0];
    assert_eq!(set["uploads"].as_array().unwrap().len(), 1);
    assert_eq!(set["deletes"].as_array().unwrap().len(), 1);
    assert_eq!(set["reorder"], false);
    assert_eq!(set["screenshotDisplayType"], "APP_IPHONE_67");

    env.fake.reset_log();
    let out = apply(&env, &[]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let writes = media_writes(&env);
    let count = |prefix: &str| writes.iter().filter(|w| w.starts_with(prefix)).count();
    assert_eq!(count("POST /v1/appScreenshots"), 1, "{writes:#?}");
    assert_eq!(count("PUT /blobstore"), 1, "{writes:#?}");
    assert_eq!(count("PATCH /v1/appScreenshots/"), 1, "the commit: {writes:#?}");
    assert_eq!(count("DELETE /v1/appScreenshots/"), 1, "{writes:#?}");
    assert_eq!(
        count("PATCH /v1/appScreenshotSets"),
        0,
        "no reorder needed: {writes:#?}"
    );
    assert_eq!(
        live_set(&env, "en-US", "APP_IPHONE_67"),
        [md5(&iphone("one")), md5(&iphone("two, retouched"))]
    );
}

#[tokio::test]
async fn swapped_files_are_one_reorder_request() {
    let env = fake().await;
    put(&env, "en-US/1.png", &iphone("a"));
    put(&env, "en-US/2.png", &iphone("b"));
    assert!(apply(&env, &[]).await.status.success());
    put(&env, "en-US/1.png", &iphone("b"));
    put(&env, "en-US/2.png", &iphone("a"));
    env.fake.reset_log();
    let out = apply(&env, &[]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(media_writes(&env).len(), 1);
    assert!(media_writes(&env)[0].starts_with("PATCH /v1/appScreenshotSets/"));
    assert_eq!(
        live_set(&env, "en-US", "APP_IPHONE_67"),
        [md5(&iphone("b")), md5(&iphone("a"))]
    );
}

#[tokio::test]
async fn slots_and_locales_the_tree_lacks_are_never_touched() {
    let env = fake().await;
    put(&env, "en-US/1.png", &iphone("en"));
    put(&env, "de-DE/1.png", &iphone("de"));
    put(&env, "de-DE/ipad.png", &ipad("de ipad"));
    assert!(apply(&env, &[]).await.status.success());
    // The tree now has only en-US's iPhone slot.
    std::fs::remove_dir_all(shots(&env).join("de-DE")).unwrap();
    put(&env, "en-US/2.png", &iphone("en 2"));
    let plan = plan_json(&env, &[]).await;
    assert_eq!(plan["summary"]["media"]["delete"], 0, "{plan:#}");
    assert!(apply(&env, &[]).await.status.success());
    assert_eq!(live_set(&env, "de-DE", "APP_IPHONE_67"), [md5(&iphone("de"))]);
    assert_eq!(
        live_set(&env, "de-DE", "APP_IPAD_PRO_3GEN_129"),
        [md5(&ipad("de ipad"))]
    );
    assert_eq!(live_set(&env, "en-US", "APP_IPHONE_67").len(), 2);
}

#[tokio::test]
async fn a_slot_the_tree_has_is_the_trees_and_a_shrinking_one_needs_allow_destructive() {
    let env = fake().await;
    for i in 1..=5 {
        put(&env, &format!("en-US/{i}.png"), &iphone(&i.to_string()));
    }
    assert!(apply(&env, &[]).await.status.success());
    for i in 2..=5 {
        std::fs::remove_file(shots(&env).join(format!("en-US/{i}.png"))).unwrap();
    }
    let dir = shots(&env);
    let refused = env.plan(&["--screenshots", dir.to_str().unwrap()]).await;
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("deletes 4 of 5 live screenshots")
            && stderr(&refused).contains("--allow-destructive"),
        "{}",
        stderr(&refused)
    );
    let out = apply(&env, &["--allow-destructive"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(live_set(&env, "en-US", "APP_IPHONE_67"), [md5(&iphone("1"))]);
}

#[tokio::test]
async fn an_eleventh_image_is_a_validate_error_and_nothing_is_sent() {
    let env = fake().await;
    for i in 1..=11 {
        put(&env, &format!("en-US/{i}.png"), &iphone(&i.to_string()));
    }
    let dir = shots(&env);
    let out = env.plan(&["--screenshots", dir.to_str().unwrap()]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("en-US"), "{}", stderr(&out));
    assert_eq!(env.fake.requests().len(), 0, "a broken tree sends nothing");
}

#[tokio::test]
async fn a_submitted_version_shows_its_image_changes_blocked_and_sends_none() {
    let mut state = example_state();
    for v in &mut state.apps[0].app_store_versions {
        if v.app_version_state == "PREPARE_FOR_SUBMISSION" {
            v.app_version_state = "WAITING_FOR_REVIEW".into();
        }
    }
    let env = fake_of(state, Default::default(), 20).await;
    put(&env, "en-US/1.png", &iphone("x"));
    let plan = plan_json(&env, &[]).await;
    assert!(
        plan["media"][0]["blocked"]
            .as_str()
            .unwrap()
            .contains("WAITING_FOR_REVIEW"),
        "{plan:#}"
    );
    assert_eq!(plan["summary"]["blocked"], 1);
    let out = apply(&env, &[]).await;
    assert!(media_writes(&env).is_empty(), "{}", stderr(&out));
}

#[tokio::test]
async fn a_killed_apply_is_finished_by_the_next_with_no_duplicate_and_nothing_awaiting_upload() {
    let env = fake_of(example_state(), Default::default(), 1500).await;
    for i in 1..=3 {
        put(&env, &format!("en-US/{i}.png"), &iphone(&i.to_string()));
    }
    let dir = shots(&env);
    let metadata = crate::harness::example_metadata();
    let mut child = env
        .command(&[
            "apply",
            "--auto-approve",
            "--bundle-id",
            crate::support::BUNDLE,
            "--metadata",
            metadata.to_str().unwrap(),
            "--screenshots",
            dir.to_str().unwrap(),
        ])
        .spawn()
        .unwrap();
    // Killed while Apple processes the uploads.
    for _ in 0..200 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        if env.fake.requests().iter().any(|r| r.method == "PUT") {
            break;
        }
    }
    child.kill().unwrap();
    let _ = child.wait();
    let out = apply(&env, &[]).await;
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    let live = live_set(&env, "en-US", "APP_IPHONE_67");
    assert_eq!(live, (1..=3).map(|i| md5(&iphone(&i.to_string()))).collect::<Vec<_>>());
    let plan = plan_json(&env, &[]).await;
    assert_eq!(plan["has_changes"], false, "{plan:#}");
}

#[tokio::test]
async fn a_set_changed_live_after_the_plan_makes_the_saved_plan_stale() {
    let env = fake().await;
    put(&env, "en-US/1.png", &iphone("1"));
    assert!(apply(&env, &[]).await.status.success());
    put(&env, "en-US/2.png", &iphone("2"));
    let dir = shots(&env);
    let saved = env
        .plan(&["--screenshots", dir.to_str().unwrap(), "--out", "plan.json"])
        .await;
    assert!(saved.status.success(), "{}", stderr(&saved));
    // Someone uploads another image on the web meanwhile.
    let other = shots(&env).parent().unwrap().join("elsewhere");
    std::fs::create_dir_all(other.join("en-US")).unwrap();
    std::fs::write(other.join("en-US/1.png"), iphone("1")).unwrap();
    std::fs::write(other.join("en-US/9.png"), iphone("web")).unwrap();
    let metadata = crate::harness::example_metadata();
    let web = env
        .run(&[
            "apply",
            "--auto-approve",
            "--bundle-id",
            crate::support::BUNDLE,
            "--metadata",
            metadata.to_str().unwrap(),
            "--screenshots",
            other.to_str().unwrap(),
        ])
        .await;
    assert!(web.status.success(), "{}", stderr(&web));
    env.fake.reset_log();
    let out = env
        .run(&["apply", "plan.json", "--screenshots", dir.to_str().unwrap()])
        .await;
    assert_eq!(out.status.code(), Some(4), "{}\n{}", stdout(&out), stderr(&out));
    assert!(stderr(&out).contains("APP_IPHONE_67"), "{}", stderr(&out));
    assert_eq!(env.writes(), 0);
}

#[tokio::test]
async fn a_saved_plan_applies_and_is_bound_to_each_images_checksum() {
    let env = fake().await;
    put(&env, "en-US/1.png", &iphone("1"));
    let dir = shots(&env);
    let saved = env
        .plan(&["--screenshots", dir.to_str().unwrap(), "--out", "plan.json"])
        .await;
    assert!(saved.status.success(), "{}", stderr(&saved));
    put(&env, "en-US/1.png", &iphone("1, changed after review"));
    let refused = env
        .run(&["apply", "plan.json", "--screenshots", dir.to_str().unwrap()])
        .await;
    assert_eq!(refused.status.code(), Some(4), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("screenshots/en-US/1.png"),
        "{}",
        stderr(&refused)
    );
    put(&env, "en-US/1.png", &iphone("1"));
    let out = env
        .run(&["apply", "plan.json", "--screenshots", dir.to_str().unwrap()])
        .await;
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    assert_eq!(live_set(&env, "en-US", "APP_IPHONE_67"), [md5(&iphone("1"))]);
    let twice = env
        .run(&["apply", "plan.json", "--screenshots", dir.to_str().unwrap()])
        .await;
    assert!(twice.status.success(), "{}", stderr(&twice));
    assert!(stdout(&twice).contains("already applied"), "{}", stdout(&twice));
}

#[tokio::test]
async fn locale_and_field_limit_the_images_too() {
    let env = fake().await;
    put(&env, "en-US/1.png", &iphone("en"));
    put(&env, "de-DE/1.png", &iphone("de"));
    let plan = plan_json(&env, &["--locale", "de-DE"]).await;
    let sets: Vec<&str> = plan["media"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["locale"].as_str().unwrap())
        .collect();
    assert_eq!(sets, ["de-DE"]);
    let text_only = plan_json(&env, &["--field", "whatsNew"]).await;
    assert!(text_only.get("media").is_none(), "{text_only:#}");
    let images_only = plan_json(&env, &["--field", "screenshots"]).await;
    assert_eq!(images_only["media"].as_array().unwrap().len(), 2);
    assert!(images_only["changes"].as_array().unwrap().is_empty(), "{images_only:#}");
}

/// A real MP4 of `seconds` at 886×1920 (the 6.9" preview size): one
/// H.264 track and, with `sound`, an AAC stereo track, as the `mp4`
/// crate writes them.
fn preview(seconds: u32, sound: bool, tag: u8) -> Vec<u8> {
    use mp4::{AacConfig, AvcConfig, MediaConfig, Mp4Config, Mp4Sample, Mp4Writer, TrackConfig, TrackType};
    let config = Mp4Config {
        major_brand: str::parse("isom").unwrap(),
        minor_version: 512,
        compatible_brands: vec![str::parse("isom").unwrap(), str::parse("mp41").unwrap()],
        timescale: 1000,
    };
    let mut writer = Mp4Writer::write_start(std::io::Cursor::new(Vec::new()), &config).unwrap();
    let video = TrackConfig {
        track_type: TrackType::Video,
        timescale: 1000,
        language: "und".into(),
        media_conf: MediaConfig::AvcConfig(AvcConfig {
            width: 886,
            height: 1920,
            seq_param_set: vec![0x67, 0x64, 0, 0x1f],
            pic_param_set: vec![0x68, 0xeb],
        }),
    };
    writer.add_track(&video).unwrap();
    let sample = |ms: u32, byte: u8| Mp4Sample {
        start_time: 0,
        duration: ms,
        rendering_offset: 0,
        is_sync: true,
        bytes: mp4::Bytes::from(vec![byte; 64]),
    };
    writer.write_sample(1, &sample(seconds * 1000, tag)).unwrap();
    if sound {
        let audio = TrackConfig {
            track_type: TrackType::Audio,
            timescale: 1000,
            language: "und".into(),
            media_conf: MediaConfig::AacConfig(AacConfig::default()),
        };
        writer.add_track(&audio).unwrap();
        writer.write_sample(2, &sample(seconds * 1000, 0)).unwrap();
    }
    writer.write_end().unwrap();
    writer.into_writer().into_inner()
}

fn put_preview(env: &Env, rel: &str, bytes: &[u8]) {
    let path = env.dir.path().join("app_previews").join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

#[tokio::test]
async fn a_preview_uploads_with_its_poster_frame_and_a_silent_one_fails_naming_the_file() {
    let env = fake().await;
    put_preview(&env, "en-US/IPHONE_67/tour.mp4", &preview(20, true, 1));
    std::fs::write(
        env.dir.path().join("app_previews/en-US/IPHONE_67/tour.timecode"),
        "00:00:05:00",
    )
    .unwrap();
    let previews = env.dir.path().join("app_previews");
    let flags = ["--app-previews", previews.to_str().unwrap()];
    let plan = plan_json(&env, &flags).await;
    let set = &plan["media"][0];
    assert_eq!(set["previewType"], "IPHONE_67", "{plan:#}");
    assert_eq!(set["uploads"][0]["previewFrameTimeCode"], "00:00:05:00");
    assert!(stdout(&env.plan(&flags).await).contains("Screenshots and previews: 1 to upload"));
    let out = apply(&env, &flags).await;
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    let state = env.fake.state();
    let live = &state.app_preview_sets[0].assets[0];
    assert_eq!(
        (live.state.as_str(), live.preview_frame_time_code.as_deref()),
        ("COMPLETE", Some("00:00:05:00"))
    );

    // A preview without a sound track: validate warns, Apple fails it after the upload.
    put_preview(&env, "en-US/IPHONE_67/tour.mp4", &preview(20, false, 2));
    let warned = env
        .run(&[
            "validate",
            "--metadata",
            crate::harness::example_metadata().to_str().unwrap(),
            "--app-previews",
            previews.to_str().unwrap(),
        ])
        .await;
    assert!(stdout(&warned).contains("preview-sound"), "{}", stdout(&warned));
    let out = apply(&env, &flags).await;
    assert_eq!(out.status.code(), Some(3), "{}\n{}", stdout(&out), stderr(&out));
    let said = stdout(&out);
    assert!(
        said.contains("tour.mp4") && said.contains("MOV_RESAVE_STEREO"),
        "{said}"
    );
    let state = env.fake.state();
    let assets: Vec<&str> = state.app_preview_sets[0]
        .assets
        .iter()
        .map(|a| a.state.as_str())
        .collect();
    assert_eq!(
        assets,
        ["COMPLETE"],
        "the failed upload is removed and the old preview kept"
    );
}

#[tokio::test]
async fn pull_names_the_live_slots_the_tree_lacks_and_downloads_nothing() {
    let env = fake().await;
    put(&env, "en-US/1.png", &iphone("en"));
    put(&env, "de-DE/ipad.png", &ipad("de ipad"));
    assert!(apply(&env, &[]).await.status.success());
    std::fs::remove_dir_all(shots(&env).join("de-DE")).unwrap();
    let fresh = env.dir.path().join("fresh/metadata");
    let dir = shots(&env);
    let out = env
        .run(&[
            "pull",
            "--bundle-id",
            crate::support::BUNDLE,
            "--metadata",
            fresh.to_str().unwrap(),
            "--screenshots",
            dir.to_str().unwrap(),
        ])
        .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let said = stdout(&out);
    assert!(
        said.contains("de-DE APP_IPAD_PRO_3GEN_129: 1 screenshot live the tree lacks")
            && !said.contains("en-US APP_IPHONE_67"),
        "{said}"
    );
    assert!(!shots(&env).join("de-DE").exists(), "nothing is downloaded");
}

#[tokio::test]
async fn the_pull_request_comment_has_a_table_per_locale_and_slot() {
    let env = fake().await;
    put(&env, "en-US/1.png", &iphone("a"));
    put(&env, "de-DE/1.png", &iphone("b"));
    let dir = shots(&env);
    let out = env
        .plan(&["--screenshots", dir.to_str().unwrap(), "--format", "markdown"])
        .await;
    let md = stdout(&out);
    assert!(md.contains("Screenshots: 2 to upload"), "{md}");
    for locale in ["de-DE", "en-US"] {
        assert!(
            md.contains(&format!("**screenshots {locale}** `APP_IPHONE_67`")),
            "{md}"
        );
    }
    assert!(md.contains("| + | ") && md.contains("| 1290×2796 |"), "{md}");
}

#[tokio::test]
async fn init_says_which_live_slots_have_images_and_plan_then_touches_none() {
    let env = fake().await;
    put(&env, "en-US/1.png", &iphone("en"));
    assert!(apply(&env, &[]).await.status.success());
    let project = env.dir.path().join("project");
    std::fs::create_dir_all(&project).unwrap();
    let out = env.run_in(&project, &["init"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("en-US APP_IPHONE_67: 1 screenshot live the tree lacks"),
        "{}",
        stdout(&out)
    );
    let out = env.run_in(&project, &["plan", "--detailed-exitcode"]).await;
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
}

#[tokio::test]
async fn a_new_locale_gets_its_localization_then_its_screenshots_in_one_apply() {
    // The drifted state lacks fr-FR: the text apply creates it, then its set.
    let env = fake_of(crate::support::drifted_state(), Default::default(), 20).await;
    put(&env, "fr-FR/1.png", &iphone("fr"));
    let plan = plan_json(&env, &[]).await;
    assert_eq!(plan["media"][0]["localization_id"], Value::Null, "{plan:#}");
    let out = apply(&env, &[]).await;
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    assert_eq!(live_set(&env, "fr-FR", "APP_IPHONE_67"), [md5(&iphone("fr"))]);
    let again = plan_json(&env, &[]).await;
    assert_eq!(again["has_changes"], false, "{again:#}");
}

#[tokio::test]
async fn uploads_ride_out_a_429_storm_on_the_storage_host() {
    let env = fake_of(
        example_state(),
        asc_sync::fake::FaultConfig {
            fail_upload_429: Some("0.5 PUT".parse().unwrap()),
            seed: 7,
            ..Default::default()
        },
        20,
    )
    .await;
    for i in 1..=6 {
        put(&env, &format!("en-US/{i}.png"), &iphone(&i.to_string()));
    }
    let out = apply(&env, &[]).await;
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    let refused = env
        .fake
        .requests()
        .iter()
        .filter(|r| r.method == "PUT" && r.status == Some(429))
        .count();
    assert!(refused > 0, "the storm happened");
    assert_eq!(live_set(&env, "en-US", "APP_IPHONE_67").len(), 6, "each image once");
}

#[tokio::test]
async fn each_app_of_a_list_plans_its_own_screenshots_folder() {
    let env = fake().await;
    put(&env, "en-US/1.png", &iphone("one"));
    let metadata = crate::harness::example_metadata();
    let config = format!(
        "[[apps]]\nname = \"marquee\"\nbundle_id = \"{}\"\nmetadata_path = \"{}\"\nscreenshots_path = \"{}\"\n",
        crate::support::BUNDLE,
        metadata.display(),
        shots(&env).display()
    );
    std::fs::write(env.dir.path().join("asc-sync.toml"), config).unwrap();
    let out = env.run(&["plan", "--format", "json"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["apps"][0]["plan"]["summary"]["media"]["upload"], 1, "{doc:#}");
    let applied = env.run(&["apply", "--auto-approve"]).await;
    assert!(applied.status.success(), "{}", stderr(&applied));
    assert_eq!(live_set(&env, "en-US", "APP_IPHONE_67"), [md5(&iphone("one"))]);
}

#[tokio::test]
async fn apply_waits_for_the_checksum_apple_publishes_after_complete() {
    let env = fake_of(
        example_state(),
        asc_sync::fake::FaultConfig {
            late_checksum_ms: 600,
            ..Default::default()
        },
        20,
    )
    .await;
    put(&env, "en-US/1.png", &iphone("late"));
    let out = apply(&env, &[]).await;
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    let plan = plan_json(&env, &[]).await;
    assert_eq!(
        plan["has_changes"], false,
        "the checksum is there when apply ends: {plan:#}"
    );
}
