//! Screenshots and app previews in the fake App Store Connect, through
//! real HTTP, driven as a client following Apple's documented protocol
//! does it: create the set, reserve the asset, PUT each part exactly as
//! its upload operation says (no token), commit with the MD5 of the bytes,
//! poll until processing ends.

use crate::harness::{Answer, Api, fixture_state};
use asc_sync::fake::{FakeOptions, FaultConfig};
use md5::Digest;
use serde_json::{Value, json};

/// Apple's part size, as the fake's upload operations use it.
const PART: usize = 5 * 1024 * 1024;

/// A PNG of `width`×`height` as far as its header says, `size` bytes long
/// (the fake reads only the header; the rest is padding).
fn png(width: u32, height: u32, size: usize) -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n".to_vec();
    b.extend_from_slice(&13u32.to_be_bytes());
    b.extend_from_slice(b"IHDR");
    b.extend_from_slice(&width.to_be_bytes());
    b.extend_from_slice(&height.to_be_bytes());
    b.extend_from_slice(&[8, 2, 0, 0, 0]);
    b.extend_from_slice(&[0, 0, 0, 0]);
    assert!(size >= b.len());
    b.extend((b.len()..size).map(|i| (i % 251) as u8));
    b
}

/// An MP4 whose one track is `width`×`height`.
fn mp4(width: u32, height: u32) -> Vec<u8> {
    let wrap = |kind: &[u8], inner: &[u8]| {
        let mut b = ((inner.len() + 8) as u32).to_be_bytes().to_vec();
        b.extend_from_slice(kind);
        b.extend_from_slice(inner);
        b
    };
    let mut tkhd = vec![0u8; 84];
    tkhd[76..80].copy_from_slice(&(width << 16).to_be_bytes());
    tkhd[80..84].copy_from_slice(&(height << 16).to_be_bytes());
    let mut file = wrap(b"ftyp", b"isom\0\0\x02\0isomiso2avc1mp41");
    // A video track, and the stereo sound track Apple wants of a preview.
    let mut hdlr = vec![0u8; 8];
    hdlr.extend_from_slice(b"soun");
    hdlr.extend_from_slice(&[0u8; 13]);
    let sound = wrap(b"trak", &wrap(b"mdia", &wrap(b"hdlr", &hdlr)));
    let mut moov = wrap(b"trak", &wrap(b"tkhd", &tkhd));
    moov.extend(sound);
    file.extend(wrap(b"moov", &moov));
    file.extend(wrap(b"mdat", &[7u8; 4000]));
    file
}

fn md5_hex(bytes: &[u8]) -> String {
    hex::encode(md5::Md5::digest(bytes))
}

async fn movies_with(tweak: impl FnOnce(&mut FakeOptions)) -> Api {
    let mut options = FakeOptions {
        state: fixture_state("movies.json"),
        processing_ms: 30,
        ..Default::default()
    };
    tweak(&mut options);
    Api::start(options).await
}

async fn delete(api: &Api, path: &str) -> Answer {
    api.send("DELETE", path, None).await.unwrap()
}

async fn create_set(api: &Api, media: &str, display_type: &str, localization: &str) -> Answer {
    let (sets, attribute) = match media {
        "screenshots" => ("appScreenshotSets", "screenshotDisplayType"),
        _ => ("appPreviewSets", "previewType"),
    };
    api.post(
        &format!("/v1/{sets}"),
        json!({"data": {"type": sets, "attributes": {attribute: display_type},
            "relationships": {"appStoreVersionLocalization": {"data": {"type": "appStoreVersionLocalizations", "id": localization}}}}}),
    )
    .await
}

/// Creates a screenshot set and returns its id.
async fn screenshot_set(api: &Api, display_type: &str, localization: &str) -> String {
    let a = create_set(api, "screenshots", display_type, localization).await;
    assert_eq!(a.status, 201, "{}", a.text);
    a.body["data"]["id"].as_str().unwrap().to_owned()
}

async fn reserve(api: &Api, set: &str, file_name: &str, size: usize) -> Answer {
    api.post(
        "/v1/appScreenshots",
        json!({"data": {"type": "appScreenshots", "attributes": {"fileName": file_name, "fileSize": size},
            "relationships": {"appScreenshotSet": {"data": {"type": "appScreenshotSets", "id": set}}}}}),
    )
    .await
}

/// Sends one upload operation as Apple documents it: its method and URL,
/// exactly its headers, the bytes `[offset, offset + length)`, and no
/// Authorization header.
async fn send_operation(api: &Api, op: &Value, bytes: &[u8]) -> reqwest::Response {
    let method = reqwest::Method::from_bytes(op["method"].as_str().unwrap().as_bytes()).unwrap();
    let offset = op["offset"].as_u64().unwrap() as usize;
    let length = op["length"].as_u64().unwrap() as usize;
    let mut req = api
        .http
        .request(method, op["url"].as_str().unwrap())
        .body(bytes[offset..offset + length].to_vec());
    for h in op["requestHeaders"].as_array().unwrap() {
        req = req.header(h["name"].as_str().unwrap(), h["value"].as_str().unwrap());
    }
    req.send().await.unwrap()
}

async fn upload_all(api: &Api, reservation: &Value, bytes: &[u8]) {
    for op in reservation["data"]["attributes"]["uploadOperations"]
        .as_array()
        .unwrap()
    {
        let resp = send_operation(api, op, bytes).await;
        assert_eq!(resp.status(), 200, "{:?}", resp.text().await);
    }
}

async fn commit(api: &Api, kind: &str, id: &str, bytes: &[u8]) -> Answer {
    api.patch(
        &format!("/v1/{kind}/{id}"),
        json!({"data": {"type": kind, "id": id, "attributes": {"uploaded": true, "sourceFileChecksum": md5_hex(bytes)}}}),
    )
    .await
}

/// Polls an asset until its processing ends; every state seen, in order.
async fn poll(api: &Api, path: &str, state: &str) -> (Value, Vec<String>) {
    let mut seen: Vec<String> = Vec::new();
    for _ in 0..400 {
        let a = api.get(path).await;
        assert_eq!(a.status, 200, "{}", a.text);
        let now = a.body["data"]["attributes"][state]["state"]
            .as_str()
            .unwrap()
            .to_owned();
        if seen.last() != Some(&now) {
            seen.push(now.clone());
        }
        if now == "COMPLETE" || now == "FAILED" {
            return (a.body, seen);
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("{path} never finished processing: {seen:?}");
}

/// Reserves, uploads and commits one screenshot; its id.
async fn upload_screenshot(api: &Api, set: &str, name: &str, bytes: &[u8]) -> String {
    let r = reserve(api, set, name, bytes.len()).await;
    assert_eq!(r.status, 201, "{}", r.text);
    upload_all(api, &r.body, bytes).await;
    let id = r.body["data"]["id"].as_str().unwrap().to_owned();
    assert_eq!(commit(api, "appScreenshots", &id, bytes).await.status, 200);
    id
}

#[tokio::test]
async fn a_documented_client_uploads_a_screenshot_from_reservation_to_complete() {
    let api = movies_with(|_| {}).await;
    let set = screenshot_set(&api, "APP_IPHONE_67", "l1").await;
    let bytes = png(1290, 2796, 4000);

    let r = reserve(&api, &set, "01-home.png", bytes.len()).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let attributes = &r.body["data"]["attributes"];
    assert_eq!(attributes["assetDeliveryState"]["state"], "AWAITING_UPLOAD");
    assert_eq!(attributes["sourceFileChecksum"], Value::Null);
    let ops = attributes["uploadOperations"].as_array().unwrap();
    assert_eq!(ops.len(), 1);
    assert_eq!(ops[0]["method"], "PUT");
    assert_eq!(
        (ops[0]["offset"].as_u64(), ops[0]["length"].as_u64()),
        (Some(0), Some(4000))
    );
    assert_eq!(
        ops[0]["requestHeaders"],
        json!([{"name": "Content-Type", "value": "image/png"}])
    );
    let location = r.headers["location"].to_str().unwrap();
    assert!(location.ends_with(&format!(
        "/v1/appScreenshots/{}",
        r.body["data"]["id"].as_str().unwrap()
    )));

    upload_all(&api, &r.body, &bytes).await;
    let uploads: Vec<_> = api.fake.requests().into_iter().filter(|e| e.method == "PUT").collect();
    assert_eq!(uploads.len(), 1);
    assert_eq!(uploads[0].kid, None, "the upload carried no token");

    let id = r.body["data"]["id"].as_str().unwrap().to_owned();
    let committed = commit(&api, "appScreenshots", &id, &bytes).await;
    assert_eq!(committed.status, 200, "{}", committed.text);
    let attributes = &committed.body["data"]["attributes"];
    assert_eq!(attributes["assetDeliveryState"]["state"], "UPLOAD_COMPLETE");
    assert_eq!(attributes["uploadOperations"], Value::Null);
    assert_eq!(attributes["imageAsset"], Value::Null);

    let (done, seen) = poll(&api, &format!("/v1/appScreenshots/{id}"), "assetDeliveryState").await;
    assert_eq!(seen.last().unwrap(), "COMPLETE", "{seen:?}");
    let image = &done["data"]["attributes"]["imageAsset"];
    assert_eq!(
        (image["width"].as_u64(), image["height"].as_u64()),
        (Some(1290), Some(2796))
    );
    assert!(image["templateUrl"].as_str().unwrap().ends_with("{w}x{h}bb.{f}"));

    let listed = api
        .get("/v1/appStoreVersionLocalizations/l1/appScreenshotSets?include=appScreenshots&limit[appScreenshots]=50&fields[appScreenshots]=fileName,fileSize,sourceFileChecksum,assetDeliveryState,imageAsset")
        .await;
    assert_eq!(listed.status, 200, "{}", listed.text);
    assert_eq!(
        listed.body["data"][0]["attributes"]["screenshotDisplayType"],
        "APP_IPHONE_67"
    );
    assert_eq!(
        listed.body["data"][0]["relationships"]["appScreenshots"]["data"],
        json!([{"type": "appScreenshots", "id": id}])
    );
    let shot = &listed.body["included"][0]["attributes"];
    assert_eq!(shot["sourceFileChecksum"], md5_hex(&bytes));
    assert_eq!(shot["fileName"], "01-home.png");
    assert_eq!(shot["fileSize"], 4000);
    assert_eq!(shot["imageAsset"]["width"], 1290);
    assert!(shot.get("uploadOperations").is_none(), "fields[] leaves it out");
}

#[tokio::test]
async fn a_large_file_is_reserved_in_apples_five_mebibyte_parts() {
    let api = movies_with(|_| {}).await;
    let set = screenshot_set(&api, "APP_IPAD_PRO_3GEN_129", "l1").await;
    let bytes = png(2064, 2752, 2 * PART + 1234);
    let r = reserve(&api, &set, "ipad.png", bytes.len()).await;
    let ops = r.body["data"]["attributes"]["uploadOperations"]
        .as_array()
        .unwrap()
        .clone();
    let ranges: Vec<(u64, u64)> = ops
        .iter()
        .map(|o| (o["offset"].as_u64().unwrap(), o["length"].as_u64().unwrap()))
        .collect();
    let part = PART as u64;
    assert_eq!(ranges, [(0, part), (part, part), (2 * part, 1234)]);
    // Parts may go in any order, and a repeated PUT is harmless.
    for op in ops.iter().rev().chain(&ops[..1]) {
        assert_eq!(send_operation(&api, op, &bytes).await.status(), 200);
    }
    let id = r.body["data"]["id"].as_str().unwrap();
    assert_eq!(commit(&api, "appScreenshots", id, &bytes).await.status, 200);
    let (done, _) = poll(&api, &format!("/v1/appScreenshots/{id}"), "assetDeliveryState").await;
    assert_eq!(done["data"]["attributes"]["assetDeliveryState"]["state"], "COMPLETE");
    assert_eq!(done["data"]["attributes"]["imageAsset"]["height"], 2752);
}

#[tokio::test]
async fn a_part_of_the_wrong_length_or_without_its_headers_is_refused() {
    let api = movies_with(|_| {}).await;
    let set = screenshot_set(&api, "APP_IPHONE_67", "l1").await;
    let bytes = png(1290, 2796, 3000);
    let r = reserve(&api, &set, "a.png", bytes.len()).await;
    let op = &r.body["data"]["attributes"]["uploadOperations"][0];
    let url = op["url"].as_str().unwrap();

    let short = api
        .http
        .put(url)
        .header("content-type", "image/png")
        .body(bytes[..2999].to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(short.status(), 400);
    assert!(short.text().await.unwrap().contains("3000"));
    let bare = api.http.put(url).body(bytes.clone()).send().await.unwrap();
    assert_eq!(bare.status(), 403, "without the operation's Content-Type");
    let wrong = api
        .http
        .put(url)
        .header("content-type", "image/jpeg")
        .body(bytes.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 403);

    // Committing without the part fails the screenshot, after a 200.
    let id = r.body["data"]["id"].as_str().unwrap();
    assert_eq!(commit(&api, "appScreenshots", id, &bytes).await.status, 200);
    let (done, _) = poll(&api, &format!("/v1/appScreenshots/{id}"), "assetDeliveryState").await;
    assert_eq!(done["data"]["attributes"]["assetDeliveryState"]["state"], "FAILED");
    // Once committed, the upload URL takes nothing more.
    assert_eq!(send_operation(&api, op, &bytes).await.status(), 400);
}

#[tokio::test]
async fn an_image_of_the_wrong_size_fails_processing_with_incorrect_dimensions() {
    let api = movies_with(|_| {}).await;
    let set = screenshot_set(&api, "APP_IPHONE_67", "l1").await;
    // 1284×2778 is a 6.5" size: Apple refuses it in the 6.9" slot.
    let id = upload_screenshot(&api, &set, "wrong.png", &png(1284, 2778, 2000)).await;
    let (done, _) = poll(&api, &format!("/v1/appScreenshots/{id}"), "assetDeliveryState").await;
    let delivery = &done["data"]["attributes"]["assetDeliveryState"];
    assert_eq!(delivery["state"], "FAILED");
    assert_eq!(delivery["errors"][0]["code"], "IMAGE_INCORRECT_DIMENSIONS");
    assert_eq!(done["data"]["attributes"]["imageAsset"], Value::Null);

    // Landscape is the same size turned; the Mac takes landscape only.
    let landscape = upload_screenshot(&api, &set, "turned.png", &png(2796, 1290, 2000)).await;
    let (done, _) = poll(&api, &format!("/v1/appScreenshots/{landscape}"), "assetDeliveryState").await;
    assert_eq!(done["data"]["attributes"]["assetDeliveryState"]["state"], "COMPLETE");
    let mac = screenshot_set(&api, "APP_DESKTOP", "l-mac-en").await;
    let portrait = upload_screenshot(&api, &mac, "mac.png", &png(800, 1280, 2000)).await;
    let (done, _) = poll(&api, &format!("/v1/appScreenshots/{portrait}"), "assetDeliveryState").await;
    assert_eq!(done["data"]["attributes"]["assetDeliveryState"]["state"], "FAILED");
}

#[tokio::test]
async fn an_eleventh_screenshot_in_a_set_is_refused() {
    let api = movies_with(|_| {}).await;
    let set = screenshot_set(&api, "APP_IPHONE_65", "l1").await;
    for i in 0..10 {
        assert_eq!(reserve(&api, &set, &format!("{i}.png"), 100).await.status, 201);
    }
    let eleventh = reserve(&api, &set, "10.png", 100).await;
    assert_eq!((eleventh.status, eleventh.code()), (409, "STATE_ERROR"));
    assert_eq!(eleventh.body["errors"][0]["detail"], "Too many screenshots (10)");
    let listed = api.get(&format!("/v1/appScreenshotSets/{set}/appScreenshots")).await;
    assert_eq!(listed.body["data"].as_array().unwrap().len(), 10);
}

#[tokio::test]
async fn one_set_per_type_and_only_the_versions_platform_and_the_specs_types() {
    let api = movies_with(|_| {}).await;
    screenshot_set(&api, "APP_IPHONE_67", "l1").await;
    let again = create_set(&api, "screenshots", "APP_IPHONE_67", "l1").await;
    assert_eq!((again.status, again.code()), (409, "STATE_ERROR"));
    assert_eq!(again.body["errors"][0]["detail"], "Screenshot Set Already Exists!");
    assert_eq!(
        again.body["errors"][0]["title"],
        "The request cannot be fulfilled because of the state of another resource."
    );
    // The same type in another localization is another set.
    screenshot_set(&api, "APP_IPHONE_67", "l2").await;

    let desktop = create_set(&api, "screenshots", "APP_DESKTOP", "l1").await;
    assert_eq!(desktop.status, 409, "a Mac slot on an iOS version");
    assert_eq!(
        desktop.body["errors"][0]["source"]["pointer"],
        "/data/attributes/screenshotDisplayType"
    );
    let iphone_on_mac = create_set(&api, "screenshots", "APP_IPHONE_67", "l-mac-en").await;
    assert_eq!(iphone_on_mac.status, 409);
    screenshot_set(&api, "APP_DESKTOP", "l-mac-en").await;

    let unknown = create_set(&api, "screenshots", "APP_IPHONE_69", "l1").await;
    assert_eq!(
        (unknown.status, unknown.code()),
        (409, "ENTITY_ERROR.ATTRIBUTE.INVALID")
    );
    let nowhere = create_set(&api, "screenshots", "APP_IPHONE_61", "nope").await;
    assert_eq!(nowhere.status, 409);
    assert_eq!(
        nowhere.body["errors"][0]["source"]["pointer"],
        "/data/relationships/appStoreVersionLocalization"
    );

    let previews = create_set(&api, "previews", "IPHONE_67", "l1").await;
    assert_eq!(previews.status, 201, "{}", previews.text);
    let again = create_set(&api, "previews", "IPHONE_67", "l1").await;
    assert_eq!(again.body["errors"][0]["detail"], "Preview Set Already Exists!");

    // Only the asked types are listed.
    let ipad = api
        .get(
            "/v1/appStoreVersionLocalizations/l1/appScreenshotSets?filter[screenshotDisplayType]=APP_IPAD_PRO_3GEN_129",
        )
        .await;
    assert_eq!(ipad.body["data"], json!([]));
    let bad = api
        .get("/v1/appStoreVersionLocalizations/l1/appScreenshotSets?filter[screenshotDisplayType]=APP_IPHONE_69")
        .await;
    assert_eq!((bad.status, bad.code()), (400, "PARAMETER_ERROR.INVALID"));
}

#[tokio::test]
async fn a_set_is_reordered_with_the_full_list_of_its_screenshots() {
    let api = movies_with(|_| {}).await;
    let set = screenshot_set(&api, "APP_IPHONE_67", "l1").await;
    let mut ids = Vec::new();
    for name in ["1.png", "2.png", "3.png"] {
        let r = reserve(&api, &set, name, 100).await;
        ids.push(r.body["data"]["id"].as_str().unwrap().to_owned());
    }
    let path = format!("/v1/appScreenshotSets/{set}/relationships/appScreenshots");
    let linkage = |ids: &[&String]| json!({"data": ids.iter().map(|id| json!({"type": "appScreenshots", "id": id})).collect::<Vec<_>>()});
    let order = [&ids[2], &ids[0], &ids[1]];
    let a = api.patch(&path, linkage(&order)).await;
    assert_eq!((a.status, a.text.as_str()), (204, ""));
    let now = api.get(&path).await;
    let listed: Vec<&str> = now.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(listed, order.map(|s| s.as_str()));
    let set_doc = api
        .get(&format!("/v1/appScreenshotSets/{set}?include=appScreenshots"))
        .await;
    assert_eq!(set_doc.body["included"][0]["id"], ids[2].as_str());

    let partial = api.patch(&path, linkage(&[&ids[0], &ids[1]])).await;
    assert_eq!(
        (partial.status, partial.code()),
        (409, "ENTITY_ERROR.RELATIONSHIP.INVALID")
    );
    let twice = api.patch(&path, linkage(&[&ids[0], &ids[0], &ids[1]])).await;
    assert_eq!(twice.status, 409);
    assert_eq!(api.get(&path).await.body, now.body, "a refused order changes nothing");
}

#[tokio::test]
async fn nothing_is_added_reordered_or_deleted_once_the_version_is_submitted() {
    let api = movies_with(|_| {}).await;
    let set = screenshot_set(&api, "APP_IPHONE_67", "l1").await;
    let shot = reserve(&api, &set, "a.png", 100).await.body["data"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut state = api.fake.state();
    state.apps[0].app_store_versions[1].app_version_state = "WAITING_FOR_REVIEW".into();
    api.fake.set_state(state);

    let refused = delete(&api, &format!("/v1/appScreenshots/{shot}")).await;
    assert_eq!((refused.status, refused.code()), (409, "STATE_ERROR"));
    assert_eq!(
        refused.body["errors"][0]["detail"],
        "Can't Delete Screenshot After Submit for review"
    );
    assert_eq!(delete(&api, &format!("/v1/appScreenshotSets/{set}")).await.status, 409);
    assert_eq!(reserve(&api, &set, "b.png", 100).await.status, 409);
    assert_eq!(create_set(&api, "screenshots", "APP_IPHONE_65", "l1").await.status, 409);
    // The text stays editable while waiting for review.
    let text = json!({"data": {"type": "appStoreVersionLocalizations", "id": "l1", "attributes": {"description": "Still editable"}}});
    assert_eq!(api.patch("/v1/appStoreVersionLocalizations/l1", text).await.status, 200);
    // A live version takes none either.
    assert_eq!(
        create_set(&api, "screenshots", "APP_IPHONE_67", "l-live-en")
            .await
            .status,
        409
    );

    let mut state = api.fake.state();
    state.apps[0].app_store_versions[1].app_version_state = "PREPARE_FOR_SUBMISSION".into();
    api.fake.set_state(state);
    assert_eq!(delete(&api, &format!("/v1/appScreenshots/{shot}")).await.status, 204);
    assert_eq!(delete(&api, &format!("/v1/appScreenshotSets/{set}")).await.status, 204);
    assert_eq!(api.get(&format!("/v1/appScreenshotSets/{set}")).await.status, 404);
}

#[tokio::test]
async fn a_preview_goes_through_processing_to_a_video_and_a_poster_frame() {
    let api = movies_with(|o| o.processing_ms = 400).await;
    let set = create_set(&api, "previews", "IPHONE_67", "l1").await;
    let set = set.body["data"]["id"].as_str().unwrap().to_owned();
    let bytes = mp4(886, 1920);
    let r = api
        .post(
            "/v1/appPreviews",
            json!({"data": {"type": "appPreviews",
                "attributes": {"fileName": "preview.mp4", "fileSize": bytes.len(), "mimeType": "video/mp4", "previewFrameTimeCode": "00:00:05:00"},
                "relationships": {"appPreviewSet": {"data": {"type": "appPreviewSets", "id": set}}}}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let attributes = &r.body["data"]["attributes"];
    assert_eq!(attributes["videoDeliveryState"]["state"], "AWAITING_UPLOAD");
    assert_eq!(
        attributes["uploadOperations"][0]["requestHeaders"][0]["value"],
        "video/mp4"
    );
    upload_all(&api, &r.body, &bytes).await;
    let id = r.body["data"]["id"].as_str().unwrap();
    let path = format!("/v1/appPreviews/{id}");
    let frame = json!({"data": {"type": "appPreviews", "id": id, "attributes": {"uploaded": true, "sourceFileChecksum": md5_hex(&bytes), "previewFrameTimeCode": "00:00:07:00"}}});
    let committed = api.patch(&path, frame).await;
    assert_eq!(committed.status, 200, "{}", committed.text);
    assert_eq!(
        committed.body["data"]["attributes"]["videoDeliveryState"]["state"],
        "UPLOAD_COMPLETE"
    );

    let (done, seen) = poll(&api, &path, "videoDeliveryState").await;
    assert_eq!(seen, ["UPLOAD_COMPLETE", "PROCESSING", "COMPLETE"]);
    let attributes = &done["data"]["attributes"];
    assert_eq!(attributes["previewFrameTimeCode"], "00:00:07:00");
    assert_eq!(attributes["mimeType"], "video/mp4");
    assert_eq!(attributes["sourceFileChecksum"], md5_hex(&bytes));
    assert!(attributes["videoUrl"].as_str().unwrap().starts_with("http://"));
    assert_eq!(attributes["previewImage"]["width"], 886);
    assert_eq!(attributes["previewFrameImage"]["image"]["height"], 1920);
    assert_eq!(attributes["assetDeliveryState"]["state"], "COMPLETE");

    for i in 1..3 {
        let more = json!({"data": {"type": "appPreviews", "attributes": {"fileName": format!("{i}.mp4"), "fileSize": 10},
            "relationships": {"appPreviewSet": {"data": {"type": "appPreviewSets", "id": set}}}}});
        assert_eq!(api.post("/v1/appPreviews", more).await.status, 201);
    }
    let fourth = json!({"data": {"type": "appPreviews", "attributes": {"fileName": "4.mp4", "fileSize": 10},
        "relationships": {"appPreviewSet": {"data": {"type": "appPreviewSets", "id": set}}}}});
    let refused = api.post("/v1/appPreviews", fourth).await;
    assert_eq!(
        (refused.status, refused.body["errors"][0]["detail"].as_str()),
        (409, Some("Too many previews (3)"))
    );
}

#[tokio::test]
async fn a_silent_preview_fails_processing_as_mov_resave_stereo() {
    let api = movies_with(|o| o.processing_ms = 10).await;
    let set = create_set(&api, "previews", "IPHONE_67", "l1").await;
    let set = set.body["data"]["id"].as_str().unwrap().to_owned();
    // A video track and no sound track.
    let mut bytes = mp4(886, 1920);
    let at = bytes.windows(4).position(|w| w == b"soun").unwrap();
    bytes[at..at + 4].copy_from_slice(b"vide");
    let r = api
        .post(
            "/v1/appPreviews",
            json!({"data": {"type": "appPreviews",
                "attributes": {"fileName": "silent.mp4", "fileSize": bytes.len(), "mimeType": "video/mp4"},
                "relationships": {"appPreviewSet": {"data": {"type": "appPreviewSets", "id": set}}}}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    upload_all(&api, &r.body, &bytes).await;
    let id = r.body["data"]["id"].as_str().unwrap();
    let path = format!("/v1/appPreviews/{id}");
    let commit = json!({"data": {"type": "appPreviews", "id": id, "attributes": {"uploaded": true, "sourceFileChecksum": md5_hex(&bytes)}}});
    assert_eq!(api.patch(&path, commit).await.status, 200);
    let (done, _) = poll(&api, &path, "videoDeliveryState").await;
    let state = &done["data"]["attributes"]["videoDeliveryState"];
    assert_eq!(state["state"], "FAILED");
    assert_eq!(state["errors"][0]["code"], "MOV_RESAVE_STEREO");
}

#[tokio::test]
async fn the_checksum_can_show_only_after_the_screenshot_is_complete() {
    let api = movies_with(|o| {
        o.processing_ms = 10;
        o.faults = FaultConfig {
            late_checksum_ms: 300,
            ..FaultConfig::default()
        };
    })
    .await;
    let set = screenshot_set(&api, "APP_IPHONE_67", "l1").await;
    let bytes = png(1320, 2868, 500);
    let id = upload_screenshot(&api, &set, "late.png", &bytes).await;
    let path = format!("/v1/appScreenshots/{id}");
    let (done, _) = poll(&api, &path, "assetDeliveryState").await;
    assert_eq!(done["data"]["attributes"]["assetDeliveryState"]["state"], "COMPLETE");
    assert_eq!(done["data"]["attributes"]["sourceFileChecksum"], Value::Null);
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert_eq!(
        api.get(&path).await.body["data"]["attributes"]["sourceFileChecksum"],
        md5_hex(&bytes)
    );
}

#[tokio::test]
async fn the_upload_host_answers_429_in_bursts_and_a_retried_part_goes_through() {
    let api = movies_with(|o| {
        o.faults = FaultConfig {
            fail_upload_429: Some("1 PUT x2".parse().unwrap()),
            ..FaultConfig::default()
        };
    })
    .await;
    let set = screenshot_set(&api, "APP_IPHONE_67", "l1").await;
    let bytes = png(1290, 2796, 300);
    let r = reserve(&api, &set, "a.png", bytes.len()).await;
    let op = &r.body["data"]["attributes"]["uploadOperations"][0];
    let statuses = [
        send_operation(&api, op, &bytes).await.status().as_u16(),
        send_operation(&api, op, &bytes).await.status().as_u16(),
        send_operation(&api, op, &bytes).await.status().as_u16(),
    ];
    assert_eq!(statuses, [429, 429, 200]);
    // The API itself is not touched by the storage host's bursts.
    assert_eq!(api.get("/v1/apps/1").await.status, 200);
}

#[tokio::test]
async fn sets_live_in_the_state_and_go_with_their_localization() {
    let api = movies_with(|_| {}).await;
    let set = screenshot_set(&api, "APP_IPHONE_67", "l2").await;
    upload_screenshot(&api, &set, "a.png", &png(1290, 2796, 300)).await;
    tokio::time::sleep(std::time::Duration::from_millis(60)).await;
    let state = api.http.get(api.url("/_fake/state")).send().await.unwrap();
    let state: Value = state.json().await.unwrap();
    let shot = &state["appScreenshotSets"][0]["assets"][0];
    assert_eq!(state["appScreenshotSets"][0]["localization"], "l2");
    assert_eq!(
        (shot["state"].as_str(), shot["width"].as_u64()),
        (Some("COMPLETE"), Some(1290))
    );
    // The state document loads again as it is.
    let text = state.to_string();
    let again = asc_sync::fake::State::from_json(&text, "state").unwrap();
    assert_eq!(again.app_screenshot_sets[0].assets[0].file_name, "a.png");

    assert_eq!(delete(&api, "/v1/appStoreVersionLocalizations/l2").await.status, 204);
    assert_eq!(api.get(&format!("/v1/appScreenshotSets/{set}")).await.status, 404);
    assert!(api.fake.state().app_screenshot_sets.is_empty());
}

/// Every screenshot and preview operation, validated against the response
/// schema Apple's spec names for it (see fake_conformance.rs).
#[tokio::test]
async fn every_media_operation_answers_in_apples_shapes() {
    use crate::fake_conformance::{check, check_error};
    use crate::harness::{Corpus, corpus_or_skip};
    let Some(_) = corpus_or_skip(Corpus::OpenApiSpec) else {
        return;
    };
    let api = movies_with(|o| o.processing_ms = 0).await;
    let mut seen = std::collections::BTreeMap::new();
    let loc = "/v1/appStoreVersionLocalizations/{id}";

    for (media, display_type, sets, assets, set_rel) in [
        (
            "screenshots",
            "APP_IPHONE_67",
            "appScreenshotSets",
            "appScreenshots",
            "appScreenshotSet",
        ),
        (
            "previews",
            "IPHONE_67",
            "appPreviewSets",
            "appPreviews",
            "appPreviewSet",
        ),
    ] {
        let created = create_set(&api, media, display_type, "l1").await;
        check(&format!("/v1/{sets}"), "POST", &created, &mut seen);
        let again = create_set(&api, media, display_type, "l1").await;
        assert_eq!(again.status, 409);
        check(&format!("/v1/{sets}"), "POST", &again, &mut seen);
        let set = created.body["data"]["id"].as_str().unwrap().to_owned();
        let include = "include=appScreenshotSets,appPreviewSets&limit[appScreenshotSets]=50";
        check(
            "/v1/appStoreVersions/{id}/appStoreVersionLocalizations",
            "GET",
            &api.get(&format!(
                "/v1/appStoreVersions/v1/appStoreVersionLocalizations?{include}"
            ))
            .await,
            &mut seen,
        );
        check(
            loc,
            "GET",
            &api.get(&format!("/v1/appStoreVersionLocalizations/l1?{include}")).await,
            &mut seen,
        );

        let (bytes, name) = if media == "screenshots" {
            (png(1290, 2796, 700), "a.png")
        } else {
            (mp4(886, 1920), "a.mp4")
        };
        let reserve_body = json!({"data": {"type": assets, "attributes": {"fileName": name, "fileSize": bytes.len()},
            "relationships": {set_rel: {"data": {"type": sets, "id": set}}}}});
        let reserved = api.post(&format!("/v1/{assets}"), reserve_body).await;
        check(&format!("/v1/{assets}"), "POST", &reserved, &mut seen);
        let id = reserved.body["data"]["id"].as_str().unwrap().to_owned();
        let one = format!("/v1/{assets}/{{id}}");
        check(&one, "GET", &api.get(&format!("/v1/{assets}/{id}")).await, &mut seen);
        upload_all(&api, &reserved.body, &bytes).await;
        let committed = commit(&api, assets, &id, &bytes).await;
        check(&one, "PATCH", &committed, &mut seen);
        let wrong = api
            .patch(
                &format!("/v1/{assets}/{id}"),
                json!({"data": {"type": assets, "id": id, "attributes": {"fileName": "b.png"}}}),
            )
            .await;
        assert_eq!(wrong.status, 409);
        check(&one, "PATCH", &wrong, &mut seen);
        poll(
            &api,
            &format!("/v1/{assets}/{id}"),
            if media == "screenshots" {
                "assetDeliveryState"
            } else {
                "videoDeliveryState"
            },
        )
        .await;
        check(
            &one,
            "GET",
            &api.get(&format!("/v1/{assets}/{id}?include={set_rel}")).await,
            &mut seen,
        );

        check(
            &format!("{loc}/{sets}"),
            "GET",
            &api.get(&format!(
                "/v1/appStoreVersionLocalizations/l1/{sets}?include={assets},appStoreVersionLocalization"
            ))
            .await,
            &mut seen,
        );
        check(
            &format!("{loc}/relationships/{sets}"),
            "GET",
            &api.get(&format!("/v1/appStoreVersionLocalizations/l1/relationships/{sets}"))
                .await,
            &mut seen,
        );
        let set_one = format!("/v1/{sets}/{{id}}");
        check(
            &set_one,
            "GET",
            &api.get(&format!("/v1/{sets}/{set}?include={assets}")).await,
            &mut seen,
        );
        check(&set_one, "GET", &api.get(&format!("/v1/{sets}/nope")).await, &mut seen);
        check(
            &format!("{set_one}/{assets}"),
            "GET",
            &api.get(&format!("/v1/{sets}/{set}/{assets}?include={set_rel}")).await,
            &mut seen,
        );
        let order = format!("/v1/{sets}/{set}/relationships/{assets}");
        check(
            &format!("{set_one}/relationships/{assets}"),
            "GET",
            &api.get(&order).await,
            &mut seen,
        );
        let reordered = api.patch(&order, json!({"data": [{"type": assets, "id": id}]})).await;
        assert_eq!((reordered.status, reordered.text.as_str()), (204, ""));
        let refused = api.patch(&order, json!({"data": []})).await;
        check(
            &format!("{set_one}/relationships/{assets}"),
            "PATCH",
            &refused,
            &mut seen,
        );

        let mut state = api.fake.state();
        state.apps[0].app_store_versions[1].app_version_state = "IN_REVIEW".into();
        api.fake.set_state(state.clone());
        let locked = delete(&api, &format!("/v1/{assets}/{id}")).await;
        assert_eq!(locked.status, 409);
        check_error(&locked);
        state.apps[0].app_store_versions[1].app_version_state = "PREPARE_FOR_SUBMISSION".into();
        api.fake.set_state(state);
        assert_eq!(delete(&api, &format!("/v1/{assets}/{id}")).await.status, 204);
        check(&one, "GET", &api.get(&format!("/v1/{assets}/{id}")).await, &mut seen);
        assert_eq!(delete(&api, &format!("/v1/{sets}/{set}")).await.status, 204);
    }

    let operations: std::collections::BTreeSet<String> =
        seen.keys().map(|k| k.rsplit_once(' ').unwrap().0.to_owned()).collect();
    assert_eq!(operations.len(), 22, "{operations:#?}");
}

#[tokio::test]
async fn a_version_localization_lists_its_sets_inline_but_not_their_screenshots() {
    let api = movies_with(|_| {}).await;
    let iphone = screenshot_set(&api, "APP_IPHONE_67", "l1").await;
    let ipad = screenshot_set(&api, "APP_IPAD_PRO_3GEN_129", "l1").await;
    reserve(&api, &iphone, "a.png", 100).await;
    let previews = create_set(&api, "previews", "IPHONE_67", "l2").await;
    let a = api
        .get("/v1/appStoreVersions/v1/appStoreVersionLocalizations?include=appScreenshotSets,appPreviewSets")
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    let en = &a.body["data"][0]["relationships"];
    assert_eq!(
        en["appScreenshotSets"]["data"],
        json!([{"type": "appScreenshotSets", "id": iphone}, {"type": "appScreenshotSets", "id": ipad}])
    );
    assert_eq!(en["appPreviewSets"]["data"], json!([]));
    let de = &a.body["data"][1]["relationships"];
    assert_eq!(de["appPreviewSets"]["data"][0]["id"], previews.body["data"]["id"]);
    let types: Vec<&str> = a.body["included"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["appScreenshotSets", "appScreenshotSets", "appPreviewSets"]);
    let one = api
        .get("/v1/appStoreVersionLocalizations/l1?include=appScreenshotSets&fields[appScreenshotSets]=screenshotDisplayType")
        .await;
    let rel = &one.body["data"]["relationships"]["appScreenshotSets"];
    assert!(
        rel["links"]["related"]
            .as_str()
            .unwrap()
            .ends_with("/v1/appStoreVersionLocalizations/l1/appScreenshotSets")
    );
    assert_eq!(rel["meta"]["paging"]["total"], 2);
    assert_eq!(
        one.body["included"][1]["attributes"]["screenshotDisplayType"],
        "APP_IPAD_PRO_3GEN_129"
    );
    assert!(
        one.body["included"][1].get("relationships").is_none(),
        "fields[] keeps only the type"
    );
    let bad = api
        .get("/v1/appStoreVersionLocalizations/l1?include=appScreenshots")
        .await;
    assert_eq!((bad.status, bad.code()), (400, "PARAMETER_ERROR.INVALID"));
}

#[tokio::test]
async fn a_deleted_set_can_block_its_like_until_the_delete_settles() {
    let api = movies_with(|o| {
        o.faults = FaultConfig {
            set_delete_settle_ms: 300,
            ..FaultConfig::default()
        };
    })
    .await;
    let set = screenshot_set(&api, "APP_IPHONE_67", "l1").await;
    assert_eq!(delete(&api, &format!("/v1/appScreenshotSets/{set}")).await.status, 204);
    let early = create_set(&api, "screenshots", "APP_IPHONE_67", "l1").await;
    assert_eq!(early.status, 409);
    assert_eq!(early.body["errors"][0]["detail"], "Screenshot Set Already Exists!");
    // Only that type of that localization waits.
    screenshot_set(&api, "APP_IPHONE_67", "l2").await;
    screenshot_set(&api, "APP_IPHONE_65", "l1").await;
    tokio::time::sleep(std::time::Duration::from_millis(350)).await;
    screenshot_set(&api, "APP_IPHONE_67", "l1").await;
}
