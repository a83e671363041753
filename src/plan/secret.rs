//! Digests of secrets (the review demo password) that a plan file may
//! hold without giving the secret away.
//!
//! A plan file is a CI artifact: anyone who can read the repository's
//! workflow runs can download it. A plain or salted SHA-256 of a password
//! beside its salt can be brute-forced offline at billions of guesses a
//! second, so plan files hold none. Every digest of a secret is an
//! HMAC-SHA256 under a key derived (HKDF-SHA256) from the App Store Connect
//! API private key: the plan job and the apply job both hold that key, a
//! reader of the artifact does not, and without it a digest tells nothing,
//! however weak the password. The key is the private key's scalar, so the
//! same key read from a `.p8` file, `ASC_PRIVATE_KEY` or a fastlane JSON
//! file gives the same digests; another key gives other digests, and the
//! plan says which key id made them.
//!
//! Plans saved by asc-sync 0.1 hold `sha256:` digests salted with the
//! plan's `secret_salt`; they are still checked, the old way.

use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretSlice};
use sha2::Sha256;

/// The prefix of a keyed digest.
const KEYED: &str = "hmac-sha256:";
/// The prefix of an 0.1 salted digest.
const SALTED: &str = "sha256:";
/// HKDF's `info`: what the derived key is for, so it can never be
/// mistaken for a key derived from the same secret for something else.
const INFO: &[u8] = b"asc-sync plan-file secret digests v1";

/// The key of a run's secret digests, and the API key id it comes from.
pub struct DigestKey {
    key: SecretSlice<u8>,
    pub key_id: String,
}

impl std::fmt::Debug for DigestKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DigestKey")
            .field("key", &"(redacted)")
            .field("key_id", &self.key_id)
            .finish()
    }
}

impl DigestKey {
    /// Derives the key from an API key's PKCS#8 PEM (as `Credentials`
    /// holds it). `None` when the PEM cannot be read as a P-256 key, which
    /// `Credentials` has already refused.
    pub fn derive(private_key_pem: &str, key_id: &str) -> Option<DigestKey> {
        use p256::pkcs8::DecodePrivateKey;
        let secret = p256::SecretKey::from_pkcs8_pem(private_key_pem).ok()?;
        let scalar: Vec<u8> = secret.to_bytes().iter().copied().collect();
        let hkdf = hkdf::Hkdf::<Sha256>::new(Some(b"asc-sync"), &scalar);
        let mut okm = vec![0u8; 32];
        hkdf.expand(INFO, &mut okm).ok()?;
        Some(DigestKey {
            key: okm.into(),
            key_id: key_id.to_owned(),
        })
    }

    /// A random key, for a plan made without an API key (a library
    /// caller's diff): its digests can be compared with nothing later.
    pub fn ephemeral() -> DigestKey {
        DigestKey {
            key: rand::random::<[u8; 32]>().to_vec().into(),
            key_id: "(none)".to_owned(),
        }
    }

    /// A keyed digest of `value`: `hmac-sha256:<hex>`.
    pub fn digest(&self, value: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(self.key.expose_secret()).expect("HMAC takes any key length");
        mac.update(value.as_bytes());
        format!("{KEYED}{}", hex::encode(mac.finalize().into_bytes()))
    }

    /// Whether `digest` (keyed, or salted by asc-sync 0.1 with `salt`) is
    /// a digest of `value`. Keyed digests compare in constant time.
    pub fn matches(&self, digest: &str, value: &str, salt: Option<&str>) -> bool {
        if let Some(hex_mac) = digest.strip_prefix(KEYED) {
            let Ok(expected) = hex::decode(hex_mac) else {
                return false;
            };
            let mut mac = Hmac::<Sha256>::new_from_slice(self.key.expose_secret()).expect("HMAC takes any key length");
            mac.update(value.as_bytes());
            return mac.verify_slice(&expected).is_ok();
        }
        digest.starts_with(SALTED) && salted(value, salt.unwrap_or_default()) == digest
    }
}

/// Whether a digest is one of asc-sync 0.1's salted SHA-256 digests,
/// which can be brute-forced offline.
pub fn is_salted(digest: &str) -> bool {
    digest.starts_with(SALTED)
}

/// asc-sync 0.1's salted digest, kept to check plans it saved.
fn salted(value: &str, salt: &str) -> String {
    use sha2::Digest;
    let mut hasher = Sha256::new();
    hasher.update(salt.as_bytes());
    hasher.update([0]);
    hasher.update(value.as_bytes());
    format!("{SALTED}{}", hex::encode(hasher.finalize()))
}

#[cfg(test)]
pub(crate) fn test_key(key_id: &str) -> DigestKey {
    use p256::pkcs8::{EncodePrivateKey, LineEnding};
    let secret = p256::SecretKey::from_slice(&[7u8; 32]).expect("a valid scalar");
    let pem = secret.to_pkcs8_pem(LineEnding::LF).expect("encodes");
    DigestKey::derive(&pem, key_id).expect("derives")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_keyed_digest_matches_its_value_only_under_its_key() {
        let key = test_key("K1");
        let d = key.digest("correct horse");
        assert!(d.starts_with("hmac-sha256:"), "{d}");
        assert!(key.matches(&d, "correct horse", None));
        assert!(!key.matches(&d, "correct horsf", None));
        let other = {
            use p256::pkcs8::{EncodePrivateKey, LineEnding};
            let s = p256::SecretKey::from_slice(&[9u8; 32]).unwrap();
            DigestKey::derive(&s.to_pkcs8_pem(LineEnding::LF).unwrap(), "K2").unwrap()
        };
        assert!(!other.matches(&d, "correct horse", None), "another key, another digest");
        assert!(!key.matches("hmac-sha256:zz", "correct horse", None));
    }

    #[test]
    fn the_salted_digests_of_version_1_plans_still_check() {
        let key = test_key("K1");
        let old = salted("correct horse battery staple", "abc");
        assert!(is_salted(&old));
        assert!(key.matches(&old, "correct horse battery staple", Some("abc")));
        assert!(!key.matches(&old, "correct horse battery staple", Some("abd")));
    }

    #[test]
    fn the_key_never_prints() {
        let key = test_key("K1");
        assert_eq!(format!("{key:?}"), "DigestKey { key: \"(redacted)\", key_id: \"K1\" }");
    }
}
