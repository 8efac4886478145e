//! Racing two waits; the waits themselves (timers, promises, abort events) are in
//! [`crate::web::task`].

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

/// Which of two futures finished first.
pub enum Either<A, B> {
    /// The first.
    Left(A),
    /// The second.
    Right(B),
}

/// Polls both futures and returns the first output; the other is dropped.
pub async fn race<A, B>(mut a: A, mut b: B) -> Either<A::Output, B::Output>
where
    A: Future + Unpin,
    B: Future + Unpin,
{
    std::future::poll_fn(move |cx| {
        if let Poll::Ready(v) = Pin::new(&mut a).poll(cx) {
            return Poll::Ready(Either::Left(v));
        }
        if let Poll::Ready(v) = Pin::new(&mut b).poll(cx) {
            return Poll::Ready(Either::Right(v));
        }
        Poll::Pending
    })
    .await
}
