//! The integration tests: one binary, one module per area. Every module
//! opens with what it specifies; `support` and `harness` are what the
//! others start from.

// What the tests start from.
mod harness; // temporary trees, the shared corpus, keys, a raw HTTP client of the fake
mod support; // Env: the fake, a key it trusts, a folder, and the binary run against them

// The tree and `validate`, offline.
mod bad_input; // bad input ends in a finding that names its path, never a panic
mod deliver_cases; // what fastlane deliver's own specs assert about reading a tree
mod found_in_trees; // cases found on public trees: invisible characters, phones, genres, nameless locales
mod git_rev; // --rev: the tree as committed, read through git
mod grouped_findings; // a warning repeated across locales printed once; -v lists each
mod loader_fuzz; // arbitrary names and bytes never make the loader panic
mod quirks; // every quirk the real trees taught, as a fixture of our own
mod real_trees; // the ten real trees of the corpus, snapshotted
mod refusals; // what Apple refuses, predicted offline
mod screenshots; // screenshots and previews read as deliver lays them out, and what validate says of them
mod validate_cmd; // `validate` in every format

// plan, apply, pull, init against the fake.
mod apps; // several apps in one run
mod bound_plans; // a saved plan is bound to its files, not to a commit
mod documents; // every document of a run, pinned byte for byte
mod idempotent; // a re-run writes nothing; a killed apply is finished by the next
mod init; // from an empty folder to a first "No changes"
mod plan_file_v1; // plan files saved by an earlier asc-sync still apply
mod product_texts; // in-app purchase and subscription texts planned, applied on the right version
mod pull; // live values back into the tree, never through a link
mod reads; // the live state read at its floor of round trips
mod reconcile; // plan, apply and show end to end
mod regressions; // bugs once found, each pinned
mod release_settings; // [release]: release type, its date and the phased release, as plan lines
mod render_plan; // the plan for people: text and Markdown
mod screenshot_sync; // screenshots and previews planned by checksum, uploaded by Apple's protocol, never twice
mod scripting; // exit codes, JSON and targeting for scripts
mod versions; // which version a run targets, creating or renaming it

// The client, keys and CI.
mod action; // the GitHub Action outside GitHub
mod client; // retries, lost answers, token renewal, paging
mod github; // job summary, sticky comment, annotations, step outputs
mod keys; // fastlane's API-key JSON fixtures, read as fastlane reads them

// The fake App Store Connect, on its own.
mod fake_api; // every endpoint, Apple's envelopes and paging
mod fake_assets; // screenshots and previews: sets, reservations, uploads, processing, refusals
mod fake_categories; // category relationships, as Apple refuses them
mod fake_conformance; // every answer against Apple's OpenAPI schemas
mod fake_edges; // auth, rate limits, faults, /_fake/, the process
mod fake_fastlane_replay; // a deliver metadata run, answered as Apple answers it
mod fake_iap; // in-app purchases: versions, their localizations, version rules and refusals
mod fake_includes; // what clients send that Apple accepts
mod fake_independence; // the fake states Apple's facts for itself
mod fake_refusals; // Apple's refusals with Apple's error bodies
mod fake_tokens; // tokens as Apple's token page describes them

// The project itself.
mod docs; // a short README that leads to every page in docs/
mod help; // --help under headings, within 100 columns, each verb's own exit codes
mod release; // version, crate contents, changelog, install section
