//! Rayon over fixed chunks once the input passes `THRESHOLD`: the chunks, and so the rounding of
//! every sum, are the same on any number of threads.
use rayon::prelude::*;

/// Below this many elements a kernel stays on the calling thread: rayon would cost more than it saves.
pub const THRESHOLD: usize = 1 << 15;
/// Elements per rayon task, and per partial sum.
pub const CHUNK: usize = 1 << 12;

/// `out[i] = f(i)` for every `i`.
pub fn fill<T: Send>(out: &mut [T], f: impl Fn(usize) -> T + Sync) {
    blocks(out, CHUNK, |start, chunk| {
        for (j, slot) in chunk.iter_mut().enumerate() {
            *slot = f(start + j);
        }
    });
}

/// `f(start, block)` for consecutive blocks of `block_len` elements of `out`, `start` being the
/// index of the block's first element; the blocks are the same on any number of threads.
pub fn blocks<T: Send>(out: &mut [T], block_len: usize, f: impl Fn(usize, &mut [T]) + Sync) {
    if out.len() < THRESHOLD {
        for (c, block) in out.chunks_mut(block_len).enumerate() {
            f(c * block_len, block);
        }
    } else {
        out.par_chunks_mut(block_len)
            .enumerate()
            .for_each(|(c, block)| f(c * block_len, block));
    }
}

/// The sum of `f(i)` for `i < len`, added chunk by chunk so the rounding never depends on the threads.
pub fn sum(len: usize, f: impl Fn(usize) -> f64 + Sync) -> f64 {
    let partial = |c: usize| (c * CHUNK..len.min((c + 1) * CHUNK)).map(&f).sum::<f64>();
    let chunks = len.div_ceil(CHUNK);
    let partials: Vec<f64> = if len < THRESHOLD {
        (0..chunks).map(partial).collect()
    } else {
        (0..chunks).into_par_iter().map(partial).collect()
    };
    partials.iter().fold(0.0, |total, x| total + x)
}

/// How many `i < len` satisfy `f(i)`.
pub fn count(len: usize, f: impl Fn(usize) -> bool + Sync) -> usize {
    if len < THRESHOLD {
        (0..len).filter(|&i| f(i)).count()
    } else {
        (0..len).into_par_iter().filter(|&i| f(i)).count()
    }
}

/// Whether some `i < len` satisfies `f(i)`.
pub fn any(len: usize, f: impl Fn(usize) -> bool + Sync) -> bool {
    if len < THRESHOLD {
        (0..len).any(f)
    } else {
        (0..len).into_par_iter().any(&f)
    }
}

/// The values `f(i)` returns for `i < len`, in the order of `i`, leaving out the `None`s.
pub fn keep<T: Send>(len: usize, f: impl Fn(usize) -> Option<T> + Sync) -> Vec<T> {
    if len < THRESHOLD {
        (0..len).filter_map(f).collect()
    } else {
        (0..len).into_par_iter().filter_map(&f).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_paths_give_the_same_results() {
        for len in [0, 5, THRESHOLD + 3] {
            let mut out = vec![0usize; len];
            fill(&mut out, |i| i * 2);
            assert!(out.iter().enumerate().all(|(i, &y)| y == i * 2));
            assert_eq!(sum(len, |_| 1.0), len as f64);
            assert_eq!(count(len, |i| i % 2 == 0), len.div_ceil(2));
            assert_eq!(any(len, |i| i + 1 == len), len > 0);
            assert_eq!(
                keep(len, |i| (i % 3 == 0).then_some(i)).len(),
                len.div_ceil(3)
            );
        }
    }
}
