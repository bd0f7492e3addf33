//! Indexes over hosts that let the heuristics find their host in about logarithmic time, for every rule.
//!
//! Both indexes prune with *necessary* conditions only (free capacity per dimension, free slots, an empty host for a
//! dedicated workload, a host kind that can run one of the workload's forms) and confirm every candidate with the
//! exact rule check, [`HostStates::first_form`]. So they return exactly the host the contract names (docs/model.md),
//! the one a scan over all hosts would find; only faster.

use std::collections::HashMap;

use crate::fit::{effective, HostStates};
use crate::model::{Form, Isolation, Problem};

const NIL: u32 = u32::MAX;
/// Bit of a host kind word: the host runs VMs. The other bits: it runs containers of an OS (code modulo 63).
const VM_BIT: u64 = 1 << 63;
/// Slack on floating-point scores when pruning, far above their rounding error (they sum at most `dims` terms).
const EPS: f64 = 1e-9;

fn kind_bits(problem: &Problem, j: usize) -> u64 {
    let hosts = problem.hosts();
    let vm = if hosts.hypervisor[j].is_some() { VM_BIT } else { 0 };
    let container = if hosts.containers[j] { 1u64 << (hosts.os[j] % 63) } else { 0 };
    vm | container
}

/// What workload `i` needs of any host that could take it (necessary conditions).
pub struct Need<'p> {
    /// Per dimension, the least it takes in any form, before per-host overheads.
    min: &'p [u64],
    /// Host kind bits of which the host must have one.
    kinds: u64,
    dedicated: bool,
}

impl<'p> Need<'p> {
    pub fn new(problem: &'p Problem, i: usize) -> Need<'p> {
        let w = problem.workloads();
        let mut kinds = 0;
        if w.forms[i].allows(Form::Vm) {
            kinds |= VM_BIT;
        }
        if w.forms[i].allows(Form::Container) {
            kinds |= 1u64 << (w.os[i] % 63);
        }
        Need { min: problem.smallest(i), kinds, dedicated: w.isolation[i] == Isolation::Dedicated }
    }
}

/// Free slots of host `j` (how many more workloads it may take).
fn slots(fleet: &HostStates, j: usize) -> u64 {
    if fleet.closed(j) {
        return 0;
    }
    match fleet.problem().hosts().max_workloads[j] {
        Some(cap) => cap - fleet.count(j),
        None => u64::MAX,
    }
}

/// How many points of its hosts' skyline of free (CPU, memory) a node of the opening tree keeps at most.
const SKYLINE: usize = 16;
/// How many skyline points a node of a score index keeps at most: its trees are smaller and change at every
/// placement, so shorter skylines (cheaper to merge) pay off there.
const SCORE_SKYLINE: usize = 8;
/// A node's skyline length when it had more points than [`SKYLINE`]: unknown, not used for pruning.
const OVERFLOW: u8 = u8::MAX;

/// The skyline of the points of two skylines and maybe one more point (each skyline by decreasing CPU, then
/// memory): the points no other point beats in both CPU and memory, by decreasing CPU. None when it has more than
/// [`SKYLINE`] points.
fn merge_skyline<const CAP: usize>(
    a: &[(u64, u64)],
    b: &[(u64, u64)],
    one: Option<(u64, u64)>,
    out: &mut [(u64, u64); CAP],
) -> Option<usize> {
    let (mut i, mut j) = (0usize, 0usize);
    let mut one = one;
    let mut len = 0usize;
    let mut best_memory = 0u64;
    loop {
        // the largest of the three heads
        let mut next = match (a.get(i), b.get(j)) {
            (Some(&p), Some(&q)) => if p >= q { (p, 0u8) } else { (q, 1) },
            (Some(&p), None) => (p, 0),
            (None, Some(&q)) => (q, 1),
            (None, None) => match one {
                Some(p) => (p, 2),
                None => return Some(len),
            },
        };
        if let Some(p) = one {
            if p > next.0 {
                next = (p, 2);
            }
        }
        match next.1 {
            0 => i += 1,
            1 => j += 1,
            _ => one = None,
        }
        let (cpu, memory) = next.0;
        if len > 0 && memory <= best_memory {
            continue;
        }
        if len == CAP {
            return None;
        }
        out[len] = (cpu, memory);
        len += 1;
        best_memory = memory;
    }
}

/// Whether some point of a skyline covers `need` in CPU and memory.
fn skyline_covers(points: &[(u64, u64)], need: &[u64]) -> bool {
    points.iter().any(|&(cpu, memory)| cpu >= need[0] && memory >= need[1])
}

/// A segment tree over hosts in opening order: finds the first host in that order that takes a workload.
///
/// Pruning on the most free capacity per dimension alone is weak: one host with free CPU and another with free
/// memory let a subtree pass that none of its hosts can take the workload of. So each node also keeps the
/// skyline of its hosts' free (CPU, memory): the hosts no other host beats in both. For hosts filled at random it
/// holds a handful of points (about the logarithm of their number), so it mostly fits in [`SKYLINE`] points, and
/// a node passes only if one of them covers the workload.
struct Segment {
    dims: usize,
    size: usize,
    host_at: Vec<u32>,
    leaf_of: Vec<u32>,
    // per node, over the present hosts below it:
    free: Vec<u64>,
    /// `SKYLINE` (cpu, memory) points per inner node, by decreasing CPU (a leaf's free capacity is its skyline)
    skyline: Vec<(u64, u64)>,
    skyline_len: Vec<u8>,
    slots: Vec<u64>,
    empty: Vec<bool>,
    kinds: Vec<u64>,
}

impl Segment {
    /// A tree over `order` (host indices in opening order) holding the hosts for which `present` is true.
    fn new(fleet: &HostStates, order: &[usize], present: impl Fn(usize) -> bool) -> Segment {
        let problem = fleet.problem();
        let dims = problem.dims();
        let size = order.len().next_power_of_two().max(1);
        let mut tree = Segment {
            dims,
            size,
            host_at: vec![NIL; size],
            leaf_of: vec![NIL; problem.host_count()],
            free: vec![0; 2 * size * dims],
            skyline: vec![(0, 0); size * SKYLINE],
            skyline_len: vec![0; size],
            slots: vec![0; 2 * size],
            empty: vec![false; 2 * size],
            kinds: vec![0; 2 * size],
        };
        for (p, &j) in order.iter().enumerate() {
            tree.host_at[p] = j as u32;
            tree.leaf_of[j] = p as u32;
            if present(j) {
                tree.write_leaf(fleet, j);
            }
        }
        for node in (1..size).rev() {
            tree.pull(node);
        }
        tree
    }

    fn write_leaf(&mut self, fleet: &HostStates, j: usize) {
        let node = self.size + self.leaf_of[j] as usize;
        for d in 0..self.dims {
            self.free[node * self.dims + d] = fleet.room(j, d);
        }
        self.slots[node] = slots(fleet, j);
        self.empty[node] = fleet.count(j) == 0;
        self.kinds[node] = kind_bits(fleet.problem(), j);
    }

    fn clear_leaf(&mut self, j: usize) {
        let node = self.size + self.leaf_of[j] as usize;
        self.free[node * self.dims..(node + 1) * self.dims].fill(0);
        self.slots[node] = 0;
        self.empty[node] = false;
        self.kinds[node] = 0;
    }

    /// Recompute a node from its children; returns whether it changed.
    fn pull(&mut self, node: usize) -> bool {
        let (l, r, d) = (2 * node, 2 * node + 1, self.dims);
        let mut changed = false;
        for k in 0..d {
            let most = self.free[l * d + k].max(self.free[r * d + k]);
            changed |= self.free[node * d + k] != most;
            self.free[node * d + k] = most;
        }
        let (slots, empty, kinds) =
            (self.slots[l].max(self.slots[r]), self.empty[l] || self.empty[r], self.kinds[l] | self.kinds[r]);
        changed |= (slots, empty, kinds) != (self.slots[node], self.empty[node], self.kinds[node]);
        (self.slots[node], self.empty[node], self.kinds[node]) = (slots, empty, kinds);
        self.merge_skylines(node, l, r) || changed
    }

    /// Merge the children's skylines into the node's; returns whether it changed.
    fn merge_skylines(&mut self, node: usize, l: usize, r: usize) -> bool {
        let mut kept = [(0u64, 0u64); SKYLINE];
        if l >= self.size {
            // two leaves: their points, if they can take anything
            let d = self.dims;
            let point = |c: usize| (self.slots[c] > 0).then(|| (self.free[c * d], self.free[c * d + 1]));
            let (a, b) = (point(l), point(r));
            let left: &[(u64, u64)] = match &a {
                Some(p) => std::slice::from_ref(p),
                None => &[],
            };
            let len = merge_skyline(left, &[], b, &mut kept).expect("two points fit a skyline");
            let old = &mut self.skyline[node * SKYLINE..node * SKYLINE + len];
            let changed = self.skyline_len[node] as usize != len || old != &kept[..len];
            old.copy_from_slice(&kept[..len]);
            self.skyline_len[node] = len as u8;
            return changed;
        }
        let (ll, rl) = (self.skyline_len[l], self.skyline_len[r]);
        let len = if ll == OVERFLOW || rl == OVERFLOW {
            None
        } else {
            let left = &self.skyline[l * SKYLINE..l * SKYLINE + ll as usize];
            let right = &self.skyline[r * SKYLINE..r * SKYLINE + rl as usize];
            merge_skyline(left, right, None, &mut kept)
        };
        let Some(len) = len else {
            let changed = self.skyline_len[node] != OVERFLOW;
            self.skyline_len[node] = OVERFLOW;
            return changed;
        };
        let old = &mut self.skyline[node * SKYLINE..node * SKYLINE + len];
        let changed = self.skyline_len[node] as usize != len || old != &kept[..len];
        old.copy_from_slice(&kept[..len]);
        self.skyline_len[node] = len as u8;
        changed
    }

    /// Refresh host `j` after its state changed; it leaves the tree when `present` is false or it is closed.
    pub fn update(&mut self, fleet: &HostStates, j: usize, present: bool) {
        if present && !fleet.closed(j) {
            self.write_leaf(fleet, j);
        } else {
            self.clear_leaf(j);
        }
        // up to the root, or to the first node that its children's change leaves as it was
        let mut node = (self.size + self.leaf_of[j] as usize) / 2;
        while node >= 1 && self.pull(node) {
            node /= 2;
        }
    }

    fn may_fit(&self, node: usize, need: &Need) -> bool {
        let passes = self.slots[node] >= 1
            && (!need.dedicated || self.empty[node])
            && self.kinds[node] & need.kinds != 0
            && self.free[node * self.dims..(node + 1) * self.dims].iter().zip(need.min).all(|(f, n)| f >= n);
        // a leaf's free capacity, checked just above, is its skyline
        passes
            && (node >= self.size
                || match self.skyline_len[node] {
                    OVERFLOW => true,
                    len => skyline_covers(&self.skyline[node * SKYLINE..node * SKYLINE + len as usize], need.min),
                })
    }

    /// The first present host among the first `cut` leaves that takes workload `i`, with its form.
    fn first(&self, fleet: &HostStates, i: usize, need: &Need, cut: usize) -> Option<(usize, Form)> {
        self.descend(1, 0, self.size, fleet, i, need, cut)
    }

    /// `node` covers leaves `start..start + width`.
    #[allow(clippy::too_many_arguments)]
    fn descend(
        &self,
        node: usize,
        start: usize,
        width: usize,
        fleet: &HostStates,
        i: usize,
        need: &Need,
        cut: usize,
    ) -> Option<(usize, Form)> {
        if start >= cut || !self.may_fit(node, need) {
            return None;
        }
        if node >= self.size {
            let j = self.host_at[node - self.size] as usize;
            return fleet.first_form(i, j).map(|form| (j, form));
        }
        let half = width / 2;
        self.descend(2 * node, start, half, fleet, i, need, cut)
            .or_else(|| self.descend(2 * node + 1, start + half, half, fleet, i, need, cut))
    }
}

/// At most this many trees of [`OpeningTree`], one per eligibility kind of host; with more kinds, one tree.
const MAX_PARTS: usize = 16;

/// Finds the first host in opening order that takes a workload.
///
/// Hosts that a workload may not run on (selectors, taints: issue 16) defeat a tree's pruning by capacity: a host
/// that few workloads may use keeps its room, and every other workload would walk down to it and be turned away.
/// So the hosts are split by eligibility kind (hosts every workload sees alike), a tree of each, and a workload
/// asks only the trees of the kinds it may use: the first host of the first tree, then in each further tree only
/// the hosts before the best so far. Without eligibility there is one tree.
pub struct OpeningTree {
    parts: Vec<Segment>,
    /// Per part, a host of it (every host of a part is alike for eligibility) and the opening positions of its
    /// leaves, ascending.
    representative: Vec<usize>,
    positions: Vec<Vec<u32>>,
    /// Per host, its part.
    part_of: Vec<u32>,
}

impl OpeningTree {
    /// Trees over `order` (host indices in opening order) holding the hosts for which `present` is true.
    pub fn new(fleet: &HostStates, order: &[usize], present: impl Fn(usize) -> bool) -> OpeningTree {
        let problem = fleet.problem();
        let m = problem.host_count();
        let mut part_of = vec![0u32; m];
        let mut kinds: Vec<u32> = Vec::new();
        let mut orders: Vec<Vec<usize>> = Vec::new();
        let mut positions: Vec<Vec<u32>> = Vec::new();
        for (p, &j) in order.iter().enumerate() {
            let kind = problem.eligibility_column(j);
            let part = match kinds.iter().position(|&k| k == kind) {
                Some(part) => part,
                None => {
                    kinds.push(kind);
                    orders.push(Vec::new());
                    positions.push(Vec::new());
                    kinds.len() - 1
                }
            };
            if kinds.len() > MAX_PARTS {
                break;
            }
            part_of[j] = part as u32;
            orders[part].push(j);
            positions[part].push(p as u32);
        }
        if kinds.len() > MAX_PARTS || kinds.len() <= 1 {
            part_of.fill(0);
            let representative = order.first().copied().into_iter().collect();
            let positions = vec![(0..order.len() as u32).collect()];
            return OpeningTree { parts: vec![Segment::new(fleet, order, present)], representative, positions, part_of };
        }
        let representative = orders.iter().map(|o| o[0]).collect();
        let parts = orders.iter().map(|o| Segment::new(fleet, o, &present)).collect();
        OpeningTree { parts, representative, positions, part_of }
    }

    /// Refresh host `j` after its state changed; it leaves the tree when `present` is false or it is closed.
    pub fn update(&mut self, fleet: &HostStates, j: usize, present: bool) {
        self.parts[self.part_of[j] as usize].update(fleet, j, present);
    }

    /// The first present host in opening order that takes workload `i`, with its form.
    pub fn first(&self, fleet: &HostStates, i: usize, need: &Need) -> Option<(usize, Form)> {
        if self.parts.len() == 1 {
            return self.parts[0].first(fleet, i, need, usize::MAX);
        }
        let problem = fleet.problem();
        let mut best: Option<(usize, Form, u32)> = None;
        for (part, tree) in self.parts.iter().enumerate() {
            if !problem.eligible(i, self.representative[part]) {
                continue;
            }
            let positions = &self.positions[part];
            let cut = match best {
                Some((_, _, position)) => positions.partition_point(|&p| p < position),
                None => positions.len(),
            };
            if let Some((j, form)) = tree.first(fleet, i, need, cut) {
                best = Some((j, form, positions[tree.leaf_of[j] as usize]));
            }
        }
        best.map(|(j, form, _)| (j, form))
    }
}

/// Hosts alike in everything the rules and the scores read (capacity, hypervisor, os, containers, and which
/// per-host overheads they already pay) form a group; within a group every host takes a workload at the same
/// cost, so its score after placing is its score now minus the same amount.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct GroupKey {
    class: u32,
    runs_vm: bool,
    runs_container: bool,
}

/// Which host an indexed best/worst fit picks, and its score after placing.
pub struct Pick {
    pub host: usize,
    pub form: Form,
    pub score: f64,
    pub position: u32,
}

/// Hosts in groups, each group a treap ordered by score (normalised free capacity) and opening position, with
/// the most free capacity per dimension of each subtree: best fit scans a group from its fullest feasible host,
/// worst fit from its emptiest.
pub struct ScoreIndex {
    dims: usize,
    /// Worst fit (scan from the most free capacity) rather than best fit.
    worst: bool,
    position: Vec<u32>,
    class_of: Vec<u32>,
    groups: HashMap<GroupKey, u32>,
    group_of: Vec<Option<GroupKey>>,
    // the treaps' nodes: node j is host j. Its key (`dims + 2` words): the score, the free capacity per dimension
    // (hosts alike in it score alike after placing, so a scan skips them at once), the opening position.
    width: usize,
    key: Vec<u64>,
    left: Vec<u32>,
    right: Vec<u32>,
    priority: Vec<u64>,
    own_free: Vec<u64>,
    free: Vec<u64>,
    /// per subtree, the skyline of free (cpu, memory), as in [`OpeningTree`]
    skyline: Vec<(u64, u64)>,
    skyline_len: Vec<u8>,
    own_empty: Vec<bool>,
    empty: Vec<bool>,
    /// scratch: the nodes from a root down to where an update happens
    path: Vec<u32>,
    /// Whether some workload is tenant-isolated (only then can a host refuse a container yet take a VM).
    tenant_isolation: bool,
}

fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl ScoreIndex {
    /// An index holding the hosts for which `present` is true; `position[j]` is host j's opening position.
    pub fn new(fleet: &HostStates, position: &[u32], worst: bool, present: impl Fn(usize) -> bool) -> ScoreIndex {
        let problem = fleet.problem();
        let (m, dims) = (problem.host_count(), problem.dims());
        let hosts = problem.hosts();
        let mut classes = HashMap::new();
        let class_of = (0..m)
            .map(|j| {
                let kind = problem.eligibility_column(j);
                let key = (problem.capacity(j).to_vec(), hosts.hypervisor[j], hosts.os[j], hosts.containers[j], kind);
                let next = classes.len() as u32;
                *classes.entry(key).or_insert(next)
            })
            .collect();
        let mut index = ScoreIndex {
            dims,
            worst,
            position: position.to_vec(),
            class_of,
            groups: HashMap::new(),
            group_of: vec![None; m],
            width: dims + 2,
            key: vec![0; m * (dims + 2)],
            left: vec![NIL; m],
            right: vec![NIL; m],
            priority: (0..m as u64).map(splitmix).collect(),
            own_free: vec![0; m * dims],
            free: vec![0; m * dims],
            skyline: vec![(0, 0); m * SCORE_SKYLINE],
            skyline_len: vec![0; m],
            own_empty: vec![false; m],
            empty: vec![false; m],
            path: Vec::new(),
            tenant_isolation: problem.workloads().isolation.contains(&Isolation::Tenant),
        };
        for j in 0..m {
            if present(j) {
                index.insert(fleet, j);
            }
        }
        index
    }

    fn score_key(&self, score: f64) -> u64 {
        // scores are >= 0, so their bit patterns sort as the numbers do
        let bits = score.max(0.0).to_bits();
        if self.worst {
            u64::MAX - bits
        } else {
            bits
        }
    }

    /// Recompute node `t`'s subtree aggregates from its own state and its children; returns whether they changed.
    fn pull(&mut self, t: u32) -> bool {
        let (t, d) = (t as usize, self.dims);
        let (l, r) = (self.left[t], self.right[t]);
        let mut changed = false;
        for k in 0..d {
            let mut best = self.own_free[t * d + k];
            if l != NIL {
                best = best.max(self.free[l as usize * d + k]);
            }
            if r != NIL {
                best = best.max(self.free[r as usize * d + k]);
            }
            changed |= self.free[t * d + k] != best;
            self.free[t * d + k] = best;
        }
        let empty = self.own_empty[t]
            || (l != NIL && self.empty[l as usize])
            || (r != NIL && self.empty[r as usize]);
        changed |= self.empty[t] != empty;
        self.empty[t] = empty;
        let own = (self.own_free[t * d], self.own_free[t * d + 1]);
        let part = |c: u32| -> Option<&[(u64, u64)]> {
            if c == NIL {
                return Some(&[]);
            }
            let c = c as usize;
            match self.skyline_len[c] {
                OVERFLOW => None,
                len => Some(&self.skyline[c * SCORE_SKYLINE..c * SCORE_SKYLINE + len as usize]),
            }
        };
        let mut kept = [(0u64, 0u64); SCORE_SKYLINE];
        let len = match (part(l), part(r)) {
            (Some(left), Some(right)) => merge_skyline(left, right, Some(own), &mut kept),
            _ => None,
        };
        match len {
            Some(len) => {
                let old = &mut self.skyline[t * SCORE_SKYLINE..t * SCORE_SKYLINE + len];
                changed |= self.skyline_len[t] as usize != len || old != &kept[..len];
                old.copy_from_slice(&kept[..len]);
                self.skyline_len[t] = len as u8;
            }
            None => {
                changed |= self.skyline_len[t] != OVERFLOW;
                self.skyline_len[t] = OVERFLOW;
            }
        }
        changed
    }

    fn key_of(&self, j: usize) -> &[u64] {
        &self.key[j * self.width..(j + 1) * self.width]
    }

    /// Split treap `t` into keys < `key` and keys >= `key`.
    fn split(&mut self, t: u32, key: &[u64]) -> (u32, u32) {
        if t == NIL {
            return (NIL, NIL);
        }
        if self.key_of(t as usize) < key {
            let (l, r) = self.split(self.right[t as usize], key);
            self.right[t as usize] = l;
            self.pull(t);
            (t, r)
        } else {
            let (l, r) = self.split(self.left[t as usize], key);
            self.left[t as usize] = r;
            self.pull(t);
            (l, t)
        }
    }

    fn merge(&mut self, a: u32, b: u32) -> u32 {
        if a == NIL {
            return b;
        }
        if b == NIL {
            return a;
        }
        if self.priority[a as usize] > self.priority[b as usize] {
            let merged = self.merge(self.right[a as usize], b);
            self.right[a as usize] = merged;
            self.pull(a);
            a
        } else {
            let merged = self.merge(a, self.left[b as usize]);
            self.left[b as usize] = merged;
            self.pull(b);
            b
        }
    }

    /// Point the link to the subtree where host `j`'s key belongs (the child of `parent` on `j`'s side, or the
    /// root of `group` when there is no parent) at `new`.
    fn relink(&mut self, group: GroupKey, parent: Option<u32>, j: usize, new: u32) {
        match parent {
            None => {
                self.groups.insert(group, new);
            }
            Some(p) if self.key_of(j) < self.key_of(p as usize) => self.left[p as usize] = new,
            Some(p) => self.right[p as usize] = new,
        }
    }

    /// Recompute the nodes of `path` (root first) from the last up, stopping at the first that stays as it was:
    /// the nodes above it read only its aggregates.
    fn pull_path(&mut self, path: &[u32]) {
        for &t in path.iter().rev() {
            if !self.pull(t) {
                break;
            }
        }
    }

    fn insert(&mut self, fleet: &HostStates, j: usize) {
        if fleet.closed(j) {
            return;
        }
        let (runs_vm, runs_container) = fleet.runs(j);
        let group = GroupKey { class: self.class_of[j], runs_vm, runs_container };
        let d = self.dims;
        for k in 0..d {
            self.own_free[j * d + k] = fleet.room(j, k);
        }
        self.own_empty[j] = fleet.count(j) == 0;
        let score = self.score_key(fleet.normalised_free(j));
        let key = &mut self.key[j * self.width..(j + 1) * self.width];
        key[0] = score;
        key[1..=d].copy_from_slice(&self.own_free[j * d..(j + 1) * d]);
        key[d + 1] = self.position[j] as u64;
        // down from the root while the nodes outrank j; j then takes the place of the subtree there
        let mut path = std::mem::take(&mut self.path);
        path.clear();
        let mut t = self.groups.get(&group).copied().unwrap_or(NIL);
        while t != NIL && self.priority[t as usize] > self.priority[j] {
            path.push(t);
            t = if self.key_of(j) < self.key_of(t as usize) { self.left[t as usize] } else { self.right[t as usize] };
        }
        let key = self.key_of(j).to_vec();
        let (l, r) = self.split(t, &key);
        self.left[j] = l;
        self.right[j] = r;
        self.pull(j as u32);
        self.relink(group, path.last().copied(), j, j as u32);
        self.pull_path(&path);
        self.path = path;
        self.group_of[j] = Some(group);
    }

    /// Take host `j` out of the index (nothing when it is not in it).
    pub fn remove(&mut self, j: usize) {
        let Some(group) = self.group_of[j].take() else { return };
        let mut path = std::mem::take(&mut self.path);
        path.clear();
        let mut t = self.groups[&group];
        while t as usize != j {
            path.push(t);
            t = if self.key_of(j) < self.key_of(t as usize) { self.left[t as usize] } else { self.right[t as usize] };
        }
        let joined = self.merge(self.left[j], self.right[j]);
        self.relink(group, path.last().copied(), j, joined);
        self.pull_path(&path);
        self.path = path;
    }

    /// Refresh host `j` after its state changed (it leaves the index if it is closed).
    pub fn update(&mut self, fleet: &HostStates, j: usize) {
        self.remove(j);
        self.insert(fleet, j);
    }

    /// Add host `j` (now in use) to the index.
    pub fn add(&mut self, fleet: &HostStates, j: usize) {
        self.insert(fleet, j);
    }

    /// The first host of treap `t` in key order with a key in `lo..=hi` whose subtree may fit `need` and that
    /// `accept` takes.
    fn find(&self, t: u32, lo: &[u64], hi: u64, need: &[u64], dedicated: bool, accept: &mut impl FnMut(usize) -> bool) -> Option<usize> {
        if t == NIL {
            return None;
        }
        let tu = t as usize;
        let d = self.dims;
        if (dedicated && !self.empty[tu]) || (0..d).any(|k| self.free[tu * d + k] < need[k]) {
            return None;
        }
        let len = self.skyline_len[tu];
        let points = tu * SCORE_SKYLINE..tu * SCORE_SKYLINE + len as usize;
        if len != OVERFLOW && !skyline_covers(&self.skyline[points], need) {
            return None;
        }
        let key = self.key_of(tu);
        if key < lo {
            return self.find(self.right[tu], lo, hi, need, dedicated, accept);
        }
        if key[0] > hi {
            return self.find(self.left[tu], lo, hi, need, dedicated, accept);
        }
        if let Some(found) = self.find(self.left[tu], lo, hi, need, dedicated, accept) {
            return Some(found);
        }
        let own_fits = (!dedicated || self.own_empty[tu]) && (0..d).all(|k| self.own_free[tu * d + k] >= need[k]);
        if own_fits && accept(tu) {
            return Some(tu);
        }
        self.find(self.right[tu], lo, hi, need, dedicated, accept)
    }

    /// The host the contract's best fit (or worst fit) picks for workload `i` among the indexed hosts: the one left
    /// with the least (most) normalised free capacity, ties to the earliest opening position.
    ///
    /// Within a group every host takes the workload in a given form at the same normalised cost (`drop`), so its
    /// score after placing is its score now minus `drop`: per group and form, the first host in score order that
    /// takes it in that form is the group's best in that form, up to rounding (hosts within `EPS` are compared
    /// exactly too), and the best so far bounds the scan of every later group and form.
    pub fn pick(&self, fleet: &HostStates, i: usize, need: &Need) -> Option<Pick> {
        let problem = fleet.problem();
        let over = problem.overheads();
        let mut best: Option<Pick> = None;
        let mut take = vec![0u64; self.dims];
        let mut container_take = vec![0u64; self.dims];
        let mut lo = vec![0u64; self.width];
        for (group, &root) in &self.groups {
            if root == NIL {
                continue;
            }
            // every host of a group has the same capacity, hypervisor, os, containers and eligibility
            let rep = root as usize;
            if kind_bits(problem, rep) & need.kinds == 0 || !problem.eligible(i, rep) {
                continue;
            }
            let capacity = problem.capacity(rep);
            let hypervisor = problem.hosts().hypervisor[rep];
            let mut container_allowed = false;
            for form in Form::TRY_ORDER {
                if !crate::fit::allowed_by_kind(problem, i, rep, form) {
                    continue;
                }
                // what the workload takes on any host of this group in this form, and its normalised cost
                let mut drop = 0.0;
                for k in 0..self.dims {
                    let activation = match form {
                        Form::Vm if !group.runs_vm => over.hypervisor[k],
                        Form::Container if !group.runs_container => over.container_runtime[k],
                        _ => 0,
                    };
                    let own = effective(problem, i, form, hypervisor, k);
                    take[k] = own.saturating_add(activation);
                    match problem.overbook() {
                        // (with ratios the score is the slack's share; `take` stays a necessary condition on room)
                        Some(ob) => drop += ob.take_share(rep, k, own, activation, problem.overcommits(i)),
                        None if capacity[k] > 0 => drop += take[k] as f64 / capacity[k] as f64,
                        None => {}
                    }
                }
                if form == Form::Container {
                    container_allowed = true;
                    container_take.copy_from_slice(&take);
                } else if container_allowed
                    && !self.tenant_isolation
                    && problem.overbook().is_none()
                    && container_take.iter().zip(&take).all(|(c, v)| c <= v)
                {
                    // Without tenant isolation in the problem, only capacity can refuse a container that the
                    // rules allow here, so every host that has room for the VM takes the workload as a container.
                    continue;
                }
                // a host that takes it has at least `drop` free (normalised)
                let floor = self.score_key((drop - EPS).max(0.0));
                lo.fill(0);
                let mut hi = u64::MAX;
                if self.worst {
                    hi = floor;
                } else {
                    lo[0] = floor;
                }
                loop {
                    if let Some(b) = &best {
                        // past this score now, a host's score after placing cannot beat the best
                        let limit = if self.worst { b.score + drop - EPS } else { b.score + drop + EPS };
                        hi = hi.min(self.score_key(limit));
                    }
                    let mut takes_in_form = |j: usize| fleet.first_form(i, j) == Some(form);
                    let Some(j) = self.find(root, &lo, hi, &take, need.dedicated, &mut takes_in_form) else { break };
                    let score = fleet.normalised_free_after(i, j, form);
                    let position = self.position[j];
                    let better = match &best {
                        None => true,
                        Some(b) => {
                            let order = if self.worst { b.score.partial_cmp(&score) } else { score.partial_cmp(&b.score) };
                            match order {
                                Some(std::cmp::Ordering::Less) => true,
                                Some(std::cmp::Ordering::Equal) => position < b.position,
                                _ => false,
                            }
                        }
                    };
                    if better {
                        best = Some(Pick { host: j, form, score, position });
                    }
                    // next: the first host whose score or free capacity differs from this one's
                    lo.copy_from_slice(self.key_of(j));
                    *lo.last_mut().expect("a key has a position") = u64::MAX;
                }
            }
        }
        best
    }
}
