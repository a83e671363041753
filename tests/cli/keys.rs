//! fastlane's API-key JSON fixtures (shared/corpus/…/copied) and the
//! negative cases of fastlane's spec, read as fastlane reads them, with
//! fastlane's messages, and the tokens they sign.

use crate::harness::{Corpus, corpus_or_skip};
use asc_sync::client::credentials::{Partial, Sources, parse_fastlane_json, read_fastlane_json};
use asc_sync::client::token::{TokenSource, system_clock};
use secrecy::ExposeSecret;
use serde_json::Value;
use std::path::PathBuf;

/// The token's header and claims, after checking its signature with the
/// public half of the key.
fn signed_claims(credentials: &asc_sync::client::Credentials) -> (jsonwebtoken::Header, Value) {
    use p256::pkcs8::{DecodePrivateKey, EncodePublicKey, LineEnding};
    let tokens = TokenSource::new(credentials, system_clock()).unwrap();
    let token = tokens.token().unwrap();
    let secret = p256::SecretKey::from_pkcs8_pem(credentials.private_key.expose_secret()).unwrap();
    let public = secret.public_key().to_public_key_pem(LineEnding::LF).unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
    validation.set_audience(&["appstoreconnect-v1", "apple-developer-enterprise-v1"]);
    let data = jsonwebtoken::decode::<Value>(
        token.expose(),
        &jsonwebtoken::DecodingKey::from_ec_pem(public.as_bytes()).unwrap(),
        &validation,
    )
    .unwrap();
    (data.header, data.claims)
}

#[test]
fn a_team_key_signs_tokens_with_iss() {
    let Some(fixtures) = corpus_or_skip(Corpus::KeyFixtures) else {
        return;
    };
    let c = read_fastlane_json(&fixtures.join("asc_key.json")).unwrap();
    assert_eq!(c.key_id, "D485S484");
    assert_eq!(c.issuer_id.as_deref(), Some("061966a2-5f3c-4185-af13-70e66d2263f5"));
    assert!(!c.in_house);
    let (header, claims) = signed_claims(&c);
    assert_eq!(header.kid.as_deref(), Some("D485S484"));
    assert_eq!(header.typ.as_deref(), Some("JWT"));
    assert_eq!(claims["iss"], "061966a2-5f3c-4185-af13-70e66d2263f5");
    assert_eq!(claims["aud"], "appstoreconnect-v1");
    let (iat, exp) = (claims["iat"].as_i64().unwrap(), claims["exp"].as_i64().unwrap());
    assert!(exp - iat <= 1200);
    assert!(iat <= crate::harness::now() - 59, "iat is a minute in the past");
    assert!(claims.get("sub").is_none());
}

#[test]
fn an_individual_key_signs_tokens_with_sub_user() {
    let Some(fixtures) = corpus_or_skip(Corpus::KeyFixtures) else {
        return;
    };
    let c = read_fastlane_json(&fixtures.join("asc_individual_key.json")).unwrap();
    assert_eq!(c.issuer_id, None);
    let (_, claims) = signed_claims(&c);
    assert_eq!(claims["sub"], "user");
    assert!(claims.get("iss").is_none());
}

#[test]
fn a_base64_key_is_decoded() {
    let Some(fixtures) = corpus_or_skip(Corpus::KeyFixtures) else {
        return;
    };
    let c = read_fastlane_json(&fixtures.join("asc_key_base64.json")).unwrap();
    let plain = read_fastlane_json(&fixtures.join("asc_key.json")).unwrap();
    assert_eq!(c.private_key.expose_secret(), plain.private_key.expose_secret());
}

#[test]
fn unknown_fields_are_ignored() {
    let Some(fixtures) = corpus_or_skip(Corpus::KeyFixtures) else {
        return;
    };
    let c = read_fastlane_json(&fixtures.join("asc_key_extra_fields.json")).unwrap();
    assert_eq!(c.key_id, "D485S484");
}

#[test]
fn an_in_house_key_uses_the_enterprise_audience_and_host() {
    let Some(fixtures) = corpus_or_skip(Corpus::KeyFixtures) else {
        return;
    };
    let c = read_fastlane_json(&fixtures.join("asc_key_in_house.json")).unwrap();
    assert!(c.in_house);
    let (_, claims) = signed_claims(&c);
    assert_eq!(claims["aud"], "apple-developer-enterprise-v1");
    let client = asc_sync::client::Client::new(&c, Default::default()).unwrap();
    assert_eq!(
        client.base_url().as_str(),
        "https://api.enterprise.developer.apple.com/"
    );
}

#[test]
fn fastlanes_negative_cases_fail_with_fastlanes_messages() {
    let err = parse_fastlane_json(r#"{"thing":"thing"}"#, "k.json")
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.starts_with("App Store Connect API key JSON is missing field(s): key_id, key"),
        "{err}"
    );
    let err = parse_fastlane_json(r#"{"key_id":"D485S484","issuer_id":"x"}"#, "k.json")
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.starts_with("App Store Connect API key JSON is missing field(s): key"),
        "{err}"
    );
    assert!(!err.contains("key_id,"), "{err}");
    let err = parse_fastlane_json("this is not json", "k.json")
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains("k.json") && err.contains("not valid App Store Connect API key JSON"),
        "{err}"
    );
    let signer = crate::harness::Signer::new("D485S484");
    let mut json = serde_json::json!({"key_id": "D485S484", "issuer_id": "x", "key": signer.private_pem});
    json["duration"] = 1201.into();
    let err = parse_fastlane_json(&json.to_string(), "k.json")
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("can't be more than 1200"), "{err}");
    json["duration"] = 600.into();
    assert_eq!(parse_fastlane_json(&json.to_string(), "k.json").unwrap().duration, 600);
}

#[test]
fn a_bad_key_is_refused_without_printing_it() {
    let secret_looking = "-----BEGIN PRIVATE KEY-----\nTOPSECRETbutbroken\n-----END PRIVATE KEY-----";
    let json = serde_json::json!({"key_id": "K", "key": secret_looking}).to_string();
    let err = parse_fastlane_json(&json, "k.json").err().unwrap().to_string();
    assert!(err.contains("not an EC P-256 private key"), "{err}");
    assert!(!err.contains("TOPSECRET"), "{err}");
}

#[test]
fn flags_win_over_the_environment_which_wins_over_the_config() {
    let Some(fixtures) = corpus_or_skip(Corpus::KeyFixtures) else {
        return;
    };
    let key = |p: &str| Some(PathBuf::from(p));
    let sources = Sources {
        flags: Partial {
            key_id: Some("FLAG".into()),
            ..Default::default()
        },
        env: Partial {
            key_id: Some("ENV".into()),
            issuer_id: Some("env-issuer".into()),
            ..Default::default()
        },
        config: Partial {
            issuer_id: Some("config-issuer".into()),
            private_key_path: key(fixtures.join("asc_key.json").to_str().unwrap()),
            ..Default::default()
        },
    };
    // The config's key path points at a JSON file, not a PEM: refused, and named.
    let err = sources.resolve().err().unwrap().to_string();
    assert!(err.contains("asc_key.json"), "{err}");

    let dir = tempfile::tempdir().unwrap();
    let pem = dir.path().join("AuthKey_TEST.p8");
    let c = read_fastlane_json(&fixtures.join("asc_key.json")).unwrap();
    std::fs::write(&pem, c.private_key.expose_secret()).unwrap();
    let sources = Sources {
        config: Partial {
            private_key_path: Some(pem),
            ..sources.config
        },
        ..sources
    };
    let resolved = sources.resolve().unwrap();
    assert_eq!(resolved.key_id, "FLAG");
    assert_eq!(resolved.issuer_id.as_deref(), Some("env-issuer"));

    let json = Sources {
        env: Partial {
            api_key_path: Some(fixtures.join("asc_individual_key.json")),
            ..Default::default()
        },
        ..Default::default()
    };
    assert_eq!(json.resolve().unwrap().issuer_id, None);
    let none = Sources::default().resolve().err().unwrap().to_string();
    assert!(
        none.contains("ASC_KEY_ID") && none.contains("ASC_API_KEY_PATH"),
        "{none}"
    );
}
