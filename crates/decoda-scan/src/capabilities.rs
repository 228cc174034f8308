//! What a scanner says it can do (`GET ScannerCapabilities`), read before every job so that a
//! request it cannot honour is refused here with a sentence, not by the scanner with a status.

use crate::xml::{all, child, find, number, text};
use crate::ScanError;
use roxmltree::{Document, Node};

/// What one input source (the glass or the feeder) offers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceCaps {
    /// Colour modes as eSCL names them (`RGB24`, `Grayscale8`, …).
    pub colour_modes: Vec<String>,
    /// Page formats it can send (`image/jpeg`, `application/pdf`, …).
    pub formats: Vec<String>,
    /// Resolutions in dots per inch, the same across and down the page.
    pub resolutions: Vec<u32>,
    /// The widest page, in 1/300 inch.
    pub max_width: u32,
    /// The longest page, in 1/300 inch.
    pub max_height: u32,
}

/// A scanner's capabilities.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Capabilities {
    /// Make and model, to name the scanner to people.
    pub make_and_model: String,
    /// The glass, if it has one.
    pub platen: Option<SourceCaps>,
    /// The document feeder, one side at a time, if it has one.
    pub feeder: Option<SourceCaps>,
    /// Whether the feeder scans both sides in one pass.
    pub duplex: bool,
}

impl Capabilities {
    /// Reads the `ScannerCapabilities` document.
    pub fn parse(xml: &str) -> Result<Self, ScanError> {
        let doc = Document::parse(xml)
            .map_err(|e| ScanError::Answer(format!("its capabilities are not XML ({e})")))?;
        let root = doc.root_element();
        let platen = find(root, "PlatenInputCaps").map(source_caps);
        let adf = find(root, "Adf");
        let feeder = adf
            .and_then(|a| find(a, "AdfSimplexInputCaps"))
            .map(source_caps);
        let duplex = adf.and_then(|a| find(a, "AdfDuplexInputCaps")).is_some();
        if platen.is_none() && feeder.is_none() {
            return Err(ScanError::Answer(
                "its capabilities list neither a glass nor a feeder".into(),
            ));
        }
        Ok(Self {
            make_and_model: text(root, "MakeAndModel").unwrap_or_default().to_owned(),
            platen,
            feeder,
            duplex,
        })
    }
}

fn source_caps(caps: Node<'_, '_>) -> SourceCaps {
    let mut out = SourceCaps {
        max_width: number(caps, "MaxWidth").unwrap_or(0),
        max_height: number(caps, "MaxHeight").unwrap_or(0),
        ..SourceCaps::default()
    };
    for mode in all(caps, "ColorMode") {
        push_new(&mut out.colour_modes, mode.text().map(str::trim));
    }
    for format in all(caps, "DocumentFormat").chain(all(caps, "DocumentFormatExt")) {
        push_new(&mut out.formats, format.text().map(str::trim));
    }
    for resolution in all(caps, "DiscreteResolution") {
        if let (Some(x), Some(y)) = (
            number(resolution, "XResolution"),
            number(resolution, "YResolution"),
        ) {
            if x == y && !out.resolutions.contains(&x) {
                out.resolutions.push(x);
            }
        }
    }
    out.resolutions.sort_unstable();
    // A scanner that lists no discrete resolutions and only a range is read as offering the
    // range's ends (rare; eSCL scanners list discrete ones).
    if out.resolutions.is_empty() {
        if let Some(range) = find(caps, "ResolutionRange") {
            let ends = child(range, "XResolutionRange")
                .map(|r| [number(r, "Min"), number(r, "Max")])
                .unwrap_or_default();
            out.resolutions.extend(ends.into_iter().flatten());
        }
    }
    out
}

fn push_new(list: &mut Vec<String>, value: Option<&str>) {
    if let Some(v) = value.filter(|v| !v.is_empty()) {
        if !list.iter().any(|x| x == v) {
            list.push(v.to_owned());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CAPS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<scan:ScannerCapabilities xmlns:scan="http://schemas.hp.com/imaging/escl/2011/05/03" xmlns:pwg="http://www.pwg.org/schemas/2010/12/sm">
  <pwg:Version>2.63</pwg:Version>
  <pwg:MakeAndModel>Office Scanner 3000</pwg:MakeAndModel>
  <scan:Platen><scan:PlatenInputCaps>
    <scan:MaxWidth>2550</scan:MaxWidth><scan:MaxHeight>3508</scan:MaxHeight>
    <scan:SettingProfiles><scan:SettingProfile>
      <scan:ColorModes><scan:ColorMode>RGB24</scan:ColorMode></scan:ColorModes>
      <scan:DocumentFormats><pwg:DocumentFormat>image/jpeg</pwg:DocumentFormat></scan:DocumentFormats>
      <scan:SupportedResolutions><scan:DiscreteResolutions>
        <scan:DiscreteResolution><scan:XResolution>300</scan:XResolution><scan:YResolution>300</scan:YResolution></scan:DiscreteResolution>
      </scan:DiscreteResolutions></scan:SupportedResolutions>
    </scan:SettingProfile></scan:SettingProfiles>
  </scan:PlatenInputCaps></scan:Platen>
  <scan:Adf>
    <scan:AdfSimplexInputCaps>
      <scan:MaxWidth>2550</scan:MaxWidth><scan:MaxHeight>4200</scan:MaxHeight>
      <scan:SettingProfiles><scan:SettingProfile>
        <scan:ColorModes><scan:ColorMode>RGB24</scan:ColorMode><scan:ColorMode>Grayscale8</scan:ColorMode></scan:ColorModes>
        <scan:DocumentFormats><pwg:DocumentFormat>image/jpeg</pwg:DocumentFormat><scan:DocumentFormatExt>image/jpeg</scan:DocumentFormatExt></scan:DocumentFormats>
        <scan:SupportedResolutions><scan:DiscreteResolutions>
          <scan:DiscreteResolution><scan:XResolution>300</scan:XResolution><scan:YResolution>300</scan:YResolution></scan:DiscreteResolution>
          <scan:DiscreteResolution><scan:XResolution>200</scan:XResolution><scan:YResolution>200</scan:YResolution></scan:DiscreteResolution>
        </scan:DiscreteResolutions></scan:SupportedResolutions>
      </scan:SettingProfile></scan:SettingProfiles>
    </scan:AdfSimplexInputCaps>
    <scan:AdfDuplexInputCaps/>
  </scan:Adf>
</scan:ScannerCapabilities>"#;

    #[test]
    fn a_scanners_glass_feeder_modes_and_resolutions_are_read() {
        let caps = Capabilities::parse(CAPS).unwrap();
        assert_eq!(caps.make_and_model, "Office Scanner 3000");
        let feeder = caps.feeder.unwrap();
        assert_eq!(feeder.colour_modes, ["RGB24", "Grayscale8"]);
        assert_eq!(feeder.formats, ["image/jpeg"], "listed twice, kept once");
        assert_eq!(feeder.resolutions, [200, 300]);
        assert_eq!((feeder.max_width, feeder.max_height), (2550, 4200));
        assert!(caps.duplex);
        assert_eq!(caps.platen.unwrap().resolutions, [300]);
    }

    #[test]
    fn capabilities_that_are_not_xml_or_list_no_source_are_refused_with_the_reason() {
        let not_xml = Capabilities::parse("<html>").unwrap_err();
        assert!(not_xml.to_string().contains("not XML"), "{not_xml}");
        let empty = Capabilities::parse(
            r#"<scan:ScannerCapabilities xmlns:scan="http://schemas.hp.com/imaging/escl/2011/05/03"/>"#,
        )
        .unwrap_err();
        assert!(
            empty.to_string().contains("neither a glass nor a feeder"),
            "{empty}"
        );
    }
}
