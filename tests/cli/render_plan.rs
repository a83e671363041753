//! The three renderings of one plan, pinned by snapshots, and the
//! Markdown's defences: escaping of untrusted text and the size cap.

use crate::harness::TempTree;
use crate::harness::{live, loc};
use asc_sync::live::LiveLocalization;
use asc_sync::model::Field;
use asc_sync::plan::{DiffOptions, Plan, diff};

const NOTES_BEFORE: &str = "What's new in 2.1:\n• Shared watchlists\n• Faster search\n• Fixed a crash when importing a CSV file\n• Better dark mode\n• New widgets\n• Smaller download";
const NOTES_AFTER: &str = "What's new in 2.1:\n• Shared watchlists: invite friends and plan movie night together\n• Faster search\n• Fixed a crash when importing a very large CSV file\n• Better dark mode\n• New widgets\n• Smaller download\n• Thanks for watching!";

/// A plan with a create, updates, a keyword change, a whitespace-only
/// change and a long multi-line release note.
fn sample_plan() -> Plan {
    let t = TempTree::new(&[
        ("en-US/release_notes.txt", NOTES_AFTER.as_bytes()),
        ("en-US/keywords.txt", b"movies,film,diary,watchlist,cinema"),
        ("en-US/promotional_text.txt", b"New: shared watchlists."),
        (
            "en-US/description.txt",
            b"Marquee is the movie journal.\n\nLog every film.",
        ),
        ("en-US/name.txt", b"Marquee"),
        ("de-DE/description.txt", b"Marquee ist das Filmtagebuch."),
        ("de-DE/name.txt", b"Marquee: Filmtagebuch"),
    ]);
    let loaded = t.load();
    assert!(!loaded.has_errors());
    let live = live(
        vec![(
            "en-US",
            loc(
                "l-en",
                &[
                    (Field::WhatsNew, NOTES_BEFORE),
                    (Field::Keywords, "movies,film,diary,imdb"),
                    (Field::PromotionalText, "Old promo."),
                    (Field::Description, "Marquee is the movie journal.\nLog every film."),
                ],
            ),
        )],
        vec![("en-US", loc("il-en", &[(Field::Name, "Marquee")]))],
    );
    let mut plan = diff(
        &loaded.tree,
        &live,
        &DiffOptions {
            metadata_path: "fastlane/metadata".into(),
            ..Default::default()
        },
    );
    plan.created_at = "2026-11-24T00:00:00Z".into();
    for c in &mut plan.changes {
        for a in c.attributes.values_mut() {
            a.file = a
                .file
                .as_ref()
                .map(|f| f.replacen(&t.metadata().display().to_string(), "fastlane/metadata", 1));
        }
    }
    plan
}

#[test]
fn text_rendering() {
    insta::assert_snapshot!("plan_text", asc_sync::render::plan::text(&sample_plan(), false));
}

#[test]
fn markdown_rendering() {
    insta::assert_snapshot!("plan_markdown", asc_sync::render::plan::markdown(&sample_plan()));
}

#[test]
fn json_rendering() {
    let mut plan = sample_plan();
    plan.tool_version = "x.y.z".into();
    insta::assert_snapshot!("plan_json", plan.to_json());
}

#[test]
fn the_whitespace_only_change_is_labelled() {
    let text = asc_sync::render::plan::text(&sample_plan(), false);
    assert!(text.contains("description (whitespace-only change)"), "{text}");
}

#[test]
fn colour_only_when_asked() {
    let plain = asc_sync::render::plan::text(&sample_plan(), false);
    let coloured = asc_sync::render::plan::text(&sample_plan(), true);
    assert!(!plain.contains('\u{1b}'));
    assert!(coloured.contains('\u{1b}'));
}

/// Text outside fenced code blocks, where Markdown and HTML are live.
fn outside_code(md: &str) -> String {
    let mut out = String::new();
    let mut fence: Option<String> = None;
    for line in md.lines() {
        let ticks: String = line.chars().take_while(|c| *c == '`').collect();
        match &fence {
            None if ticks.len() >= 3 => fence = Some(ticks),
            Some(f) if ticks.len() >= f.len() && line.trim_start_matches('`').trim().is_empty() => fence = None,
            None => {
                out.push_str(line);
                out.push('\n');
            }
            _ => {}
        }
    }
    assert!(fence.is_none(), "a code block was left open");
    out
}

#[test]
fn untrusted_text_cannot_escape_the_markdown() {
    let evil = "```\n</details><script>alert(1)</script>\n@org/team please look\n````";
    let t = TempTree::new(&[("en-US/description.txt", evil.as_bytes()), ("en-US/name.txt", b"x")]);
    let live = live(
        vec![("en-US", loc("l-en", &[(Field::Description, "old")]))],
        vec![("en-US", loc("il", &[(Field::Name, "x")]))],
    );
    let plan = diff(&t.load().tree, &live, &DiffOptions::default());
    let md = asc_sync::render::plan::markdown(&plan);
    let live_text = outside_code(&md);
    assert!(!live_text.contains("<script>"), "{md}");
    assert!(!live_text.contains("@org/team"), "{md}");
    assert_eq!(
        live_text.matches("<details>").count(),
        live_text.matches("</details>").count(),
        "{md}"
    );
    assert!(
        md.contains("@org/team please look"),
        "inside the code block the text is kept as is"
    );
}

#[test]
fn the_markdown_stays_under_the_comment_limit() {
    let big = "Lorem ipsum dolor sit amet. ".repeat(140);
    let files: Vec<(String, Vec<u8>)> = asc_sync::locale::ALL
        .iter()
        .flat_map(|l| {
            [
                (format!("{l}/description.txt"), big.clone().into_bytes()),
                (format!("{l}/release_notes.txt"), big.replace(". ", ".\n").into_bytes()),
            ]
        })
        .collect();
    let refs: Vec<(&str, &[u8])> = files.iter().map(|(p, b)| (p.as_str(), b.as_slice())).collect();
    let t = TempTree::new(&refs);
    let locs: Vec<(&str, LiveLocalization)> = asc_sync::locale::ALL
        .iter()
        .map(|l| {
            (
                *l,
                loc(
                    &format!("id-{l}"),
                    &[(Field::Description, "old"), (Field::WhatsNew, "old")],
                ),
            )
        })
        .collect();
    let plan = diff(&t.load().tree, &live(locs, vec![]), &DiffOptions::default());
    let md = asc_sync::render::plan::markdown(&plan);
    assert!(
        md.chars().count() <= asc_sync::render::plan::MARKDOWN_LIMIT,
        "{}",
        md.chars().count()
    );
    assert!(
        md.contains("Plan: 0 to create, 50 to update, 0 to delete (50 requests)"),
        "the summary is kept"
    );
    assert!(md.contains("| zh-Hant |"), "the table is kept");
    assert!(md.contains("locale diffs are not shown"), "the cut is said");
    outside_code(&md);
}
