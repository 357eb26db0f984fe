//! Work cut into numbered pieces, done on both cores, handed on in order: how large
//! files are read (the chunks of orders.csv and customers.csv) and large exports written
//! (blocks of CSV lines). Each thread takes the next piece when it is free; this thread
//! hands the pieces on in order as they come, and does pieces itself while the next one
//! in turn is not ready. At most a few pieces wait at once, so memory stays small.

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

#[cfg(test)]
mod tests {
    use super::*;

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
