//! Many captures on all cores: a few worker threads take the next capture
//! as they become free, and the results come out in the captures' order.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Condvar, Mutex};
use std::thread;

/// The number of worker threads for `jobs` (0: one per core).
pub fn workers(jobs: usize) -> usize {
    match jobs {
        0 => thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
}

/// Runs `work` on every item on `jobs` threads and passes each result to
/// `emit` in the order of `items`, as soon as its turn comes. A worker
/// starts an item only while fewer than `2 * jobs` results wait for their
/// turn, so memory stays bounded however many items there are and however
/// slow the first one is. When `emit` fails, no further item is started and
/// its error is returned once the items already started end.
pub fn ordered<T, R, E>(
    items: &[T],
    jobs: usize,
    work: impl Fn(&T) -> R + Sync,
    mut emit: impl FnMut(&T, R) -> Result<(), E>,
) -> Result<(), E>
where
    T: Sync,
    R: Send,
{
    let jobs = jobs.clamp(1, items.len().max(1));
    let window = Window::new(2 * jobs);
    let next = AtomicUsize::new(0);
    thread::scope(|scope| {
        let (done_tx, done_rx) = mpsc::channel::<(usize, R)>();
        for _ in 0..jobs {
            let done_tx = done_tx.clone();
            let (window, next, work) = (&window, &next, &work);
            scope.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(i) else { return };
                if !window.wait_for_turn(i) || done_tx.send((i, work(item))).is_err() {
                    return;
                }
            });
        }
        drop(done_tx);
        let mut waiting = BTreeMap::new();
        let mut turn = 0;
        for (i, result) in done_rx {
            waiting.insert(i, result);
            while let Some(result) = waiting.remove(&turn) {
                let Some(item) = items.get(turn) else { break };
                if let Err(err) = emit(item, result) {
                    window.stop();
                    return Err(err);
                }
                turn += 1;
                window.advance(turn);
            }
        }
        Ok(())
    })
}

/// How far ahead of the output the workers may run.
struct Window {
    size: usize,
    /// (results emitted so far, stopped)
    state: Mutex<(usize, bool)>,
    moved: Condvar,
}

impl Window {
    fn new(size: usize) -> Self {
        Self {
            size,
            state: Mutex::new((0, false)),
            moved: Condvar::new(),
        }
    }

    /// Blocks until item `i` may start; false once the output stopped.
    fn wait_for_turn(&self, i: usize) -> bool {
        let Ok(mut state) = self.state.lock() else {
            return false;
        };
        while !state.1 && i >= state.0 + self.size {
            state = match self.moved.wait(state) {
                Ok(state) => state,
                Err(_) => return false,
            };
        }
        !state.1
    }

    fn advance(&self, emitted: usize) {
        if let Ok(mut state) = self.state.lock() {
            state.0 = emitted;
        }
        self.moved.notify_all();
    }

    fn stop(&self) {
        if let Ok(mut state) = self.state.lock() {
            state.1 = true;
        }
        self.moved.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn results_come_out_in_item_order_whatever_finishes_first() {
        // Earlier items take longer, so they finish last.
        let items: Vec<u64> = (0..12).collect();
        let mut seen = Vec::new();
        let result: Result<(), ()> = ordered(
            &items,
            4,
            |&i| {
                thread::sleep(Duration::from_millis(2 * (12 - i)));
                i * 10
            },
            |&i, r| {
                seen.push((i, r));
                Ok(())
            },
        );
        assert_eq!(result, Ok(()));
        let want: Vec<(u64, u64)> = (0..12).map(|i| (i, i * 10)).collect();
        assert_eq!(seen, want);
    }

    #[test]
    fn workers_never_run_further_ahead_than_the_window() {
        let items: Vec<usize> = (0..40).collect();
        let emitted = AtomicUsize::new(0);
        let furthest = AtomicUsize::new(0);
        let _: Result<(), ()> = ordered(
            &items,
            3,
            |&i| {
                let ahead = i - emitted.load(Ordering::SeqCst);
                furthest.fetch_max(ahead, Ordering::SeqCst);
                // The first item is slow: the others pile up behind it.
                thread::sleep(Duration::from_millis(if i == 0 { 50 } else { 1 }));
            },
            |_, ()| {
                emitted.fetch_add(1, Ordering::SeqCst);
                Ok(())
            },
        );
        assert_eq!(emitted.load(Ordering::SeqCst), 40);
        assert!(
            furthest.load(Ordering::SeqCst) < 6,
            "ran ahead by {furthest:?}"
        );
    }

    #[test]
    fn an_emit_error_stops_the_work_and_is_returned() {
        let items: Vec<usize> = (0..1000).collect();
        let started = AtomicUsize::new(0);
        let result = ordered(
            &items,
            2,
            |_| {
                started.fetch_add(1, Ordering::SeqCst);
            },
            |&i, ()| if i == 3 { Err("closed") } else { Ok(()) },
        );
        assert_eq!(result, Err("closed"));
        assert!(started.load(Ordering::SeqCst) < 20, "{started:?} started");
    }

    #[test]
    fn no_items_and_more_jobs_than_items_are_fine() {
        let none: [u8; 0] = [];
        assert_eq!(ordered(&none, 8, |_| (), |_, ()| Ok::<(), ()>(())), Ok(()));
        let mut count = 0;
        let _ = ordered(
            &[1, 2],
            8,
            |x| x + 1,
            |_, _| {
                count += 1;
                Ok::<(), ()>(())
            },
        );
        assert_eq!(count, 2);
        assert!(workers(0) >= 1);
        assert_eq!(workers(3), 3);
    }
}
