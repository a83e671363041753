//! A plan of several apps: what `plan` prints and saves when
//! `asc-sync.toml` lists `[[apps]]`, and what `apply` applies as a unit,
//! each app's part checked on its own (a stale part applies nothing; the
//! others apply).
//!
//! The wire format, `format_version` 1 like the one-app plan, whose
//! document each entry holds whole under `plan`:
//!
//! ```text
//! { "format_version": 1, "tool_version", "created_at",
//!   "config": "asc-sync.toml",
//!   "has_changes", "summary": {create, update, delete, blocked, requests,
//!                              apps, failed},
//!   "apps": [{ "name", "bundle_id", "platform",
//!              "outcome": "changes" | "no_changes" | "error",
//!              "plan"?: {one app's plan}, "error"?: "…" }],
//!   "keys": [{ "key_id", "apps": [names], "requests" }] }
//! ```
//!
//! `apps` is what tells the two forms apart. A saved file holds a plan for
//! every app (`plan --out` writes none when an app could not be planned).

use super::{Plan, PlanFileError, check_format_version};
use crate::FORMAT_VERSION;
use crate::model::Platform;
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AppsPlan {
    pub format_version: u32,
    pub tool_version: String,
    pub created_at: String,
    /// The settings file that lists the apps, as the run named it.
    pub config: String,
    pub has_changes: bool,
    pub summary: AppsSummary,
    pub apps: Vec<AppPlan>,
    /// Each API key the run used: one client, one hourly budget, for the
    /// apps listed.
    #[serde(default)]
    pub keys: Vec<KeyUse>,
}

/// The totals of every app's plan.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AppsSummary {
    pub create: usize,
    pub update: usize,
    pub delete: usize,
    pub blocked: usize,
    pub requests: usize,
    /// Apps in the plan.
    pub apps: usize,
    /// Apps that could not be planned.
    pub failed: usize,
}

/// One app's part.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AppPlan {
    pub name: String,
    pub bundle_id: String,
    pub platform: Platform,
    pub outcome: AppOutcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<Plan>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppOutcome {
    /// Changes to apply, or blocked differences.
    Changes,
    NoChanges,
    /// The app could not be planned: `error` says why.
    Error,
}

/// One API key of a run and what went through its client.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KeyUse {
    pub key_id: String,
    pub apps: Vec<String>,
    /// Requests sent with it (a retried one counts once).
    pub requests: u64,
}

impl AppPlan {
    pub fn planned(name: &str, plan: Plan) -> AppPlan {
        let differs = plan.has_changes || plan.summary.blocked > 0;
        AppPlan {
            name: name.to_owned(),
            bundle_id: plan.source.bundle_id.clone(),
            platform: plan.source.platform,
            outcome: if differs {
                AppOutcome::Changes
            } else {
                AppOutcome::NoChanges
            },
            plan: Some(plan),
            error: None,
        }
    }

    pub fn failed(name: &str, bundle_id: &str, platform: Platform, error: String) -> AppPlan {
        AppPlan {
            name: name.to_owned(),
            bundle_id: bundle_id.to_owned(),
            platform,
            outcome: AppOutcome::Error,
            plan: None,
            error: Some(error),
        }
    }
}

impl AppsPlan {
    pub fn new(config: &str, apps: Vec<AppPlan>, keys: Vec<KeyUse>) -> AppsPlan {
        let mut summary = AppsSummary {
            apps: apps.len(),
            ..AppsSummary::default()
        };
        for app in &apps {
            let Some(plan) = &app.plan else {
                summary.failed += 1;
                continue;
            };
            let s = &plan.summary;
            summary.create += s.create;
            summary.update += s.update;
            summary.delete += s.delete;
            summary.blocked += s.blocked;
            summary.requests += s.requests;
        }
        AppsPlan {
            format_version: FORMAT_VERSION,
            tool_version: env!("CARGO_PKG_VERSION").to_owned(),
            created_at: super::now(),
            config: config.to_owned(),
            has_changes: summary.requests > 0,
            summary,
            apps,
            keys,
        }
    }

    /// Whether any app differs from its tree (changes, or blocked only).
    pub fn differs(&self) -> bool {
        self.apps.iter().any(|a| a.outcome == AppOutcome::Changes)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a plan always serializes") + "\n"
    }

    /// Reads a saved plan of several apps: each entry must hold a plan
    /// that reads as a one-app plan does.
    fn from_value(mut raw: Value, path: &str) -> Result<AppsPlan, PlanFileError> {
        check_format_version(&raw, path)?;
        let invalid = |reason: String| PlanFileError::Invalid {
            path: path.to_owned(),
            reason,
        };
        // Each part is read (and checked) as a one-app plan is.
        let mut parts = Vec::new();
        if let Some(entries) = raw.get_mut("apps").and_then(Value::as_array_mut) {
            for entry in entries.iter_mut() {
                let name = entry["name"].as_str().unwrap_or("(unnamed)").to_owned();
                match entry.as_object_mut().and_then(|e| e.remove("plan")) {
                    Some(plan) => parts.push(Some(Plan::from_value(plan, &format!("{path}: app {name}"))?)),
                    None => parts.push(None),
                }
            }
        }
        let mut doc: AppsPlan = serde_json::from_value(raw).map_err(|e| invalid(e.to_string()))?;
        for (app, plan) in doc.apps.iter_mut().zip(parts) {
            let Some(plan) = plan else {
                return Err(invalid(format!(
                    "app {} has no plan (it could not be planned); make the plan again",
                    app.name
                )));
            };
            app.plan = Some(plan);
        }
        Ok(doc)
    }
}

/// A saved plan file in either form.
#[derive(Clone, Debug, PartialEq)]
pub enum SavedPlan {
    One(Box<Plan>),
    Apps(AppsPlan),
}

impl SavedPlan {
    /// Reads a plan file: one app's (as every asc-sync wrote it), or
    /// several apps' (a top-level `apps`).
    pub fn from_json(text: &str, path: &str) -> Result<SavedPlan, PlanFileError> {
        let raw: Value = serde_json::from_str(text).map_err(|e| PlanFileError::Invalid {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
        if raw.get("apps").is_some() {
            AppsPlan::from_value(raw, path).map(SavedPlan::Apps)
        } else {
            Plan::from_value(raw, path).map(|p| SavedPlan::One(Box::new(p)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Plan {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/plan-v1")
            .join(name);
        Plan::from_json(&std::fs::read_to_string(path).unwrap(), name).unwrap()
    }

    #[test]
    fn a_plan_of_several_apps_reads_back_and_totals_its_parts() {
        let one = fixture("plan.json");
        let doc = AppsPlan::new(
            "asc-sync.toml",
            vec![
                AppPlan::planned("main", one.clone()),
                AppPlan::planned("mac", one.clone()),
            ],
            vec![],
        );
        assert_eq!(doc.summary.requests, 2 * one.summary.requests);
        assert_eq!(doc.summary.apps, 2);
        let text = doc.to_json();
        assert_eq!(SavedPlan::from_json(&text, "p.json").unwrap(), SavedPlan::Apps(doc));
        let err = Plan::from_json(&text, "p.json").unwrap_err().to_string();
        assert!(err.contains("several apps"), "{err}");
    }

    #[test]
    fn a_part_without_a_plan_or_of_another_version_is_refused() {
        let doc = AppsPlan::new(
            "asc-sync.toml",
            vec![
                AppPlan::planned("main", fixture("plan.json")),
                AppPlan::failed("mac", "com.x", Platform::MacOs, "no app".into()),
            ],
            vec![],
        );
        let err = SavedPlan::from_json(&doc.to_json(), "p.json").unwrap_err().to_string();
        assert!(err.contains("app mac has no plan"), "{err}");
        let mut raw: Value = serde_json::from_str(&doc.to_json()).unwrap();
        raw["apps"][1]["plan"] = raw["apps"][0]["plan"].clone();
        raw["apps"][1]["plan"]["format_version"] = 9.into();
        let err = SavedPlan::from_json(&raw.to_string(), "p.json")
            .unwrap_err()
            .to_string();
        assert!(err.contains("p.json: app mac has plan format version 9"), "{err}");
    }

    #[test]
    fn a_one_app_plan_reads_as_one() {
        let text = serde_json::to_string(&fixture("plan-waiting.json")).unwrap();
        assert!(matches!(SavedPlan::from_json(&text, "p").unwrap(), SavedPlan::One(_)));
    }
}
