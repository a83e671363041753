//! `--locale` and `--field`: a run limited to some locales and some
//! attributes, like Terraform's `-target`. `plan`, `apply` and `pull` read
//! one [`Targeting`], so the three agree on what a name means.

use crate::locale::Locale;
use crate::model::Attribute;
use crate::model::media::MediaKind;
use std::collections::BTreeSet;

/// What a run is limited to; everything when both sets are `None`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Targeting {
    locales: Option<BTreeSet<Locale>>,
    attributes: Option<BTreeSet<Attribute>>,
    /// With `--field`: the media kinds it names (`screenshots`, `previews`).
    media: Option<BTreeSet<MediaKind>>,
    /// `--field products`: in-app purchase and subscription texts.
    products: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum TargetingError {
    #[error("--locale {value}: not an App Store locale code{hint}")]
    Locale { value: String, hint: String },
    #[error(
        "--field {value}: not a field asc-sync knows{hint}. Use the API's name (whatsNew), fastlane's file name (release_notes.txt), screenshots or previews"
    )]
    Field { value: String, hint: String },
}

impl Targeting {
    /// Reads the flags' values: locale codes (any case) and field names,
    /// as the API spells them (`whatsNew`) or as fastlane's files are
    /// named (`release_notes.txt`, `release_notes`).
    pub fn parse(locales: &[String], fields: &[String]) -> Result<Targeting, TargetingError> {
        let locales = (!locales.is_empty())
            .then(|| locales.iter().map(|l| locale(l)).collect::<Result<BTreeSet<_>, _>>())
            .transpose()?;
        let is_products = |f: &str| matches!(f.trim(), "products" | "in_app_purchases" | "subscriptions");
        let products = fields.iter().any(|f| is_products(f));
        let (media, text): (Vec<&String>, Vec<&String>) = fields
            .iter()
            .filter(|f| !is_products(f))
            .partition(|f| MediaKind::from_field(f).is_some());
        let attributes = (!fields.is_empty())
            .then(|| text.iter().map(|f| attribute(f)).collect::<Result<BTreeSet<_>, _>>())
            .transpose()?;
        let media = (!fields.is_empty()).then(|| media.iter().filter_map(|f| MediaKind::from_field(f)).collect());
        Ok(Targeting {
            locales,
            attributes,
            media,
            products,
        })
    }

    /// Whether the run covers everything.
    pub fn is_all(&self) -> bool {
        self.locales.is_none() && self.attributes.is_none()
    }

    /// Whether `--field` names some fields (a run limited to them).
    pub fn limits_fields(&self) -> bool {
        self.attributes.is_some()
    }

    /// The locale codes and field names, as given to the flags (for a
    /// plan to record and a saved plan's apply to compare).
    pub fn names(&self) -> (Vec<String>, Vec<String>) {
        let locales = self.locales.iter().flatten().map(|l| l.code().to_owned()).collect();
        let fields = self
            .attributes
            .iter()
            .flatten()
            .map(|a| a.api_name().to_owned())
            .chain(self.media.iter().flatten().map(|k| k.name().to_owned()))
            .chain(self.products.then(|| "products".to_owned()))
            .collect();
        (locales, fields)
    }

    /// Whether an attribute of `locale` (`None` for app-wide values such
    /// as copyright, categories and review details) is in the run. With
    /// `--locale`, app-wide values are out: they belong to no locale.
    pub fn selects(&self, locale: Option<&str>, attribute: Attribute) -> bool {
        let locale_ok = match (&self.locales, locale) {
            (None, _) => true,
            (Some(set), Some(code)) => set.iter().any(|l| l.code() == code),
            (Some(_), None) => false,
        };
        locale_ok && self.attributes.as_ref().is_none_or(|set| set.contains(&attribute))
    }

    /// Whether the screenshots or previews of `locale` are in the run.
    pub fn selects_media(&self, locale: &str, kind: MediaKind) -> bool {
        let locale_ok = self
            .locales
            .as_ref()
            .is_none_or(|set| set.iter().any(|l| l.code() == locale));
        locale_ok && self.media.as_ref().is_none_or(|set| set.contains(&kind))
    }

    /// Whether the in-app purchase and subscription texts of `locale` are
    /// in the run: every locale's without `--field`, or `--field products`.
    pub fn selects_products(&self, locale: &str) -> bool {
        let locale_ok = self
            .locales
            .as_ref()
            .is_none_or(|set| set.iter().any(|l| l.code() == locale));
        locale_ok && (self.attributes.is_none() || self.products)
    }

    /// For a plan's header: `locales de-DE, fr-FR; fields whatsNew`.
    pub fn describe(&self) -> Option<String> {
        let (locales, fields) = self.names();
        describe(&locales, &fields)
    }
}

/// `locales de-DE, fr-FR; fields whatsNew` from the names a run was
/// limited to (as a plan records them); `None` when it was not.
pub fn describe(locales: &[String], fields: &[String]) -> Option<String> {
    let mut parts = Vec::new();
    if !locales.is_empty() {
        parts.push(format!("locales {}", locales.join(", ")));
    }
    if !fields.is_empty() {
        parts.push(format!("fields {}", fields.join(", ")));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

fn locale(value: &str) -> Result<Locale, TargetingError> {
    Locale::ignoring_case(value.trim()).ok_or_else(|| TargetingError::Locale {
        value: value.to_owned(),
        hint: crate::locale::suggest(value)
            .first()
            .map(|l| format!("; did you mean '{l}'?"))
            .unwrap_or_default(),
    })
}

fn attribute(value: &str) -> Result<Attribute, TargetingError> {
    let value = value.trim();
    let by_file = |name: &str| {
        let file = if name.ends_with(".txt") {
            name.to_owned()
        } else {
            format!("{name}.txt")
        };
        Attribute::all().find(|a| a.file_names().contains(&file.as_str()))
    };
    Attribute::from_api_name(value)
        .or_else(|| by_file(value))
        .ok_or_else(|| TargetingError::Field {
            value: value.to_owned(),
            hint: crate::model::closest(value, Attribute::all().map(Attribute::api_name))
                .map(|s| format!("; did you mean '{s}'?"))
                .unwrap_or_default(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Field, ReviewField};

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn names_are_the_apis_or_fastlanes() {
        let t = Targeting::parse(&[], &strings(&["whatsNew", "promotional_text.txt", "notes"])).unwrap();
        assert!(t.selects(Some("de-DE"), Attribute::Localized(Field::WhatsNew)));
        assert!(t.selects(Some("de-DE"), Attribute::Localized(Field::PromotionalText)));
        assert!(t.selects(None, Attribute::Review(ReviewField::Notes)));
        assert!(!t.selects(Some("de-DE"), Attribute::Localized(Field::Description)));
        assert_eq!(t.describe().as_deref(), Some("fields notes, promotionalText, whatsNew"));
    }

    #[test]
    fn locales_match_ignoring_case_and_leave_app_wide_values_out() {
        let t = Targeting::parse(&strings(&["de-de", "fr-FR"]), &[]).unwrap();
        assert!(t.selects(Some("de-DE"), Attribute::Localized(Field::Name)));
        assert!(!t.selects(Some("en-US"), Attribute::Localized(Field::Name)));
        assert!(!t.selects(None, Attribute::Copyright));
        assert_eq!(t.describe().as_deref(), Some("locales de-DE, fr-FR"));
    }

    #[test]
    fn nothing_given_selects_everything() {
        let t = Targeting::parse(&[], &[]).unwrap();
        assert!(t.is_all() && t.describe().is_none());
        assert!(t.selects(None, Attribute::Copyright));
    }

    #[test]
    fn screenshots_and_previews_are_fields_too() {
        let t = Targeting::parse(&strings(&["de-DE"]), &strings(&["screenshots"])).unwrap();
        assert!(t.selects_media("de-DE", MediaKind::Screenshots));
        assert!(!t.selects_media("de-DE", MediaKind::Previews));
        assert!(!t.selects_media("en-US", MediaKind::Screenshots));
        assert!(!t.selects(Some("de-DE"), Attribute::Localized(Field::Name)));
        assert_eq!(t.describe().as_deref(), Some("locales de-DE; fields screenshots"));
        let text_only = Targeting::parse(&[], &strings(&["whatsNew"])).unwrap();
        assert!(!text_only.selects_media("de-DE", MediaKind::Screenshots));
        assert!(
            Targeting::parse(&[], &[])
                .unwrap()
                .selects_media("de-DE", MediaKind::Previews)
        );
    }

    #[test]
    fn unknown_names_get_a_hint() {
        let e = Targeting::parse(&strings(&["nb"]), &[]).unwrap_err().to_string();
        assert!(e.contains("'no'"), "{e}");
        let e = Targeting::parse(&[], &strings(&["whatsnew2"])).unwrap_err().to_string();
        assert!(e.contains("did you mean 'whatsNew'"), "{e}");
    }
}
