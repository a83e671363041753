//! Turning a file's bytes into the value deliver would send.
//!
//! deliver calls Ruby's `String#strip` on the whole file: it removes leading
//! and trailing ASCII whitespace and NUL, nothing else. Rust's `str::trim`
//! also removes Unicode spaces (NBSP, U+3000), which would make us send
//! something other than what a deliver user sees, so we strip exactly
//! Ruby's set. Interior bytes, CRLF line ends included, are kept.

/// Ruby's `String#strip` set: NUL, `\t`, `\n`, `\v`, `\f`, `\r` and space.
pub const RUBY_STRIP: [char; 7] = ['\0', '\t', '\n', '\x0B', '\x0C', '\r', ' '];

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Ruby's `String#strip`.
pub fn strip(s: &str) -> &str {
    s.trim_matches(RUBY_STRIP)
}

/// A decoded, stripped value and where it starts in its file.
#[derive(Debug, PartialEq, Eq)]
pub struct Decoded {
    pub value: String,
    /// Line and column (1-based, in characters) of the value's first
    /// character in the file, so findings can point into the file.
    pub origin: (usize, usize),
    pub had_bom: bool,
}

/// Where invalid UTF-8 starts.
#[derive(Debug, PartialEq, Eq)]
pub struct InvalidUtf8 {
    pub offset: usize,
    pub line: usize,
    pub column: usize,
}

pub fn decode(bytes: &[u8]) -> Result<Decoded, InvalidUtf8> {
    let (had_bom, body) = match bytes.strip_prefix(BOM) {
        Some(rest) => (true, rest),
        None => (false, bytes),
    };
    let text = std::str::from_utf8(body).map_err(|e| {
        let valid = e.valid_up_to();
        // The prefix is valid UTF-8 by definition of valid_up_to.
        let before = std::str::from_utf8(&body[..valid]).unwrap_or_default();
        let (line, column) = end_position(before);
        InvalidUtf8 {
            offset: valid + if had_bom { BOM.len() } else { 0 },
            line,
            column,
        }
    })?;
    let stripped = strip(text);
    let leading = text.len() - text.trim_start_matches(RUBY_STRIP).len();
    Ok(Decoded {
        value: stripped.to_owned(),
        origin: end_position(&text[..leading]),
        had_bom,
    })
}

/// The 1-based line and column just after `prefix`.
fn end_position(prefix: &str) -> (usize, usize) {
    let line = 1 + prefix.bytes().filter(|b| *b == b'\n').count();
    let last_line = prefix.rsplit('\n').next().unwrap_or_default();
    (line, 1 + last_line.chars().count())
}

/// The line and column of the character at `char_index` of a value that
/// starts at `origin`.
pub fn position(value: &str, origin: (usize, usize), char_index: usize) -> (usize, usize) {
    let byte = value.char_indices().nth(char_index).map_or(value.len(), |(i, _)| i);
    let (dl, dc) = end_position(&value[..byte]);
    if dl == 1 {
        (origin.0, origin.1 + dc - 1)
    } else {
        (origin.0 + dl - 1, dc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_like_ruby_not_like_unicode() {
        assert_eq!(strip("\0\t\n\x0B\x0C\r hi \r\n"), "hi");
        assert_eq!(strip("\u{a0}hi\u{3000}"), "\u{a0}hi\u{3000}");
        assert_eq!(strip("a\r\n\r\nb\n"), "a\r\n\r\nb");
    }

    #[test]
    fn removes_a_bom_and_says_so() {
        let d = decode(b"\xEF\xBB\xBFName\n").unwrap();
        assert_eq!(d.value, "Name");
        assert!(d.had_bom);
    }

    #[test]
    fn reports_where_invalid_utf8_starts() {
        let e = decode(b"ok\nab\xFFcd").unwrap_err();
        assert_eq!(
            e,
            InvalidUtf8 {
                offset: 5,
                line: 2,
                column: 3
            }
        );
    }

    #[test]
    fn positions_count_characters_from_the_value_start() {
        let d = decode("\n\n  héllo\nwörld".as_bytes()).unwrap();
        assert_eq!(d.origin, (3, 3));
        assert_eq!(position(&d.value, d.origin, 1), (3, 4));
        assert_eq!(position(&d.value, d.origin, 7), (4, 2));
    }
}
