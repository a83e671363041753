//! App Store Connect's screenshot display types and preview types, and the
//! pixel sizes each accepts: asc-sync's own statement of them, from
//! Apple's OpenAPI enums (`ScreenshotDisplayType`, `PreviewType`) and the
//! sizes fastlane deliver accepts (`DEVICE_RESOLUTIONS`,
//! `AppPreviewSet.validate_video_resolution`), which match what Apple
//! refuses with `IMAGE_INCORRECT_DIMENSIONS`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Generates an enum of API names with `ALL`, `name` and `from_name`.
macro_rules! api_enum {
    ($(#[$meta:meta])* $enum:ident { $($variant:ident = $name:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $enum { $($variant),* }

        impl $enum {
            /// Every value, in the spec's order.
            pub const ALL: &'static [$enum] = &[$($enum::$variant),*];

            /// The API's name (`APP_IPHONE_67`).
            pub fn name(self) -> &'static str {
                match self { $($enum::$variant => $name),* }
            }

            /// The value of an API name, case-insensitively (a folder may be
            /// written `app_iphone_67`).
            pub fn from_name(name: &str) -> Option<$enum> {
                Self::ALL.iter().copied().find(|v| v.name().eq_ignore_ascii_case(name))
            }
        }

        impl fmt::Display for $enum {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }

        impl Serialize for $enum {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.name())
            }
        }

        impl<'de> Deserialize<'de> for $enum {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let name = String::deserialize(d)?;
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.name() == name)
                    .ok_or_else(|| serde::de::Error::custom(format!("unknown {} '{name}'", stringify!($enum))))
            }
        }
    };
}

api_enum! {
    /// `ScreenshotDisplayType`: the slot a screenshot set fills. Apple
    /// reuses old names for new devices: `APP_IPHONE_67` is the 6.9"
    /// slot, `APP_IPHONE_61` 6.3", `APP_IPHONE_58` 6.1" and
    /// `APP_IPAD_PRO_3GEN_129` 13".
    DisplayType {
        AppIphone67 = "APP_IPHONE_67",
        AppIphone61 = "APP_IPHONE_61",
        AppIphone65 = "APP_IPHONE_65",
        AppIphone58 = "APP_IPHONE_58",
        AppIphone55 = "APP_IPHONE_55",
        AppIphone47 = "APP_IPHONE_47",
        AppIphone40 = "APP_IPHONE_40",
        AppIphone35 = "APP_IPHONE_35",
        AppIpadPro3gen129 = "APP_IPAD_PRO_3GEN_129",
        AppIpadPro3gen11 = "APP_IPAD_PRO_3GEN_11",
        AppIpadPro129 = "APP_IPAD_PRO_129",
        AppIpad105 = "APP_IPAD_105",
        AppIpad97 = "APP_IPAD_97",
        AppDesktop = "APP_DESKTOP",
        AppWatchUltra = "APP_WATCH_ULTRA",
        AppWatchSeries10 = "APP_WATCH_SERIES_10",
        AppWatchSeries7 = "APP_WATCH_SERIES_7",
        AppWatchSeries4 = "APP_WATCH_SERIES_4",
        AppWatchSeries3 = "APP_WATCH_SERIES_3",
        AppAppleTv = "APP_APPLE_TV",
        AppAppleVisionPro = "APP_APPLE_VISION_PRO",
        ImessageAppIphone67 = "IMESSAGE_APP_IPHONE_67",
        ImessageAppIphone61 = "IMESSAGE_APP_IPHONE_61",
        ImessageAppIphone65 = "IMESSAGE_APP_IPHONE_65",
        ImessageAppIphone58 = "IMESSAGE_APP_IPHONE_58",
        ImessageAppIphone55 = "IMESSAGE_APP_IPHONE_55",
        ImessageAppIphone47 = "IMESSAGE_APP_IPHONE_47",
        ImessageAppIphone40 = "IMESSAGE_APP_IPHONE_40",
        ImessageAppIpadPro3gen129 = "IMESSAGE_APP_IPAD_PRO_3GEN_129",
        ImessageAppIpadPro3gen11 = "IMESSAGE_APP_IPAD_PRO_3GEN_11",
        ImessageAppIpadPro129 = "IMESSAGE_APP_IPAD_PRO_129",
        ImessageAppIpad105 = "IMESSAGE_APP_IPAD_105",
        ImessageAppIpad97 = "IMESSAGE_APP_IPAD_97",
    }
}

api_enum! {
    /// `PreviewType`: the slot an app preview set fills; the display
    /// types' names without `APP_` (no watch, no iMessage).
    PreviewType {
        Iphone67 = "IPHONE_67",
        Iphone61 = "IPHONE_61",
        Iphone65 = "IPHONE_65",
        Iphone58 = "IPHONE_58",
        Iphone55 = "IPHONE_55",
        Iphone47 = "IPHONE_47",
        Iphone40 = "IPHONE_40",
        Iphone35 = "IPHONE_35",
        IpadPro3gen129 = "IPAD_PRO_3GEN_129",
        IpadPro3gen11 = "IPAD_PRO_3GEN_11",
        IpadPro129 = "IPAD_PRO_129",
        Ipad105 = "IPAD_105",
        Ipad97 = "IPAD_97",
        Desktop = "DESKTOP",
        AppleTv = "APPLE_TV",
        AppleVisionPro = "APPLE_VISION_PRO",
    }
}

/// Portrait and landscape, both listed where both are accepted.
const IPHONE_67: &[(u32, u32)] = &[
    (1260, 2736),
    (2736, 1260),
    (1290, 2796),
    (2796, 1290),
    (1320, 2868),
    (2868, 1320),
];
const IPHONE_65: &[(u32, u32)] = &[(1242, 2688), (2688, 1242), (1284, 2778), (2778, 1284)];
const IPHONE_61: &[(u32, u32)] = &[(1179, 2556), (2556, 1179), (1206, 2622), (2622, 1206)];
const IPHONE_58: &[(u32, u32)] = &[
    (1170, 2532),
    (2532, 1170),
    (1125, 2436),
    (2436, 1125),
    (1080, 2340),
    (2340, 1080),
];
const IPHONE_55: &[(u32, u32)] = &[(1242, 2208), (2208, 1242)];
const IPHONE_47: &[(u32, u32)] = &[(750, 1334), (1334, 750)];
const IPHONE_40: &[(u32, u32)] = &[(640, 1096), (640, 1136), (1136, 600), (1136, 640)];
const IPHONE_35: &[(u32, u32)] = &[(640, 920), (640, 960), (960, 600), (960, 640)];
const IPAD_97: &[(u32, u32)] = &[
    (1024, 748),
    (1024, 768),
    (2048, 1496),
    (2048, 1536),
    (768, 1004),
    (768, 1024),
    (1536, 2008),
    (1536, 2048),
];
const IPAD_105: &[(u32, u32)] = &[(1668, 2224), (2224, 1668)];
const IPAD_PRO_3GEN_11: &[(u32, u32)] = &[
    (1488, 2266),
    (2266, 1488),
    (1668, 2420),
    (2420, 1668),
    (1668, 2388),
    (2388, 1668),
    (1640, 2360),
    (2360, 1640),
];
const IPAD_PRO_129: &[(u32, u32)] = &[(2048, 2732), (2732, 2048)];
const IPAD_PRO_3GEN_129: &[(u32, u32)] = &[(2048, 2732), (2732, 2048), (2064, 2752), (2752, 2064)];
/// The Mac: landscape only.
const DESKTOP: &[(u32, u32)] = &[(1280, 800), (1440, 900), (2560, 1600), (2880, 1800)];
const WATCH_ULTRA: &[(u32, u32)] = &[(410, 502), (422, 514)];
const WATCH_SERIES_10: &[(u32, u32)] = &[(416, 496)];
const WATCH_SERIES_7: &[(u32, u32)] = &[(396, 484)];
const WATCH_SERIES_4: &[(u32, u32)] = &[(368, 448)];
const WATCH_SERIES_3: &[(u32, u32)] = &[(312, 390)];
const APPLE_TV: &[(u32, u32)] = &[(1920, 1080), (3840, 2160)];
const APPLE_VISION_PRO: &[(u32, u32)] = &[(3840, 2160)];

/// The largest file Apple takes as an app preview.
pub const MAX_PREVIEW_BYTES: u64 = 500 * 1024 * 1024;
/// Screenshots in one set.
pub const MAX_SCREENSHOTS: usize = 10;
/// Previews in one set.
pub const MAX_PREVIEWS: usize = 3;
/// An app preview's length, in seconds.
pub const PREVIEW_SECONDS: (f64, f64) = (15.0, 30.0);

impl DisplayType {
    /// The pixel sizes (width × height) a screenshot of this slot may have.
    pub fn sizes(self) -> &'static [(u32, u32)] {
        use DisplayType::*;
        match self.app() {
            AppIphone67 => IPHONE_67,
            AppIphone61 => IPHONE_61,
            AppIphone65 => IPHONE_65,
            AppIphone58 => IPHONE_58,
            AppIphone55 => IPHONE_55,
            AppIphone47 => IPHONE_47,
            AppIphone40 => IPHONE_40,
            AppIphone35 => IPHONE_35,
            AppIpadPro3gen129 => IPAD_PRO_3GEN_129,
            AppIpadPro3gen11 => IPAD_PRO_3GEN_11,
            AppIpadPro129 => IPAD_PRO_129,
            AppIpad105 => IPAD_105,
            AppIpad97 => IPAD_97,
            AppDesktop => DESKTOP,
            AppWatchUltra => WATCH_ULTRA,
            AppWatchSeries10 => WATCH_SERIES_10,
            AppWatchSeries7 => WATCH_SERIES_7,
            AppWatchSeries4 => WATCH_SERIES_4,
            AppWatchSeries3 => WATCH_SERIES_3,
            AppAppleTv => APPLE_TV,
            AppAppleVisionPro => APPLE_VISION_PRO,
            _ => &[],
        }
    }

    /// Whether this is one of the iMessage slots.
    pub fn is_imessage(self) -> bool {
        self.name().starts_with("IMESSAGE_")
    }

    /// The app slot of an iMessage slot (itself for an app slot).
    pub fn app(self) -> DisplayType {
        match self.name().strip_prefix("IMESSAGE_") {
            Some(app) => DisplayType::from_name(app).unwrap_or(self),
            None => self,
        }
    }

    /// The iMessage slot of an app slot, if it has one.
    pub fn imessage(self) -> Option<DisplayType> {
        DisplayType::from_name(&format!("IMESSAGE_{}", self.app().name()))
    }

    /// Whether a `width × height` screenshot fits this slot.
    pub fn accepts(self, width: u32, height: u32) -> bool {
        self.sizes().contains(&(width, height))
    }

    /// The slot of a screenshot from its pixel size, as fastlane deliver
    /// decides it: the first slot whose sizes include it, among the
    /// iMessage slots under `iMessage/`. Two sizes belong to two slots and
    /// are decided by the path (inside the screenshots folder):
    /// 2048×2732 is the 12.9" 2nd generation iPad Pro (`APP_IPAD_PRO_129`)
    /// only when the path says `app_ipad_pro_129` or `12.9` with
    /// `2nd generation`, else the 13" slot; 3840×2160 is Apple Vision Pro
    /// when the path says `vision`, else Apple TV.
    pub fn from_size(width: u32, height: u32, path: &str, imessage: bool) -> Option<DisplayType> {
        let lower = path.to_lowercase();
        let app = match (width, height) {
            (2048, 2732) | (2732, 2048) => {
                let second =
                    lower.contains("app_ipad_pro_129") || (lower.contains("12.9") && lower.contains("2nd generation"));
                if second {
                    DisplayType::AppIpadPro129
                } else {
                    DisplayType::AppIpadPro3gen129
                }
            }
            (3840, 2160) if lower.contains("vision") => DisplayType::AppAppleVisionPro,
            _ => *Self::ALL
                .iter()
                .find(|t| !t.is_imessage() && t.accepts(width, height))?,
        };
        if imessage { app.imessage() } else { Some(app) }
    }

    /// The slots nearest to a size no slot accepts, closest first: each
    /// slot's distance is that of its nearest size of the same orientation.
    pub fn nearest(width: u32, height: u32, imessage: bool, count: usize) -> Vec<DisplayType> {
        let landscape = width > height;
        let mut scored: Vec<(u64, DisplayType)> = Self::ALL
            .iter()
            .filter(|t| t.is_imessage() == imessage)
            .filter_map(|t| {
                let best = t
                    .sizes()
                    .iter()
                    .filter(|(w, h)| (w > h) == landscape)
                    .map(|&(w, h)| u64::from(w.abs_diff(width)) + u64::from(h.abs_diff(height)))
                    .min()?;
                Some((best, *t))
            })
            .collect();
        scored.sort();
        scored.into_iter().take(count).map(|(_, t)| t).collect()
    }

    /// The sizes as people read them: `1290×2796, 2796×1290`.
    pub fn sizes_text(self) -> String {
        self.sizes()
            .iter()
            .map(|(w, h)| format!("{w}×{h}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl PreviewType {
    /// The portrait pixel sizes of a preview of this type (landscape is the
    /// transpose); empty where deliver states none.
    pub fn sizes(self) -> &'static [(u32, u32)] {
        use PreviewType::*;
        match self {
            Iphone67 | Iphone65 | Iphone61 | Iphone58 => &[(886, 1920)],
            Iphone55 | Iphone40 => &[(1080, 1920)],
            Iphone47 => &[(750, 1334)],
            IpadPro3gen129 | IpadPro3gen11 | Ipad105 => &[(1200, 1600)],
            IpadPro129 => &[(1200, 1600), (900, 1200)],
            Ipad97 => &[(900, 1200)],
            _ => &[],
        }
    }

    /// The type named in a file name, as deliver reads it: a preview type
    /// token anywhere in the upper-cased name (`en-US/01_IPHONE_67.mp4`).
    /// The longest token wins, so `APP_IPAD_PRO_3GEN_129` is never read as
    /// something shorter.
    pub fn from_file_name(name: &str) -> Option<PreviewType> {
        let upper = name.to_uppercase();
        Self::ALL
            .iter()
            .filter(|t| upper.contains(t.name()))
            .max_by_key(|t| t.name().len())
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_app_slot_has_sizes_and_every_imessage_slot_its_app_slots() {
        for t in DisplayType::ALL {
            assert!(!t.sizes().is_empty(), "{t} has no sizes");
            if t.is_imessage() {
                assert_eq!(t.sizes(), t.app().sizes());
                assert_eq!(t.app().imessage(), Some(*t));
            }
        }
        assert_eq!(DisplayType::ALL.len(), 33);
        assert_eq!(PreviewType::ALL.len(), 16);
        assert_eq!(DisplayType::AppIphone35.imessage(), None);
    }

    #[test]
    fn sizes_decide_the_slot_as_deliver_does() {
        let t = |w, h, path| DisplayType::from_size(w, h, path, false).map(DisplayType::name);
        assert_eq!(t(1320, 2868, "en-US/1.png"), Some("APP_IPHONE_67"));
        assert_eq!(t(2868, 1320, "en-US/1.png"), Some("APP_IPHONE_67"));
        assert_eq!(t(1284, 2778, "en-US/1.png"), Some("APP_IPHONE_65"));
        assert_eq!(t(1206, 2622, "en-US/1.png"), Some("APP_IPHONE_61"));
        assert_eq!(t(1080, 2340, "en-US/1.png"), Some("APP_IPHONE_58"));
        assert_eq!(t(2064, 2752, "en-US/1.png"), Some("APP_IPAD_PRO_3GEN_129"));
        assert_eq!(t(1640, 2360, "en-US/1.png"), Some("APP_IPAD_PRO_3GEN_11"));
        assert_eq!(t(2880, 1800, "en-US/1.png"), Some("APP_DESKTOP"));
        assert_eq!(t(1800, 2880, "en-US/1.png"), None, "the Mac is landscape only");
        assert_eq!(t(422, 514, "en-US/1.png"), Some("APP_WATCH_ULTRA"));
        assert_eq!(t(416, 496, "en-US/1.png"), Some("APP_WATCH_SERIES_10"));
        assert_eq!(t(1920, 1080, "appleTV/en-US/1.png"), Some("APP_APPLE_TV"));
        assert_eq!(t(1290, 2795, "en-US/1.png"), None);
    }

    #[test]
    fn the_two_shared_sizes_are_decided_by_the_path() {
        let t = |w, h, path| DisplayType::from_size(w, h, path, false).map(DisplayType::name);
        assert_eq!(t(2048, 2732, "en-US/1.png"), Some("APP_IPAD_PRO_3GEN_129"));
        assert_eq!(t(2732, 2048, "en-US/APP_IPAD_PRO_129_1.png"), Some("APP_IPAD_PRO_129"));
        assert_eq!(
            t(2048, 2732, "en-US/iPad Pro (12.9-inch) (2nd generation)-1.png"),
            Some("APP_IPAD_PRO_129")
        );
        assert_eq!(t(3840, 2160, "en-US/1.png"), Some("APP_APPLE_TV"));
        assert_eq!(t(3840, 2160, "en-US/Vision-1.png"), Some("APP_APPLE_VISION_PRO"));
        let imessage = DisplayType::from_size(2048, 2732, "iMessage/en-US/1.png", true);
        assert_eq!(imessage, Some(DisplayType::ImessageAppIpadPro3gen129));
        assert_eq!(DisplayType::from_size(640, 960, "iMessage/en-US/1.png", true), None);
    }

    #[test]
    fn the_nearest_slots_of_an_odd_size_are_those_of_its_orientation() {
        let near = DisplayType::nearest(1290, 2795, false, 2);
        assert_eq!(near[0], DisplayType::AppIphone67);
        let near = DisplayType::nearest(2870, 1800, false, 1);
        assert_eq!(near[0], DisplayType::AppDesktop);
    }

    #[test]
    fn preview_types_come_from_the_longest_token_in_the_name() {
        let t = |n| PreviewType::from_file_name(n).map(PreviewType::name);
        assert_eq!(t("01_iphone_67.mp4"), Some("IPHONE_67"));
        assert_eq!(t("APP_IPAD_PRO_3GEN_129-demo.mov"), Some("IPAD_PRO_3GEN_129"));
        assert_eq!(t("IPAD_PRO_129.m4v"), Some("IPAD_PRO_129"));
        assert_eq!(t("demo.mp4"), None);
        assert_eq!(
            PreviewType::from_name("apple_vision_pro"),
            Some(PreviewType::AppleVisionPro)
        );
    }
}

/// The two kinds of media a version localization holds, as `--field`
/// names them (`screenshots`, `previews`, or the API's resource names).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MediaKind {
    Screenshots,
    Previews,
}

impl MediaKind {
    pub const ALL: [MediaKind; 2] = [MediaKind::Screenshots, MediaKind::Previews];

    /// The name `--field` takes and a plan records.
    pub fn name(self) -> &'static str {
        match self {
            MediaKind::Screenshots => "screenshots",
            MediaKind::Previews => "previews",
        }
    }

    /// The kind a `--field` value names: ours, the API's asset or set
    /// type, or fastlane's folder.
    pub fn from_field(name: &str) -> Option<MediaKind> {
        match name.trim().to_ascii_lowercase().as_str() {
            "screenshots" | "appscreenshots" | "appscreenshotsets" => Some(MediaKind::Screenshots),
            "previews" | "app_previews" | "apppreviews" | "apppreviewsets" => Some(MediaKind::Previews),
            _ => None,
        }
    }

    /// The API's set type: `appScreenshotSets`.
    pub fn set_type(self) -> &'static str {
        match self {
            MediaKind::Screenshots => "appScreenshotSets",
            MediaKind::Previews => "appPreviewSets",
        }
    }

    /// The API's asset type: `appScreenshots`.
    pub fn asset_type(self) -> &'static str {
        match self {
            MediaKind::Screenshots => "appScreenshots",
            MediaKind::Previews => "appPreviews",
        }
    }

    /// The set's attribute naming its slot.
    pub fn slot_attribute(self) -> &'static str {
        match self {
            MediaKind::Screenshots => "screenshotDisplayType",
            MediaKind::Previews => "previewType",
        }
    }

    /// The asset's processing state attribute (`assetDeliveryState` is
    /// deprecated on previews).
    pub fn state_attribute(self) -> &'static str {
        match self {
            MediaKind::Screenshots => "assetDeliveryState",
            MediaKind::Previews => "videoDeliveryState",
        }
    }

    /// How many assets one set holds at most.
    pub fn cap(self) -> usize {
        match self {
            MediaKind::Screenshots => MAX_SCREENSHOTS,
            MediaKind::Previews => MAX_PREVIEWS,
        }
    }
}

impl fmt::Display for MediaKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One set's slot in a version localization: a screenshot display type or
/// a preview type. In a plan's JSON it is the set's own attribute,
/// `"screenshotDisplayType": "APP_IPHONE_67"` or `"previewType": "IPHONE_67"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum MediaSlot {
    #[serde(rename = "screenshotDisplayType")]
    Screenshots(DisplayType),
    #[serde(rename = "previewType")]
    Previews(PreviewType),
}

impl MediaSlot {
    pub fn kind(self) -> MediaKind {
        match self {
            MediaSlot::Screenshots(_) => MediaKind::Screenshots,
            MediaSlot::Previews(_) => MediaKind::Previews,
        }
    }

    /// The API's name of the slot (`APP_IPHONE_67`, `IPHONE_67`).
    pub fn name(self) -> &'static str {
        match self {
            MediaSlot::Screenshots(t) => t.name(),
            MediaSlot::Previews(t) => t.name(),
        }
    }

    /// The slot of a set as the API names it.
    pub fn parse(kind: MediaKind, name: &str) -> Option<MediaSlot> {
        match kind {
            MediaKind::Screenshots => DisplayType::ALL
                .iter()
                .find(|t| t.name() == name)
                .map(|t| MediaSlot::Screenshots(*t)),
            MediaKind::Previews => PreviewType::ALL
                .iter()
                .find(|t| t.name() == name)
                .map(|t| MediaSlot::Previews(*t)),
        }
    }
}

impl fmt::Display for MediaSlot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind(), self.name())
    }
}
