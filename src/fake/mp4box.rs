//! The boxes of an MP4 or QuickTime file, as far as the fake reads them:
//! a video's size (`media.rs`) and whether it has sound (`apple.rs`).

/// The boxes of an MP4/QuickTime byte range: (type, content).
pub fn boxes(data: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    let mut at = 0usize;
    std::iter::from_fn(move || {
        let header = data.get(at..at + 8)?;
        let size = u32::from_be_bytes(header[..4].try_into().ok()?) as usize;
        if size < 8 || at + size > data.len() {
            return None;
        }
        let item = (&header[4..8], &data[at + 8..at + size]);
        at += size;
        Some(item)
    })
}
