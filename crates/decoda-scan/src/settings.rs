//! What a person asks of a scan, checked against the scanner's capabilities and written as the
//! `ScanSettings` document of a job.

use crate::{Capabilities, ScanError, SourceCaps};

/// Where the paper is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Source {
    /// The document feeder: a stack, page after page until it is empty.
    #[default]
    Feeder,
    /// The glass: one page.
    Flatbed,
}

/// Colour or shades of grey.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColourMode {
    /// Colour (`RGB24`).
    #[default]
    Colour,
    /// Grey (`Grayscale8`): smaller, and enough for most letters and forms.
    Grey,
}

impl ColourMode {
    /// The eSCL name.
    pub fn escl(self) -> &'static str {
        match self {
            Self::Colour => "RGB24",
            Self::Grey => "Grayscale8",
        }
    }
}

/// One scan job as asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanRequest {
    /// Feeder or glass.
    pub source: Source,
    /// Both sides of each sheet (feeder only).
    pub duplex: bool,
    /// Dots per inch.
    pub resolution: u32,
    /// Colour or grey.
    pub colour: ColourMode,
}

impl Default for ScanRequest {
    /// A feeder in colour at 300 dpi, one side: what text recognition and charts read well.
    fn default() -> Self {
        Self {
            source: Source::Feeder,
            duplex: false,
            resolution: 300,
            colour: ColourMode::Colour,
        }
    }
}

/// The page format asked of the scanner: JPEG pages go into the PDF as they came.
pub(crate) const JPEG: &str = "image/jpeg";

impl ScanRequest {
    /// The source's capabilities, once the request is known to fit them.
    pub(crate) fn check<'c>(&self, caps: &'c Capabilities) -> Result<&'c SourceCaps, ScanError> {
        let source = match self.source {
            Source::Feeder => caps.feeder.as_ref().ok_or_else(|| {
                ScanError::NotOffered("a document feeder: scan from the glass".into())
            })?,
            Source::Flatbed => caps
                .platen
                .as_ref()
                .ok_or_else(|| ScanError::NotOffered("a glass: scan from the feeder".into()))?,
        };
        if self.duplex && !(self.source == Source::Feeder && caps.duplex) {
            return Err(ScanError::NotOffered(
                "two-sided scanning from this source".into(),
            ));
        }
        if !source.resolutions.contains(&self.resolution) {
            return Err(ScanError::NotOffered(format!(
                "{} dpi; it offers {}",
                self.resolution,
                list(&source.resolutions, " dpi")
            )));
        }
        if !source.colour_modes.iter().any(|m| m == self.colour.escl()) {
            return Err(ScanError::NotOffered(match self.colour {
                ColourMode::Colour => "colour from this source".into(),
                ColourMode::Grey => "grey from this source".into(),
            }));
        }
        if !source.formats.iter().any(|f| f == JPEG) {
            return Err(ScanError::NotOffered(
                "pages as JPEG images, which the uploader needs".into(),
            ));
        }
        Ok(source)
    }

    /// The `ScanSettings` document for a job over the source's whole area.
    pub(crate) fn settings_xml(&self, source: &SourceCaps) -> String {
        let input = match self.source {
            Source::Feeder => "Feeder",
            Source::Flatbed => "Platen",
        };
        let duplex = if self.source == Source::Feeder {
            format!("<scan:Duplex>{}</scan:Duplex>", self.duplex)
        } else {
            String::new()
        };
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<scan:ScanSettings xmlns:scan="{scan}" xmlns:pwg="{pwg}">
  <pwg:Version>2.63</pwg:Version>
  <pwg:ScanRegions><pwg:ScanRegion>
    <pwg:ContentRegionUnits>escl:ThreeHundredthsOfInches</pwg:ContentRegionUnits>
    <pwg:XOffset>0</pwg:XOffset><pwg:YOffset>0</pwg:YOffset>
    <pwg:Width>{width}</pwg:Width><pwg:Height>{height}</pwg:Height>
  </pwg:ScanRegion></pwg:ScanRegions>
  <pwg:InputSource>{input}</pwg:InputSource>
  <scan:ColorMode>{mode}</scan:ColorMode>
  <scan:XResolution>{dpi}</scan:XResolution><scan:YResolution>{dpi}</scan:YResolution>
  <pwg:DocumentFormat>{JPEG}</pwg:DocumentFormat>
  <scan:DocumentFormatExt>{JPEG}</scan:DocumentFormatExt>
  {duplex}
</scan:ScanSettings>
"#,
            scan = crate::xml::SCAN,
            pwg = crate::xml::PWG,
            width = page_side(source.max_width, LETTER_WIDTH),
            height = page_side(source.max_height, A4_HEIGHT),
            mode = self.colour.escl(),
            dpi = self.resolution,
        )
    }
}

/// US Letter's width and A4's height, in 1/300 inch: a region that holds either paper.
const LETTER_WIDTH: u32 = 2550;
const A4_HEIGHT: u32 = 3508;

/// The region's side: a whole Letter or A4 page where the source allows, else its maximum (a
/// scanner that reports none gets the page size).
fn page_side(max: u32, page: u32) -> u32 {
    if max == 0 {
        page
    } else {
        max.min(page)
    }
}

fn list(values: &[u32], unit: &str) -> String {
    let items: Vec<String> = values.iter().map(|v| format!("{v}{unit}")).collect();
    if items.is_empty() {
        "none".into()
    } else {
        items.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps() -> Capabilities {
        let source = SourceCaps {
            colour_modes: vec!["RGB24".into(), "Grayscale8".into()],
            formats: vec!["image/jpeg".into()],
            resolutions: vec![200, 300],
            max_width: 2550,
            max_height: 4200,
        };
        Capabilities {
            make_and_model: "Test".into(),
            platen: None,
            feeder: Some(source),
            duplex: false,
        }
    }

    #[test]
    fn a_request_the_scanner_cannot_honour_is_refused_saying_what_it_offers() {
        let caps = caps();
        assert!(ScanRequest::default().check(&caps).is_ok());
        let dpi = ScanRequest {
            resolution: 600,
            ..ScanRequest::default()
        };
        assert_eq!(
            dpi.check(&caps).unwrap_err().to_string(),
            "the scanner does not offer 600 dpi; it offers 200 dpi, 300 dpi"
        );
        let glass = ScanRequest {
            source: Source::Flatbed,
            ..ScanRequest::default()
        };
        assert!(glass
            .check(&caps)
            .unwrap_err()
            .to_string()
            .contains("a glass"));
        let duplex = ScanRequest {
            duplex: true,
            ..ScanRequest::default()
        };
        assert!(duplex
            .check(&caps)
            .unwrap_err()
            .to_string()
            .contains("two-sided"));
    }

    #[test]
    fn the_job_asks_for_jpeg_pages_of_a_whole_page_in_the_chosen_mode() {
        let caps = caps();
        let request = ScanRequest {
            colour: ColourMode::Grey,
            duplex: false,
            ..ScanRequest::default()
        };
        let xml = request.settings_xml(caps.feeder.as_ref().unwrap());
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let text = |name: &str| {
            doc.descendants()
                .find(|n| n.tag_name().name() == name)
                .and_then(|n| n.text())
                .unwrap()
                .to_owned()
        };
        assert_eq!(text("InputSource"), "Feeder");
        assert_eq!(text("ColorMode"), "Grayscale8");
        assert_eq!(text("XResolution"), "300");
        assert_eq!(text("DocumentFormatExt"), "image/jpeg");
        assert_eq!(
            text("Height"),
            "3508",
            "A4's height, within the feeder's 4200"
        );
        assert_eq!(text("Duplex"), "false");
    }
}
