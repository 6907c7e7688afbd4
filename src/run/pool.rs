//! Bounded fan-out: run one job per index with at most `limit` tasks alive at once, handing each
//! result to a sink as it finishes. Spawning a task per case up front costs memory in proportion to
//! the plan (each waiting task is an allocation that lives until it runs); this keeps it in
//! proportion to the concurrency instead, so that a run of 100,000 cases stays small.
//! [`for_each_in_order`] does the same for a sink that wants the results in index order.

use std::collections::BTreeMap;
use std::future::Future;

use tokio::task::{JoinError, JoinSet};

/// Runs `job(index)` for every index in `0..count`, at most `limit` at a time (at least one), and
/// calls `sink(index, output)` as each finishes (in completion order, not index order).
pub(super) async fn for_each_bounded<T, Job, Fut>(
    count: usize,
    limit: usize,
    job: Job,
    sink: impl FnMut(usize, T),
) -> Result<(), JoinError>
where
    Job: Fn(usize) -> Fut,
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    fan_out(count, limit, job, Order::Completion, sink).await
}

/// [`for_each_bounded`], with `sink(index, output)` called in index order. Index `i` is started
/// only once every index before `i - limit` has been handed to the sink, so that the results
/// waiting for an earlier, slower one are fewer than `limit` (the out-of-order window is the
/// concurrency, however many indices there are). A slow job holds the ones `limit` past it back:
/// for cheap jobs, such as a dry run's, where order matters more than the most throughput.
pub(super) async fn for_each_in_order<T, Job, Fut>(
    count: usize,
    limit: usize,
    job: Job,
    sink: impl FnMut(usize, T),
) -> Result<(), JoinError>
where
    Job: Fn(usize) -> Fut,
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    fan_out(count, limit, job, Order::Index, sink).await
}

/// The order in which [`fan_out`] hands results to its sink.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Order {
    Completion,
    Index,
}

async fn fan_out<T, Job, Fut>(
    count: usize,
    limit: usize,
    job: Job,
    order: Order,
    mut sink: impl FnMut(usize, T),
) -> Result<(), JoinError>
where
    Job: Fn(usize) -> Fut,
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let limit = limit.max(1);
    let mut tasks = JoinSet::new();
    // In index order: finished, waiting for an earlier index (at most `limit - 1` of them).
    let mut waiting: BTreeMap<usize, T> = BTreeMap::new();
    let (mut next, mut sunk) = (0, 0);
    loop {
        // In index order, every index in `sunk..next` is running or waiting: at most `limit` in
        // all. Otherwise only the running ones count.
        let busy = |tasks: &JoinSet<_>, next: usize, sunk: usize| match order {
            Order::Completion => tasks.len(),
            Order::Index => next - sunk,
        };
        while next < count && busy(&tasks, next, sunk) < limit {
            // Boxed, so that spawning moves a pointer rather than the whole (large) case future.
            let run = Box::pin(job(next));
            let index = next;
            tasks.spawn(async move { (index, run.await) });
            next += 1;
        }
        let Some(joined) = tasks.join_next().await else { return Ok(()) };
        let (index, output) = joined?;
        match order {
            Order::Completion => sink(index, output),
            Order::Index => {
                waiting.insert(index, output);
                while let Some(output) = waiting.remove(&sunk) {
                    sink(sunk, output);
                    sunk += 1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn every_index_runs_once_and_no_more_than_the_limit_at_a_time() {
        let alive = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let mut seen = vec![0; 200];
        let job = |index: usize| {
            let (alive, most) = (alive.clone(), most.clone());
            async move {
                let now = alive.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                tokio::task::yield_now().await;
                alive.fetch_sub(1, Ordering::SeqCst);
                index * 2
            }
        };
        for_each_bounded(200, 3, job, |index, doubled| {
            assert_eq!(doubled, index * 2);
            seen[index] += 1;
        })
        .await
        .unwrap();
        assert!(seen.iter().all(|&n| n == 1), "each index exactly once");
        assert!(most.load(Ordering::SeqCst) <= 3, "at most 3 at a time");
        for_each_bounded(0, 0, job, |_, _| panic!("nothing to run")).await.unwrap();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn in_order_sinks_by_index_and_keeps_the_window_within_the_limit() {
        // Each job takes longer the earlier it is within its group of five, so that they finish
        // out of order; the sink still sees 0, 1, 2, ...
        let started = Arc::new(AtomicUsize::new(0));
        let most_ahead = Arc::new(AtomicUsize::new(0));
        let sunk = Arc::new(AtomicUsize::new(0));
        let job = |index: usize| {
            let (started, most_ahead, sunk) = (started.clone(), most_ahead.clone(), sunk.clone());
            async move {
                started.fetch_max(index + 1, Ordering::SeqCst);
                // How far past the first index not yet sunk this one starts: under the limit.
                most_ahead.fetch_max(index - sunk.load(Ordering::SeqCst), Ordering::SeqCst);
                for _ in 0..(5 - index % 5) {
                    tokio::task::yield_now().await;
                }
                index * 2
            }
        };
        let mut seen = Vec::new();
        for_each_in_order(200, 4, job, |index, doubled| {
            assert_eq!(doubled, index * 2);
            seen.push(index);
            sunk.store(index + 1, Ordering::SeqCst);
        })
        .await
        .unwrap();
        assert_eq!(seen, (0..200).collect::<Vec<_>>(), "every index once, in order");
        assert!(most_ahead.load(Ordering::SeqCst) < 4, "started at most 3 past the first unsunk index");
        for_each_in_order(0, 0, job, |_, _| panic!("nothing to run")).await.unwrap();
    }
}
