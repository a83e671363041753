//! The product's typed vocabulary of App Store Connect: resources, their
//! attributes and fastlane's file for each (`fields`), resource types
//! (`resource`), and the rules of Apple's that asc-sync predicts offline
//! (`rules`), and the slots screenshots and previews fill (`media`). Every other stage speaks in these types; no stage matches
//! on attribute or resource names as strings.

mod category;
mod fields;
pub mod media;
pub mod products;
mod resource;
mod rules;
mod state;
mod value;

pub use category::{AppCategory, category_id};
pub use fields::{
    Attribute, CategorySlot, Field, Kind, Localization, ReviewField, RootField, closest, closest_locale_file,
};
pub use resource::ResourceKind;
pub use rules::Editability;
pub use state::{AppInfoState, Platform, VersionState};
pub use value::Value;
