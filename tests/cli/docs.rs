//! The documentation: a short README that leads to every page in docs/,
//! and relative links, in the README and the pages alike, that lead
//! somewhere (the file, and the heading an anchor names).

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The README's budget: what it is, why, install, the start, the workflow
/// in short, and links; the rest lives in docs/.
const README_MAX_BYTES: u64 = 15_000;

/// The pages in docs/, as paths from the repository's root.
fn pages() -> Vec<String> {
    let mut pages: Vec<String> = std::fs::read_dir(repo().join("docs"))
        .unwrap()
        .map(|e| format!("docs/{}", e.unwrap().file_name().to_string_lossy()))
        .filter(|name| name.ends_with(".md"))
        .collect();
    pages.sort();
    pages
}

/// A Markdown file's headings as GitHub anchors them, and its links.
struct Document {
    anchors: BTreeSet<String>,
    links: Vec<String>,
}

fn read(file: &str) -> Document {
    let text = std::fs::read_to_string(repo().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
    let mut anchors = BTreeSet::new();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut links = Vec::new();
    let mut heading: Option<String> = None;
    for event in Parser::new_ext(&text, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::Heading { .. }) => heading = Some(String::new()),
            Event::End(TagEnd::Heading(_)) => {
                let slug = slug(&heading.take().unwrap());
                // GitHub numbers a repeated heading's anchor: x, x-1, x-2.
                let seen = counts.entry(slug.clone()).or_insert(0);
                anchors.insert(if *seen == 0 { slug } else { format!("{slug}-{seen}") });
                *seen += 1;
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some(h) = heading.as_mut() {
                    h.push_str(&t);
                }
            }
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => links.push(dest_url.to_string()),
            _ => {}
        }
    }
    Document { anchors, links }
}

/// GitHub's anchor for a heading: lower case, punctuation dropped (but
/// `-` and `_`), each space a `-`.
fn slug(heading: &str) -> String {
    heading
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ' '))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// Whether a link leaves the repository (a web address, a mail).
fn external(link: &str) -> bool {
    link.contains("://") || link.starts_with("mailto:")
}

/// A relative link from `file`, as a path from the repository's root and
/// an anchor; `..` resolved, and refused when it climbs out of the
/// repository.
fn resolve(file: &str, link: &str) -> (String, Option<String>) {
    let (path, anchor) = match link.split_once('#') {
        Some((path, anchor)) => (path, Some(anchor.to_owned())),
        None => (link, None),
    };
    if path.is_empty() {
        return (file.to_owned(), anchor);
    }
    let mut resolved = PathBuf::new();
    for part in Path::new(file).parent().unwrap().join(path).components() {
        match part {
            Component::ParentDir => assert!(resolved.pop(), "{file}: {link} leads out of the repository"),
            Component::Normal(p) => resolved.push(p),
            _ => panic!("{file}: {link} is not relative"),
        }
    }
    (resolved.to_string_lossy().into_owned(), anchor)
}

#[test]
fn the_readme_stays_short() {
    let size = std::fs::metadata(repo().join("README.md")).unwrap().len();
    assert!(
        size < README_MAX_BYTES,
        "README.md is {size} bytes, over {README_MAX_BYTES}: move the detail to a page in docs/"
    );
}

#[test]
fn the_readme_leads_to_every_page_in_docs() {
    let pages = pages();
    assert!(pages.len() >= 10, "{pages:?}");
    let mut linked = BTreeSet::new();
    for link in read("README.md").links.iter().filter(|l| !external(l)) {
        linked.insert(resolve("README.md", link).0);
    }
    assert!(linked.contains("docs/README.md"), "README.md links no index of docs/");
    for link in read("docs/README.md").links.iter().filter(|l| !external(l)) {
        linked.insert(resolve("docs/README.md", link).0);
    }
    let orphans: Vec<&String> = pages.iter().filter(|p| !linked.contains(*p)).collect();
    assert!(
        orphans.is_empty(),
        "not linked from README.md or docs/README.md: {orphans:?}"
    );
}

#[test]
fn every_relative_link_leads_to_a_file_and_heading() {
    let files: Vec<String> = std::iter::once("README.md".to_owned()).chain(pages()).collect();
    let mut documents: BTreeMap<String, Document> = BTreeMap::new();
    let mut broken = Vec::new();
    let mut checked = 0;
    for file in &files {
        let links = read(file).links;
        for link in links.iter().filter(|l| !external(l)) {
            checked += 1;
            let (target, anchor) = resolve(file, link);
            if !repo().join(&target).exists() {
                broken.push(format!("{file}: {link}: no {target}"));
                continue;
            }
            let Some(anchor) = anchor else { continue };
            if !target.ends_with(".md") {
                broken.push(format!("{file}: {link}: an anchor in a file that is not Markdown"));
                continue;
            }
            let document = documents.entry(target.clone()).or_insert_with(|| read(&target));
            if !document.anchors.contains(&anchor) {
                broken.push(format!(
                    "{file}: {link}: no heading #{anchor} in {target} (it has {:?})",
                    document.anchors
                ));
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
    assert!(checked >= 50, "{checked} links");
}

#[test]
fn anchors_are_made_as_github_makes_them() {
    assert_eq!(
        slug("A saved plan is bound to its files, not to a commit"),
        "a-saved-plan-is-bound-to-its-files-not-to-a-commit"
    );
    assert_eq!(
        slug("`asc-sync init`: the start without a tree"),
        "asc-sync-init-the-start-without-a-tree"
    );
    assert_eq!(
        slug("One process or one job per app?"),
        "one-process-or-one-job-per-app"
    );
    assert_eq!(slug("`--github`: job summary"), "--github-job-summary");
}
