//! The real engine against the real sandbox on loopback: wire format, faults, verification,
//! cancellation. One test binary with a module per topic keeps link times down.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cancel;
mod errors;
mod faults;
mod recovery;
mod support;
mod verify;
mod wire;
