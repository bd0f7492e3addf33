//! Static eligibility (issue 16): which hosts a workload may run on at all, whatever they hold. Python compiles
//! selectors over host labels and taints against tolerations into classes (workloads with the same selector and
//! tolerations share one); the core reads a classes × hosts table. docs/design-live-rules-capacity.md has the design.

/// Classes of workloads and, per class, the hosts its workloads may run on.
#[derive(Clone, Debug, PartialEq)]
pub struct Eligibility {
    /// Per workload, its class (a row of `eligible`).
    pub class: Vec<u32>,
    /// Classes × hosts, row-major: whether a workload of the class may run on the host.
    pub eligible: Vec<bool>,
    /// Per host, the first host with the same column of `eligible` (hosts alike in every class's eye share it):
    /// what the groupings of alike hosts add to their key. Filled by [`Eligibility::checked`].
    host_kind: Vec<u32>,
}

impl Eligibility {
    /// Classes per workload and the `classes` × hosts table (row-major); checked by [`Eligibility::checked`].
    pub fn new(class: Vec<u32>, eligible: Vec<bool>) -> Eligibility {
        Eligibility { class, eligible, host_kind: Vec::new() }
    }

    /// Every problem of this part against `n` workloads and `m` hosts, one message each; or the part ready for use
    /// (None when every class may use every host: then nothing restricts anything and no state is kept).
    pub(super) fn checked(mut self, n: usize, m: usize) -> Result<Option<Eligibility>, String> {
        if self.class.len() != n {
            return Err(format!("eligibility_class: {} entries, expected {n}", self.class.len()));
        }
        let classes = if m == 0 { 0 } else { self.eligible.len() / m };
        if m > 0 && self.eligible.len() % m != 0 || m == 0 && !self.eligible.is_empty() {
            return Err(format!("eligible: {} entries, not a whole number of rows of {m} hosts", self.eligible.len()));
        }
        if let Some(i) = self.class.iter().position(|&c| m > 0 && c as usize >= classes) {
            return Err(format!("workload {i}: eligibility_class {} is out of range ({classes} classes)", self.class[i]));
        }
        if self.eligible.iter().all(|&e| e) {
            return Ok(None);
        }
        // hosts by their column, in order of first appearance
        let mut first: std::collections::HashMap<Vec<bool>, u32> = std::collections::HashMap::new();
        self.host_kind = (0..m)
            .map(|j| {
                let column: Vec<bool> = (0..classes).map(|c| self.eligible[c * m + j]).collect();
                *first.entry(column).or_insert(j as u32)
            })
            .collect();
        Ok(Some(self))
    }

    /// Whether workload `i` may run on host `j` (of `m` hosts).
    #[inline]
    pub fn allows(&self, i: usize, j: usize) -> bool {
        let m = self.host_kind.len();
        self.eligible[self.class[i] as usize * m + j]
    }

    /// Host `j`'s kind: the first host every class sees as it sees `j`.
    pub fn host_kind(&self, j: usize) -> u32 {
        self.host_kind[j]
    }
}
