//! In-app purchase and subscription texts back into files: each live text
//! of each product's newest version into its file beside the metadata
//! folder, as the tree reads it (`in_app_purchases/<productId>/<locale>/`,
//! `subscriptions/<group>/[<productId>/]<locale>/`). A file that already
//! states the live value is left byte for byte; an unset live text writes
//! no file; a live text Apple would refuse (over its limit) is left out
//! with a note, as for the listing. Nothing is ever deleted.

use crate::live::products::{LiveProduct, LiveProducts};
use crate::model::products::Family;
use crate::tree::text::strip;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// One product text file a pull creates or changes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProductFile {
    pub path: String,
    pub action: super::FileAction,
    #[serde(skip)]
    write: Option<(PathBuf, String)>,
}

impl ProductFile {
    /// Writes the file (its folders first).
    pub fn write(&self) -> std::io::Result<()> {
        if let Some((path, text)) = &self.write {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(path, text)?;
        }
        Ok(())
    }
}

/// The folder of one live product, from the folder beside the metadata.
fn folder(base: &Path, product: &LiveProduct) -> PathBuf {
    let safe = |s: &str| s.replace(['/', '\\'], "_");
    match (product.family, &product.group) {
        (Family::InAppPurchase, _) => base.join("in_app_purchases").join(safe(&product.key)),
        (Family::SubscriptionGroup, _) => base.join("subscriptions").join(safe(&product.key)),
        (Family::Subscription, group) => base
            .join("subscriptions")
            .join(safe(group.as_deref().unwrap_or("_")))
            .join(safe(&product.key)),
    }
}

/// The files a pull writes for `live`, and notes for texts left out.
pub fn decide(metadata: &Path, live: &LiveProducts) -> (Vec<ProductFile>, Vec<String>) {
    let base = metadata.parent().unwrap_or_else(|| Path::new("."));
    let (mut files, mut notes) = (Vec::new(), Vec::new());
    for product in &live.items {
        let dir = folder(base, product);
        for (locale, localization) in &product.localizations {
            for (text, value) in &localization.texts {
                let Some(value) = value.as_deref().map(strip).filter(|v| !v.is_empty()) else {
                    continue;
                };
                let path = dir.join(locale).join(text.file_name());
                let shown = path.display().to_string();
                if let Some(limit) = text.limit(product.family)
                    && value.chars().count() > limit
                {
                    notes.push(format!(
                        "{shown}: the live {text} is over Apple's {limit} characters; not written"
                    ));
                    continue;
                }
                let current = std::fs::read(&path).ok();
                let action = match current
                    .as_deref()
                    .map(|b| strip(&String::from_utf8_lossy(b)).to_owned())
                {
                    Some(now) if now == value => continue,
                    Some(_) => super::FileAction::Changed,
                    None => super::FileAction::Created,
                };
                files.push(ProductFile {
                    path: shown,
                    action,
                    write: Some((path, format!("{value}\n"))),
                });
            }
        }
    }
    (files, notes)
}
