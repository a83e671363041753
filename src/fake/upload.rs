//! The storage host the upload operations of screenshots and previews
//! point at: `PUT /blobstore/{asset}?partNumber=N`, standing for Apple's
//! `https://store-NNN.blobstore.apple.com/…?…partNumber=N&…`. As Apple's,
//! it asks for no bearer token (the URL is the permission), takes each
//! part as the operation says (exactly `length` bytes, with the operation's
//! `requestHeaders`), and a repeated PUT of a part simply replaces it.
//!
//! Apple's storage host is not the API and its refusals are not documented;
//! the fake answers them as an S3-style host does, with a short XML body
//! (all inferred): a part sent without the operation's `Content-Type` gets
//! 403 `SignatureDoesNotMatch`, since the URLs Apple hands out for media are
//! presigned with `Expires=` (Apple developer forums 742314), the S3 form
//! whose signature covers the Content-Type; a part of another length than
//! the operation's gets 400. A part it takes gets 200 and an `ETag`.

use super::{Shared, media};
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State as AxumState};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::put;
use md5::Digest;
use std::sync::Arc;

pub fn router() -> Router<Arc<Shared>> {
    Router::new().route("/blobstore/{id}", put(put_part))
}

fn refuse(status: StatusCode, code: &str, message: &str) -> Response {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>\n"
    );
    (status, [("content-type", "application/xml")], body).into_response()
}

fn part_number(query: Option<&str>) -> Option<usize> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query.unwrap_or("")).ok()?;
    pairs
        .iter()
        .find(|(n, _)| n == "partNumber")
        .and_then(|(_, v)| v.parse().ok())
        .filter(|n| *n >= 1)
}

async fn put_part(
    AxumState(shared): AxumState<Arc<Shared>>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let limit = super::apple::UPLOAD_PART_BYTES as usize;
    let Ok(bytes) = axum::body::to_bytes(body, limit).await else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "EntityTooLarge",
            "The part is larger than the part size.",
        );
    };
    let Some(number) = part_number(query.as_deref()) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "InvalidArgument",
            "partNumber is missing or not a positive integer.",
        );
    };
    let mut state = shared.state.lock().expect("state");
    state.settle_media(super::state::now_ms());
    let Some(asset) = media::find_upload(&mut state, &id) else {
        return refuse(StatusCode::NOT_FOUND, "NoSuchUpload", "The upload does not exist.");
    };
    if asset.state != "AWAITING_UPLOAD" {
        return refuse(
            StatusCode::BAD_REQUEST,
            "InvalidRequest",
            "The upload was committed; its parts cannot change.",
        );
    }
    let parts = media::parts(asset.file_size);
    if asset.parts.len() != parts.len() {
        asset.parts.resize(parts.len(), None);
    }
    let Some(&(_, length)) = parts.get(number - 1) else {
        return refuse(StatusCode::BAD_REQUEST, "InvalidPart", "No such part number.");
    };
    if bytes.len() as u64 != length {
        return refuse(
            StatusCode::BAD_REQUEST,
            "InvalidPart",
            &format!(
                "Part {number} must be {length} bytes (the operation's length), not {}.",
                bytes.len()
            ),
        );
    }
    let wanted = media::content_type(asset);
    let sent = headers.get("content-type").and_then(|v| v.to_str().ok());
    if sent != Some(wanted.as_str()) {
        return refuse(
            StatusCode::FORBIDDEN,
            "SignatureDoesNotMatch",
            &format!(
                "The part must be sent with the operation's header Content-Type: {wanted}, not {}.",
                sent.unwrap_or("none")
            ),
        );
    }
    let etag = format!("\"{}\"", hex::encode(md5::Md5::digest(&bytes)));
    if let Some(slot) = asset.parts.get_mut(number - 1) {
        *slot = Some(bytes.to_vec());
    }
    (StatusCode::OK, [("etag", etag)]).into_response()
}
