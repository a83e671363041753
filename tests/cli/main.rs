//! The integration tests: one binary, one module per area.

mod action;
mod bad_input;
mod client;
mod deliver_cases;
mod fake_api;
mod fake_categories;
mod fake_conformance;
mod fake_edges;
mod fake_independence;
mod git_rev;
mod github;
mod harness;
mod keys;
mod loader_fuzz;
mod plan_file_v1;
mod quirks;
mod real_trees;
mod reconcile;
mod refusals;
mod regressions;
mod release;
mod render_plan;
mod validate_cmd;
