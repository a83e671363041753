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
    Ok(())
}
