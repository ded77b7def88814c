//! A backtest's accounting and its statistics, shared by `backtest` and `sma_crossover_sweep` so
//! that a sweep row is exactly the backtest of its positions.
//!
//! Conventions (the numpy fallback in `src/rust_bridge/_fallback/backtesting.py` keeps the same):
//! - the position decided at bar `t` (using data up to `t`'s close) is held over bar `t + 1`:
//!   `held[t] = position[t - 1]`, `held[0] = 0`; the last position is never held;
//! - bar `t` earns `r[t] = close[t] / close[t - 1] - 1` on the held fraction of equity, after
//!   paying `(fee_bps + slippage_bps) / 10_000` of equity per unit of position traded into it:
//!   `equity[t] = equity[t - 1] * (1 - |held[t] - held[t - 1]| * cost) * (1 + held[t] * r[t])`,
//!   `equity[0] = 1`. Slippage is a cost per unit traded like the fee, not a worse fill price;
//! - the net returns `equity[t] / equity[t - 1] - 1`, `t >= 1`, give Sharpe =
//!   `mean / std(ddof = 1) * sqrt(periods_per_year)` and Sortino =
//!   `mean / sqrt(mean(min(r, 0)²)) * sqrt(periods_per_year)` (risk-free rate and target 0); with
//!   fewer than 2 returns both are NaN; with a zero deviation they are NaN for a zero mean, ±inf
//!   otherwise. The standard deviation is taken around the first return, so a constant series
//!   has exactly 0;
//! - max drawdown: the largest `1 - equity[t] / max(equity[..=t])`, a fraction >= 0 (0.25: the
//!   equity fell 25% below its peak); NaN once the equity is not finite (it overflowed: a close
//!   ratio beyond the largest double), never a plausible number; total return `equity[-1] - 1`;
//! - `fee_bps + slippage_bps` is below 10_000: at 100% of equity per unit traded or more, one
//!   trade would leave nothing (or less);
//! - trades: the bars whose held position differs from the previous bar's (a reversal from +1 to
//!   -1 is one trade); turnover: the sum of `|held[t] - held[t - 1]|` (that reversal counts 2).
//!
//! The work goes a block of `BLOCK` bars at a time through `growth::run_blocks` (each bar's growth,
//! the sums over the net returns, the equity), then `Account::settle` (the drawdown).

use crate::support::KernelError;

/// Bars per block: a block's equity curve stays in cache between `growth::run` and `settle`.
pub const BLOCK: usize = 1 << 11;

/// Partial sums side by side, one vector register each in `growth`.
pub(super) const LANES: usize = 4;

/// The statistics of one backtest.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Stats {
    pub total_return: f64,
    pub sharpe: f64,
    pub sortino: f64,
    pub max_drawdown: f64,
    pub trades: i64,
    pub turnover: f64,
}

/// `fee_bps + slippage_bps` must stay below this: 100% of equity per unit of position traded.
pub const MAX_COST_BPS: f64 = 10_000.0;

/// The cost of trading and the annualisation, checked.
#[derive(Debug, Clone, Copy)]
pub struct Terms {
    /// Fraction of equity paid per unit of position traded.
    pub cost: f64,
    /// `sqrt(periods_per_year)`.
    pub annualise: f64,
}

impl Terms {
    pub fn new(
        fee_bps: f64,
        slippage_bps: f64,
        periods_per_year: f64,
    ) -> Result<Self, KernelError> {
        for (name, value) in [("fee_bps", fee_bps), ("slippage_bps", slippage_bps)] {
            if !(value.is_finite() && value >= 0.0) {
                let message = format!("{name} must be a finite number >= 0");
                return Err(KernelError::Invalid(message));
            }
        }
        if fee_bps + slippage_bps >= MAX_COST_BPS {
            return Err(KernelError::Invalid(
                "fee_bps + slippage_bps must be < 10000 (100% of equity per unit of position traded)"
                    .into(),
            ));
        }
        if !(periods_per_year.is_finite() && periods_per_year > 0.0) {
            return Err(KernelError::Invalid(
                "periods_per_year must be a finite number > 0".into(),
            ));
        }
        Ok(Self {
            cost: (fee_bps + slippage_bps) / 10_000.0,
            annualise: periods_per_year.sqrt(),
        })
    }
}

/// Whether a close price is usable: finite and > 0 (two float comparisons, false for NaN: a
/// vector compare each, where `is_finite` compares the bits as a 64-bit integer).
#[inline(always)]
pub fn is_good_close(x: f64) -> bool {
    x > 0.0 && x < f64::INFINITY
}

/// Whether a position is usable: within [-1, 1] (NaN is not).
#[inline(always)]
pub fn is_good_position(x: f64) -> bool {
    (-1.0..=1.0).contains(&x)
}

/// Running sums over the net returns, `LANES` partial sums each, added up in a fixed order in
/// `stats` (the result depends on how bars fall into lanes, which only the blocks decide: both
/// callers use `BLOCK`).
#[derive(Debug, Clone, Default)]
pub struct Moments {
    /// The first net return: the sums of `d = net - shift` are taken around it.
    pub(super) shift: f64,
    pub(super) started: bool,
    pub(super) count: usize,
    pub(super) sum: [f64; LANES],
    pub(super) sum_sq: [f64; LANES],
    pub(super) down_sq: [f64; LANES],
    pub(super) turnover: [f64; LANES],
    /// Counted in doubles (exact up to 2^53) so that it shares the lanes' vector code.
    pub(super) trades: [f64; LANES],
}

/// The equity and its drawdown, carried from block to block.
#[derive(Debug, Clone, Copy)]
pub struct Account {
    pub equity: f64,
    peak: f64,
    inv_peak: f64,
    pub max_drawdown: f64,
}

impl Default for Account {
    fn default() -> Self {
        Self {
            equity: 1.0,
            peak: 1.0,
            inv_peak: 1.0,
            max_drawdown: 0.0,
        }
    }
}

impl Account {
    /// Takes a block's equity `curve`, whose lowest and highest values are `low` and `high`, into
    /// the drawdown. A block that makes no new peak (most of them) needs no walk and no division:
    /// its largest drawdown is that of its lowest equity, against the peak's reciprocal.
    pub fn settle(&mut self, curve: &[f64], low: f64, high: f64) {
        if high <= self.peak {
            self.max_drawdown = larger(self.max_drawdown, 1.0 - low * self.inv_peak);
            return;
        }
        for &x in curve {
            if x > self.peak {
                self.peak = x;
            } else {
                self.max_drawdown = larger(self.max_drawdown, 1.0 - x / self.peak);
            }
        }
        self.inv_peak = 1.0 / self.peak;
    }
}

/// The statistics of an account whose net returns are summed in `moments`.
pub fn stats(moments: &Moments, account: &Account, terms: Terms) -> Stats {
    let m = moments;
    let total = |lanes: &[f64; LANES]| lanes.iter().fold(0.0, |t, x| t + x);
    let (sharpe, sortino) = if m.count < 2 {
        (f64::NAN, f64::NAN)
    } else {
        let n = m.count as f64;
        let (sum, sum_sq) = (total(&m.sum), total(&m.sum_sq));
        let mean = m.shift + sum / n;
        let var = (sum_sq - sum * sum / n) / (n - 1.0);
        let var = if var < 0.0 { 0.0 } else { var }; // rounding below 0 only: NaN stays NaN
        let downside = (total(&m.down_sq) / n).sqrt();
        (
            ratio(mean, var.sqrt()) * terms.annualise,
            ratio(mean, downside) * terms.annualise,
        )
    };
    Stats {
        total_return: account.equity - 1.0,
        sharpe,
        sortino,
        // An equity that overflowed stays inf or NaN to the end, and its drawdowns mean nothing.
        max_drawdown: if account.equity.is_finite() {
            account.max_drawdown
        } else {
            f64::NAN
        },
        trades: total(&m.trades) as i64,
        turnover: total(&m.turnover),
    }
}

/// The larger of two numbers that are not NaN: one `maxsd` (`f64::max` adds NaN handling).
#[inline(always)]
pub(super) fn larger(a: f64, b: f64) -> f64 {
    if a > b {
        a
    } else {
        b
    }
}

/// The smaller of two numbers that are not NaN (see `larger`).
#[inline(always)]
pub(super) fn smaller(a: f64, b: f64) -> f64 {
    if a < b {
        a
    } else {
        b
    }
}

/// `mean / deviation`; for a zero deviation NaN if the mean is 0 too, else ±inf; NaN for a NaN
/// deviation.
fn ratio(mean: f64, deviation: f64) -> f64 {
    if deviation > 0.0 {
        mean / deviation
    } else if deviation == 0.0 && mean != 0.0 {
        f64::INFINITY.copysign(mean)
    } else {
        f64::NAN
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backtesting::growth::{self, backtest_of, Returns};

    fn terms(fee_bps: f64, periods_per_year: f64) -> Terms {
        Terms::new(fee_bps, 0.0, periods_per_year).unwrap()
    }

    /// The plain sequential account: one bar at a time, one division per drawdown.
    fn plain(held: &[f64], returns: &[f64], t: Terms) -> (Vec<f64>, Stats) {
        let (mut equity, mut peak, mut dd, mut before) = (1.0, 1.0, 0.0_f64, 0.0);
        let mut curve = Vec::new();
        let mut net = Vec::new();
        let (mut trades, mut turnover) = (0, 0.0);
        for (&h, &r) in held.iter().zip(returns) {
            let change: f64 = (h - before).abs();
            let g = (1.0 - change * t.cost) * (1.0 + h * r);
            equity *= g;
            peak = f64::max(peak, equity);
            dd = dd.max(1.0 - equity / peak);
            curve.push(equity);
            net.push(g - 1.0);
            trades += i64::from(change != 0.0);
            turnover += change;
            before = h;
        }
        let n = net.len() as f64;
        let mean = net.iter().sum::<f64>() / n;
        let std = (net.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        let down = (net.iter().map(|x| x.min(0.0).powi(2)).sum::<f64>() / n).sqrt();
        let stats = Stats {
            total_return: equity - 1.0,
            sharpe: mean / std * t.annualise,
            sortino: mean / down * t.annualise,
            max_drawdown: dd,
            trades,
            turnover,
        };
        (curve, stats)
    }

    fn close(a: f64, b: f64, rtol: f64) -> bool {
        (a - b).abs() <= rtol * b.abs().max(1e-300)
    }

    #[test]
    fn blocks_agree_with_the_plain_account() {
        let t = terms(7.0, 365.0);
        let len = 3 * BLOCK + 11; // several blocks, and a tail past the last group of four
        let returns: Vec<f64> = (0..len)
            .map(|i| ((((i * 7919) % 1013) as f64) - 500.0) * 4e-5)
            .collect();
        let held: Vec<f64> = (0..len)
            .map(|i| [1.0, 1.0, 0.5, -1.0, 0.0][(i / 37) % 5])
            .collect();
        let (curve, expected) = plain(&held, &returns, t);
        let mut buf = vec![0.0; len];
        let stats = backtest_of(&held, &returns, t, &mut buf);
        assert!(close(stats.total_return, expected.total_return, 1e-12));
        assert!(close(stats.sharpe, expected.sharpe, 1e-10));
        assert!(close(stats.sortino, expected.sortino, 1e-10));
        assert!(close(stats.max_drawdown, expected.max_drawdown, 1e-12));
        assert!(expected.max_drawdown > 0.01);
        assert_eq!(stats.trades, expected.trades);
        assert!(close(stats.turnover, expected.turnover, 1e-14));
        // The curve, in one block or in several.
        for block in [len, 8, 4096] {
            let mut account = Account::default();
            let mut moments = Moments::default();
            for start in (0..len).step_by(block) {
                let end = (start + block).min(len);
                let before = if start == 0 { 0.0 } else { held[start - 1] };
                let r = Returns::Given(&returns[start..end]);
                let c = &mut buf[start..end];
                growth::run(
                    &held[start..end],
                    before,
                    r,
                    t.cost,
                    c,
                    &mut moments,
                    &mut account,
                );
            }
            assert!(buf.iter().zip(&curve).all(|(a, b)| close(*a, *b, 1e-12)));
            assert!(close(account.max_drawdown, expected.max_drawdown, 1e-12));
        }
    }

    #[test]
    fn a_drawdown_inside_a_block_that_makes_a_new_peak_is_found() {
        // Up 50%, then down to a third, within one block.
        let held = [1.0; 5];
        let returns = [0.5, -2.0 / 3.0, 0.0, 0.0, 0.0];
        let stats = backtest_of(&held, &returns, terms(0.0, 1.0), &mut [0.0; 5]);
        assert!(close(stats.max_drawdown, 1.0 - 0.5 / 1.5, 1e-15));
        assert!(close(stats.total_return, -0.5, 1e-15));
    }

    #[test]
    fn a_flat_account_has_no_ratios() {
        let t = terms(0.0, 1.0);
        let stats = backtest_of(&[0.0; 10], &[0.01; 10], t, &mut [0.0; 10]);
        assert_eq!(
            (stats.total_return, stats.max_drawdown, stats.trades),
            (0.0, 0.0, 0)
        );
        assert!(stats.sharpe.is_nan() && stats.sortino.is_nan());
    }

    #[test]
    fn constant_gains_have_infinite_ratios() {
        let t = terms(0.0, 1.0);
        let stats = backtest_of(&[1.0; 3], &[0.01; 3], t, &mut [0.0; 3]);
        assert_eq!(
            (stats.sharpe, stats.sortino),
            (f64::INFINITY, f64::INFINITY)
        );
    }

    #[test]
    fn refuses_bad_terms() {
        let err = |f: f64, s: f64, p: f64| Terms::new(f, s, p).unwrap_err().to_string();
        assert_eq!(err(-1.0, 0.0, 1.0), "fee_bps must be a finite number >= 0");
        assert_eq!(
            err(0.0, f64::NAN, 1.0),
            "slippage_bps must be a finite number >= 0"
        );
        assert_eq!(
            err(0.0, 0.0, 0.0),
            "periods_per_year must be a finite number > 0"
        );
        let too_high =
            "fee_bps + slippage_bps must be < 10000 (100% of equity per unit of position traded)";
        assert_eq!(err(10_000.0, 0.0, 1.0), too_high);
        assert_eq!(err(6_000.0, 4_000.0, 1.0), too_high);
        assert_eq!(err(1e300, 0.0, 1.0), too_high);
        assert!(Terms::new(9_999.0, 0.0, 1.0).is_ok());
    }

    #[test]
    fn an_equity_that_overflowed_has_no_drawdown() {
        // A close ratio beyond the largest double: the equity is inf, then NaN (0 * inf) when flat.
        let t = terms(0.0, 1.0);
        let stats = backtest_of(
            &[1.0, 0.0, 1.0],
            &[f64::INFINITY, f64::INFINITY, 0.5],
            t,
            &mut [0.0; 3],
        );
        assert!(stats.max_drawdown.is_nan());
        assert!(stats.total_return.is_nan());
        let stats = backtest_of(&[1.0, 1.0], &[f64::INFINITY, -0.5], t, &mut [0.0; 2]);
        assert!(stats.max_drawdown.is_nan());
        assert_eq!(stats.total_return, f64::INFINITY);
    }
}
