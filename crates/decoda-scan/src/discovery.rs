//! Finding the scanners on the clinic's network, so nobody has to look up and type an address.
//!
//! eSCL scanners announce themselves over multicast DNS (DNS-SD, "Bonjour") as `_uscan._tcp`
//! (plain HTTP) and `_uscans._tcp` (HTTPS). Each announcement carries the scanner's address and
//! port, and a TXT record whose `rs` names the eSCL path (usually `eSCL`) and whose `ty` is its make
//! and model. [`discover`] listens for a bounded time and returns what answered, each with the
//! address [`crate::Scanner::new`] takes.
//!
//! The search runs on `mdns-sd`'s own thread and is awaited through its async channels, so it never
//! holds up a tokio worker. Multicast only reaches the local network segment: a scanner behind a
//! router is not found and is still set up by its address.

use mdns_sd::{ResolvedService, ServiceDaemon, ServiceEvent};
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::time::Duration;
use url::Url;

/// The DNS-SD service type of eSCL over plain HTTP.
pub const ESCL_SERVICE: &str = "_uscan._tcp.local.";
/// The DNS-SD service type of eSCL over HTTPS.
pub const ESCL_SECURE_SERVICE: &str = "_uscans._tcp.local.";
/// The port multicast DNS uses on every network (RFC 6762).
pub const MDNS_PORT: u16 = 5353;
/// The eSCL path when a scanner's TXT record has no `rs`, as the specification says.
const DEFAULT_RESOURCE: &str = "eSCL";

/// A scanner that announced itself on the network.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FoundScanner {
    /// What to call it: the make and model it announces (`ty`), or else its instance name, which
    /// is what the scanner's own panel or web page usually shows.
    pub name: String,
    /// Its eSCL address, such as `http://192.168.1.40:8080/eSCL`: what [`crate::Scanner::new`]
    /// and the settings' `[scanners] addresses` take.
    pub url: String,
    /// Whether it was offered over HTTPS (`_uscans`).
    pub secure: bool,
}

/// Why the network could not be searched. Finding nothing is not an error: [`discover`] then
/// returns an empty list.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DiscoveryError {
    /// The search could not be started or stopped unexpectedly (no network, or the system refused
    /// the multicast socket).
    #[error("could not look for scanners on the network: {0}")]
    Unavailable(String),
}

impl From<mdns_sd::Error> for DiscoveryError {
    fn from(e: mdns_sd::Error) -> Self {
        Self::Unavailable(e.to_string())
    }
}

/// Looks for eSCL scanners on the local network for `wait`, then returns each one that answered,
/// once, sorted by name. Announcements keep arriving for a while (scanners answer at random
/// delays, and sleeping ones later), so a few seconds finds more than one.
pub async fn discover(wait: Duration) -> Result<Vec<FoundScanner>, DiscoveryError> {
    discover_on_port(MDNS_PORT, wait).await
}

/// As [`discover`], with multicast DNS on another UDP port than 5353: tests use a port of their
/// own, so that they neither see the real network's scanners nor announce to it.
pub async fn discover_on_port(
    port: u16,
    wait: Duration,
) -> Result<Vec<FoundScanner>, DiscoveryError> {
    let daemon = Daemon(ServiceDaemon::new_with_port(port)?);
    let plain = daemon.0.browse(ESCL_SERVICE)?;
    let secure = daemon.0.browse(ESCL_SECURE_SERVICE)?;
    let mut open = (true, true);
    // By full name: a service is resolved again when more of its addresses arrive (the latest
    // is the most complete), and forgotten when it says goodbye.
    let mut services: BTreeMap<String, ResolvedService> = BTreeMap::new();
    let search = async {
        while open.0 || open.1 {
            let event = tokio::select! {
                event = plain.recv_async(), if open.0 => event.map_err(|_| open.0 = false),
                event = secure.recv_async(), if open.1 => event.map_err(|_| open.1 = false),
            };
            match event {
                Ok(ServiceEvent::ServiceResolved(service)) => {
                    services.insert(service.fullname.clone(), *service);
                }
                Ok(ServiceEvent::ServiceRemoved(_, fullname)) => {
                    services.remove(&fullname);
                }
                Ok(_) | Err(()) => {}
            }
        }
    };
    if tokio::time::timeout(wait, search).await.is_ok() {
        // Both channels closed before the time was up: the search thread ended by itself.
        return Err(DiscoveryError::Unavailable(
            "the search stopped before its time".into(),
        ));
    }
    drop(daemon);
    let found: BTreeSet<FoundScanner> = services.values().filter_map(found_scanner).collect();
    let mut found: Vec<FoundScanner> = found.into_iter().collect();
    // Sorted by name for people, then by address for a stable order; no address twice.
    let mut seen = BTreeSet::new();
    found.retain(|s| seen.insert(s.url.clone()));
    Ok(found)
}

/// Whether two addresses name the same scanner, as the scanner client reads them: so
/// `http://192.168.1.40/eSCL/` in the settings and `http://192.168.1.40:80/eSCL` found on the
/// network are one scanner, listed once. Addresses that are not valid compare as written.
pub fn same_scanner(a: &str, b: &str) -> bool {
    match (crate::scanner::base_url(a), crate::scanner::base_url(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a.trim() == b.trim(),
    }
}

/// Stops the search thread however the search ends, including when its future is dropped.
struct Daemon(ServiceDaemon);

impl Drop for Daemon {
    fn drop(&mut self) {
        // Only queues the stop: the thread answers on a channel nobody needs to wait for.
        let _ = self.0.shutdown();
    }
}

/// The scanner a resolved service describes, or `None` when it gave no way to reach it.
fn found_scanner(service: &ResolvedService) -> Option<FoundScanner> {
    let secure = service.ty_domain.eq_ignore_ascii_case(ESCL_SECURE_SERVICE);
    let addresses: Vec<IpAddr> = service
        .addresses
        .iter()
        .map(mdns_sd::ScopedIp::to_ip_addr)
        .collect();
    let host = url_host(&addresses, &service.host)?;
    let rs = service.txt_properties.get_property_val_str("rs");
    let url = escl_url(secure, &host, service.port, rs)?;
    let name = scanner_name(
        service.txt_properties.get_property_val_str("ty"),
        &service.fullname,
        &service.ty_domain,
    );
    Some(FoundScanner { name, url, secure })
}

/// The host part of a scanner's URL: an IPv4 address if it has one (what every client on an
/// office network reaches), else a routable IPv6 address in brackets, else its `.local` host name.
/// A link-local IPv6 address (`fe80::`) needs its interface in the URL, which HTTP clients do not
/// take, so the host name is better then.
pub fn url_host(addresses: &[IpAddr], hostname: &str) -> Option<String> {
    let v4 = addresses
        .iter()
        .filter_map(|a| match a {
            IpAddr::V4(v4) => Some(*v4),
            IpAddr::V6(_) => None,
        })
        // A self-assigned 169.254 address only when there is no other.
        .min_by_key(|v4| (v4.is_link_local(), *v4));
    if let Some(v4) = v4 {
        return Some(v4.to_string());
    }
    let v6 = addresses
        .iter()
        .filter_map(|a| match a {
            IpAddr::V6(v6) if (v6.segments()[0] & 0xffc0) != 0xfe80 => Some(*v6),
            _ => None,
        })
        .min();
    if let Some(v6) = v6 {
        return Some(format!("[{v6}]"));
    }
    let name = hostname.trim().trim_end_matches('.');
    (!name.is_empty()).then(|| name.to_owned())
}

/// The eSCL address from the parts an announcement gives: `https` for `_uscans`, the host (an
/// address as [`url_host`] writes it, or a name), the port, and the TXT `rs` path (`eSCL` when
/// absent; an empty `rs` means the scanner answers at the root). Leading and trailing slashes of
/// `rs` are ignored, as scanners write it both ways. `None` when the parts make no valid URL.
pub fn escl_url(secure: bool, host: &str, port: u16, rs: Option<&str>) -> Option<String> {
    let scheme = if secure { "https" } else { "http" };
    let mut url = Url::parse(&format!("{scheme}://{host}:{port}/")).ok()?;
    let path = rs.unwrap_or(DEFAULT_RESOURCE).trim().trim_matches('/');
    url.set_path(path);
    Some(url.to_string())
}

/// The name to show: the announced make and model (`ty`), else the instance name (the full
/// service name without its type, with DNS-SD's escapes undone).
pub fn scanner_name(ty: Option<&str>, fullname: &str, ty_domain: &str) -> String {
    if let Some(ty) = ty.map(str::trim).filter(|t| !t.is_empty()) {
        return ty.to_owned();
    }
    let instance = fullname
        .strip_suffix(ty_domain)
        .map(|i| i.strip_suffix('.').unwrap_or(i))
        .unwrap_or(fullname);
    unescape(instance)
}

/// Undoes DNS label escapes: `\.` and `\\`, and `\DDD` decimal bytes.
fn unescape(escaped: &str) -> String {
    let mut bytes = Vec::with_capacity(escaped.len());
    let raw = escaped.as_bytes();
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'\\' && i + 1 < raw.len() {
            let digits = raw
                .get(i + 1..i + 4)
                .filter(|d| d.iter().all(u8::is_ascii_digit));
            let value = digits
                .and_then(|d| std::str::from_utf8(d).ok())
                .and_then(|d| d.parse::<u8>().ok());
            if let Some(value) = value {
                bytes.push(value);
                i += 4;
            } else {
                bytes.push(raw[i + 1]);
                i += 2;
            }
        } else {
            bytes.push(raw[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    fn url(secure: bool, host: &str, port: u16, rs: Option<&str>) -> String {
        escl_url(secure, host, port, rs).unwrap()
    }

    #[test]
    fn the_path_comes_from_rs_with_or_without_slashes_and_defaults_to_escl() {
        let host = "192.168.1.40";
        assert_eq!(
            url(false, host, 8080, Some("eSCL")),
            "http://192.168.1.40:8080/eSCL"
        );
        assert_eq!(
            url(false, host, 8080, Some("/eSCL")),
            "http://192.168.1.40:8080/eSCL"
        );
        assert_eq!(
            url(false, host, 8080, Some("/scan/eSCL/")),
            "http://192.168.1.40:8080/scan/eSCL"
        );
        assert_eq!(
            url(false, host, 8080, None),
            "http://192.168.1.40:8080/eSCL"
        );
        // An empty rs: the scanner answers at the root.
        assert_eq!(
            url(false, host, 8080, Some("")),
            "http://192.168.1.40:8080/"
        );
        assert_eq!(
            url(false, host, 8080, Some("/")),
            "http://192.168.1.40:8080/"
        );
    }

    #[test]
    fn uscans_is_https_and_the_usual_port_is_left_out() {
        assert_eq!(
            url(true, "192.168.1.40", 443, Some("eSCL")),
            "https://192.168.1.40/eSCL"
        );
        assert_eq!(
            url(true, "192.168.1.40", 8443, Some("eSCL")),
            "https://192.168.1.40:8443/eSCL"
        );
        assert_eq!(
            url(false, "192.168.1.40", 80, Some("eSCL")),
            "http://192.168.1.40/eSCL"
        );
    }

    #[test]
    fn ipv4_is_preferred_and_ipv6_is_bracketed() {
        let v4: IpAddr = Ipv4Addr::new(192, 168, 1, 40).into();
        let link_local_v4: IpAddr = Ipv4Addr::new(169, 254, 3, 4).into();
        let v6: IpAddr = "fd00::40".parse::<Ipv6Addr>().unwrap().into();
        let link_local_v6: IpAddr = "fe80::1".parse::<Ipv6Addr>().unwrap().into();
        assert_eq!(
            url_host(&[v6, v4, link_local_v4], "scanner.local.").unwrap(),
            "192.168.1.40"
        );
        assert_eq!(
            url_host(&[link_local_v4, v6], "x.local.").unwrap(),
            "169.254.3.4"
        );
        let host = url_host(&[link_local_v6, v6], "scanner.local.").unwrap();
        assert_eq!(host, "[fd00::40]");
        assert_eq!(
            url(false, &host, 80, Some("eSCL")),
            "http://[fd00::40]/eSCL"
        );
        assert_eq!(url(true, &host, 9443, None), "https://[fd00::40]:9443/eSCL");
        // Only a link-local IPv6 address: the host name, which needs no interface.
        assert_eq!(
            url_host(&[link_local_v6], "scanner-3.local.").unwrap(),
            "scanner-3.local"
        );
        assert_eq!(url_host(&[], " "), None);
    }

    #[test]
    fn the_same_scanner_is_recognised_however_its_address_is_written() {
        assert!(same_scanner(
            "http://192.168.1.40/eSCL/",
            "http://192.168.1.40:80/eSCL"
        ));
        assert!(same_scanner(
            "http://192.168.1.40",
            "http://192.168.1.40/eSCL"
        ));
        assert!(!same_scanner(
            "http://192.168.1.40/eSCL",
            "https://192.168.1.40/eSCL"
        ));
        assert!(!same_scanner(
            "http://192.168.1.40:8080/eSCL",
            "http://192.168.1.41:8080/eSCL"
        ));
    }

    #[test]
    fn the_name_is_the_make_and_model_else_the_instance_name() {
        assert_eq!(
            scanner_name(
                Some("HP Color LaserJet MFP M479fdw"),
                "HP M479 [1A2B3C]._uscan._tcp.local.",
                ESCL_SERVICE
            ),
            "HP Color LaserJet MFP M479fdw"
        );
        assert_eq!(
            scanner_name(Some(" "), "Front desk\\.2._uscan._tcp.local.", ESCL_SERVICE),
            "Front desk.2"
        );
        assert_eq!(
            scanner_name(
                None,
                "Caf\\195\\169 scanner._uscans._tcp.local.",
                ESCL_SECURE_SERVICE
            ),
            "Café scanner"
        );
    }
}
