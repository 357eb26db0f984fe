//! Work cut into numbered pieces, done on both cores, handed on in order: how large
//! files are read (the chunks of orders.csv and customers.csv) and large exports written
//! (blocks of CSV lines). Each thread takes the next piece when it is free; this thread
//! hands the pieces on in order as they come, and does pieces itself while the next one
//! in turn is not ready. At most a few pieces wait at once, so memory stays small.
//!
//! Also the in-memory steps between reading and writing that would otherwise leave a
//! core idle: a sort done as two sorted halves walked in merged order
//! ([`sorted_in_halves`]), and a list made by index, a half on each core
//! ([`map_in_halves`]).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Whether to go on after a piece has been handed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Go,
    /// Hand on no more pieces (the rest is not wanted).
    Stop,
}

/// Pieces this thread makes ahead of the one in turn while the other thread is still on
/// it. Without a bound, a descheduled helper thread (a loaded machine) let this thread
/// run on through the whole file, holding every piece it made: 400 MB for a 650 MB
/// GB18030 file decoded in parts, instead of a few pieces.
const AHEAD: usize = 4;

/// Makes pieces `0..n` with `make` on up to `threads` threads (at most two: this one and
/// one more) and hands each to `take` in order, on this thread. Each thread has its own
/// scratch `S`; `take` gets this thread's. The first error ends the run. Returns how many
/// threads were used.
pub fn in_order<S, T, E>(
    n: usize,
    threads: usize,
    make: impl Fn(usize, &mut S) -> Result<T, E> + Sync,
    mut take: impl FnMut(T, &mut S) -> Result<Flow, E>,
) -> Result<usize, E>
where
    S: Default,
    T: Send,
    E: Send,
{
    let threads = threads.clamp(1, 2).min(n.max(1));
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let claim = || {
        if stop.load(Ordering::Relaxed) {
            return None;
        }
        let i = next.fetch_add(1, Ordering::Relaxed);
        (i < n).then_some(i)
    };
    let mut scratch = S::default();
    if threads == 1 {
        while let Some(i) = claim() {
            let piece = make(i, &mut scratch)?;
            if take(piece, &mut scratch)? == Flow::Stop {
                break;
            }
        }
        return Ok(1);
    }
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<(usize, Result<T, E>)>(2);
        let (claim, make) = (&claim, &make);
        scope.spawn(move || {
            let mut scratch = S::default();
            while let Some(i) = claim() {
                let piece = make(i, &mut scratch);
                let failed = piece.is_err();
                if tx.send((i, piece)).is_err() || failed {
                    break;
                }
            }
        });
        // Pieces that came ahead of their turn, and the next one to hand on.
        let mut waiting: Vec<(usize, T)> = Vec::new();
        let mut turn = 0;
        while turn < n {
            // One piece at a time: draining the channel while the other thread refills
            // it let `waiting` grow past any bound on a loaded machine. The other
            // thread sends in the order it claims, so when the piece in turn is not
            // here and not being made here, it is the next one in the channel.
            if let Ok((i, piece)) = rx.try_recv() {
                waiting.push((i, piece?));
            }
            if let Some(at) = waiting.iter().position(|(i, _)| *i == turn) {
                let (_, piece) = waiting.swap_remove(at);
                turn += 1;
                if take(piece, &mut scratch)? == Flow::Stop {
                    stop.store(true, Ordering::Relaxed);
                    break;
                }
            } else if let Some(i) = (waiting.len() < AHEAD).then(claim).flatten() {
                let piece = make(i, &mut scratch)?;
                waiting.push((i, piece));
            } else {
                match rx.recv() {
                    Ok((i, piece)) => waiting.push((i, piece?)),
                    Err(_) => break,
                }
            }
        }
        // Dropping the receiver ends the other thread at its next piece.
        Ok(2)
    })
}

/// Below this many items a step in memory stays on one thread: a thread costs more than
/// the half it would take (the sample's customers, a unit test's list).
pub(crate) const HALVES_FROM: usize = 1 << 15;

/// How many threads an in-memory step over `n` items takes: both cores (at most two,
/// as for reading) when there are two and `n` is worth it.
fn threads_for(n: usize) -> usize {
    if n < HALVES_FROM {
        return 1;
    }
    std::thread::available_parallelism().map_or(1, |c| c.get().min(2))
}

/// Sorts `v` and walks it in order. On two cores each half is sorted on its own thread
/// and the walk merges them as it goes, so no merged copy is made: the order walked is
/// `v.sort_unstable()`'s whenever no two items are equal (every caller's items end in
/// their index), and equal items come first half first.
pub fn sorted_in_halves<T: Ord + Send>(v: &mut [T]) -> Merged<'_, T> {
    sorted_on(v, threads_for(v.len()))
}

fn sorted_on<T: Ord + Send>(v: &mut [T], threads: usize) -> Merged<'_, T> {
    if threads < 2 {
        v.sort_unstable();
        return Merged { a: v, b: &[] };
    }
    let (a, b) = v.split_at_mut(v.len() / 2);
    std::thread::scope(|scope| {
        scope.spawn(|| b.sort_unstable());
        a.sort_unstable();
    });
    Merged { a, b }
}

/// Two sorted runs walked as one ([`sorted_in_halves`]).
#[derive(Debug)]
pub struct Merged<'a, T> {
    a: &'a [T],
    b: &'a [T],
}

impl<'a, T: Ord> Iterator for Merged<'a, T> {
    type Item = &'a T;

    #[inline]
    fn next(&mut self) -> Option<&'a T> {
        let take_b = match (self.a.first(), self.b.first()) {
            (Some(x), Some(y)) => y < x,
            (None, Some(_)) => true,
            (_, None) => false,
        };
        let run = if take_b { &mut self.b } else { &mut self.a };
        let (first, rest) = run.split_first()?;
        *run = rest;
        Some(first)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.a.len() + self.b.len();
        (n, Some(n))
    }
}

impl<T: Ord> ExactSizeIterator for Merged<'_, T> {}

/// `(0..n).map(f).collect()`, with the second half made on the other core. The list is
/// laid out once (filled with `f(0)`) and each thread writes its half in place, so no
/// half is copied and nothing more than the list is held.
pub fn map_in_halves<T: Clone + Send>(n: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    map_on(n, threads_for(n), f)
}

fn map_on<T: Clone + Send>(n: usize, threads: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    if threads < 2 || n < 2 {
        return (0..n).map(f).collect();
    }
    let mut out = vec![f(0); n];
    let mid = n / 2;
    let (a, b) = out.split_at_mut(mid);
    let f = &f;
    std::thread::scope(|scope| {
        scope.spawn(move || {
            for (slot, i) in b.iter_mut().zip(mid..) {
                *slot = f(i);
            }
        });
        for (slot, i) in a.iter_mut().zip(0..).skip(1) {
            *slot = f(i);
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn a_sort_in_halves_walks_as_one_sort(
            mut v in proptest::collection::vec((0u8..6, 0u32..1000), 0..300),
            threads in 1usize..3,
        ) {
            // Equal items are allowed here: the walk's order is then still sorted.
            let mut plain = v.clone();
            plain.sort_unstable();
            let walked: Vec<(u8, u32)> = sorted_on(&mut v, threads).copied().collect();
            proptest::prop_assert_eq!(walked, plain);
        }

        #[test]
        fn a_map_in_halves_is_the_plain_map(n in 0usize..200, threads in 1usize..3) {
            let f = |i: usize| (i * 7 % 13, i);
            let plain: Vec<(usize, usize)> = (0..n).map(f).collect();
            proptest::prop_assert_eq!(map_on(n, threads, f), plain);
        }
    }

    #[test]
    fn the_halves_are_walked_in_merged_order() {
        let mut v = vec![9, 1, 8, 2, 7, 3, 6, 4];
        let merged = sorted_on(&mut v, 2);
        assert_eq!(merged.len(), 8);
        assert_eq!(
            merged.copied().collect::<Vec<_>>(),
            [1, 2, 3, 4, 6, 7, 8, 9]
        );
        // Each half was sorted on its own: the two runs are 1 2 8 9 and 3 4 6 7.
        assert_eq!(v, [1, 2, 8, 9, 3, 4, 6, 7]);
        assert_eq!(threads_for(HALVES_FROM - 1), 1);
    }

    #[test]
    fn pieces_come_in_order_on_one_thread_or_two() {
        for threads in [1, 2] {
            for n in [0, 1, 2, 7, 100] {
                let mut seen = Vec::new();
                let used = in_order(
                    n,
                    threads,
                    |i, _: &mut ()| Ok::<_, ()>(i * 10),
                    |v, _| {
                        seen.push(v);
                        Ok(Flow::Go)
                    },
                )
                .unwrap();
                assert_eq!(seen, (0..n).map(|i| i * 10).collect::<Vec<_>>());
                assert_eq!(used, threads.min(n.max(1)));
            }
        }
    }

    #[test]
    fn this_thread_makes_some_pieces_ahead_but_few_while_the_other_is_slow() {
        use std::sync::atomic::AtomicUsize;
        let main = std::thread::current().id();
        let helper_started = AtomicBool::new(false);
        let (made, taken, most, made_here) = (
            AtomicUsize::new(0),
            AtomicUsize::new(0),
            AtomicUsize::new(0),
            AtomicUsize::new(0),
        );
        in_order(
            200,
            2,
            |i, _: &mut ()| {
                // The other thread stalls on its first piece, as a descheduled one does;
                // this one waits for it to have claimed that piece.
                if std::thread::current().id() != main {
                    if !helper_started.swap(true, Ordering::SeqCst) {
                        std::thread::sleep(std::time::Duration::from_millis(300));
                    }
                } else {
                    made_here.fetch_add(1, Ordering::SeqCst);
                    let start = std::time::Instant::now();
                    while !helper_started.load(Ordering::SeqCst)
                        && start.elapsed() < std::time::Duration::from_secs(5)
                    {
                        std::thread::yield_now();
                    }
                }
                let ahead = made.fetch_add(1, Ordering::SeqCst) + 1 - taken.load(Ordering::SeqCst);
                most.fetch_max(ahead, Ordering::SeqCst);
                Ok::<_, ()>(i)
            },
            |_, _| {
                taken.fetch_add(1, Ordering::SeqCst);
                Ok(Flow::Go)
            },
        )
        .unwrap();
        // Made and not taken: this thread's few ahead (AHEAD, one more pulled before the
        // check, one in turn), two in the channel, one in the other thread's hand.
        // Draining the channel whole let this reach 34 on a loaded machine.
        let most = most.load(Ordering::SeqCst);
        assert!(
            most <= AHEAD + 5,
            "{most} pieces were made and not yet taken"
        );
        // And this thread did work of its own while the other one stalled: both cores.
        assert!(
            made_here.load(Ordering::SeqCst) > 0,
            "the other thread made every piece"
        );
    }

    #[test]
    fn a_stop_or_an_error_ends_the_run() {
        for threads in [1, 2] {
            let mut seen = Vec::new();
            in_order(
                50,
                threads,
                |i, _: &mut ()| Ok::<_, ()>(i),
                |v, _| {
                    seen.push(v);
                    Ok(if v == 3 { Flow::Stop } else { Flow::Go })
                },
            )
            .unwrap();
            assert_eq!(seen, [0, 1, 2, 3]);
            let failed = in_order(
                50,
                threads,
                |i, _: &mut ()| if i == 5 { Err(i) } else { Ok(i) },
                |_, _| Ok(Flow::Go),
            );
            assert_eq!(failed, Err(5));
        }
    }
}
