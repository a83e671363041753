//! The `screenshots/` and `app_previews/` trees, read as fastlane deliver
//! reads them (locale folders, `iMessage/` and `appleTV/`, framed files,
//! the slot from the pixel size) plus asc-sync's display-type folders, and
//! what `validate` says of them. The images are made here: a PNG header
//! (signature and IHDR) is all a header reader needs.

use crate::harness::{TempTree, asc_sync, example_metadata};
use asc_sync::tree::assets::slots::{DisplayType, PreviewType};
use asc_sync::tree::assets::{AssetOptions, Assets, load};
use serde_json::Value;

/// A PNG of `width × height`: signature, IHDR (RGB, or RGBA with
/// `alpha`), a text chunk carrying `tag` so files differ, and IEND.
pub fn png(width: u32, height: u32, alpha: bool, tag: &str) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let chunk = |out: &mut Vec<u8>, kind: &[u8], data: &[u8]| {
        out.extend((data.len() as u32).to_be_bytes());
        out.extend(kind);
        out.extend(data);
        out.extend([0, 0, 0, 0]); // CRC: header readers do not check it
    };
    let mut ihdr = Vec::new();
    ihdr.extend(width.to_be_bytes());
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, if alpha { 6 } else { 2 }, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"tEXt", format!("Comment\0{tag}").as_bytes());
    chunk(&mut out, b"IEND", &[]);
    out
}

/// A JPEG header of `width × height`: SOI, a comment carrying `tag`, a
/// baseline SOF0, EOI.
pub fn jpeg(width: u16, height: u16, tag: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xFE];
    out.extend((tag.len() as u16 + 2).to_be_bytes());
    out.extend(tag.as_bytes());
    out.extend([0xFF, 0xC0, 0x00, 0x11, 0x08]);
    out.extend(height.to_be_bytes());
    out.extend(width.to_be_bytes());
    out.extend([3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1, 0xFF, 0xD9]);
    out
}

/// An MP4 of `seconds` as far as its header says: `ftyp`, and `moov`
/// with a version-0 `mvhd` (timescale 1000).
pub fn mp4(seconds: u32) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend(20u32.to_be_bytes());
    out.extend(b"ftypisom");
    out.extend(512u32.to_be_bytes());
    out.extend(b"isom");
    let mut mvhd = Vec::new();
    mvhd.extend([0u8; 4]); // version, flags
    mvhd.extend([0u8; 8]); // creation, modification
    mvhd.extend(1000u32.to_be_bytes());
    mvhd.extend((seconds * 1000).to_be_bytes());
    mvhd.extend(0x0001_0000u32.to_be_bytes()); // rate 1.0
    mvhd.extend(0x0100u16.to_be_bytes()); // volume 1.0
    mvhd.extend([0u8; 10]);
    for v in [0x0001_0000u32, 0, 0, 0, 0x0001_0000, 0, 0, 0, 0x4000_0000] {
        mvhd.extend(v.to_be_bytes());
    }
    mvhd.extend([0u8; 24]);
    mvhd.extend(2u32.to_be_bytes());
    out.extend((8 + 8 + mvhd.len() as u32).to_be_bytes());
    out.extend(b"moov");
    out.extend((8 + mvhd.len() as u32).to_be_bytes());
    out.extend(b"mvhd");
    out.extend(mvhd);
    out
}

/// A tree whose `metadata/` is valid and whose `screenshots/` and
/// `app_previews/` sit beside it, as deliver's `fastlane/` has them.
fn tree() -> TempTree {
    TempTree::new(&[("en-US/name.txt", b"Marquee")])
}

fn write(t: &TempTree, path: &str, bytes: &[u8]) {
    let full = t.dir.path().join(path);
    std::fs::create_dir_all(full.parent().unwrap()).unwrap();
    std::fs::write(full, bytes).unwrap();
}

fn read(t: &TempTree) -> (Assets, Vec<asc_sync::findings::Finding>) {
    load(&AssetOptions {
        screenshots: t.dir.path().join("screenshots"),
        app_previews: t.dir.path().join("app_previews"),
        ..AssetOptions::default()
    })
}

fn names(assets: &Assets, locale: &str, slot: DisplayType) -> Vec<String> {
    let locale = asc_sync::locale::Locale::ignoring_case(locale).unwrap();
    assets.screenshots[&locale][&slot]
        .iter()
        .map(|s| s.file_name.clone())
        .collect()
}

/// `validate --format json` of a tree, and its exit code.
fn validate_json(t: &TempTree) -> (Option<i32>, Value) {
    let out = asc_sync()
        .args(["validate", "--format", "json", "--metadata"])
        .arg(t.metadata())
        .output()
        .unwrap();
    (out.status.code(), serde_json::from_slice(&out.stdout).unwrap())
}

/// A finding as `(path inside the screenshots folder, severity, code)`.
type Short = (String, String, String);

fn codes(doc: &Value) -> Vec<Short> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let path = f["path"].as_str().unwrap();
            let short = path
                .split_once("/screenshots/")
                .or_else(|| path.split_once("/app_previews/"));
            (
                short.map_or(path, |(_, p)| p).to_owned(),
                f["severity"].as_str().unwrap().to_owned(),
                f["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn finding(p: &str, s: &str, c: &str) -> Short {
    (p.to_owned(), s.to_owned(), c.to_owned())
}

#[test]
fn two_locales_and_two_slots_read_into_their_slots_in_natural_order() {
    let t = tree();
    for locale in ["en-US", "de-DE"] {
        for n in [10, 2, 1] {
            write(
                &t,
                &format!("screenshots/{locale}/iphone-{n}.png"),
                &png(1320, 2868, false, &format!("{locale}{n}")),
            );
            write(
                &t,
                &format!("screenshots/{locale}/ipad-{n}.jpg"),
                &jpeg(2064, 2752, &format!("{locale}{n}")),
            );
        }
    }
    write(&t, "screenshots/en-US/notes.txt", b"not an image");
    let (assets, findings) = read(&t);
    assert_eq!(findings, []);
    for locale in ["en-US", "de-DE"] {
        assert_eq!(
            names(&assets, locale, DisplayType::AppIphone67),
            ["iphone-1.png", "iphone-2.png", "iphone-10.png"]
        );
        assert_eq!(
            names(&assets, locale, DisplayType::AppIpadPro3gen129),
            ["ipad-1.jpg", "ipad-2.jpg", "ipad-10.jpg"]
        );
    }
    let sets: Vec<(String, &str, usize)> = assets
        .screenshot_sets()
        .map(|(l, t, files)| (l.to_string(), t.name(), files.len()))
        .collect();
    assert_eq!(sets.len(), 4);
    let shot = &assets.screenshots.values().next().unwrap()[&DisplayType::AppIphone67][0];
    assert_eq!(
        (shot.width, shot.height, shot.file_size),
        (1320, 2868, png(1320, 2868, false, "de-DE1").len() as u64)
    );
    assert_eq!(shot.md5().unwrap().len(), 32);
}

#[test]
fn framed_files_win_over_the_raw_ones_but_watch_files_stay() {
    let t = tree();
    write(&t, "screenshots/en-US/1.png", &png(1320, 2868, false, "raw"));
    write(&t, "screenshots/en-US/1_framed.png", &png(1320, 2868, false, "framed"));
    write(&t, "screenshots/en-US/watch-1.png", &png(410, 502, false, "watch"));
    let (assets, findings) = read(&t);
    assert_eq!(findings, []);
    assert_eq!(names(&assets, "en-US", DisplayType::AppIphone67), ["1_framed.png"]);
    assert_eq!(names(&assets, "en-US", DisplayType::AppWatchUltra), ["watch-1.png"]);
}

#[test]
fn a_display_type_folder_wins_over_the_size_and_the_shared_sizes_follow_the_path() {
    let t = tree();
    // 2048×2732 is the 13" slot unless the path says 12.9" 2nd generation.
    write(&t, "screenshots/en-US/a.png", &png(2048, 2732, false, "13"));
    write(
        &t,
        "screenshots/en-US/APP_IPAD_PRO_129/b.png",
        &png(2048, 2732, false, "129"),
    );
    write(
        &t,
        "screenshots/en-US/iPad Pro (12.9-inch) (2nd generation)-c.png",
        &png(2732, 2048, false, "c"),
    );
    // A size of two iPhone slots' shapes, put where the folder says.
    write(
        &t,
        "screenshots/en-US/app_iphone_65/d.png",
        &png(1242, 2688, false, "d"),
    );
    let (assets, findings) = read(&t);
    assert_eq!(findings, []);
    assert_eq!(names(&assets, "en-US", DisplayType::AppIpadPro3gen129), ["a.png"]);
    assert_eq!(
        names(&assets, "en-US", DisplayType::AppIpadPro129),
        ["b.png", "iPad Pro (12.9-inch) (2nd generation)-c.png"]
    );
    assert_eq!(names(&assets, "en-US", DisplayType::AppIphone65), ["d.png"]);

    // A folder that names a slot the size does not fit: an error naming its sizes.
    write(
        &t,
        "screenshots/en-US/APP_IPHONE_67/e.png",
        &png(1242, 2688, false, "e"),
    );
    let (_, findings) = read(&t);
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].code.as_str(), "screenshot-size");
    assert!(
        findings[0].message.contains("APP_IPHONE_67 takes 1260×2736"),
        "{}",
        findings[0].message
    );
}

#[test]
fn imessage_and_apple_tv_parents_hold_locale_folders() {
    let t = tree();
    write(&t, "screenshots/iMessage/en-US/1.png", &png(1290, 2796, false, "im"));
    write(
        &t,
        "screenshots/iMessage/en-US/APP_IPAD_PRO_3GEN_11/2.png",
        &png(1668, 2388, false, "im2"),
    );
    write(&t, "screenshots/appleTV/en-US/tv.png", &png(1920, 1080, false, "tv"));
    write(
        &t,
        "screenshots/appleTV/en-US/vision.png",
        &png(3840, 2160, false, "vp"),
    );
    write(&t, "screenshots/en-US/1.png", &png(1290, 2796, false, "app"));
    let (assets, findings) = read(&t);
    assert_eq!(findings, []);
    assert_eq!(names(&assets, "en-US", DisplayType::ImessageAppIphone67), ["1.png"]);
    assert_eq!(
        names(&assets, "en-US", DisplayType::ImessageAppIpadPro3gen11),
        ["2.png"]
    );
    assert_eq!(names(&assets, "en-US", DisplayType::AppIphone67), ["1.png"]);
    assert_eq!(names(&assets, "en-US", DisplayType::AppAppleTv), ["tv.png"]);
    assert_eq!(names(&assets, "en-US", DisplayType::AppAppleVisionPro), ["vision.png"]);
}

#[test]
fn locale_folders_are_matched_as_metadata_folders_are() {
    let t = tree();
    write(&t, "screenshots/de-de/1.png", &png(1290, 2796, false, "1"));
    write(&t, "screenshots/english/1.png", &png(1290, 2796, false, "2"));
    write(&t, "screenshots/en-US/extra/1.png", &png(1290, 2796, false, "3"));
    let (_, findings) = read(&t);
    let got: Vec<(&str, &str)> = findings
        .iter()
        .map(|f| (f.code.as_str(), f.path.rsplit("screenshots/").next().unwrap()))
        .collect();
    assert_eq!(
        got,
        [
            ("locale-case", "de-de"),
            ("nested-folder", "en-US/extra"),
            ("unknown-folder", "english")
        ],
        "{findings:#?}"
    );
}

#[test]
fn validate_reports_every_refusal_with_its_file_and_code() {
    let t = tree();
    write(&t, "screenshots/en-US/odd.png", &png(1290, 2795, false, "odd"));
    write(&t, "screenshots/en-US/photo.png", &jpeg(1320, 2868, "photo"));
    write(&t, "screenshots/en-US/see-through.png", &png(1206, 2622, true, "alpha"));
    write(&t, "screenshots/de-DE/a.png", &png(1290, 2796, false, "same"));
    write(&t, "screenshots/de-DE/b.png", &png(1290, 2796, false, "same"));
    for n in 1..=11 {
        write(
            &t,
            &format!("screenshots/fr-FR/{n:02}.png"),
            &png(2064, 2752, false, &n.to_string()),
        );
    }
    let (code, doc) = validate_json(&t);
    assert_eq!(code, Some(1));
    assert_eq!(
        codes(&doc),
        [
            finding("de-DE/b.png", "error", "duplicate-screenshot"),
            finding("en-US/odd.png", "error", "screenshot-size"),
            finding("en-US/photo.png", "error", "image-format"),
            finding("en-US/see-through.png", "warning", "image-alpha"),
            finding("fr-FR/11.png", "error", "too-many-screenshots"),
        ]
    );
    let message = |i: usize| doc["findings"][i]["message"].as_str().unwrap().to_owned();
    assert!(
        message(0).contains("the same bytes as '") && message(0).contains("de-DE/a.png'"),
        "{}",
        message(0)
    );
    assert!(
        message(1).contains("1290×2795 is not a screenshot size"),
        "{}",
        message(1)
    );
    assert!(
        message(1).contains("APP_IPHONE_67 takes 1260×2736, 2736×1260, 1290×2796"),
        "{}",
        message(1)
    );
    assert!(message(2).contains("is a JPEG image named .png") && message(2).contains("Rename it to 'photo.jpg'"));
    assert!(message(4).contains("has 11 screenshots") && message(4).contains("at most 10"));

    // The same findings as text, each on its file.
    let out = asc_sync()
        .args(["validate", "--metadata"])
        .arg(t.metadata())
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("screenshots/en-US/odd.png: error[screenshot-size]"),
        "{text}"
    );
    assert!(
        text.contains("screenshots/en-US/see-through.png: warning[image-alpha]"),
        "{text}"
    );

    // Markdown and GitHub annotations list them too.
    for (format, expect) in [("markdown", "image-format"), ("github", "::error file=")] {
        let out = asc_sync()
            .args(["validate", "--format", format, "--metadata"])
            .arg(t.metadata())
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.contains(expect) && text.contains("en-US/photo.png"),
            "{format}: {text}"
        );
    }
}

#[test]
fn a_tree_without_screenshots_reads_nothing_and_says_nothing() {
    let t = tree();
    let (assets, findings) = read(&t);
    assert!(assets.is_empty() && findings.is_empty());
    asc_sync()
        .args(["validate", "--metadata"])
        .arg(example_metadata())
        .assert()
        .code(0)
        .stdout(predicates::str::contains("0 errors, 0 warnings."));
}

#[test]
fn the_screenshots_flag_names_another_folder() {
    let t = tree();
    write(&t, "elsewhere/en-US/odd.png", &png(10, 10, false, "odd"));
    write(&t, "screenshots/en-US/fine.png", &png(1290, 2796, false, "fine"));
    let out = asc_sync()
        .args(["validate", "--metadata"])
        .arg(t.metadata())
        .arg("--screenshots")
        .arg(t.dir.path().join("elsewhere"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("elsewhere/en-US/odd.png: error[screenshot-size]"),
        "{text}"
    );
}

#[test]
fn several_apps_read_each_their_own_screenshots() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for app in ["main", "widget"] {
        std::fs::create_dir_all(root.join(format!("{app}/metadata/en-US"))).unwrap();
        std::fs::write(root.join(format!("{app}/metadata/en-US/name.txt")), "Marquee").unwrap();
    }
    // main: screenshots beside its metadata; widget: a folder of its own.
    let put = |path: &str, bytes: Vec<u8>| {
        std::fs::create_dir_all(root.join(path).parent().unwrap()).unwrap();
        std::fs::write(root.join(path), bytes).unwrap();
    };
    put("main/screenshots/en-US/1.png", png(1290, 2796, false, "main"));
    put("main/screenshots/en-US/2.png", png(1290, 2796, true, "main-alpha"));
    put("shots/widget/en-US/1.png", png(100, 100, false, "widget"));
    let config = r#"
[[apps]]
name = "main"
bundle_id = "com.example.marquee"
metadata_path = "main/metadata"

[[apps]]
name = "widget"
bundle_id = "com.example.marquee.widget"
metadata_path = "widget/metadata"
screenshots_path = "shots/widget"
"#;
    std::fs::write(root.join("asc-sync.toml"), config).unwrap();
    let out = asc_sync()
        .current_dir(root)
        .args(["validate", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let per_app: Vec<(String, Vec<Short>)> = doc["apps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["name"].as_str().unwrap().to_owned(), codes(&a["report"])))
        .collect();
    assert_eq!(
        per_app,
        [
            (
                "main".to_owned(),
                vec![finding("en-US/2.png", "warning", "image-alpha")]
            ),
            (
                "widget".to_owned(),
                vec![finding("shots/widget/en-US/1.png", "error", "screenshot-size")]
            ),
        ],
        "{doc:#}"
    );
}

#[test]
fn previews_are_typed_by_name_or_folder_and_checked_for_count_length_and_poster_frame() {
    let t = tree();
    for n in 1..=4 {
        write(&t, &format!("app_previews/en-US/{n}_IPHONE_67.mp4"), &mp4(20 + n));
    }
    write(&t, "app_previews/en-US/IPAD_PRO_3GEN_129/short.mov", &mp4(10));
    write(&t, "app_previews/en-US/IPAD_PRO_3GEN_129/long.m4v", &mp4(25));
    write(
        &t,
        "app_previews/en-US/IPAD_PRO_3GEN_129/long.timecode",
        b"00:00:05:00\n",
    );
    write(&t, "app_previews/en-US/1_IPHONE_67.timecode", b"00:00:40:00");
    write(&t, "app_previews/en-US/demo.mp4", &mp4(20));
    let (assets, findings) = read(&t);
    let locale = asc_sync::locale::Locale::ignoring_case("en-US").unwrap();
    let iphone: Vec<&str> = assets.previews[&locale][&PreviewType::Iphone67]
        .iter()
        .map(|p| p.file_name.as_str())
        .collect();
    assert_eq!(
        iphone,
        [
            "1_IPHONE_67.mp4",
            "2_IPHONE_67.mp4",
            "3_IPHONE_67.mp4",
            "4_IPHONE_67.mp4"
        ]
    );
    let ipad = &assets.previews[&locale][&PreviewType::IpadPro3gen129];
    let long = ipad.iter().find(|p| p.file_name == "long.m4v").unwrap();
    assert_eq!(long.preview_frame_time_code.as_deref(), Some("00:00:05:00"));
    assert_eq!(long.seconds, Some(25.0));
    let got: Vec<(&str, &str)> = findings
        .iter()
        .map(|f| (f.code.as_str(), f.path.rsplit("app_previews/").next().unwrap()))
        .collect();
    assert_eq!(
        got,
        [
            ("preview-time-code", "en-US/1_IPHONE_67.timecode"),
            ("too-many-previews", "en-US/4_IPHONE_67.mp4"),
            ("preview-duration", "en-US/IPAD_PRO_3GEN_129/short.mov"),
            ("preview-type", "en-US/demo.mp4"),
        ],
        "{findings:#?}"
    );
    assert!(
        findings[2].message.contains("10.00 seconds long"),
        "{}",
        findings[2].message
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_error_in_the_screenshots_stops_plan_and_apply_before_any_write() {
    use crate::support::{Env, example_state, stdout};
    let env = Env::new(example_state()).await;
    let shots = env.dir.path().join("shots");
    std::fs::create_dir_all(shots.join("en-US")).unwrap();
    std::fs::write(shots.join("en-US/1.png"), png(1290, 2796, false, "fine")).unwrap();
    let flag = ["--screenshots", shots.to_str().unwrap()];
    let fine = env.plan(&flag).await;
    assert_eq!(fine.status.code(), Some(0), "{}", stdout(&fine));

    std::fs::write(shots.join("en-US/2.png"), jpeg(1290, 2796, "jpeg")).unwrap();
    for out in [env.plan(&flag).await, env.apply(&flag).await] {
        assert_eq!(out.status.code(), Some(1));
        let all = stdout(&out) + &crate::support::stderr(&out);
        assert!(all.contains("shots/en-US/2.png: error[image-format]"), "{all}");
    }
    assert_eq!(env.writes(), 0);
}
