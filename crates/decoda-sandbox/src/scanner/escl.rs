//! The stand-in scanner's eSCL documents: what it says it can do, its state, and reading the
//! settings of a job. Written as sane-airscan and real scanners expect them (`scan:` and `pwg:`
//! prefixes, one setting profile, discrete resolutions).

/// The resolutions it offers, in dots per inch.
pub const RESOLUTIONS: [u32; 3] = [150, 200, 300];
/// The widest and longest page, in 1/300 inch (US Letter's width, A4's height).
pub const MAX_WIDTH: u32 = 2550;
/// See [`MAX_WIDTH`].
pub const MAX_HEIGHT: u32 = 3508;

const NAMESPACES: &str = r#"xmlns:scan="http://schemas.hp.com/imaging/escl/2011/05/03" xmlns:pwg="http://www.pwg.org/schemas/2010/12/sm""#;

fn input_caps(tag: &str) -> String {
    let resolutions: String = RESOLUTIONS
        .iter()
        .map(|r| {
            format!("<scan:DiscreteResolution><scan:XResolution>{r}</scan:XResolution><scan:YResolution>{r}</scan:YResolution></scan:DiscreteResolution>")
        })
        .collect();
    format!(
        "<scan:{tag}><scan:MinWidth>16</scan:MinWidth><scan:MaxWidth>{MAX_WIDTH}</scan:MaxWidth>\
         <scan:MinHeight>16</scan:MinHeight><scan:MaxHeight>{MAX_HEIGHT}</scan:MaxHeight>\
         <scan:SettingProfiles><scan:SettingProfile>\
         <scan:ColorModes><scan:ColorMode>RGB24</scan:ColorMode><scan:ColorMode>Grayscale8</scan:ColorMode></scan:ColorModes>\
         <scan:DocumentFormats><pwg:DocumentFormat>image/jpeg</pwg:DocumentFormat></scan:DocumentFormats>\
         <scan:SupportedResolutions><scan:DiscreteResolutions>{resolutions}</scan:DiscreteResolutions></scan:SupportedResolutions>\
         </scan:SettingProfile></scan:SettingProfiles></scan:{tag}>"
    )
}

/// `ScannerCapabilities`: a glass, and a feeder that scans one or both sides.
pub fn capabilities() -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<scan:ScannerCapabilities {NAMESPACES}><pwg:Version>2.63</pwg:Version><pwg:MakeAndModel>Decoda Sandbox Scanner</pwg:MakeAndModel><scan:Platen>{}</scan:Platen><scan:Adf>{}{}</scan:Adf></scan:ScannerCapabilities>
"#,
        input_caps("PlatenInputCaps"),
        input_caps("AdfSimplexInputCaps"),
        input_caps("AdfDuplexInputCaps"),
    )
}

/// `ScannerStatus`.
pub fn status(busy: bool, feeder: &str) -> String {
    let state = if busy { "Processing" } else { "Idle" };
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<scan:ScannerStatus {NAMESPACES}><pwg:Version>2.63</pwg:Version><pwg:State>{state}</pwg:State><scan:AdfState>{feeder}</scan:AdfState></scan:ScannerStatus>
"#
    )
}

/// What a job asked for, read from its `ScanSettings`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobSettings {
    /// From the feeder (else the glass).
    pub feeder: bool,
    /// Greyscale.
    pub grey: bool,
    /// Dots per inch.
    pub dpi: u32,
    /// The region, in 1/300 inch.
    pub width: u32,
    /// See `width`.
    pub height: u32,
}

/// Reads a `ScanSettings` document; the reason when it cannot be honoured.
pub fn job_settings(xml: &str) -> Result<JobSettings, String> {
    let doc = roxmltree::Document::parse(xml).map_err(|e| format!("not XML: {e}"))?;
    let text = |name: &str| {
        doc.descendants()
            .find(|n| n.is_element() && n.tag_name().name() == name)
            .and_then(|n| n.text())
            .map(str::trim)
    };
    let number = |name: &str| text(name).and_then(|t| t.parse::<u32>().ok());
    let feeder = match text("InputSource") {
        Some("Feeder") => true,
        Some("Platen") | None => false,
        Some(other) => return Err(format!("unknown input source {other}")),
    };
    let grey = match text("ColorMode") {
        Some("Grayscale8") => true,
        Some("RGB24") | None => false,
        Some(other) => return Err(format!("unsupported colour mode {other}")),
    };
    let dpi = number("XResolution").unwrap_or(300);
    if !RESOLUTIONS.contains(&dpi) || number("YResolution").is_some_and(|y| y != dpi) {
        return Err(format!("unsupported resolution {dpi}"));
    }
    if let Some(format) = text("DocumentFormatExt").or_else(|| text("DocumentFormat")) {
        if !format.eq_ignore_ascii_case("image/jpeg") {
            return Err(format!("unsupported format {format}"));
        }
    }
    Ok(JobSettings {
        feeder,
        grey,
        dpi,
        width: number("Width").unwrap_or(MAX_WIDTH).clamp(16, MAX_WIDTH),
        height: number("Height").unwrap_or(MAX_HEIGHT).clamp(16, MAX_HEIGHT),
    })
}
