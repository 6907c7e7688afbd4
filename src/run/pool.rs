//! Bounded fan-out: run one job per index with at most `limit` tasks alive at once, handing each
//! result to a sink as it finishes. Spawning a task per case up front costs memory in proportion to
//! the plan (each waiting task is an allocation that lives until it runs); this keeps it in
//! proportion to the concurrency instead, so that a run of 100,000 cases stays small.

use std::future::Future;

use tokio::task::{JoinError, JoinSet};

/// Runs `job(index)` for every index in `0..count`, at most `limit` at a time (at least one), and
/// calls `sink(index, output)` as each finishes (in completion order, not index order).
pub(super) async fn for_each_bounded<T, Job, Fut>(
    count: usize,
    limit: usize,
    job: Job,
    mut sink: impl FnMut(usize, T),
) -> Result<(), JoinError>
where
    Job: Fn(usize) -> Fut,
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let limit = limit.max(1);
    let mut tasks = JoinSet::new();
    let mut next = 0;
    loop {
        while next < count && tasks.len() < limit {
            // Boxed, so that spawning moves a pointer rather than the whole (large) case future.
            let run = Box::pin(job(next));
            let index = next;
            tasks.spawn(async move { (index, run.await) });
            next += 1;
        }
        match tasks.join_next().await {
            Some(joined) => {
                let (index, output) = joined?;
                sink(index, output);
            }
            None => return Ok(()),
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
}
