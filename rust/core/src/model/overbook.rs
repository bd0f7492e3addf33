//! Overcommit and headroom (issue 16): allocation ratios per host and dimension (OpenStack Placement's
//! `allocation_ratio`), workloads that may not be overcommitted (dedicated cores), and a target utilisation per
//! dimension that leaves headroom on every host. docs/design-live-rules-capacity.md ("Overcommit and headroom").
//!
//! On host `j` in dimension `d`, with ratio `r` and usable fraction `u` (both in parts per million), usable room
//! `U = floor(capacity × u)`, physical usage `Q` (the per-host overheads switched on and the whole effective demand
//! of the workloads that may not be overcommitted) and overcommittable usage `O` (the whole effective demand of the
//! others): `O <= floor((U - Q) × r)`, that is `O × 10^6 + Q × r <= U × r` in integers; and no single workload takes
//! more than the host's capacity (Placement's `max_unit`).

/// One in parts per million.
pub const PPM: u64 = 1_000_000;
/// The largest allocation ratio, in parts per million (a ratio of 1000): `U × r` stays within `u128` easily and
/// the free room `floor(U × r / 10^6)` within `u64`.
pub const MAX_RATIO_PPM: u64 = 1_000_000_000;

/// Ratios, the workloads that count at ratio, and the usable fraction per dimension.
#[derive(Clone, Debug, PartialEq)]
pub struct Overbook {
    /// Hosts × dimensions, row-major: the allocation ratio in parts per million (>= 10^6).
    pub ratio_ppm: Vec<u64>,
    /// Per workload: whether its demand counts at its host's ratio (false: at full physical value).
    pub overcommit: Vec<bool>,
    /// Per dimension: the usable fraction of every host's capacity, in parts per million (1 to 10^6).
    pub usable_ppm: Vec<u64>,
    /// Hosts × dimensions: `floor(capacity × usable)`; filled by [`Overbook::checked`].
    usable: Vec<u64>,
    dims: usize,
}

impl Overbook {
    pub fn new(ratio_ppm: Vec<u64>, overcommit: Vec<bool>, usable_ppm: Vec<u64>) -> Overbook {
        Overbook { ratio_ppm, overcommit, usable_ppm, usable: Vec::new(), dims: 0 }
    }

    /// Every problem of this part against `n` workloads, the hosts' `capacity` (row-major) and `dims`, one message
    /// each; or the part ready for use (None when every ratio and every usable fraction is 1: then it changes
    /// nothing and no state is kept, whatever the workloads' `overcommit`).
    pub(super) fn checked(mut self, n: usize, capacity: &[u64], dims: usize) -> Result<Option<Overbook>, String> {
        let m = capacity.len() / dims.max(1);
        if self.ratio_ppm.len() != m * dims {
            return Err(format!("ratio_ppm: {} entries, expected {m} hosts x {dims} dimensions", self.ratio_ppm.len()));
        }
        if self.overcommit.len() != n {
            return Err(format!("overcommit: {} entries, expected {n}", self.overcommit.len()));
        }
        if self.usable_ppm.len() != dims {
            return Err(format!("usable_ppm: {} entries, expected {dims}", self.usable_ppm.len()));
        }
        if let Some(k) = self.ratio_ppm.iter().position(|r| !(PPM..=MAX_RATIO_PPM).contains(r)) {
            return Err(format!(
                "host {}: ratio_ppm in dimension {} is {} (from 10^6 to 10^9)",
                k / dims,
                k % dims,
                self.ratio_ppm[k]
            ));
        }
        if let Some(d) = self.usable_ppm.iter().position(|u| !(1..=PPM).contains(u)) {
            return Err(format!("usable_ppm in dimension {d} is {} (from 1 to 10^6)", self.usable_ppm[d]));
        }
        if self.ratio_ppm.iter().all(|&r| r == PPM) && self.usable_ppm.iter().all(|&u| u == PPM) {
            return Ok(None);
        }
        self.dims = dims;
        self.usable = capacity
            .iter()
            .enumerate()
            .map(|(k, &c)| (c as u128 * self.usable_ppm[k % dims] as u128 / PPM as u128) as u64)
            .collect();
        Ok(Some(self))
    }

    /// Host `j`'s ratio in dimension `d`, in parts per million.
    #[inline]
    pub fn ratio(&self, j: usize, d: usize) -> u64 {
        self.ratio_ppm[j * self.dims + d]
    }

    /// Host `j`'s usable room in dimension `d`: `floor(capacity × usable)`.
    #[inline]
    pub fn usable(&self, j: usize, d: usize) -> u64 {
        self.usable[j * self.dims + d]
    }

    /// Host `j`'s ratios, one per dimension (what groupings of alike hosts compare).
    pub fn ratios(&self, j: usize) -> &[u64] {
        &self.ratio_ppm[j * self.dims..(j + 1) * self.dims]
    }

    /// Whether host `j` takes, in dimension `d`, a physical usage `used` of which `over` counts at ratio.
    #[inline]
    pub fn within(&self, j: usize, d: usize, used: u64, over: u64) -> bool {
        let r = self.ratio(j, d) as u128;
        let physical = used.saturating_sub(over) as u128;
        over as u128 * PPM as u128 + physical * r <= self.usable(j, d) as u128 * r
    }

    /// The slack `U × r - Q × r - O × 10^6` (0 when negative): the room in units of 10^-6 of an overcommittable
    /// unit.
    #[inline]
    pub fn slack(&self, j: usize, d: usize, used: u64, over: u64) -> u128 {
        let r = self.ratio(j, d) as u128;
        let physical = used.saturating_sub(over) as u128;
        (self.usable(j, d) as u128 * r).saturating_sub(physical * r + over as u128 * PPM as u128)
    }

    /// The most any workload's effective demand could still take of host `j` in dimension `d`,
    /// `floor(slack / 10^6)`: an overcommittable one exactly, one that may not be overcommitted less. The indexes
    /// prune with it (a necessary condition).
    #[inline]
    pub fn room(&self, j: usize, d: usize, used: u64, over: u64) -> u64 {
        u64::try_from(self.slack(j, d, used, over) / PPM as u128).unwrap_or(u64::MAX)
    }

    /// Host `j`'s free share in dimension `d` (slack over `U × r`), the best-fit score's term; None for a
    /// dimension with no usable room (skipped, as a dimension of capacity 0 is without ratios).
    #[inline]
    pub fn free_share(&self, j: usize, d: usize, used: u64, over: u64) -> Option<f64> {
        let whole = self.usable(j, d) as u128 * self.ratio(j, d) as u128;
        (whole > 0).then(|| self.slack(j, d, used, over) as f64 / whole as f64)
    }

    /// What a workload taking `own` (its effective demand) and switching on `fixed` (per-host overheads) costs
    /// of the score's term in dimension `d` of host `j`.
    #[inline]
    pub fn take_share(&self, j: usize, d: usize, own: u64, fixed: u64, overcommit: bool) -> f64 {
        let r = self.ratio(j, d) as u128;
        let whole = self.usable(j, d) as u128 * r;
        if whole == 0 {
            return 0.0;
        }
        let own_weight = if overcommit { PPM as u128 } else { r };
        (own as u128 * own_weight + fixed as u128 * r) as f64 / whole as f64
    }
}
