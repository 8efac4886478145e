//! Hostile response bodies for fault injection (test controls only): a body of
//! any size, sent all at once, trickled one chunk per interval, or cut short by
//! dropping the connection after a declared `Content-Length` was promised.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use tokio::time::Sleep;

/// Largest generated body (`body_bytes`), in bytes.
pub const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;
/// Longest pause between trickled chunks (`trickle_ms`).
pub const MAX_TRICKLE_MS: u64 = 10_000;

/// The pause between a cut body's last bytes and the cut.
const FLUSH_BEFORE_CUT: Duration = Duration::from_millis(50);

/// How a fault's canned body goes out.
#[derive(Debug, Clone, Default)]
pub struct Shape {
    /// Pause before each chunk after the first; zero sends everything at once.
    pub trickle: Duration,
    /// Bytes per trickled chunk (at least 1).
    pub chunk: usize,
    /// Send only this many bytes of the body, then drop the connection.
    pub close_after: Option<usize>,
}

/// A response body following a [`Shape`]. Its size hint is the whole body's
/// length, so hyper sends that `Content-Length` even when the body is cut.
#[derive(Debug)]
pub struct FaultBody {
    data: Bytes,
    declared: u64,
    sent: u64,
    chunk: usize,
    trickle: Duration,
    cut: bool,
    pause: Option<Pin<Box<Sleep>>>,
}

impl FaultBody {
    /// `body` sent as `shape` says.
    pub fn new(body: Bytes, shape: &Shape) -> Self {
        let declared = body.len() as u64;
        let (data, cut) = match shape.close_after {
            Some(n) if n < body.len() => (body.slice(..n), true),
            _ => (body, false),
        };
        let chunk = if shape.trickle.is_zero() {
            data.len().max(1)
        } else {
            shape.chunk.max(1)
        };
        FaultBody {
            data,
            declared,
            sent: 0,
            chunk,
            trickle: shape.trickle,
            cut,
            pause: None,
        }
    }
}

impl Body for FaultBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let this = self.get_mut();
        if let Some(pause) = this.pause.as_mut() {
            if pause.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            this.pause = None;
        }
        if this.data.is_empty() {
            return Poll::Ready(if this.cut {
                Some(Err(io::Error::other("connection cut by an injected fault")))
            } else {
                None
            });
        }
        let piece = this.data.split_to(this.chunk.min(this.data.len()));
        this.sent += piece.len() as u64;
        let pause = if this.data.is_empty() && this.cut {
            // hyper flushes what it holds while the body is pending: let the
            // head and the prefix reach the client before the cut.
            this.trickle.max(FLUSH_BEFORE_CUT)
        } else if this.data.is_empty() {
            Duration::ZERO
        } else {
            this.trickle
        };
        if !pause.is_zero() {
            this.pause = Some(Box::pin(tokio::time::sleep(pause)));
        }
        Poll::Ready(Some(Ok(Frame::data(piece))))
    }

    fn is_end_stream(&self) -> bool {
        self.data.is_empty() && !self.cut && self.pause.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.declared.saturating_sub(self.sent))
    }
}

/// A body that fails at its first poll, so hyper drops the connection with
/// the response head still unsent: the client sees the connection close
/// without any answer (a browser's `fetch` rejects with a network error).
#[derive(Debug, Default)]
pub struct Dropped;

impl Body for Dropped {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        Poll::Ready(Some(Err(io::Error::other(
            "connection dropped by an injected fault",
        ))))
    }

    fn is_end_stream(&self) -> bool {
        false
    }

    fn size_hint(&self) -> SizeHint {
        // Unknown length: hyper must poll the body (a known 0 would send the head).
        SizeHint::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    #[tokio::test]
    async fn whole_body_in_one_frame() {
        let body = FaultBody::new(Bytes::from_static(b"hello"), &Shape::default());
        assert_eq!(body.size_hint().exact(), Some(5));
        let bytes = body.collect().await.map(|c| c.to_bytes()).ok();
        assert_eq!(bytes.as_deref(), Some(&b"hello"[..]));
    }

    #[tokio::test]
    async fn a_cut_body_promises_everything_and_fails_after_the_prefix() {
        let shape = Shape {
            close_after: Some(2),
            ..Shape::default()
        };
        let mut body = FaultBody::new(Bytes::from_static(b"hello"), &shape);
        assert_eq!(body.size_hint().exact(), Some(5));
        let first = body
            .frame()
            .await
            .and_then(Result::ok)
            .and_then(|f| f.into_data().ok());
        assert_eq!(first.as_deref(), Some(&b"he"[..]));
        assert!(matches!(body.frame().await, Some(Err(_))));
    }
}
