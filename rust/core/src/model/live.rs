//! The live part of a problem (issue 15): where workloads run now, which of them are pinned, what moving each
//! costs, which hosts are drained, and the move budgets. docs/design-live-rules-capacity.md has the contract.

use super::form::Form;

/// Where a fleet runs now, and what re-planning it may change. Columns per workload (`n`) and per host (`m`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Live {
    /// Per workload, the host it runs on now (None: a new workload).
    pub current_host: Vec<Option<u32>>,
    /// Per workload, the form it runs in now (None: either; only its host counts).
    pub current_form: Vec<Option<Form>>,
    /// Per workload, whether it must stay where it is (on its current host, in its current form when given).
    pub pinned: Vec<bool>,
    /// Per workload, what moving it costs; None: its memory in bytes (a live migration copies memory).
    pub move_cost: Option<Vec<u64>>,
    /// Per host, whether it must end empty.
    pub drain: Vec<bool>,
    /// The most moves a plan may make (None: no limit).
    pub max_moves: Option<u64>,
    /// The most summed move cost a plan may spend (None: no limit).
    pub max_move_cost: Option<u64>,
}

impl Live {
    /// No workload running anywhere, nothing pinned or drained, no budget: for `n` workloads and `m` hosts.
    pub fn new(n: usize, m: usize) -> Live {
        Live {
            current_host: vec![None; n],
            current_form: vec![None; n],
            pinned: vec![false; n],
            move_cost: None,
            drain: vec![false; m],
            max_moves: None,
            max_move_cost: None,
        }
    }

    /// Whether there is anything live at all: some workload runs somewhere, or some host is drained. Without, the
    /// problem is greenfield and plans are today's, plan for plan.
    pub fn is_live(&self) -> bool {
        self.current_host.iter().any(Option::is_some) || self.drain.iter().any(|&d| d)
    }

    /// Whether some budget limits the moves.
    pub fn budgeted(&self) -> bool {
        self.max_moves.is_some() || self.max_move_cost.is_some()
    }

    /// Every problem with this live part, against `n` workloads and `m` hosts: one message per problem, each naming
    /// the workload or host row and the field.
    pub(super) fn problems(&self, n: usize, m: usize, max_cost: u64) -> Vec<String> {
        let mut out = Vec::new();
        for (name, len, want) in [
            ("current_host", self.current_host.len(), n),
            ("current_form", self.current_form.len(), n),
            ("pinned", self.pinned.len(), n),
            ("move_cost", self.move_cost.as_ref().map_or(n, Vec::len), n),
            ("drain", self.drain.len(), m),
        ] {
            if len != want {
                out.push(format!("live {name}: {len} entries, expected {want}"));
            }
        }
        if !out.is_empty() {
            return out;
        }
        for i in 0..n {
            match self.current_host[i] {
                Some(j) if j as usize >= m => {
                    out.push(format!("workload {i}: current host {j} is out of range ({m} hosts)"));
                }
                Some(j) if self.pinned[i] && self.drain[j as usize] => {
                    out.push(format!("workload {i}: pinned to host {j}, which is drained"));
                }
                None if self.pinned[i] => out.push(format!("workload {i}: pinned without a current host")),
                _ => {}
            }
            if let Some(cost) = self.move_cost.as_ref().map(|c| c[i]).filter(|&c| c > max_cost) {
                out.push(format!("workload {i}: move_cost is {cost} (at most 2**53)"));
            }
        }
        out
    }
}
