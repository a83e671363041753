//! Category files hold Apple's `appCategories` ids, or fastlane's legacy
//! names for them.

/// fastlane's category names: `MZGenre.` prefixes and legacy spellings
/// (`Photo & Video`) become Apple's ids (`PHOTO_AND_VIDEO`).
pub fn category_id(value: &str) -> String {
    let v = value.trim_start_matches("MZGenre.").trim_start_matches("Apps.");
    let mut id = String::new();
    for c in v.replace('&', " AND ").chars() {
        if c.is_ascii_alphanumeric() {
            id.push(c.to_ascii_uppercase());
        } else if !id.ends_with('_') && !id.is_empty() {
            id.push('_');
        }
    }
    id.trim_end_matches('_').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn category_names_become_apples_ids() {
        assert_eq!(category_id("ENTERTAINMENT"), "ENTERTAINMENT");
        assert_eq!(category_id("MZGenre.Productivity"), "PRODUCTIVITY");
        assert_eq!(category_id("Photo & Video"), "PHOTO_AND_VIDEO");
        assert_eq!(category_id("GAMES_ACTION"), "GAMES_ACTION");
    }
}
