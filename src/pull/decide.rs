//! Which files to write so that the tree states the live values, and as
//! few as that takes.
//!
//! A file is written only when what the tree means for its value differs
//! from the live value. The meaning of a link follows its target, so a
//! write to `en-US/release_notes.txt` also changes what a `de-DE` link to
//! it means: the decision runs to a fixed point. A link whose locale then
//! differs from its target is replaced by a file of its own, never written
//! through; a linked locale folder is first turned into a folder holding
//! copies of what it showed.

use super::layout::{Kind, Layout, Link, split};
use super::slots::Slot;
use crate::findings::Code;
use crate::model::{Attribute, ReviewField};
use crate::tree::MetadataTree;
use std::collections::{BTreeMap, BTreeSet};

/// How many links one chain may pass through, as the loader allows.
const MAX_HOPS: usize = 16;

/// Why a differing value is left as it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Withheld {
    /// The demo password, without `--include-secrets`.
    Secret,
    /// The demo user, while the demo password stays out of the tree.
    DemoUserWithoutPassword,
    /// A value `validate` would refuse (its finding's code, and the line
    /// and column in the file), see `refused`.
    Refused(Code, Option<(usize, usize)>),
}

/// The decision: the value (stripped) each file gets, the linked folders
/// to turn into folders first, and the differing values left alone.
#[derive(Debug, Default)]
pub struct Decision {
    pub writes: BTreeMap<String, String>,
    pub folders: BTreeSet<String>,
    pub withheld: Vec<(usize, Withheld)>,
    pub notes: Vec<String>,
}

pub struct Decider<'a> {
    pub layout: &'a dyn Layout,
    pub slots: &'a [Slot],
    pub tree: &'a MetadataTree,
    /// Live `demoAccountRequired`, which the demo files imply.
    pub demo_account_required: Option<bool>,
    pub include_secrets: bool,
    /// The slots (by index) whose live value `validate` would refuse.
    pub refused: &'a BTreeMap<usize, Withheld>,
}

impl Decider<'_> {
    pub fn decide(&self) -> Decision {
        let mut decision = Decision::default();
        let mut candidates = Vec::new();
        for (i, slot) in self.slots.iter().enumerate() {
            let why = self.refused.get(&i).copied().or_else(|| self.withheld(slot));
            match why {
                Some(why) if !slot.states(slot.current.as_deref()) => decision.withheld.push((i, why)),
                Some(_) => {}
                None => candidates.push(i),
            }
        }
        // A link is decided after the file it leads to, so that it follows
        // its target's new text when that is its own live text too.
        candidates.sort_by_key(|&i| hops(self.layout, &self.slots[i].rel));
        self.settle(&mut decision, &candidates);
        if let Some(note) = self.demo_note(&decision) {
            decision.notes.push(note);
        }
        decision
    }

    fn withheld(&self, slot: &Slot) -> Option<Withheld> {
        if self.include_secrets {
            return None;
        }
        match slot.attribute {
            a if a.is_sensitive() => Some(Withheld::Secret),
            Attribute::Review(ReviewField::DemoAccountName) if self.user_alone_turns_demo_off(slot) => {
                Some(Withheld::DemoUserWithoutPassword)
            }
            _ => None,
        }
    }

    /// deliver derives `demoAccountRequired` from the demo user and
    /// password files. Writing the live demo user while the password stays
    /// out of the tree would make plan turn the demo account off.
    fn user_alone_turns_demo_off(&self, user: &Slot) -> bool {
        let password = self.review_value(ReviewField::DemoAccountPassword);
        !self.demo_consistent(Some(&user.live), password) && self.demo_consistent(user.current.as_deref(), password)
    }

    fn review_value(&self, field: ReviewField) -> Option<&str> {
        self.tree.review.get(&field).map(|t| t.value.as_str())
    }

    /// Whether demo files meaning `user` and `password` agree with the live
    /// `demoAccountRequired` (or say nothing about it, as when both are absent).
    fn demo_consistent(&self, user: Option<&str>, password: Option<&str>) -> bool {
        if user.is_none() && password.is_none() {
            return true;
        }
        let filled = |v: Option<&str>| v.is_some_and(|v| !v.is_empty());
        self.demo_account_required == Some(filled(user) && filled(password))
    }

    /// Writes every candidate whose meaning differs from live, until no
    /// write changes the meaning of another file.
    fn settle(&self, decision: &mut Decision, candidates: &[usize]) {
        loop {
            let mut moved = false;
            for &i in candidates {
                let slot = &self.slots[i];
                if decision.writes.contains_key(&slot.rel) || slot.states(self.meaning(decision, slot)) {
                    continue;
                }
                let (folder, _) = split(&slot.rel);
                if self.layout.folder_link(folder).is_some() {
                    decision.folders.insert(folder.to_owned());
                }
                decision.writes.insert(slot.rel.clone(), slot.live.clone());
                moved = true;
            }
            if !moved {
                return;
            }
        }
    }

    /// What the tree will mean for a slot after the decided writes.
    fn meaning<'s>(&self, decision: &'s Decision, slot: &'s Slot) -> Option<&'s str> {
        planned(self.layout, decision, &slot.rel, 0).or(slot.current.as_deref())
    }

    /// A note when the demo files, as they will be, disagree with the
    /// live `demoAccountRequired` (which deliver's files cannot state).
    fn demo_note(&self, decision: &Decision) -> Option<String> {
        let after = |field: ReviewField| {
            let slot = self.slots.iter().find(|s| s.attribute == Attribute::Review(field));
            match slot {
                Some(s) => self.meaning(decision, s),
                None => self.review_value(field),
            }
        };
        let reviewed = self.slots.iter().any(|s| matches!(s.attribute, Attribute::Review(_)));
        let (user, password) = (
            after(ReviewField::DemoAccountName),
            after(ReviewField::DemoAccountPassword),
        );
        (reviewed && !self.demo_consistent(user, password)).then(|| {
            let live = self.demo_account_required.map_or("unset".to_owned(), |r| r.to_string());
            format!(
                "demoAccountRequired is {live} live, but the demo user and password files (which deliver derives it from) will say otherwise; plan will propose to change it"
            )
        })
    }
}

/// The value the chain of links from `rel` reaches among the decided
/// writes, if it reaches one. A folder turned into a folder holds copies
/// of what it showed before any write, so chains stop there.
fn planned<'d>(layout: &dyn Layout, decision: &'d Decision, rel: &str, hops: usize) -> Option<&'d str> {
    if let Some(v) = decision.writes.get(rel) {
        return Some(v);
    }
    if hops > MAX_HOPS {
        return None;
    }
    let (folder, name) = split(rel);
    if let Some(link) = layout.folder_link(folder) {
        if decision.folders.contains(folder) {
            return None;
        }
        return planned(layout, decision, &format!("{}/{name}", link.next?), hops + 1);
    }
    match layout.kind(rel) {
        Kind::Link(Link { next: Some(next), .. }) => planned(layout, decision, &next, hops + 1),
        _ => None,
    }
}

/// Follows a path through links and linked folders, as the tree is before
/// any write: the path where the chain ends, and the links passed.
fn follow(layout: &dyn Layout, rel: &str) -> (Option<String>, usize) {
    let mut rel = rel.to_owned();
    for hops in 0..=MAX_HOPS {
        let (folder, name) = split(&rel);
        if let Some(link) = layout.folder_link(folder) {
            match link.next {
                Some(next) => rel = format!("{next}/{name}"),
                None => return (None, hops),
            }
            continue;
        }
        match layout.kind(&rel) {
            Kind::File => return (Some(rel), hops),
            Kind::Missing | Kind::Link(Link { next: None, .. }) => return (None, hops),
            Kind::Link(Link { next: Some(next), .. }) => rel = next,
        }
    }
    (None, MAX_HOPS)
}

/// The regular file a path shows, through links and linked folders, as
/// the tree is before any write; `None` when there is none inside the tree.
pub fn source_file(layout: &dyn Layout, rel: &str) -> Option<String> {
    follow(layout, rel).0
}

/// How many links lie between a path and the file it shows.
fn hops(layout: &dyn Layout, rel: &str) -> usize {
    follow(layout, rel).1
}

#[cfg(test)]
mod tests {
    use super::super::layout::memory::MemoryLayout;
    use super::*;
    use crate::model::Field;

    fn notes(locale: &str, live: &str, current: &str) -> Slot {
        Slot {
            attribute: Attribute::Localized(Field::WhatsNew),
            locale: Some(locale.to_owned()),
            rel: format!("{locale}/release_notes.txt"),
            live: live.to_owned(),
            current: Some(current.to_owned()),
        }
    }

    fn decide(layout: &MemoryLayout, slots: &[Slot]) -> Decision {
        let tree = MetadataTree::default();
        Decider {
            layout,
            slots,
            tree: &tree,
            demo_account_required: None,
            include_secrets: false,
            refused: &BTreeMap::new(),
        }
        .decide()
    }

    fn linked() -> MemoryLayout {
        MemoryLayout::default()
            .file("en-US/release_notes.txt")
            .link("de-DE/release_notes.txt", "../en-US/release_notes.txt")
    }

    #[test]
    fn a_linked_locale_that_diverged_gets_a_file_of_its_own() {
        let slots = [notes("en-US", "Fixes", "Fixes"), notes("de-DE", "Fehler", "Fixes")];
        let d = decide(&linked(), &slots);
        assert_eq!(
            d.writes,
            BTreeMap::from([("de-DE/release_notes.txt".to_owned(), "Fehler".to_owned())])
        );
    }

    #[test]
    fn a_link_follows_its_target_when_both_locales_changed_alike() {
        let slots = [notes("en-US", "New", "Old"), notes("de-DE", "New", "Old")];
        let d = decide(&linked(), &slots);
        assert_eq!(d.writes.keys().collect::<Vec<_>>(), ["en-US/release_notes.txt"]);
    }

    #[test]
    fn a_link_listed_before_its_target_still_follows_it() {
        let slots = [notes("de-DE", "New", "Old"), notes("en-US", "New", "Old")];
        let d = decide(&linked(), &slots);
        assert_eq!(d.writes.keys().collect::<Vec<_>>(), ["en-US/release_notes.txt"]);
    }

    #[test]
    fn a_target_that_changed_alone_unlinks_the_locales_that_did_not() {
        let slots = [notes("de-DE", "Old", "Old"), notes("en-US", "New", "Old")];
        let d = decide(&linked(), &slots);
        assert_eq!(d.writes["en-US/release_notes.txt"], "New");
        assert_eq!(d.writes["de-DE/release_notes.txt"], "Old", "de-DE keeps its live text");
    }

    #[test]
    fn a_linked_folder_becomes_a_folder_before_a_write_into_it() {
        let layout = MemoryLayout::default()
            .file("en-US/release_notes.txt")
            .folder_link("en-GB", "en-US");
        let slots = [
            notes("en-US", "Fixes", "Fixes"),
            notes("en-GB", "Fixes, innit", "Fixes"),
        ];
        let d = decide(&layout, &slots);
        assert_eq!(d.folders, BTreeSet::from(["en-GB".to_owned()]));
        assert_eq!(d.writes.keys().collect::<Vec<_>>(), ["en-GB/release_notes.txt"]);
        assert_eq!(
            source_file(&layout, "en-GB/release_notes.txt").as_deref(),
            Some("en-US/release_notes.txt")
        );
    }

    #[test]
    fn the_demo_password_is_left_without_include_secrets() {
        let slot = Slot {
            attribute: Attribute::Review(ReviewField::DemoAccountPassword),
            locale: None,
            rel: "review_information/demo_password.txt".into(),
            live: "hunter2".into(),
            current: None,
        };
        let d = decide(&MemoryLayout::default(), std::slice::from_ref(&slot));
        assert!(d.writes.is_empty());
        assert_eq!(d.withheld, [(0, Withheld::Secret)]);
    }
}
