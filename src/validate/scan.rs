//! One pass over a value's characters, feeding every per-character rule:
//! the length, emoji, invisible and format characters (Unicode Cf, bidi
//! controls, separators that are not a plain space), control characters,
//! and the first line break of the Apple TV privacy text.
//!
//! The rules used to walk a 4,000-character description once each; here
//! each character is looked at once, and the plain ASCII that makes up
//! most of a listing costs a comparison. The character classes are
//! written out (a `match` the compiler turns into a few comparisons), and a
//! test checks them against the Unicode tables.

use unicode_properties::{EmojiStatus, UnicodeEmoji};

/// Where an invisible character is worth naming.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Reach {
    /// Anywhere in the value.
    Anywhere,
    /// Only as the first or last character: inside prose it is meant
    /// (a no-break space before `%`, a zero-width non-joiner in a Persian
    /// word, a direction mark beside a number in Arabic text).
    Edges,
}

/// How a field's text is read, which decides where a space that is not a
/// plain space, a direction mark or a joiner is worth naming.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Text {
    /// Prose (descriptions, names, notes): such characters can be meant
    /// inside the text, and are named at its edges.
    Prose,
    /// Keywords: a plain space is meant between words, so other spaces
    /// are named anywhere; marks and joiners still belong inside words.
    Keywords,
    /// A value that is no prose (a phone number, an address, a URL, a
    /// category id): every one is named wherever it is.
    Plain,
}

/// What a character is to the rules, or `None` for an ordinary one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Class {
    /// A control character (Unicode Cc) other than tab and line breaks.
    Control,
    /// A format character (Unicode Cf), or a separator other than the
    /// plain space (Zs, Zl, Zp): invisible or easily taken for a space.
    Invisible(Reach),
}

/// Whether `c` is a format character (Unicode category Cf, Unicode 15):
/// invisible, and never part of what a phone number or an id says.
pub(crate) fn is_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{0600}'..='\u{0605}' | '\u{061C}' | '\u{06DD}' | '\u{070F}'
        | '\u{0890}'..='\u{0891}' | '\u{08E2}' | '\u{180E}' | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}'
        | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}' | '\u{110BD}' | '\u{110CD}'
        | '\u{13430}'..='\u{1343F}' | '\u{1BCA0}'..='\u{1BCA3}' | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0001}' | '\u{E0020}'..='\u{E007F}')
}

/// Whether `c` is a space other than U+0020, or a line or paragraph
/// separator (Unicode Zs, Zl, Zp).
pub(crate) fn is_other_space(c: char) -> bool {
    matches!(
        c,
        '\u{00A0}' | '\u{1680}' | '\u{2028}' | '\u{2029}' | '\u{202F}' | '\u{205F}' | '\u{3000}'
    ) || ('\u{2000}'..='\u{200A}').contains(&c)
}

/// The class of `c` in a field read as `text`.
pub(super) fn class(c: char, text: Text) -> Option<Class> {
    let reach = |prose_edges: bool| {
        if prose_edges { Reach::Edges } else { Reach::Anywhere }
    };
    match c {
        '\t' | '\n' | '\r' => None,
        c if c.is_control() => Some(Class::Control),
        // Joiners and direction marks belong inside words of some scripts.
        '\u{200C}' | '\u{200D}' | '\u{200E}' | '\u{200F}' | '\u{061C}' => {
            Some(Class::Invisible(reach(text != Text::Plain)))
        }
        '\u{2028}' | '\u{2029}' => Some(Class::Invisible(Reach::Anywhere)),
        c if is_other_space(c) => Some(Class::Invisible(reach(text == Text::Prose))),
        c if is_format(c) => Some(Class::Invisible(Reach::Anywhere)),
        _ => None,
    }
}

/// What a character is called in a finding: its name, and always its
/// code point.
pub(super) fn describe(c: char) -> String {
    let name = match c {
        '\u{00A0}' => "a no-break space",
        '\u{00AD}' => "a soft hyphen",
        '\u{061C}' => "an Arabic letter mark",
        '\u{180E}' => "a Mongolian vowel separator",
        '\u{1680}' => "an Ogham space mark",
        '\u{2002}' => "an en space",
        '\u{2003}' => "an em space",
        '\u{2007}' => "a figure space",
        '\u{2009}' => "a thin space",
        '\u{200A}' => "a hair space",
        '\u{2000}'..='\u{200A}' => "a typographic space",
        '\u{200B}' => "a zero-width space",
        '\u{200C}' => "a zero-width non-joiner",
        '\u{200D}' => "a zero-width joiner",
        '\u{200E}' => "a left-to-right mark",
        '\u{200F}' => "a right-to-left mark",
        '\u{2028}' => "a line separator",
        '\u{2029}' => "a paragraph separator",
        '\u{202A}' => "a left-to-right embedding",
        '\u{202B}' => "a right-to-left embedding",
        '\u{202C}' => "a pop directional formatting",
        '\u{202D}' => "a left-to-right override",
        '\u{202E}' => "a right-to-left override",
        '\u{202F}' => "a narrow no-break space",
        '\u{205F}' => "a medium mathematical space",
        '\u{2060}' => "a word joiner",
        '\u{2061}'..='\u{2064}' => "an invisible operator",
        '\u{2066}' => "a left-to-right isolate",
        '\u{2067}' => "a right-to-left isolate",
        '\u{2068}' => "a first strong isolate",
        '\u{2069}' => "a pop directional isolate",
        '\u{3000}' => "an ideographic space",
        '\u{FEFF}' => "a byte order mark",
        '\u{E0001}' | '\u{E0020}'..='\u{E007F}' => "a tag character",
        c if c.is_control() => "the control character",
        _ => "an invisible format character",
    };
    format!("{name} (U+{:04X})", c as u32)
}

/// Whether `c` is a bidirectional control: it reorders the text around it
/// and shows nothing itself.
pub(super) fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// How many positions a mark keeps for its message.
const POSITIONS: usize = 5;

/// One distinct character the rules name, where it first occurs and how
/// often.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Mark {
    pub c: char,
    pub class: Class,
    /// Character indexes of the first occurrences (at most five).
    pub at: Vec<usize>,
    pub count: usize,
}

/// What one pass found in a value.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Scan {
    /// Characters (Unicode scalar values), as Apple counts a length.
    pub len: usize,
    /// The emoji pictographs and their indexes (when asked for).
    pub emoji: Vec<(usize, char)>,
    /// The invisible and control characters worth naming, each once, in
    /// the order they first occur.
    pub marks: Vec<Mark>,
    /// The first control character of any kind, line breaks included.
    pub first_control: Option<usize>,
}

impl Scan {
    fn mark(&mut self, c: char, class: Class, i: usize) {
        match self.marks.iter_mut().find(|m| m.c == c) {
            Some(m) => {
                m.count += 1;
                if m.at.len() < POSITIONS {
                    m.at.push(i);
                }
            }
            None => self.marks.push(Mark {
                c,
                class,
                at: vec![i],
                count: 1,
            }),
        }
    }
}

/// Could `c` be shown as an emoji: the ranges that hold every character
/// with an emoji status (checked against the tables by a test), so that
/// letters are never looked up.
fn may_be_emoji(c: char) -> bool {
    let cp = c as u32;
    (0x2000..0x3300).contains(&cp) || cp >= 0x1F000 || matches!(cp, 0xA9 | 0xAE)
}

/// Looks at each character of `value` once. `emoji`: find emoji
/// pictographs too: a character shown as an emoji by default (Unicode
/// `Emoji_Presentation`, flags and skin tones included), or any emoji
/// character followed by the emoji selector U+FE0F (`⚠️`). Text symbols
/// such as ©, ® and ™ are emoji characters too, but not shown as one.
pub(super) fn scan(value: &str, text: Text, emoji: bool) -> Scan {
    let mut out = Scan::default();
    // The last character named only at the edges, seen after the first:
    // named if it turns out to be the last character.
    let mut tail: Option<(usize, char, Class)> = None;
    // The previous character, for an emoji selector that follows it.
    let mut previous = '\0';
    let mut len = 0;
    for (i, c) in value.chars().enumerate() {
        len = i + 1;
        if (' '..='~').contains(&c) {
            previous = c;
            continue;
        }
        if c.is_control() {
            out.first_control.get_or_insert(i);
        }
        if emoji {
            if c == '\u{FE0F}' {
                let selected = matches!(
                    previous.emoji_status(),
                    EmojiStatus::EmojiOther | EmojiStatus::EmojiModifierBase | EmojiStatus::EmojiOtherAndEmojiComponent
                );
                if i > 0 && selected && out.emoji.last().map(|e| e.0) != Some(i - 1) {
                    out.emoji.push((i - 1, previous));
                }
            } else if may_be_emoji(c)
                && matches!(
                    c.emoji_status(),
                    EmojiStatus::EmojiPresentation
                        | EmojiStatus::EmojiPresentationAndModifierBase
                        | EmojiStatus::EmojiPresentationAndEmojiComponent
                        | EmojiStatus::EmojiPresentationAndModifierAndEmojiComponent
                )
            {
                out.emoji.push((i, c));
            }
        }
        previous = c;
        match class(c, text) {
            None => {}
            Some(class @ Class::Invisible(Reach::Edges)) => {
                if i == 0 {
                    out.mark(c, class, i);
                } else {
                    tail = Some((i, c, class));
                }
            }
            Some(class) => out.mark(c, class, i),
        }
    }
    if let Some((i, c, class)) = tail
        && i + 1 == len
    {
        out.mark(c, class, i);
    }
    out.len = len;
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

    fn all_chars() -> impl Iterator<Item = char> {
        (0..=0x10FFFF).filter_map(char::from_u32)
    }

    #[test]
    fn the_written_out_classes_are_unicodes() {
        for c in all_chars() {
            let category = c.general_category();
            assert_eq!(is_format(c), category == GeneralCategory::Format, "U+{:04X}", c as u32);
            let separator = matches!(
                category,
                GeneralCategory::SpaceSeparator | GeneralCategory::LineSeparator | GeneralCategory::ParagraphSeparator
            );
            assert_eq!(is_other_space(c), separator && c != ' ', "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn every_emoji_character_is_looked_up() {
        for c in all_chars() {
            if c != '\u{FE0F}' && !c.is_ascii() && c.emoji_status() != EmojiStatus::NonEmoji {
                assert!(may_be_emoji(c), "U+{:04X}", c as u32);
            }
        }
    }

    #[test]
    fn one_pass_finds_emoji_marks_and_the_length() {
        let s = scan("\u{202D}+44 844\u{A0}209 0611\u{202C}", Text::Plain, false);
        assert_eq!(s.len, 18);
        let found: Vec<(char, Vec<usize>)> = s.marks.iter().map(|m| (m.c, m.at.clone())).collect();
        assert_eq!(
            found,
            [('\u{202D}', vec![0]), ('\u{A0}', vec![8]), ('\u{202C}', vec![17])]
        );
        let s = scan("Go 🚀 ⚠\u{FE0F} © 1\u{FE0F}", Text::Prose, true);
        assert_eq!(s.emoji, [(3, '🚀'), (5, '⚠'), (10, '1')]);
        assert!(s.marks.is_empty());
    }

    #[test]
    fn prose_names_spaces_marks_and_joiners_at_its_edges_only() {
        let s = scan("\u{A0}100\u{A0}% می\u{200C}خواهم\u{200F}", Text::Prose, false);
        let found: Vec<(char, usize)> = s.marks.iter().map(|m| (m.c, m.count)).collect();
        assert_eq!(found, [('\u{A0}', 1), ('\u{200F}', 1)]);
        let s = scan("a\u{202B}b", Text::Prose, false);
        assert_eq!(s.marks[0].at, [1], "a bidi embedding is named anywhere");
        let s = scan("film,\u{A0}movie", Text::Keywords, false);
        assert_eq!(s.marks[0].c, '\u{A0}');
    }
}
