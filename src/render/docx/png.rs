//! The report's SVG charts as PNG pictures for the Word document, rendered from the same
//! drawing (`render::svg`) with resvg. Text is drawn with the fonts installed on the
//! machine (a CJK font such as Noto Sans CJK SC for Chinese labels), so the pictures, like
//! any rendering of text, are the same from run to run on one machine. Nothing is drawn here
//! that the SVG does not hold.

use crate::error::{Error, Result};
use resvg::{tiny_skia, usvg};

/// Pixels per SVG pixel: an 820-pixel chart becomes 1,640 pixels wide, sharp at the
/// document's 16 cm.
const SCALE: f32 = 2.0;

/// The font families asked for when an SVG names none that is installed.
const FALLBACK_FAMILY: &str = "Noto Sans CJK SC";

/// Turns SVG charts into PNG pictures; loads the machine's fonts once.
pub struct Rasterizer {
    options: usvg::Options<'static>,
}

impl Default for Rasterizer {
    fn default() -> Self {
        Self::new()
    }
}

impl Rasterizer {
    pub fn new() -> Self {
        let mut options = usvg::Options {
            font_family: FALLBACK_FAMILY.to_string(),
            ..usvg::Options::default()
        };
        options.fontdb_mut().load_system_fonts();
        Rasterizer { options }
    }

    /// `svg` as a PNG on white, with its width and height in pixels.
    pub fn png(&self, name: &str, svg: &[u8]) -> Result<(Vec<u8>, u32, u32)> {
        let err = |e: &dyn std::fmt::Display| {
            Error::runtime(format!("cannot draw chart {name} as a picture: {e}"))
        };
        let tree = usvg::Tree::from_data(svg, &self.options).map_err(|e| err(&e))?;
        let size = tree
            .size()
            .to_int_size()
            .scale_by(SCALE)
            .ok_or_else(|| err(&"the chart has no size"))?;
        let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height())
            .ok_or_else(|| err(&"the chart has no size"))?;
        pixmap.fill(tiny_skia::Color::WHITE);
        resvg::render(
            &tree,
            tiny_skia::Transform::from_scale(SCALE, SCALE),
            &mut pixmap.as_mut(),
        );
        let png = pixmap.encode_png().map_err(|e| err(&e))?;
        Ok((png, size.width(), size.height()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A machine without any font still gets its picture (the text left out), of the
    /// SVG's size at twice the scale, on white.
    #[test]
    fn a_chart_is_drawn_without_any_font_installed() {
        let bare = Rasterizer {
            options: usvg::Options::default(),
        };
        assert_eq!(bare.options.fontdb.len(), 0);
        let svg = r##"<svg width="100" height="50" xmlns="http://www.w3.org/2000/svg"><rect x="10" y="10" width="30" height="20" fill="#1F4E79"/><text x="50" y="30" font-family="Noto Sans CJK SC" font-size="12">一次解决率</text></svg>"##;
        let (png, w, h) = bare.png("test", svg.as_bytes()).unwrap();
        assert_eq!((w, h), (200, 100));
        assert_eq!(&png[1..4], b"PNG");
    }
}
