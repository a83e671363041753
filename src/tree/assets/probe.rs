//! What a file's first bytes say: image format, pixel size and alpha of a
//! screenshot, the duration of a preview. Headers only: no pixel is
//! decoded, no video frame read, so a tree of hundreds of screenshots
//! validates in milliseconds.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

/// An image format, as its bytes say (not its extension).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ImageFormat {
    Png,
    Jpeg,
    /// Any other image format (GIF, WebP, HEIF, …): App Store Connect
    /// takes none of them.
    Other(&'static str),
}

impl ImageFormat {
    /// The name people know it by.
    pub fn label(self) -> &'static str {
        match self {
            ImageFormat::Png => "PNG",
            ImageFormat::Jpeg => "JPEG",
            ImageFormat::Other(name) => name,
        }
    }

    /// The extensions a file of this format may have, lower-case.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            ImageFormat::Png => &["png"],
            ImageFormat::Jpeg => &["jpg", "jpeg"],
            ImageFormat::Other(_) => &[],
        }
    }
}

/// What the header of an image says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImageHeader {
    pub format: ImageFormat,
    pub width: u32,
    pub height: u32,
    /// A PNG with an alpha channel (color type 4 or 6) or a transparency
    /// chunk (`tRNS`). Always false for a JPEG.
    pub alpha: bool,
}

/// Reads an image's format, size and alpha from its header.
pub fn image(path: &Path) -> Result<ImageHeader, String> {
    let file = File::open(path).map_err(|e| e.to_string())?;
    let mut reader = BufReader::with_capacity(16 * 1024, file);
    let kind = imagesize::reader_type(&mut reader).map_err(|e| format!("not an image ({e})"))?;
    reader.seek(SeekFrom::Start(0)).map_err(|e| e.to_string())?;
    let size = kind
        .reader_size(&mut reader)
        .map_err(|e| format!("cannot read the image's size ({e})"))?;
    let format = match kind {
        imagesize::ImageType::Png => ImageFormat::Png,
        imagesize::ImageType::Jpeg => ImageFormat::Jpeg,
        imagesize::ImageType::Gif => ImageFormat::Other("GIF"),
        imagesize::ImageType::Webp => ImageFormat::Other("WebP"),
        imagesize::ImageType::Heif(_) => ImageFormat::Other("HEIF"),
        imagesize::ImageType::Bmp => ImageFormat::Other("BMP"),
        imagesize::ImageType::Tiff => ImageFormat::Other("TIFF"),
        _ => ImageFormat::Other("an image format App Store Connect does not take"),
    };
    let alpha = format == ImageFormat::Png && png_alpha(&mut reader).unwrap_or(false);
    let dim = |v: usize| u32::try_from(v).map_err(|_| "the image is too large".to_owned());
    Ok(ImageHeader {
        format,
        width: dim(size.width)?,
        height: dim(size.height)?,
        alpha,
    })
}

/// Whether a PNG can be transparent: its IHDR color type has alpha, or a
/// `tRNS` chunk comes before the image data. Reads chunk headers only.
fn png_alpha<R: Read + Seek>(reader: &mut R) -> std::io::Result<bool> {
    reader.seek(SeekFrom::Start(8))?;
    loop {
        let mut head = [0u8; 8];
        reader.read_exact(&mut head)?;
        let length = u32::from_be_bytes([head[0], head[1], head[2], head[3]]);
        match &head[4..] {
            b"IHDR" => {
                let mut ihdr = [0u8; 13];
                reader.read_exact(&mut ihdr)?;
                // Color types 4 (grey + alpha) and 6 (RGBA).
                if matches!(ihdr[9], 4 | 6) {
                    return Ok(true);
                }
                reader.seek(SeekFrom::Current(i64::from(length) - 13 + 4))?;
            }
            b"tRNS" => return Ok(true),
            b"IDAT" | b"IEND" => return Ok(false),
            _ => {
                reader.seek(SeekFrom::Current(i64::from(length) + 4))?;
            }
        }
    }
}

/// What a video's header says: its length and its tracks.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VideoHeader {
    pub seconds: f64,
    /// It has a video track and no sound track (a file whose header lists
    /// no tracks at all says neither).
    pub silent: bool,
}

/// A video's length in seconds, from its `mvhd` box, and whether it has a
/// sound track (MP4 and QuickTime).
pub fn video(path: &Path, size: u64) -> Result<VideoHeader, String> {
    let file = File::open(path).map_err(|e| e.to_string())?;
    let reader = BufReader::new(file);
    let mp4 = mp4::Mp4Reader::read_header(reader, size).map_err(|e| e.to_string())?;
    let kinds: Vec<Option<mp4::TrackType>> = mp4.tracks().values().map(|t| t.track_type().ok()).collect();
    let has = |kind: mp4::TrackType| kinds.contains(&Some(kind));
    Ok(VideoHeader {
        seconds: mp4.duration().as_secs_f64(),
        silent: has(mp4::TrackType::Video) && !has(mp4::TrackType::Audio),
    })
}

/// The MD5 of bytes in memory as lower-case hex.
pub fn md5_bytes(bytes: &[u8]) -> String {
    use md5::Digest;
    hex::encode(md5::Md5::digest(bytes))
}

/// The MD5 of a file as lower-case hex, streamed: the `sourceFileChecksum`
/// App Store Connect keeps for a screenshot or preview.
pub fn md5_hex(path: &Path) -> std::io::Result<String> {
    use md5::Digest;
    let mut file = File::open(path)?;
    let mut hasher = md5::Md5::new();
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}
