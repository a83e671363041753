//! Guardrails: a broken checkout (a deleted folder, files emptied by a bad
//! merge) must not wipe a listing. A plan that deletes locales, or clears
//! more than 20 % of the live values, is refused unless the user says
//! `--allow-destructive` (octoDNS's idea). The message carries the numbers.

use super::{Action, Plan};

pub const MAX_CLEARED_SHARE: f64 = 0.2;

#[derive(Debug, thiserror::Error)]
pub enum UnsafePlan {
    #[error(
        "the plan deletes {} ({names}); pass --allow-destructive if that is meant (a missing folder may be a broken checkout)",
        crate::render::count(*locales, "locale")
    )]
    Deletes { locales: usize, names: String },
    #[error(
        "the plan clears {cleared} of {live} live values ({share:.0}%, over the {max:.0}% limit); pass --allow-destructive if that is meant"
    )]
    TooManyClears {
        cleared: usize,
        live: usize,
        share: f64,
        max: f64,
    },
    #[error(
        "the plan deletes {deleted} of {live} live screenshots and previews without replacing them ({share:.0}%, over the {max:.0}% limit): {sets}; pass --allow-destructive if that is meant"
    )]
    MediaDeletes {
        deleted: usize,
        live: usize,
        share: f64,
        max: f64,
        sets: String,
    },
}

/// `live_values` is the number of non-empty live values the plan could touch.
pub fn check_safety(plan: &Plan, live_values: usize, allow_destructive: bool) -> Result<(), UnsafePlan> {
    if allow_destructive {
        return Ok(());
    }
    let deletes: Vec<&str> = plan
        .changes
        .iter()
        .filter(|c| c.action == Action::Delete && !c.is_blocked())
        .filter_map(|c| c.locale.as_deref())
        .collect();
    if !deletes.is_empty() {
        let mut names = deletes.clone();
        names.dedup();
        return Err(UnsafePlan::Deletes {
            locales: names.len(),
            names: names.join(", "),
        });
    }
    let cleared = plan
        .changes
        .iter()
        .filter(|c| !c.is_blocked() && c.action == Action::Update)
        .flat_map(|c| c.attributes.values())
        .filter(|a| a.after.is_unset() && !a.before.is_unset())
        .count();
    if live_values > 0 && cleared as f64 / live_values as f64 > MAX_CLEARED_SHARE {
        return Err(UnsafePlan::TooManyClears {
            cleared,
            live: live_values,
            share: 100.0 * cleared as f64 / live_values as f64,
            max: 100.0 * MAX_CLEARED_SHARE,
        });
    }
    check_media(plan)
}

/// Images deleted and not replaced, against the live images of the
/// slots the tree has: a set refreshed with new images passes; a folder
/// emptied by a bad merge does not.
fn check_media(plan: &Plan) -> Result<(), UnsafePlan> {
    let Some(summary) = &plan.summary.media else {
        return Ok(());
    };
    let sent = || plan.media.iter().filter(|c| !c.is_blocked());
    let deleted: usize = sent().map(|c| c.net_deletes()).sum();
    let live = summary.unchanged + sent().flat_map(|c| &c.deletes).filter(|d| !d.is_leftover()).count();
    if live == 0 || (deleted as f64 / live as f64) <= MAX_CLEARED_SHARE {
        return Ok(());
    }
    let sets: Vec<String> = sent().filter(|c| c.net_deletes() > 0).map(|c| c.label()).collect();
    Err(UnsafePlan::MediaDeletes {
        deleted,
        live,
        share: 100.0 * deleted as f64 / live as f64,
        max: 100.0 * MAX_CLEARED_SHARE,
        sets: sets.join(", "),
    })
}
