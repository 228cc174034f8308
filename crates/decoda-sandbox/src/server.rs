//! The accept loop: one hyper connection task per TCP connection, each killable from inside a handler.
//!
//! `axum::serve` cannot close a connection without answering, but the `DropMidBody` and `DropAfterStore`
//! faults must do exactly that. So each connection gets a [`ConnectionControl`] in its requests' extensions;
//! a handler calls [`ConnectionControl::kill`] and the connection task drops the socket at once.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::Request;
use axum::response::Response;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::ServiceExt;

/// How long open requests may finish after shutdown starts.
const GRACE: Duration = Duration::from_secs(1);

/// Lets a handler end its own connection abruptly; put in every request's extensions.
#[derive(Clone, Debug)]
pub(crate) struct ConnectionControl {
    peer: SocketAddr,
    kill: CancellationToken,
    shutdown: CancellationToken,
}

impl ConnectionControl {
    /// The client's address.
    pub(crate) fn peer(&self) -> SocketAddr {
        self.peer
    }

    /// Closes the connection now, without an answer.
    pub(crate) fn kill(&self) {
        self.kill.cancel();
    }

    /// Resolves when the connection is killed or the server shuts down.
    pub(crate) async fn closing(&self) {
        tokio::select! {
            () = self.kill.cancelled() => {}
            () = self.shutdown.cancelled() => {}
        }
    }
}

/// A router served on a bound socket by a tokio task, until stopped or dropped: the API's server
/// and the stand-in scanner's both run this way.
#[derive(Debug)]
pub(crate) struct Serving {
    addr: SocketAddr,
    shutdown: CancellationToken,
    tracker: TaskTracker,
    accept: Option<tokio::task::JoinHandle<()>>,
}

impl Serving {
    /// Binds `addr` (a loopback address; port 0 picks a free one).
    pub(crate) async fn bind(addr: SocketAddr) -> crate::Result<TcpListener> {
        if !addr.ip().is_loopback() {
            return Err(crate::Error::NotLoopback { addr });
        }
        TcpListener::bind(addr)
            .await
            .map_err(|source| crate::Error::Bind { addr, source })
    }

    /// Serves `router` on `listener` in a tokio task.
    pub(crate) fn start(listener: TcpListener, router: Router) -> crate::Result<Self> {
        let addr = listener.local_addr()?;
        let shutdown = CancellationToken::new();
        let tracker = TaskTracker::new();
        let accept = tokio::spawn(accept_loop(
            listener,
            router,
            shutdown.clone(),
            tracker.clone(),
        ));
        tracing::debug!(%addr, "listening");
        Ok(Self {
            addr,
            shutdown,
            tracker,
            accept: Some(accept),
        })
    }

    /// The bound address (with the real port when 0 was asked for).
    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting, lets open requests finish briefly, then closes every connection.
    pub(crate) async fn stop(&mut self) {
        self.shutdown.cancel();
        if let Some(accept) = self.accept.take() {
            let _ = accept.await;
        }
        self.tracker.close();
        self.tracker.wait().await;
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// Accepts connections until `shutdown` is cancelled; connection tasks are spawned on `tracker`.
async fn accept_loop(
    listener: TcpListener,
    router: Router,
    shutdown: CancellationToken,
    tracker: TaskTracker,
) {
    loop {
        let accepted = tokio::select! {
            () = shutdown.cancelled() => return,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((stream, peer)) => {
                tracker.spawn(serve_connection(
                    stream,
                    peer,
                    router.clone(),
                    shutdown.clone(),
                ));
            }
            Err(error) => {
                // Usually "too many open files": back off instead of spinning.
                tracing::warn!(%error, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}

async fn serve_connection(
    stream: TcpStream,
    peer: SocketAddr,
    router: Router,
    shutdown: CancellationToken,
) {
    let _ = stream.set_nodelay(true);
    let control = ConnectionControl {
        peer,
        kill: CancellationToken::new(),
        shutdown: shutdown.clone(),
    };
    let kill = control.kill.clone();
    let service = hyper::service::service_fn(move |request: Request<Incoming>| {
        with_control(router.clone(), control.clone(), request)
    });
    let builder = auto::Builder::new(TokioExecutor::new());
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    let mut connection = std::pin::pin!(connection);
    tokio::select! {
        result = connection.as_mut() => {
            if let Err(error) = result {
                tracing::debug!(%error, "connection ended with an error");
            }
            return;
        }
        () = kill.cancelled() => {
            tracing::debug!("connection dropped on purpose");
            return;
        }
        () = shutdown.cancelled() => {}
    }
    connection.as_mut().graceful_shutdown();
    tokio::select! {
        _ = connection.as_mut() => {}
        () = kill.cancelled() => {}
        () = tokio::time::sleep(GRACE) => {}
    }
}

/// The small service wrapper: hands the connection's control to the router through the request extensions.
async fn with_control(
    router: Router,
    control: ConnectionControl,
    mut request: Request<Incoming>,
) -> Result<Response, Infallible> {
    request.extensions_mut().insert(control);
    router.oneshot(request).await
}
