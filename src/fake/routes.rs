//! Which handler answers which path and method. A path the API does not
//! have gets Apple's 404 `PATH_ERROR`, a method the path does not take
//! Apple's 405 `METHOD_NOT_ALLOWED`, both with Apple's error body.

use super::Shared;
use super::api::{self, Reply};
use super::apple::{Kind, Media};
use super::errors::ApiError;
use super::products::{self, Family};
use super::state::State;
use super::{builds, media, read, release, versions, write};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter, on};
use std::convert::Infallible;
use std::sync::Arc;

/// The API's routes, each calling a pure handler over the state.
pub fn router() -> Router<Arc<Shared>> {
    use MethodFilter as M;
    Router::new()
        .route("/v1/apps", plain(M::GET, |s, r| read::list_apps(s, r)))
        .route("/v1/apps/{id}", reads(read::get_app))
        .route("/v1/apps/{id}/appStoreVersions", reads(read::list_versions))
        .route("/v1/apps/{id}/appInfos", reads(read::list_app_infos))
        .route("/v1/appStoreVersions", plain(M::POST, versions::create_version))
        .route(
            "/v1/appStoreVersions/{id}",
            reads(read::get_version).merge(writes(M::PATCH, write::patch_version)),
        )
        .route(
            "/v1/appStoreVersions/{id}/appStoreVersionLocalizations",
            reads(|s, r, id| read::list_localizations(s, r, Kind::Version, id)),
        )
        .route(
            "/v1/appStoreVersions/{id}/appStoreReviewDetail",
            reads(read::get_review_detail_of_version),
        )
        .route("/v1/appStoreVersionLocalizations", localizations(Kind::Version))
        .route("/v1/appStoreVersionLocalizations/{id}", localization(Kind::Version))
        .route(
            "/v1/appInfos/{id}",
            reads(read::get_app_info).merge(writes(M::PATCH, write::patch_app_info)),
        )
        .route(
            "/v1/appInfos/{id}/appInfoLocalizations",
            reads(|s, r, id| read::list_localizations(s, r, Kind::AppInfo, id)),
        )
        .route("/v1/appInfoLocalizations", localizations(Kind::AppInfo))
        .route("/v1/appInfoLocalizations/{id}", localization(Kind::AppInfo))
        .route("/v1/appStoreReviewDetails", plain(M::POST, write::create_review_detail))
        .route(
            "/v1/appStoreReviewDetails/{id}",
            reads(read::get_review_detail).merge(writes(M::PATCH, write::patch_review_detail)),
        )
        .route(
            "/v1/appStoreVersions/{id}/appStoreVersionPhasedRelease",
            reads(release::get_of_version),
        )
        .route("/v1/appStoreVersionPhasedReleases", plain(M::POST, release::create))
        .route("/v1/builds", plain(M::GET, |s, r| builds::list(s, r)))
        .route("/v1/appStoreVersions/{id}/build", reads(builds::of_version))
        .route(
            "/v1/builds/{id}/betaBuildLocalizations",
            reads(builds::list_localizations),
        )
        .route(
            "/v1/betaBuildLocalizations",
            plain(M::POST, builds::create_localization),
        )
        .route("/v1/apps/{id}/betaGroups", reads(builds::list_groups))
        .route(
            "/v1/betaGroups/{id}/relationships/builds",
            reads(builds::group_builds).merge(writes(M::POST, builds::add_builds)),
        )
        .route(
            "/v1/betaBuildLocalizations/{id}",
            writes(M::PATCH, builds::patch_localization),
        )
        .route(
            "/v1/appStoreVersions/{id}/relationships/build",
            writes(M::PATCH, builds::attach),
        )
        .route(
            "/v1/appStoreVersionPhasedReleases/{id}",
            writes(M::PATCH, release::patch).merge(writes(M::DELETE, release::delete)),
        )
        .merge(product_routes())
        .merge(media_routes(Media::Screenshot))
        .merge(media_routes(Media::Preview))
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(path_error)
}

/// The routes of screenshots or previews: a localization's sets, the sets,
/// their order, and the assets.
fn media_routes(m: Media) -> Router<Arc<Shared>> {
    use MethodFilter as M;
    let (sets, assets) = (m.set_type(), m.asset_type());
    Router::new()
        .route(
            &format!("/v1/appStoreVersionLocalizations/{{id}}/{sets}"),
            reads(move |s, r, id| media::list_sets(s, r, m, id)),
        )
        .route(
            &format!("/v1/appStoreVersionLocalizations/{{id}}/relationships/{sets}"),
            reads(move |s, r, id| media::list_set_linkages(s, r, m, id)),
        )
        .route(
            &format!("/v1/{sets}"),
            plain(M::POST, move |s, r| media::create_set(s, r, m)),
        )
        .route(
            &format!("/v1/{sets}/{{id}}"),
            reads(move |s, r, id| media::get_set(s, r, m, id))
                .merge(writes(M::DELETE, move |s, r, id| media::delete_set(s, r, m, id))),
        )
        .route(
            &format!("/v1/{sets}/{{id}}/{assets}"),
            reads(move |s, r, id| media::list_assets(s, r, m, id)),
        )
        .route(
            &format!("/v1/{sets}/{{id}}/relationships/{assets}"),
            reads(move |s, r, id| media::list_asset_linkages(s, r, m, id))
                .merge(writes(M::PATCH, move |s, r, id| media::reorder(s, r, m, id))),
        )
        .route(
            &format!("/v1/{assets}"),
            plain(M::POST, move |s, r| media::create_asset(s, r, m)),
        )
        .route(
            &format!("/v1/{assets}/{{id}}"),
            reads(move |s, r, id| media::get_asset(s, r, m, id))
                .merge(writes(M::PATCH, move |s, r, id| media::patch_asset(s, r, m, id)))
                .merge(writes(M::DELETE, move |s, r, id| media::delete_asset(s, r, m, id))),
        )
}

/// In-app purchases, subscription groups and subscriptions: the app's
/// lists, each product, its versions and the versions' localizations.
fn product_routes() -> Router<Arc<Shared>> {
    use MethodFilter as M;
    let mut router = Router::new()
        .route("/v1/apps/{id}/inAppPurchasesV2", reads(products::list_in_app_purchases))
        .route(
            "/v1/apps/{id}/subscriptionGroups",
            reads(products::list_subscription_groups),
        )
        .route(
            "/v1/subscriptionGroups/{id}/subscriptions",
            reads(products::list_subscriptions),
        );
    for f in [Family::InAppPurchase, Family::SubscriptionGroup, Family::Subscription] {
        let (product, versions, localizations) = (
            products::product_path(f),
            products::version_type(f),
            products::localization_type(f),
        );
        router = router
            .route(
                &format!("{product}/{{id}}"),
                reads(move |s, r, id| products::get_product(s, r, f, id)),
            )
            .route(
                &format!("{product}/{{id}}/{localizations}"),
                reads(move |s, r, id| products::list_product_localizations(s, r, f, id)),
            )
            .route(
                &format!("/v1/{localizations}/{{id}}"),
                reads(move |s, r, id| products::get_product_localization(s, r, f, id)),
            )
            .route(
                &format!("{product}/{{id}}/versions"),
                reads(move |s, r, id| products::list_versions(s, r, f, id)),
            )
            .route(
                &format!("/v1/{versions}"),
                plain(M::POST, move |s, r| products::create_version(s, r, f)),
            )
            .route(
                &format!("/v1/{versions}/{{id}}"),
                reads(move |s, r, id| products::get_version(s, r, f, id)),
            )
            .route(
                &format!("/v1/{versions}/{{id}}/localizations"),
                reads(move |s, r, id| products::list_localizations(s, r, f, id)),
            )
            .route(
                &format!("/v2/{localizations}"),
                plain(M::POST, move |s, r| products::create_localization(s, r, f)),
            )
            .route(
                &format!("/v2/{localizations}/{{id}}"),
                reads(move |s, r, id| products::get_localization(s, r, f, id))
                    .merge(writes(M::PATCH, move |s, r, id| {
                        products::patch_localization(s, r, f, id)
                    }))
                    .merge(writes(M::DELETE, move |s, r, id| {
                        products::delete_localization(s, r, f, id)
                    })),
            );
    }
    router
}

/// The collection path of a localization type: create only.
fn localizations(kind: Kind) -> MethodRouter<Arc<Shared>> {
    plain(MethodFilter::POST, move |s, r| write::create_localization(s, r, kind))
}

/// One localization: read, edit, delete.
fn localization(kind: Kind) -> MethodRouter<Arc<Shared>> {
    reads(move |s, r, id| read::get_localization(s, r, kind, id))
        .merge(writes(MethodFilter::PATCH, move |s, r, id| {
            write::patch_localization(s, r, kind, id)
        }))
        .merge(writes(MethodFilter::DELETE, move |s, r, id| {
            write::delete_localization(s, r, kind, id)
        }))
}

/// A route whose handler takes the state and the request.
fn plain<F>(filter: MethodFilter, handler: F) -> MethodRouter<Arc<Shared>>
where
    F: Fn(&mut State, &api::Request) -> api::Result<Reply> + Clone + Send + Sync + 'static,
{
    on(filter, move |call: Call| async move { call.run(handler) })
}

/// A GET route whose handler reads the state and takes the `{id}` of the
/// path.
fn reads<F>(handler: F) -> MethodRouter<Arc<Shared>>
where
    F: Fn(&State, &api::Request, &str) -> api::Result<Reply> + Clone + Send + Sync + 'static,
{
    writes(MethodFilter::GET, move |s, r, id| handler(s, r, id))
}

/// A route whose handler may change the state and takes the `{id}` of the
/// path.
fn writes<F>(filter: MethodFilter, handler: F) -> MethodRouter<Arc<Shared>>
where
    F: Fn(&mut State, &api::Request, &str) -> api::Result<Reply> + Clone + Send + Sync + 'static,
{
    on(filter, move |Id(id): Id, call: Call| async move {
        call.run(|state, req| handler(state, req, &id))
    })
}

async fn path_error(uri: Uri) -> Response {
    ApiError::path_error(uri.path()).into_response()
}

async fn method_not_allowed(method: Method) -> Response {
    ApiError::method_not_allowed(method.as_str()).into_response()
}

/// The `{id}` segment of a path, percent-decoded; one that cannot be
/// decoded names no resource path.
struct Id(String);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Id, Response> {
        match Path::<String>::from_request_parts(parts, state).await {
            Ok(Path(id)) => Ok(Id(id)),
            Err(_) => Err(ApiError::path_error(parts.uri.path()).into_response()),
        }
    }
}

/// One API call: the shared state and what a handler reads of the request.
/// The body arrives already read and capped by the pipeline.
struct Call {
    shared: Arc<Shared>,
    path: String,
    query: Option<String>,
    base: String,
    body: Bytes,
}

impl FromRequest<Arc<Shared>> for Call {
    type Rejection = Infallible;

    async fn from_request(request: Request, shared: &Arc<Shared>) -> Result<Call, Infallible> {
        let (parts, body) = request.into_parts();
        let host = parts.headers.get("host").and_then(|h| h.to_str().ok());
        Ok(Call {
            shared: shared.clone(),
            path: parts.uri.path().to_owned(),
            query: parts.uri.query().map(str::to_owned),
            base: format!("http://{}", host.unwrap_or("localhost")),
            body: axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default(),
        })
    }
}

impl Call {
    /// Runs a handler under the state lock and renders its answer.
    fn run(self, handler: impl FnOnce(&mut State, &api::Request) -> api::Result<Reply>) -> Response {
        let req = api::Request {
            path: &self.path,
            query: self.query.as_deref(),
            body: &self.body,
            base: &self.base,
            now_ms: super::state::now_ms(),
            processing_ms: self.shared.processing_ms,
            late_checksum_ms: self.shared.faults.config.late_checksum_ms,
            set_delete_settle_ms: self.shared.faults.config.set_delete_settle_ms,
        };
        let result = {
            let mut state = self.shared.state.lock().expect("state");
            state.settle_media(req.now_ms);
            handler(&mut state, &req)
        };
        match result {
            Ok(reply) => {
                let mut response = match reply.body {
                    Some(body) => (reply.status, axum::Json(body)).into_response(),
                    None => reply.status.into_response(),
                };
                if let Some(location) = reply.location.and_then(|l| HeaderValue::from_str(&l).ok()) {
                    response.headers_mut().insert("location", location);
                }
                response
            }
            Err(e) => e.into_response(),
        }
    }
}
