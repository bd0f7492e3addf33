//! The demand cone (issue 18): the ratios between dimensions that every workload's smallest demand keeps, and
//! each host's room clipped to them. The bounds ([`crate::bounds`]) read clipped rooms where a host's shape does not
//! match the demand's: a host rich in one dimension can never fill it.

use crate::model::Problem;

/// The ratios between dimensions that every candidate's smallest demand keeps (issue 18): per ordered pair of
/// dimensions (d1, d2), the least `s[d2] / s[d1]` over the candidates with `s[d1] > 0`. A host's load is a sum of
/// such demands, so it keeps them too: load[d2] ≥ ratio · load[d1], and with load[d2] ≤ room[d2], load[d1] ≤
/// room[d2] / ratio. A host whose shape does not match the demand (memory-poor hosts for workloads of at least
/// 2 GiB per core) can then never fill its other dimension, and its room there is clipped to what it can use.
/// Sound for every bound that reads rooms: any plan's load on a host is at most the clipped room.
#[derive(Clone, Debug, Default)]
pub struct Cone {
    dims: usize,
    /// Index d1 · dims + d2: (s[d2], s[d1]) of the least ratio, None when no candidate has s[d1] > 0.
    least: Vec<Option<(u64, u64)>>,
}

impl Cone {
    /// The cone of the smallest-form demands of `candidates`.
    pub fn of(problem: &Problem, candidates: &[usize]) -> Cone {
        let dims = problem.dims();
        let mut least: Vec<Option<(u64, u64)>> = vec![None; dims * dims];
        for &i in candidates {
            let s = problem.smallest(i);
            for d1 in (0..dims).filter(|&d1| s[d1] > 0) {
                for d2 in (0..dims).filter(|&d2| d2 != d1) {
                    let entry = &mut least[d1 * dims + d2];
                    // s[d2] / s[d1] < num / den, in whole numbers
                    if entry.map_or(true, |(num, den)| (s[d2] as u128) * (den as u128) < (num as u128) * (s[d1] as u128)) {
                        *entry = Some((s[d2], s[d1]));
                    }
                }
            }
        }
        Cone { dims, least }
    }

    /// The room in dimension `d` of a host whose unclipped rooms are `rooms(e)`: at most `rooms(d)`, and for every
    /// other dimension e at most rooms(e) / (least ratio of e to d), rounded down.
    pub fn clip(&self, rooms: impl Fn(usize) -> u64, d: usize) -> u64 {
        let mut room = rooms(d);
        for e in (0..self.dims).filter(|&e| e != d) {
            if let Some((num, den)) = self.least[d * self.dims + e] {
                if num > 0 {
                    let most = rooms(e) as u128 * den as u128 / num as u128;
                    room = room.min(most.min(u64::MAX as u128) as u64);
                }
            }
        }
        room
    }
}
