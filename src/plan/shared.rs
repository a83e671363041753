//! One App Store app on several platforms (two `[[apps]]` entries with one
//! bundle id, an iOS and a macOS listing, say) has one app info: its name,
//! subtitle, privacy URLs and categories are the same on every platform,
//! while each platform has its own versions. Both entries' plans read that
//! app info, so a change to it would be planned, and sent, twice.
//!
//! So the trees of such entries must agree about the app info: a later
//! entry (in the file's order) whose tree states another value than an
//! earlier one's for a field they share is not planned (whichever wrote
//! last would win, and each plan would undo the other). A field one tree
//! leaves out (no file, or a blank one that keeps) is no disagreement.
//! Between plans that agree, the earlier entry keeps each app-info change,
//! and a later one planning the same leaves it out, with a note.

use super::{Action, AppPlan, Change, Plan};
use crate::config::BlankFiles;
use crate::model::{Localization, ResourceKind, RootField, category_id};
use crate::tree::{MetadataTree, TextValue};

/// Leaves each app-info change to the first app of its bundle id that
/// plans it; an app whose tree disagrees with an earlier one's about the
/// app info gets that as its error instead of a plan.
pub fn settle_shared_app_info(apps: &mut [AppPlan]) {
    for later in 1..apps.len() {
        let (earlier, rest) = apps.split_at_mut(later);
        let this = &mut rest[0];
        let Some(mut plan) = this.plan.take() else { continue };
        let mut conflict = None;
        for other in earlier.iter().filter(|o| o.bundle_id == this.bundle_id) {
            if let Some(theirs) = &other.plan
                && let Err(e) = leave_to(&mut plan, theirs, &other.name)
            {
                conflict = Some(e);
                break;
            }
        }
        *this = match conflict {
            None => AppPlan::planned(&this.name, plan),
            Some(e) => AppPlan::failed(&this.name, &this.bundle_id, this.platform, e),
        };
    }
}

/// A tree and how it reads blank files, as `plan` reads it.
pub struct TreeView<'a> {
    pub tree: &'a MetadataTree,
    pub blank_files: BlankFiles,
}

impl TreeView<'_> {
    /// What a file asks for: its text, or clearing (`""`) for a blank
    /// file under `blank_files = "clear"`; `None` to keep the live value.
    fn wants(&self, value: Option<&TextValue>) -> Option<String> {
        let value = value?;
        match (value.is_blank(), self.blank_files) {
            (false, _) => Some(value.value.clone()),
            (true, BlankFiles::Clear) => Some(String::new()),
            (true, BlankFiles::Keep) => None,
        }
    }

    /// Every app-info value the tree asks for, by a name for messages.
    fn app_info(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (locale, values) in &self.tree.locales {
            for (field, value) in &values.fields {
                if field.localization() == Localization::AppInfo
                    && let Some(wanted) = self.wants(Some(value))
                {
                    out.push((format!("{locale} {}", field.api_name()), wanted));
                }
            }
        }
        for (root, value) in &self.tree.root_fields {
            if let RootField::Category(slot) = root
                && !value.is_blank()
            {
                out.push((slot.api_name().to_owned(), category_id(&value.value, *slot)));
            }
        }
        out
    }
}

/// Where `mine` and `theirs` (app `name`'s tree), two listings of the app
/// `bundle_id`, ask for different values of the app info they share;
/// `None` when they agree.
pub fn app_info_disagreement(bundle_id: &str, mine: &TreeView, theirs: &TreeView, name: &str) -> Option<String> {
    let theirs: std::collections::BTreeMap<String, String> = theirs.app_info().into_iter().collect();
    let differ: Vec<String> = mine
        .app_info()
        .into_iter()
        .filter_map(|(what, value)| {
            let other = theirs.get(&what)?;
            (*other != value).then(|| format!("{what}: {other:?} in app {name}'s tree, {value:?} in this one"))
        })
        .collect();
    (!differ.is_empty()).then(|| {
        format!(
            "{} has one app info for every platform, and this app's tree and app {name}'s disagree about it: {}. Make the files agree, or leave the file out of one tree (a missing file keeps the live value); nothing was planned for this app",
            bundle_id,
            differ.join("; ")
        )
    })
}

fn shared(c: &Change) -> bool {
    matches!(c.resource, ResourceKind::AppInfos | ResourceKind::AppInfoLocalizations)
}

/// Takes out of `plan` the app-info changes `theirs` (app `name`'s plan)
/// makes alike; the disagreements, if any, as an error.
fn leave_to(plan: &mut Plan, theirs: &Plan, name: &str) -> Result<(), String> {
    let mut left = Vec::new();
    let mut disagree = Vec::new();
    plan.changes.retain_mut(|mine| {
        let same = theirs.changes.iter().find(|t| {
            shared(mine) && t.resource == mine.resource && t.locale == mine.locale && t.action == mine.action
        });
        let Some(same) = same else { return true };
        if mine.action != Action::Update {
            // A create or delete goes whole to the app that plans it first.
            let alike = mine
                .attributes
                .iter()
                .all(|(a, c)| same.attributes.get(a).is_some_and(|t| t.after == c.after));
            if alike {
                left.push(same.label());
            } else {
                disagree.push(format!(
                    "app {name} {}s {} with other values",
                    same.action.verb(),
                    same.label()
                ));
            }
            return !alike;
        }
        let before = mine.attributes.len();
        mine.attributes
            .retain(|attribute, change| match same.attributes.get(attribute) {
                Some(t) if t.after == change.after => false,
                Some(t) => {
                    disagree.push(format!(
                        "{} {attribute}: {} in app {name}'s tree, {} in this one",
                        same.label(),
                        t.after,
                        change.after
                    ));
                    true
                }
                None => true,
            });
        if mine.attributes.len() < before {
            left.push(same.label());
        }
        !mine.attributes.is_empty()
    });
    if !disagree.is_empty() {
        return Err(format!(
            "{} has one app info for every platform, and this app's tree and app {name}'s disagree about it: {}. Make the files agree, or leave the file out of one tree (a missing file keeps the live value); nothing was planned for this app",
            plan.source.bundle_id,
            disagree.join("; ")
        ));
    }
    if !left.is_empty() {
        left.dedup();
        plan.notes.push(format!(
            "{}: left to app {name}, which plans the same (an app has one app info for every platform)",
            left.join(", ")
        ));
        plan.recount();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Attribute, Field};
    use crate::plan::AttributeChange;

    fn change(resource: ResourceKind, attributes: &[(Attribute, &str)]) -> Change {
        Change {
            resource,
            id: Some("x".into()),
            locale: Some("en-US".into()),
            action: Action::Update,
            parent: None,
            attributes: attributes
                .iter()
                .map(|(a, v)| {
                    let change = AttributeChange {
                        before: crate::model::Value::text("old"),
                        after: crate::model::Value::text(v),
                        file: None,
                        sensitive: false,
                        fingerprints: None,
                    };
                    (*a, change)
                })
                .collect(),
            blocked: None,
            origin: None,
        }
    }

    fn app(name: &str, changes: Vec<Change>) -> AppPlan {
        let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/plan-v1/plan.json");
        let mut plan = Plan::from_json(&std::fs::read_to_string(fixture).unwrap(), "plan.json").unwrap();
        plan.changes = changes;
        plan.recount();
        AppPlan::planned(name, plan)
    }

    #[test]
    fn the_same_app_info_change_is_sent_once_and_the_versions_each() {
        let info = |v| {
            change(
                ResourceKind::AppInfoLocalizations,
                &[
                    (Attribute::Localized(Field::Subtitle), v),
                    (Attribute::Localized(Field::Name), "N"),
                ],
            )
        };
        let version = change(
            ResourceKind::AppStoreVersionLocalizations,
            &[(Attribute::Localized(Field::Keywords), "k")],
        );
        let mut apps = [
            app("ios", vec![info("S"), version.clone()]),
            app("mac", vec![info("S"), version]),
        ];
        settle_shared_app_info(&mut apps);
        assert_eq!(apps[0].plan.as_ref().unwrap().summary.update, 2);
        let mac = apps[1].plan.as_ref().unwrap();
        assert_eq!(mac.summary.update, 1);
        assert_eq!(mac.changes[0].resource, ResourceKind::AppStoreVersionLocalizations);
        assert!(
            mac.notes.iter().any(|n| n.contains("left to app ios")),
            "{:?}",
            mac.notes
        );
    }

    #[test]
    fn trees_that_disagree_about_the_app_info_fail_the_later_app() {
        let info = |v| {
            change(
                ResourceKind::AppInfoLocalizations,
                &[(Attribute::Localized(Field::Subtitle), v)],
            )
        };
        let mut apps = [app("ios", vec![info("One")]), app("mac", vec![info("Other")])];
        settle_shared_app_info(&mut apps);
        assert!(apps[0].plan.is_some());
        let error = apps[1].error.as_deref().unwrap();
        assert!(
            error.contains("subtitle: \"One\" in app ios's tree, \"Other\" in this one"),
            "{error}"
        );
    }

    fn tree(files: &[(&str, &str)]) -> (tempfile::TempDir, MetadataTree) {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let file = dir.path().join(path);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(file, text).unwrap();
        }
        let tree = crate::tree::load_dir(dir.path(), &Default::default()).tree;
        (dir, tree)
    }

    #[test]
    fn trees_disagree_only_where_both_ask_for_a_value() {
        let (_a, ios) = tree(&[("en-US/name.txt", "Marquee"), ("en-US/subtitle.txt", "Films")]);
        let (_b, mac) = tree(&[("en-US/name.txt", "Marquee"), ("en-US/subtitle.txt", " \n")]);
        let view = |tree, blank_files| TreeView { tree, blank_files };
        let keep = view(&mac, BlankFiles::Keep);
        assert_eq!(
            app_info_disagreement("com.x", &keep, &view(&ios, BlankFiles::Keep), "ios"),
            None
        );
        let clear = view(&mac, BlankFiles::Clear);
        let error = app_info_disagreement("com.x", &clear, &view(&ios, BlankFiles::Keep), "ios").unwrap();
        assert!(
            error.contains("en-US subtitle: \"Films\" in app ios's tree, \"\" in this one"),
            "{error}"
        );
    }

    #[test]
    fn apps_of_other_bundle_ids_keep_their_own() {
        let info = || {
            change(
                ResourceKind::AppInfoLocalizations,
                &[(Attribute::Localized(Field::Subtitle), "S")],
            )
        };
        let mut apps = [app("ios", vec![info()]), app("widget", vec![info()])];
        apps[1].bundle_id = "com.example.widget".into();
        settle_shared_app_info(&mut apps);
        assert_eq!(apps[1].plan.as_ref().unwrap().summary.update, 1);
    }
}
