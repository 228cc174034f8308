//! How every HTTP client of the uploader reaches the network: which certificates it trusts and
//! which proxy it goes through.
//!
//! Clinics sit behind proxies, and some of those proxies inspect TLS with a root certificate that
//! IT installed in the operating system's trust store. A client that trusts only a list of roots
//! built into the program, or that ignores the proxy the workstation is set up with, then fails
//! where the browser works, and people look for workarounds. So every client here:
//!
//! - verifies certificates with the operating system's verifier (`rustls-platform-verifier`: the
//!   system's CA bundle on Linux, the keychain on macOS, the certificate store on Windows), with
//!   the same rustls and ring that reqwest already uses, so no second TLS stack is linked;
//! - goes through the `proxy` setting when one is set, otherwise through the system's proxy:
//!   `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY` (upper or lower case) everywhere, and
//!   the system settings on Windows and macOS;
//! - never sends a request for this computer (`localhost`, `127.0.0.0/8`, `::1`) to a proxy, so the
//!   sandbox and the tests work whatever the environment says.
//!
//! The proxy is a property of the workstation, not of one call: the front ends read it from the
//! settings and hand it over once with [`set_proxy`], and every client built afterwards, including
//! the ones that download signed links and thumbnails far from the settings, uses it.

use crate::{ApiError, Result};
use base64::Engine as _;
use hyper_util::client::proxy::matcher::Matcher;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::{
    fmt,
    net::IpAddr,
    sync::{Arc, OnceLock, RwLock},
};
use url::Url;

/// A proxy address from the settings: `http://` or `https://`, a host, an optional port and an
/// optional user name and password.
///
/// It may carry a password, so it never shows it: `Debug` and `Display` print the address with
/// any user name and password replaced by `***`. Only [`Serialize`] (writing the settings file
/// back) and the HTTP client see the whole address.
#[derive(Clone, PartialEq, Eq)]
pub struct ProxyUrl(Url);

impl ProxyUrl {
    /// Parses and checks a proxy address such as `http://proxy.clinic.local:3128`.
    ///
    /// The error never repeats the address: it may hold a password.
    pub fn parse(input: &str) -> Result<Self> {
        let invalid = |reason: &str| ApiError::InvalidProxy {
            reason: reason.to_owned(),
        };
        let url = Url::parse(input.trim()).map_err(|_| invalid("it is not a web address"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(invalid("it must start with http:// or https://"));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(invalid("it has no host name"));
        }
        if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
            return Err(invalid(
                "it must be only a scheme, a host and a port, without a path, `?` or `#`",
            ));
        }
        Ok(Self(url))
    }

    /// The address with any user name and password replaced by `***`, for screens and logs.
    pub fn redacted(&self) -> String {
        let mut shown = self.0.clone();
        if !shown.username().is_empty() || shown.password().is_some() {
            // A URL with a host accepts a user name and a password: these cannot fail.
            let _ = shown.set_username("***");
            let _ = shown.set_password(Some("***"));
        }
        shown.as_str().trim_end_matches('/').to_owned()
    }
}

impl fmt::Debug for ProxyUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ProxyUrl({})", self.redacted())
    }
}

impl fmt::Display for ProxyUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl Serialize for ProxyUrl {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0.as_str().trim_end_matches('/'))
    }
}

impl<'de> Deserialize<'de> for ProxyUrl {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// The proxy every client built from now on uses: `Some` for the `proxy` setting, `None` for the
/// system's. Front ends call it whenever they have read the settings.
pub fn set_proxy(proxy: Option<ProxyUrl>) {
    let mut slot = PROXY
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    *slot = proxy;
}

/// The proxy [`set_proxy`] last set.
pub fn configured_proxy() -> Option<ProxyUrl> {
    PROXY
        .read()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .clone()
}

static PROXY: RwLock<Option<ProxyUrl>> = RwLock::new(None);

/// A reqwest client builder that trusts the operating system's certificates and goes through the
/// configured proxy (see [`set_proxy`]), or the system's when none is configured. Every HTTP
/// client of the uploader starts from here; callers add their own timeouts and redirect policy.
pub fn client_builder() -> reqwest::ClientBuilder {
    client_builder_with(configured_proxy().as_ref())
}

/// [`client_builder`] with this proxy (`None`: the system's) instead of the configured one.
pub fn client_builder_with(proxy: Option<&ProxyUrl>) -> reqwest::ClientBuilder {
    let builder = reqwest::Client::builder().proxy(proxy_rules(proxy));
    match platform_tls() {
        Some(tls) => builder.use_preconfigured_tls(tls),
        None => builder,
    }
}

/// The TLS settings with the operating system's verifier, made once per process: on Linux the
/// verifier reads the whole CA bundle when it is made. `None` when the system has no trust store
/// to read (a minimal Linux without a CA bundle): reqwest's built-in roots apply then, so the
/// app still reaches servers with public certificates.
fn platform_tls() -> Option<rustls::ClientConfig> {
    static TLS: OnceLock<Option<rustls::ClientConfig>> = OnceLock::new();
    TLS.get_or_init(|| match build_platform_tls() {
        Ok(config) => Some(config),
        Err(e) => {
            tracing::warn!(
                "the system's certificate store cannot be used ({e}); using built-in roots"
            );
            None
        }
    })
    .clone()
}

fn build_platform_tls() -> std::result::Result<rustls::ClientConfig, rustls::Error> {
    use rustls_platform_verifier::BuilderVerifierExt as _;
    // The provider is named rather than taken from the process default, which would panic if
    // another crate ever enabled a second one.
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_platform_verifier()?
        .with_no_client_auth())
}

/// Which requests go through which proxy. reqwest's own system proxy cannot be told to leave
/// this computer alone, so the same rules (hyper-util's matcher, which reqwest uses inside) are
/// applied here, behind a loopback check.
fn proxy_rules(proxy: Option<&ProxyUrl>) -> reqwest::Proxy {
    let matcher = match proxy {
        Some(p) => Matcher::builder().all(p.0.as_str().to_owned()).build(),
        None => Matcher::from_system(),
    };
    reqwest::Proxy::custom(move |url| proxy_for(&matcher, url))
}

/// The proxy `url` goes through, if any, with its user name and password in the address (reqwest
/// turns them back into a `Proxy-Authorization` header).
fn proxy_for(matcher: &Matcher, url: &Url) -> Option<Url> {
    if is_this_computer(url) {
        return None;
    }
    let uri: http::Uri = url.as_str().parse().ok()?;
    let hit = matcher.intercept(&uri)?;
    let mut proxy = Url::parse(&hit.uri().to_string()).ok()?;
    if let Some((user, password)) = credentials(&hit) {
        // The proxy address has a host, so it accepts a user name and a password.
        let _ = proxy.set_username(&user);
        let _ = proxy.set_password(Some(&password));
    }
    Some(proxy)
}

/// The user name and password the matcher found in the proxy's address.
fn credentials(hit: &hyper_util::client::proxy::matcher::Intercept) -> Option<(String, String)> {
    if let Some((user, password)) = hit.raw_auth() {
        return Some((user.to_owned(), password.to_owned()));
    }
    let header = hit.basic_auth()?.to_str().ok()?;
    let encoded = header.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':').unwrap_or((&text, ""));
    Some((user.to_owned(), password.to_owned()))
}

/// `localhost` (and names under it) and loopback addresses.
fn is_this_computer(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            d == "localhost" || d.ends_with(".localhost")
        }
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn a_proxy_is_an_http_or_https_address_with_a_host() {
        for ok in [
            "http://proxy.clinic.local:3128",
            "https://proxy.clinic.local",
            " http://user:pa%40ss@10.0.0.1:8080/ ",
        ] {
            assert!(ProxyUrl::parse(ok).is_ok(), "{ok}");
        }
        for (bad, why) in [
            ("proxy.clinic.local:3128", "http:// or https://"),
            ("socks5://proxy:1080", "http:// or https://"),
            ("ftp://proxy:21", "http:// or https://"),
            ("http://proxy:3128/path", "without a path"),
            ("http://proxy:3128/?x=1", "without a path"),
            ("not a url", "proxy"),
            ("http://:3128", "proxy"),
        ] {
            let err = ProxyUrl::parse(bad).unwrap_err().to_string();
            assert!(err.contains(why), "{bad}: {err}");
            assert!(
                err.contains("proxy"),
                "{bad}: the error says which setting: {err}"
            );
        }
    }

    #[test]
    fn a_proxy_password_is_never_shown() {
        let p = ProxyUrl::parse("http://nurse:s3cret-canary@proxy.clinic.local:3128").unwrap();
        let shown = format!("{p} {p:?} {}", p.redacted());
        assert!(!shown.contains("s3cret-canary"), "{shown}");
        assert!(!shown.contains("nurse"), "{shown}");
        assert!(shown.contains("proxy.clinic.local:3128"), "{shown}");
        let err = ProxyUrl::parse("ftp://nurse:s3cret-canary@proxy:21")
            .unwrap_err()
            .to_string();
        assert!(!err.contains("s3cret-canary"), "{err}");
        let written = serde_json::to_string(&p).unwrap();
        assert!(
            written.contains("s3cret-canary"),
            "writing the settings back keeps it: {written}"
        );
    }

    #[test]
    fn this_computer_never_goes_through_a_proxy() {
        let matcher = Matcher::builder().all("http://proxy.example:3128").build();
        for local in [
            "http://127.0.0.1:8787/",
            "http://127.3.4.5/",
            "http://localhost:1/",
            "https://LOCALHOST./",
            "http://sandbox.localhost/",
            "http://[::1]:9/",
        ] {
            assert_eq!(proxy_for(&matcher, &url(local)), None, "{local}");
        }
        let through = proxy_for(&matcher, &url("https://api.decodahealth.com/")).unwrap();
        assert_eq!(through.host_str(), Some("proxy.example"));
    }

    #[test]
    fn proxy_credentials_reach_the_proxy_address() {
        let matcher = Matcher::builder()
            .all("http://nurse:pa%3Ass%40@proxy.example:3128")
            .build();
        let through = proxy_for(&matcher, &url("https://api.decodahealth.com/")).unwrap();
        assert_eq!(through.username(), "nurse");
        let password = through.password().unwrap();
        assert_eq!(
            percent_decode(password),
            "pa:ss@",
            "the password survives the round trip"
        );
    }

    fn percent_decode(s: &str) -> String {
        url::form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap()
    }

    #[test]
    fn the_system_trust_store_is_used() {
        assert!(
            build_platform_tls().is_ok(),
            "the platform verifier could not be set up from this system's trust store"
        );
        assert!(client_builder().build().is_ok());
    }
}
