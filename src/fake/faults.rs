//! Injected trouble, deterministic under `--seed`: latency, 429s, 5xx,
//! connections dropped before a response, and connections dropped after a
//! write was applied (the client cannot know it succeeded). Each can be
//! limited to a method and a path pattern.

use axum::http::Method;
use rand::{RngExt, SeedableRng};
use std::str::FromStr;
use std::sync::Mutex;
use std::time::Duration;

/// `P[ METHOD][ PATH-GLOB][ xN]`, e.g. `0.3`, `0.3 PATCH`,
/// `1 PATCH /v1/appStoreVersionLocalizations/*`, or `1 GET x2` (only the
/// first two matching requests).
#[derive(Debug)]
pub struct FaultRule {
    pub probability: f64,
    pub method: Option<Method>,
    pub path: Option<globset::GlobMatcher>,
    /// Fire at most this many times.
    pub times: Option<u32>,
    fired: std::sync::atomic::AtomicU32,
}

impl Clone for FaultRule {
    fn clone(&self) -> FaultRule {
        FaultRule {
            probability: self.probability,
            method: self.method.clone(),
            path: self.path.clone(),
            times: self.times,
            fired: std::sync::atomic::AtomicU32::new(0),
        }
    }
}

impl FaultRule {
    pub fn always() -> FaultRule {
        FaultRule {
            probability: 1.0,
            method: None,
            path: None,
            times: None,
            fired: Default::default(),
        }
    }

    /// Counts one firing; false once the rule has fired `times` times.
    fn take(&self) -> bool {
        use std::sync::atomic::Ordering;
        match self.times {
            None => true,
            Some(max) => self
                .fired
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| (n < max).then_some(n + 1))
                .is_ok(),
        }
    }

    fn applies(&self, method: &Method, path: &str) -> bool {
        self.method.as_ref().is_none_or(|m| m == method) && self.path.as_ref().is_none_or(|g| g.is_match(path))
    }
}

impl FromStr for FaultRule {
    type Err = String;

    fn from_str(s: &str) -> Result<FaultRule, String> {
        let mut parts = s.split_whitespace();
        let p = parts.next().ok_or("empty fault rule")?;
        let probability: f64 = p
            .parse()
            .map_err(|_| format!("'{p}' is not a probability between 0 and 1"))?;
        if !(0.0..=1.0).contains(&probability) {
            return Err(format!("'{p}' is not a probability between 0 and 1"));
        }
        let mut rule = FaultRule {
            probability,
            ..FaultRule::always()
        };
        for part in parts {
            if let Some(n) = part.strip_prefix('x') {
                rule.times = Some(n.parse().map_err(|_| format!("'{part}' is not xN with N a count"))?);
            } else if part.starts_with('/') {
                let glob = globset::Glob::new(part).map_err(|e| format!("bad path pattern '{part}': {e}"))?;
                rule.path = Some(glob.compile_matcher());
            } else if part.chars().all(|c| c.is_ascii_uppercase()) {
                rule.method = Some(Method::from_bytes(part.as_bytes()).map_err(|e| e.to_string())?);
            } else {
                return Err(format!("'{part}' is neither a METHOD, a /path/pattern nor xN"));
            }
        }
        Ok(rule)
    }
}

#[derive(Clone, Debug, Default)]
pub struct FaultConfig {
    pub latency_ms: u64,
    pub jitter_ms: u64,
    pub fail_429: Option<FaultRule>,
    /// `Retry-After` seconds on injected 429s.
    pub retry_after: Option<u64>,
    pub fail_5xx: Option<FaultRule>,
    /// Answer 401 as if the token had been revoked (to test renewal).
    pub fail_401: Option<FaultRule>,
    pub drop: Option<FaultRule>,
    pub drop_after_write: Option<FaultRule>,
    pub seed: u64,
    /// Answer 429 on the upload endpoint of screenshots and previews: the
    /// storage host answers 429 in bursts (after ~180 sequential uploads,
    /// ascelerate; shared/reference/assets-release-iap.md §2.1). A rule
    /// with `xN` gives a burst of N.
    pub fail_upload_429: Option<FaultRule>,
    /// Show a committed asset's `sourceFileChecksum` only this long after
    /// its processing completed: Apple's COMPLETE can precede the checksum
    /// (rorkai/App-Store-Connect-CLI PR #2097). 0: shown at the commit.
    pub late_checksum_ms: u64,
    /// For this long after a screenshot or preview set is deleted, creating
    /// one of the same type in the same localization is still refused with
    /// "… Set Already Exists!", as Apple did until the delete settled
    /// (shared/reference/assets-release-iap.md §2.1, a single report).
    /// 0: a delete settles at once.
    pub set_delete_settle_ms: u64,
}

pub struct Faults {
    pub config: FaultConfig,
    rng: Mutex<rand::rngs::StdRng>,
}

impl Faults {
    pub fn new(config: FaultConfig) -> Faults {
        let rng = rand::rngs::StdRng::seed_from_u64(config.seed);
        Faults {
            config,
            rng: Mutex::new(rng),
        }
    }

    /// Whether `rule` fires for this request. Draws from the seeded
    /// generator only for rules that apply, so adding a path-limited rule
    /// does not shift the others' sequence for unrelated paths.
    pub fn hit(&self, rule: &Option<FaultRule>, method: &Method, path: &str) -> bool {
        let Some(rule) = rule else { return false };
        if !rule.applies(method, path) || rule.probability <= 0.0 {
            return false;
        }
        let drawn = rule.probability >= 1.0 || self.rng.lock().expect("fault rng").random::<f64>() < rule.probability;
        drawn && rule.take()
    }

    pub fn latency(&self) -> Duration {
        let jitter = if self.config.jitter_ms > 0 {
            self.rng
                .lock()
                .expect("fault rng")
                .random_range(0..=self.config.jitter_ms)
        } else {
            0
        };
        Duration::from_millis(self.config.latency_ms + jitter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_parse_with_method_and_path() {
        let r: FaultRule = "0.5 PATCH /v1/appStoreVersionLocalizations/*".parse().unwrap();
        assert!(r.applies(&Method::PATCH, "/v1/appStoreVersionLocalizations/abc"));
        assert!(!r.applies(&Method::GET, "/v1/appStoreVersionLocalizations/abc"));
        assert!(!r.applies(&Method::PATCH, "/v1/apps"));
        assert!("1.5".parse::<FaultRule>().is_err());
        assert!("x".parse::<FaultRule>().is_err());
    }

    #[test]
    fn jitter_stays_within_its_bound_and_repeats_under_a_seed() {
        let config = FaultConfig {
            latency_ms: 100,
            jitter_ms: 50,
            seed: 3,
            ..FaultConfig::default()
        };
        let draw = |f: &Faults| (0..32).map(|_| f.latency().as_millis()).collect::<Vec<_>>();
        let a = draw(&Faults::new(config.clone()));
        assert!(a.iter().all(|ms| (100..=150).contains(ms)), "{a:?}");
        assert!(a.iter().any(|ms| *ms != a[0]), "it varies");
        assert_eq!(a, draw(&Faults::new(config)));
    }

    #[test]
    fn a_rule_can_fire_a_limited_number_of_times() {
        let faults = Faults::new(FaultConfig {
            fail_5xx: Some("1 GET x2".parse().unwrap()),
            ..FaultConfig::default()
        });
        let hits: Vec<bool> = (0..4)
            .map(|_| faults.hit(&faults.config.fail_5xx, &Method::GET, "/v1/apps"))
            .collect();
        assert_eq!(hits, [true, true, false, false]);
    }

    #[test]
    fn the_same_seed_gives_the_same_faults() {
        let config = FaultConfig {
            fail_429: Some("0.5".parse().unwrap()),
            seed: 7,
            ..FaultConfig::default()
        };
        let draw = |f: &Faults| {
            (0..64)
                .map(|_| f.hit(&f.config.fail_429, &Method::GET, "/v1/apps"))
                .collect::<Vec<_>>()
        };
        let a = draw(&Faults::new(config.clone()));
        let b = draw(&Faults::new(config));
        assert_eq!(a, b);
        assert!(a.iter().any(|x| *x) && a.iter().any(|x| !*x));
    }
}
