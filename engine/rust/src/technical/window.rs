//! Sliding-window kernels (SMA, Bollinger Bands), computed in independent blocks.
//!
//! Each block of rows starts from a state computed afresh from its window ([`Window::open`]), so
//! rounding drift cannot build up along a long series. Rows are handled a group of [`LANES`]
//! neighbouring blocks at a time, in three passes over cache-resident buffers: a vectorised
//! [`Window::prepare`] (e.g. `x[i] - x[i - period]`), a scan in which the blocks advance side by
//! side so the CPU overlaps their dependency chains ([`Window::step`]), and a vectorised
//! [`Window::finish`].
use std::ops::Range;

use rayon::prelude::*;

use super::chunked::{self, Plan};

/// Blocks advanced side by side.
const LANES: usize = 4;

/// Parts per rayon thread when a long series is split: blocks are independent, so more parts
/// than threads cost nothing and let a thread slowed by other load leave work to the others.
const PARTS_PER_THREAD: usize = 4;

/// A window statistic kept in `B` per-row buffers while it is computed.
pub(crate) trait Window<const B: usize> {
    type State: Copy;
    /// The state of the window ending at `row`, computed from scratch, and that row's results.
    fn open(&self, row: usize) -> (Self::State, [f64; B]);
    /// Writes the inputs `step` consumes for `rows` into `bufs` (one element per row); `state` is
    /// the block's state as opened.
    fn prepare(&self, state: &Self::State, rows: Range<usize>, bufs: [&mut [f64]; B]);
    /// Slides `state` by one row: takes the row's prepared inputs, leaves its results in their place.
    fn step(&self, state: &mut Self::State, row: [&mut f64; B]);
    /// Turns the results in `bufs` (one element per row of `rows`) into outputs.
    fn finish(&mut self, rows: Range<usize>, bufs: [&mut [f64]; B]);
    /// Whether `state` is finite (see `span`: a non-finite state means a non-finite input).
    fn is_finite(state: &Self::State) -> bool;
}

/// Rows per block: long enough that opening a block (`period` operations) stays cheap.
pub(crate) fn block_len(period: usize) -> usize {
    period.saturating_mul(16).max(1024)
}

/// Computes `rows` of `bufs` (element `i` is row `rows.start + i`) through `window`, in blocks of
/// `block` rows. Returns whether every block's state ended finite.
///
/// Inlined, like the [`Window`] methods, into kernels run through `cpu::dispatch`.
#[inline(always)]
pub(crate) fn run<W: Window<B>, const B: usize>(
    window: &mut W,
    mut bufs: [&mut [f64]; B],
    rows: Range<usize>,
    block: usize,
) -> bool {
    let block = block.max(1);
    let mut finite = true;
    let mut start = rows.start;
    while start < rows.end {
        let remaining = rows.end - start;
        let end = start
            + if remaining >= LANES * block {
                LANES * block
            } else {
                block.min(remaining)
            };
        let (from, to) = (start - rows.start, end - rows.start);
        finite &= scan(
            window,
            bufs.each_mut().map(|buf| &mut buf[from..to]),
            start,
            block,
        );
        window.finish(start..end, bufs.each_mut().map(|buf| &mut buf[from..to]));
        start = end;
    }
    finite
}

/// Runs `part` on pieces of `rows` (and of `bufs`, which cover them), on rayon's threads when the
/// series is long; returns whether every part returned true.
///
/// The pieces start at whole groups of [`LANES`] blocks from `rows.start`, so [`run`] on each forms
/// the blocks and groups it would form on all of `rows`: the result is the same bit for bit. Each
/// thread writes (and so first touches, page-faults) the outputs it computes.
pub(crate) fn run_parts<const B: usize>(
    rows: Range<usize>,
    block: usize,
    bufs: [&mut [f64]; B],
    part: impl Fn(Range<usize>, [&mut [f64]; B]) -> bool + Sync,
) -> bool {
    if rows.len() < Plan::DEFAULT.min_rows {
        return part(rows, bufs); // short series ask rayon nothing
    }
    let group = LANES * block.max(1);
    let threads = rayon::current_num_threads();
    let parts = (threads * PARTS_PER_THREAD).min(rows.len() / group);
    if threads < 2 || parts < 2 {
        return part(rows, bufs);
    }
    let step = (rows.len() / parts).div_ceil(group) * group;
    let mut cuts: Vec<usize> = (0..rows.len()).step_by(step).collect();
    cuts.push(rows.len());
    chunked::split(bufs, &cuts)
        .into_par_iter()
        .map(|(piece, bufs)| part(rows.start + piece.start..rows.start + piece.end, bufs))
        .reduce(|| true, |a, b| a & b)
}

/// Opens, prepares and scans the blocks of `group` (rows from `start` on): side by side when there
/// are [`LANES`] of them, otherwise (one block) on its own.
#[inline(always)]
fn scan<W: Window<B>, const B: usize>(
    window: &W,
    group: [&mut [f64]; B],
    start: usize,
    block: usize,
) -> bool {
    let mut chunks = group.map(|buf| buf.chunks_mut(block));
    let mut blocks = Vec::with_capacity(LANES);
    let mut row = start;
    loop {
        let bufs = chunks
            .each_mut()
            .map(|chunk| chunk.next().unwrap_or_default());
        let len = bufs.iter().map(|buf| buf.len()).min().unwrap_or(0);
        if len == 0 {
            break;
        }
        let (state, first) = window.open(row);
        let mut first = first.into_iter();
        let mut rest = bufs.map(|buf| {
            let (head, rest) = buf.split_at_mut(1);
            head[0] = first.next().unwrap_or(f64::NAN);
            rest
        });
        window.prepare(
            &state,
            row + 1..row + len,
            rest.each_mut().map(|buf| &mut **buf),
        );
        blocks.push((state, rest));
        row += len;
    }
    match <[_; LANES]>::try_from(blocks) {
        Ok(lanes) => scan_side_by_side(window, lanes),
        Err(blocks) => blocks
            .into_iter()
            .fold(true, |finite, (mut state, mut bufs)| {
                let len = bufs.iter().map(|buf| buf.len()).min().unwrap_or(0);
                for j in 0..len {
                    window.step(&mut state, bufs.each_mut().map(|buf| &mut buf[j]));
                }
                finite & W::is_finite(&state)
            }),
    }
}

/// Advances [`LANES`] blocks of equal length together, one row of each per iteration.
#[inline(always)]
fn scan_side_by_side<W: Window<B>, const B: usize>(
    window: &W,
    lanes: [(W::State, [&mut [f64]; B]); LANES],
) -> bool {
    let len = lanes
        .iter()
        .flat_map(|(_, bufs)| bufs.iter().map(|buf| buf.len()))
        .min()
        .unwrap_or(0);
    let mut states = lanes.each_ref().map(|(state, _)| *state);
    // Re-sliced to exactly `len` so the compiler drops the bounds checks in the loop.
    let mut bufs = lanes.map(|(_, bufs)| bufs.map(|buf| &mut buf[..len]));
    for j in 0..len {
        for (state, lane) in states.iter_mut().zip(bufs.iter_mut()) {
            window.step(state, lane.each_mut().map(|buf| &mut buf[j]));
        }
    }
    states.iter().all(W::is_finite)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A running count: each row's result is the number of rows since its block opened.
    struct Count {
        opened: Vec<usize>,
        finished: usize,
    }

    impl Window<1> for Count {
        type State = f64;
        fn open(&self, _: usize) -> (f64, [f64; 1]) {
            (0.0, [0.0])
        }
        fn prepare(&self, _: &f64, _: Range<usize>, [buf]: [&mut [f64]; 1]) {
            buf.fill(1.0);
        }
        fn step(&self, state: &mut f64, [row]: [&mut f64; 1]) {
            *state += *row;
            *row = *state;
        }
        fn finish(&mut self, rows: Range<usize>, [buf]: [&mut [f64]; 1]) {
            assert_eq!(rows.len(), buf.len());
            self.finished += rows.len();
            let offsets = (rows.start..rows.end)
                .step_by(1)
                .filter(|r| buf[r - rows.start] == 0.0);
            self.opened.extend(offsets);
        }
        fn is_finite(state: &f64) -> bool {
            state.is_finite()
        }
    }

    #[test]
    fn every_row_once_in_fixed_blocks() {
        for (len, block) in [(0, 4), (3, 4), (16, 4), (37, 4), (1000, 7)] {
            let mut buf = vec![-1.0; len + 2];
            let mut count = Count {
                opened: vec![],
                finished: 0,
            };
            assert!(run(&mut count, [&mut buf[2..]], 2..len + 2, block));
            assert_eq!(buf[..2], [-1.0, -1.0]);
            assert_eq!(count.finished, len);
            let expected: Vec<usize> = (2..len + 2).step_by(block).collect();
            assert_eq!(count.opened, expected, "blocks open at fixed rows");
            for (r, v) in buf.iter().enumerate().skip(2) {
                assert_eq!(*v, ((r - 2) % block) as f64, "row {r}");
            }
        }
    }
}
