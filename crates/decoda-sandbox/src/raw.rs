//! A one-request HTTP server that answers exactly what a test writes, for answers no real server
//! would give: endless bodies, lying `Content-Length` headers, redirects to anywhere.

use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// Serves one request on loopback: reads it, writes `head` (status line and headers, ending in a
/// blank line), then up to `body_bytes` bytes of `fill` in 64 KiB pieces, and closes. With no body
/// at all it holds the connection until the client hangs up. The task returns how many body bytes
/// went out before the client stopped reading, which is how a test proves a cap was applied.
///
/// # Panics
/// If nothing can listen on loopback (only ever used in tests).
pub async fn serve_once(head: &str, body_bytes: u64, fill: u8) -> (SocketAddr, JoinHandle<u64>) {
    #[allow(clippy::expect_used)]
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port for the test server");
    #[allow(clippy::expect_used)]
    let addr = listener.local_addr().expect("the test server's address");
    let head = head.to_owned();
    let task = tokio::spawn(async move {
        let Ok((mut socket, _)) = listener.accept().await else {
            return 0;
        };
        let mut request = Vec::new();
        let mut buf = [0u8; 4096];
        while !request.windows(4).any(|w| w == b"\r\n\r\n") {
            match socket.read(&mut buf).await {
                Ok(n) if n > 0 => request.extend_from_slice(&buf[..n]),
                _ => return 0,
            }
        }
        if socket.write_all(head.as_bytes()).await.is_err() {
            return 0;
        }
        let chunk = vec![fill; 64 * 1024];
        let mut sent = 0u64;
        while sent < body_bytes {
            if socket.write_all(&chunk).await.is_err() {
                return sent;
            }
            sent += chunk.len() as u64;
        }
        while body_bytes == 0 && matches!(socket.read(&mut buf).await, Ok(n) if n > 0) {}
        sent
    });
    (addr, task)
}
