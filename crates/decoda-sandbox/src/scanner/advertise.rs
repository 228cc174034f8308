//! Announcing the stand-in scanner over multicast DNS, as a real scanner announces itself, so that
//! `decoda scanners` and other eSCL clients find it without being given its address.
//!
//! The stand-in listens on loopback only, so it is announced on the loopback interfaces only: the
//! announcement stays on this computer and never reaches the clinic's network. It is off unless
//! asked for (`decoda-sandbox --scanner --advertise`), so tests do not announce by accident.

use crate::{Error, Result};
use mdns_sd::{IfKind, ServiceDaemon, ServiceInfo};
use socket2::{Domain, Protocol, Socket, Type};
use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::time::Duration;

/// The DNS-SD service type of eSCL over plain HTTP, as the stand-in speaks it.
pub const SERVICE_TYPE: &str = "_uscan._tcp.local.";
/// The make and model announced in the TXT record's `ty`, as in the scanner's capabilities.
pub const MAKE_AND_MODEL: &str = "Decoda Sandbox Scanner";
/// The port multicast DNS uses on every network (RFC 6762).
pub const MDNS_PORT: u16 = 5353;

/// A running announcement. Dropping it says goodbye (the service is withdrawn) and stops the
/// announcing thread.
pub struct Advertisement {
    daemon: ServiceDaemon,
    fullname: String,
}

impl std::fmt::Debug for Advertisement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Advertisement")
            .field("fullname", &self.fullname)
            .finish_non_exhaustive()
    }
}

impl Advertisement {
    /// The announced service's full name, e.g. `Decoda Sandbox Scanner (8788)._uscan._tcp.local.`.
    pub fn fullname(&self) -> &str {
        &self.fullname
    }
}

impl Drop for Advertisement {
    fn drop(&mut self) {
        // Both only queue a command for the announcing thread; nothing here waits.
        let _ = self.daemon.unregister(&self.fullname);
        let _ = self.daemon.shutdown();
    }
}

/// Announces the stand-in scanner serving eSCL at `scanner` (its loopback address and port) as an
/// `_uscan._tcp` service with the TXT records real scanners carry (`rs=eSCL`, `ty`, sources,
/// colour modes, formats). `mdns_port` is 5353 ([`MDNS_PORT`]) for real clients; tests use a port
/// of their own so that they do not see each other's announcements.
pub fn advertise(scanner: SocketAddr, mdns_port: u16) -> Result<Advertisement> {
    let failed = |e: mdns_sd::Error| Error::Advertise(e.to_string());
    let daemon = ServiceDaemon::new_with_port(mdns_port).map_err(failed)?;
    // Loopback only: the scanner cannot be reached from elsewhere, so it is not announced there.
    daemon.disable_interface(IfKind::All).map_err(failed)?;
    daemon
        .enable_interface(vec![IfKind::LoopbackV4, IfKind::LoopbackV6])
        .map_err(failed)?;
    let instance = format!("{MAKE_AND_MODEL} ({})", scanner.port());
    let host = format!("decoda-sandbox-{}.local.", scanner.port());
    let txt = [
        ("txtvers", "1"),
        ("vers", "2.63"),
        ("rs", "eSCL"),
        ("ty", MAKE_AND_MODEL),
        ("pdl", "image/jpeg"),
        ("cs", "color,grayscale"),
        ("is", "platen,adf"),
        ("duplex", "T"),
    ];
    let info = ServiceInfo::new(
        SERVICE_TYPE,
        &instance,
        &host,
        scanner.ip(),
        scanner.port(),
        &txt[..],
    )
    .map_err(failed)?;
    let fullname = info.get_fullname().to_owned();
    daemon.register(info).map_err(failed)?;
    Ok(Advertisement { daemon, fullname })
}

/// Whether a multicast datagram sent on this computer's loopback interface comes back, as the
/// announcement and a search on the same computer need. Some containers and locked-down machines
/// have no multicast at all: tests of discovery then say why they did not run. Blocks for up to
/// two seconds.
pub fn loopback_multicast() -> std::io::Result<()> {
    let group = Ipv4Addr::new(224, 0, 0, 251);
    let socket = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP))?;
    socket.bind(&SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0)).into())?;
    socket.join_multicast_v4(&group, &Ipv4Addr::LOCALHOST)?;
    socket.set_multicast_if_v4(&Ipv4Addr::LOCALHOST)?;
    socket.set_multicast_loop_v4(true)?;
    socket.set_read_timeout(Some(Duration::from_secs(2)))?;
    let socket: UdpSocket = socket.into();
    let port = socket.local_addr()?.port();
    let probe = format!("decoda multicast probe {}", std::process::id());
    socket.send_to(probe.as_bytes(), (group, port))?;
    let mut answer = [0u8; 64];
    // Another datagram could arrive on the port first; a few are skipped, not waited on forever.
    for _ in 0..16 {
        let (n, _) = socket.recv_from(&mut answer)?;
        if answer.get(..n) == Some(probe.as_bytes()) {
            return Ok(());
        }
    }
    Err(std::io::Error::other("the probe did not come back"))
}

/// For tests of discovery: whether multicast works on loopback ([`loopback_multicast`]). Without
/// it the test should not run, and this says so; where `DECODA_REQUIRE_SYSTEM_TOOLS` is set (CI)
/// it panics instead, so that discovery is never silently left untested there.
pub fn multicast_or_skip() -> bool {
    match loopback_multicast() {
        Ok(()) => true,
        Err(why) => {
            assert!(
                std::env::var_os("DECODA_REQUIRE_SYSTEM_TOOLS").is_none(),
                "multicast on the loopback interface is required here, and does not work: {why}"
            );
            eprintln!("skipped: multicast on the loopback interface does not work here ({why})");
            false
        }
    }
}
