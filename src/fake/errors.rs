//! Apple's error documents: `{"errors": [{id, status, code, title, detail,
//! source}]}`, with `status` a string, as App Store Connect sends them.
//! Codes, titles and details are Apple's own words where they are known
//! (shared/reference/asc-api.md §4 and its addendum, and bodies quoted by
//! clients); clients match codes by prefix.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::json;

#[derive(Clone, Debug, Serialize)]
pub struct ErrorObject {
    pub id: String,
    pub status: String,
    pub code: String,
    pub title: String,
    /// Apple leaves it out of some errors (an invalid category).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub links: Option<serde_json::Value>,
}

/// One failed request: a status and one or more error objects.
#[derive(Clone, Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub errors: Vec<ErrorObject>,
    /// `Retry-After` seconds, for injected 429s.
    pub retry_after: Option<u64>,
}

fn object(status: StatusCode, code: &str, title: &str, detail: Option<String>) -> ErrorObject {
    ErrorObject {
        id: next_error_id(),
        status: status.as_u16().to_string(),
        code: code.to_owned(),
        title: title.to_owned(),
        detail,
        source: None,
        links: None,
    }
}

/// Error ids look like Apple's (a UUID); a counter keeps them unique and
/// runs repeatable.
fn next_error_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("00000000-0000-4000-8000-{n:012x}")
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, title: &str, detail: impl Into<String>) -> ApiError {
        ApiError {
            status,
            errors: vec![object(status, code, title, Some(detail.into()))],
            retry_after: None,
        }
    }

    pub fn with_pointer(mut self, pointer: &str) -> ApiError {
        for e in &mut self.errors {
            e.source = Some(json!({ "pointer": pointer }));
        }
        self
    }

    pub fn with_parameter(mut self, parameter: &str) -> ApiError {
        for e in &mut self.errors {
            e.source = Some(json!({ "parameter": parameter }));
        }
        self
    }

    /// Several errors of the same status in one document (Apple sends one
    /// per locked attribute).
    pub fn merge(errors: Vec<ApiError>) -> Option<ApiError> {
        let mut iter = errors.into_iter();
        let mut first = iter.next()?;
        for e in iter {
            first.errors.extend(e.errors);
        }
        Some(first)
    }

    pub fn code(&self) -> &str {
        self.errors.first().map_or("", |e| e.code.as_str())
    }

    pub fn not_authorized() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "NOT_AUTHORIZED",
            "Authentication credentials are missing or invalid.",
            "Provide a properly configured and signed bearer token, and make sure that it has not expired. Learn more about Generating Tokens for API Requests https://developer.apple.com/go/?id=api-generating-tokens",
        )
    }

    /// 403 for a request outside the token's `scope` claim, as Apple
    /// answered one (Apple developer forums, a customerReviews request
    /// under a GET-only scope). Requests and scopes are written as Apple
    /// writes them: `RequestData(method=GET, path=/v1/apps, query=null)`.
    pub fn outside_scope(request: &str, scopes: &[String]) -> ApiError {
        let mut e = ApiError::new(
            StatusCode::FORBIDDEN,
            "FORBIDDEN.REQUEST_DOES_NOT_MATCH_SCOPE",
            "This request does not match the scope specified in the API token.",
            format!(
                "The request {request} does not match any authorized scope: [{}]",
                scopes.join(", ")
            ),
        );
        e.errors[0].links = Some(json!({
            "see": "https://developer.apple.com/documentation/appstoreconnectapi/generating_tokens_for_api_requests"
        }));
        e
    }

    pub fn rate_limited() -> ApiError {
        ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "RATE_LIMIT_EXCEEDED",
            "The request rate limit has been reached.",
            "We've received too many requests for this API. Please wait and try again or slow down your request rate.",
        )
    }

    pub fn server_error() -> ApiError {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "UNEXPECTED_ERROR",
            "An unexpected error occurred.",
            "An unexpected error occurred on the server side. If this issue continues, contact us at https://developer.apple.com/contact/.",
        )
    }

    pub fn path_error(path: &str) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "PATH_ERROR",
            "The URL path is not valid",
            format!("The path provided does not match a defined resource type. ({path})"),
        )
    }

    pub fn method_not_allowed(method: &str) -> ApiError {
        ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            "The request method is not valid for the resource path.",
            format!("The request method is not valid for the resource path. ({method})"),
        )
    }

    pub fn not_found(resource_type: &str, id: &str) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "The specified resource does not exist",
            format!("There is no resource of type '{resource_type}' with id '{id}'"),
        )
    }

    /// 400 for an unknown query parameter.
    pub fn parameter_illegal(parameter: &str) -> ApiError {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "PARAMETER_ERROR.ILLEGAL",
            "A parameter provided is not allowed for this request",
            format!("The parameter '{parameter}' can not be used with this request"),
        )
        .with_parameter(parameter)
    }

    /// 400 for a known parameter with a bad value.
    pub fn parameter_invalid(parameter: &str, detail: impl Into<String>) -> ApiError {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "PARAMETER_ERROR.INVALID",
            "A parameter has an invalid value",
            detail,
        )
        .with_parameter(parameter)
    }

    /// 400 for a body that is not JSON.
    pub fn entity_invalid(detail: impl Into<String>) -> ApiError {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "ENTITY_INVALID",
            "The provided entity is invalid",
            detail,
        )
    }

    /// 422 for JSON of the wrong shape.
    pub fn unprocessable(detail: impl Into<String>, pointer: &str) -> ApiError {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "ENTITY_UNPROCESSABLE",
            "The request entity is not processable",
            detail,
        )
        .with_pointer(pointer)
    }

    pub fn too_large(limit: usize) -> ApiError {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "ENTITY_TOO_LARGE",
            "The request entity is too large",
            format!("The request body is larger than {limit} bytes."),
        )
    }

    /// 409 for a conflict with the data rules.
    pub fn entity(code: &str, title: &str, detail: impl Into<String>, pointer: &str) -> ApiError {
        ApiError::new(StatusCode::CONFLICT, code, title, detail).with_pointer(pointer)
    }

    /// 409 `STATE_ERROR`: the attribute cannot be edited in this state.
    pub fn locked(attribute: &str) -> ApiError {
        ApiError::new(
            StatusCode::CONFLICT,
            "STATE_ERROR",
            "The request cannot be fulfilled because of the state of another resource.",
            format!("Attribute '{attribute}' cannot be edited at this time"),
        )
    }

    /// 409 `STATE_ERROR` for a create or delete the state forbids.
    pub fn state(detail: impl Into<String>) -> ApiError {
        ApiError::new(
            StatusCode::CONFLICT,
            "STATE_ERROR",
            "The request cannot be fulfilled because of the state of another resource.",
            detail,
        )
    }

    /// 409 for an attribute the resource does not have (or cannot change).
    pub fn unknown_attribute(type_name: &str, name: &str) -> ApiError {
        ApiError::entity(
            "ENTITY_ERROR.ATTRIBUTE.UNKNOWN",
            "The provided entity includes an unknown attribute",
            format!("'{name}' is not an attribute on the resource '{type_name}' for this request"),
            &format!("/data/attributes/{name}"),
        )
    }

    /// 409 for a relationship the request cannot set.
    pub fn unknown_relationship(detail: impl Into<String>, name: &str) -> ApiError {
        ApiError::entity(
            "ENTITY_ERROR.RELATIONSHIP.UNKNOWN",
            "The provided entity includes an unknown relationship",
            detail,
            &format!("/data/relationships/{name}"),
        )
    }

    pub fn required_attribute(name: &str) -> ApiError {
        ApiError::entity(
            "ENTITY_ERROR.ATTRIBUTE.REQUIRED",
            "The provided entity is missing a required attribute",
            format!("You must provide a value for the attribute '{name}' with this request"),
            &format!("/data/attributes/{name}"),
        )
    }

    pub fn required_relationship(name: &str) -> ApiError {
        ApiError::entity(
            "ENTITY_ERROR.RELATIONSHIP.REQUIRED",
            "The provided entity is missing a required relationship",
            format!("You must provide a value for the relationship '{name}' with this request"),
            &format!("/data/relationships/{name}"),
        )
    }

    /// 409 for an attribute whose value Apple does not accept.
    pub fn invalid_attribute(name: &str, detail: impl Into<String>) -> ApiError {
        ApiError::entity(
            "ENTITY_ERROR.ATTRIBUTE.INVALID",
            "The provided entity includes an attribute with an invalid value",
            detail,
            &format!("/data/attributes/{name}"),
        )
    }

    /// Apple's refusal of a locale code not in its list, seen live for
    /// `it-IT`, `fr-ca` and `nb`.
    pub fn invalid_locale() -> ApiError {
        ApiError::invalid_attribute("locale", "The 'locale' value is invalid.")
    }

    pub fn duplicate_locale(locale: &str) -> ApiError {
        ApiError::entity(
            "ENTITY_ERROR.ATTRIBUTE.INVALID.DUPLICATE",
            "The provided entity includes an attribute with an invalid value",
            format!("There is an entity with same 'locale' ('{locale}') already."),
            "/data/attributes/locale",
        )
    }

    pub fn too_long(name: &str, max: usize) -> ApiError {
        ApiError::entity(
            "ENTITY_ERROR.ATTRIBUTE.INVALID.TOO_LONG",
            "An attribute value is too long.",
            format!(
                "The attribute '{name}' has a value whose length exceeds the maximum. It cannot exceed {max} characters."
            ),
            &format!("/data/attributes/{name}"),
        )
    }

    /// Apple's refusal of characters in a text field (itsyconnect-macos
    /// #54: "Description can’t contain the following character(s): ̌." on
    /// `/data/attributes/description`), the characters listed as found.
    pub fn invalid_characters(name: &str, label: &str, found: &[char]) -> ApiError {
        let list: Vec<String> = found.iter().map(char::to_string).collect();
        ApiError::entity(
            "ENTITY_ERROR.ATTRIBUTE.INVALID.INVALID_CHARACTERS",
            "An attribute value has invalid characters.",
            format!("{label} can’t contain the following character(s): {}.", list.join(", ")),
            &format!("/data/attributes/{name}"),
        )
    }

    /// Apple's refusal of control characters (fastlane #20285, for
    /// `privacyPolicyText`).
    pub fn control_characters(name: &str) -> ApiError {
        ApiError::entity(
            "ENTITY_ERROR.ATTRIBUTE.INVALID.INVALID_CHARACTERS",
            "An attribute value has invalid characters.",
            format!(
                "'{name}' must not contain control characters (for example, null, new lines, carriage returns, escape, and other invisible characters)."
            ),
            &format!("/data/attributes/{name}"),
        )
    }

    /// A field of an app info that is not editable, one error per field
    /// (itsyconnect-macos #64); the title is Apple's for this code on a
    /// version's `versionString` (a captured body in semihcihan/storeconfig).
    pub fn invalid_state(name: &str) -> ApiError {
        ApiError::entity(
            "ENTITY_ERROR.ATTRIBUTE.INVALID.INVALID_STATE",
            "An attribute value is not acceptable for the current resource state.",
            format!("The field '{name}' can not be modified in the current state."),
            &format!("/data/attributes/{name}"),
        )
    }

    /// Apple's refusal of a review contact phone (fastlane #16716,
    /// apple-shipkit #189).
    pub fn invalid_phone() -> ApiError {
        ApiError::entity(
            "ENTITY_ERROR.ATTRIBUTE.INVALID",
            "An attribute value is invalid.",
            "The phone number must be in a valid format. Preface the phone number with ‘+’ followed by the country code (for example, +44 844 209 0611)",
            "/data/attributes/contactPhone",
        )
    }

    /// A review contact phone over Apple's byte cap, in the wording Apple
    /// used for it ("Phone number cannot be longer than 20 bytes", fastlane
    /// #8839) and the code and title of its other length refusals.
    pub fn phone_too_long(max: usize) -> ApiError {
        ApiError::entity(
            "ENTITY_ERROR.ATTRIBUTE.INVALID.TOO_LONG",
            "An attribute value is too long.",
            format!("Phone number cannot be longer than {max} bytes"),
            "/data/attributes/contactPhone",
        )
    }

    /// An app name another app of the account already has (fastlane #20732
    /// on `/data/attributes/name`; the whole body in expo/eas-cli's
    /// fixtures).
    pub fn duplicate_app_name() -> ApiError {
        ApiError::entity(
            "ENTITY_ERROR.ATTRIBUTE.INVALID.DUPLICATE.SAME_ACCOUNT",
            "The provided entity includes an attribute with a value that has already been used on this account.",
            "The app name you entered is already being used for another app in your account. If you would like to use the name for this app you will need to submit an update to your other app to change the name, or remove it from App Store Connect.",
            "/data/attributes/name",
        )
    }

    /// 409 for a relationship that refers to something unacceptable.
    pub fn invalid_relationship(name: &str, detail: impl Into<String>) -> ApiError {
        ApiError::entity(
            "ENTITY_ERROR.RELATIONSHIP.INVALID",
            "The provided entity includes a relationship with an invalid value",
            detail,
            &format!("/data/relationships/{name}"),
        )
    }

    /// Apple's refusal of a category relationship that names no category,
    /// or a category that does not fit the slot. Apple sends it without a
    /// `detail`, one error per relationship; fastlane's spaceship quotes
    /// the body for `primarySubcategoryOne` (connect_api/api_client.rb),
    /// and fastlane #20594 shows it for primary and secondary categories.
    pub fn invalid_category(relationship: &str) -> ApiError {
        let status = StatusCode::CONFLICT;
        ApiError {
            status,
            errors: vec![object(
                status,
                "ENTITY_ERROR.RELATIONSHIP.INVALID",
                "The provided entity includes a relationship with an invalid value",
                None,
            )],
            retry_after: None,
        }
        .with_pointer(&format!("/data/relationships/{relationship}"))
    }

    pub fn body(&self) -> serde_json::Value {
        json!({ "errors": self.errors })
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.body())).into_response();
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert("retry-after", seconds.into());
        }
        response
    }
}
