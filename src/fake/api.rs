//! What every endpoint handler shares: the request as a handler sees it,
//! the reply, and finding resources in the state by id. Handlers
//! (`read.rs`, `write.rs`) are pure functions over the state: no I/O, no
//! faults, no auth; `routes.rs` calls them.

use super::apple::Kind;
use super::errors::ApiError;
use super::state::{App, State};
use axum::http::StatusCode;
use serde_json::Value;

/// What a handler needs of a request.
pub struct Request<'a> {
    pub path: &'a str,
    pub query: Option<&'a str>,
    pub body: &'a [u8],
    /// `http://host:port`, from the request's Host header, for absolute links.
    pub base: &'a str,
    /// When the request is handled, in Unix milliseconds.
    pub now_ms: u64,
    /// How long a committed screenshot or preview takes to process.
    pub processing_ms: u64,
    /// How long after processing the checksum of an asset shows (the
    /// late-checksum fault; 0 for none).
    pub late_checksum_ms: u64,
    /// How long a deleted set still blocks creating its like (a fault; 0
    /// for none).
    pub set_delete_settle_ms: u64,
}

/// A successful answer: status, JSON body (none for 204), Location header.
pub struct Reply {
    pub status: StatusCode,
    pub body: Option<Value>,
    pub location: Option<String>,
}

impl Reply {
    pub fn ok(body: Value) -> Reply {
        Reply {
            status: StatusCode::OK,
            body: Some(body),
            location: None,
        }
    }

    /// 201 with the created resource, whose URL is also the document's
    /// `links.self` and the `Location` header.
    pub fn created(mut body: Value, location: String) -> Reply {
        body["links"]["self"] = Value::String(location.clone());
        Reply {
            status: StatusCode::CREATED,
            body: Some(body),
            location: Some(location),
        }
    }

    pub fn no_content() -> Reply {
        Reply {
            status: StatusCode::NO_CONTENT,
            body: None,
            location: None,
        }
    }
}

pub type Result<T> = std::result::Result<T, ApiError>;

pub fn find_app<'a>(state: &'a State, id: &str) -> Result<&'a App> {
    state
        .apps
        .iter()
        .find(|a| a.id == id)
        .ok_or_else(|| ApiError::not_found("apps", id))
}

/// (app, version) indices of a version.
pub fn version_index(state: &State, id: &str) -> Result<(usize, usize)> {
    for (a, app) in state.apps.iter().enumerate() {
        if let Some(v) = app.app_store_versions.iter().position(|v| v.id == id) {
            return Ok((a, v));
        }
    }
    Err(ApiError::not_found("appStoreVersions", id))
}

/// (app, app info) indices of an app info.
pub fn app_info_index(state: &State, id: &str) -> Result<(usize, usize)> {
    for (a, app) in state.apps.iter().enumerate() {
        if let Some(i) = app.app_infos.iter().position(|i| i.id == id) {
            return Ok((a, i));
        }
    }
    Err(ApiError::not_found("appInfos", id))
}

/// (app, parent) indices of the parent of a `kind` localization.
pub fn parent_index(state: &State, kind: Kind, id: &str) -> Result<(usize, usize)> {
    match kind {
        Kind::Version => version_index(state, id),
        Kind::AppInfo => app_info_index(state, id),
    }
}

/// (app, parent, localization) indices of a localization.
pub fn localization_index(state: &State, kind: Kind, id: &str) -> Result<(usize, usize, usize)> {
    for (a, app) in state.apps.iter().enumerate() {
        let parents = match kind {
            Kind::Version => app.app_store_versions.len(),
            Kind::AppInfo => app.app_infos.len(),
        };
        for p in 0..parents {
            if let Some(l) = app.localizations(kind, p).iter().position(|l| l.id == id) {
                return Ok((a, p, l));
            }
        }
    }
    Err(ApiError::not_found(kind.type_name(), id))
}

/// (app, version) indices of the version holding a review detail.
pub fn review_index(state: &State, id: &str) -> Result<(usize, usize)> {
    for (a, app) in state.apps.iter().enumerate() {
        if let Some(v) = app
            .app_store_versions
            .iter()
            .position(|v| v.review_detail.as_ref().is_some_and(|r| r.id == id))
        {
            return Ok((a, v));
        }
    }
    Err(ApiError::not_found("appStoreReviewDetails", id))
}

/// An id for a created resource, unique in this process.
pub fn new_id(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!("{prefix}{:08x}", NEXT.fetch_add(1, Ordering::Relaxed) + 0x1000_0000)
}
