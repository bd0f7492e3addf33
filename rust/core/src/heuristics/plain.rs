//! The contract's heuristics on plain one-dimensional bin packing (recognised by [`crate::plain::Plain`]), with
//! structures made for it.
//!
//! A host is there fully described by its free capacity in the one dimension, and each workload takes the same
//! amount on any host. The contract's heuristics (docs/model.md) then reduce to the textbook ones, and these find
//! their host with one integer comparison per level of a tree (first fit) or in a table of hosts by free capacity
//! (best and worst fit), far cheaper than the general indexes. Same plans: normalised free capacity is
//! `free / capacity` with one capacity for all, strictly increasing in `free` (capacity < 2^52), so comparing
//! integers compares the scores the contract compares.

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap};

use super::greedy::STOP_EVERY;
use super::method::Method;
use super::order::{opening_order, workload_order};
use crate::fit::HostStates;
use crate::model::{Form, Objective, Placement, Problem, SortKey};
use crate::plain::{counting_limit, Plain};

/// Best and worst fit keep a table with a row per free capacity up to this; a search tree above it.
const TABLE_CAPACITY: u64 = 1 << 14;

/// Workloads by decreasing size, ties in input order: the contract's order. With one dimension the sum, max and
/// product keys are all `size / capacity`, strictly increasing in the size, so integers order them; the l2 key
/// (a square, which may round two sizes together) takes the general path.
fn order(problem: &Problem, plain: &Plain, method: Method, key: SortKey) -> Vec<usize> {
    let n = problem.workload_count();
    if method == Method::FirstFit {
        return (0..n).collect();
    }
    if key == SortKey::L2 {
        return workload_order(problem, method, key);
    }
    let sizes: Vec<u64> = (0..n).map(|i| plain.size(problem, i)).collect();
    let largest = sizes.iter().copied().max().unwrap_or(0);
    if largest <= counting_limit(n) {
        // counting sort, stable
        let mut start = vec![0usize; largest as usize + 2];
        for &s in &sizes {
            start[(largest - s) as usize + 1] += 1;
        }
        for k in 1..start.len() {
            start[k] += start[k - 1];
        }
        let mut out = vec![0usize; n];
        for (i, &s) in sizes.iter().enumerate() {
            let slot = &mut start[(largest - s) as usize];
            out[*slot] = i;
            *slot += 1;
        }
        return out;
    }
    let mut out: Vec<usize> = (0..n).collect();
    out.sort_by_key(|&i| Reverse(sizes[i]));
    out
}

/// A max-tree over hosts in opening order: the first host with at least a given free capacity.
struct FirstFree {
    size: usize,
    most: Vec<u64>,
}

impl FirstFree {
    fn new(hosts: usize, capacity: u64) -> FirstFree {
        let size = hosts.next_power_of_two();
        let mut most = vec![0; 2 * size];
        most[size..size + hosts].fill(capacity);
        for node in (1..size).rev() {
            most[node] = most[2 * node].max(most[2 * node + 1]);
        }
        FirstFree { size, most }
    }

    fn first(&self, need: u64) -> Option<usize> {
        if self.most[1] < need {
            return None;
        }
        let mut node = 1;
        while node < self.size {
            node = if self.most[2 * node] >= need { 2 * node } else { 2 * node + 1 };
        }
        Some(node - self.size)
    }

    fn set(&mut self, position: usize, free: u64) {
        let mut node = self.size + position;
        self.most[node] = free;
        while node > 1 {
            node /= 2;
            let most = self.most[2 * node].max(self.most[2 * node + 1]);
            if self.most[node] == most {
                break;
            }
            self.most[node] = most;
        }
    }
}

/// First fit over a table of hosts by free capacity (small capacities): a row per free capacity holds its hosts by
/// opening position, and a min-tree over the rows gives the earliest host among the rows of at least a size. The
/// table and its tree stay in cache, unlike a tree over all hosts.
struct FirstByFree {
    rows: Vec<BinaryHeap<Reverse<u32>>>,
    /// leaves: the earliest position in each row (`u32::MAX` when empty); inner nodes: the least below them
    earliest: Vec<u32>,
    leaves: usize,
    free: Vec<u64>,
    /// Hosts at positions from here on are not in use yet (all empty): they stand in the last row without being
    /// pushed there.
    opened: usize,
}

impl FirstByFree {
    fn new(hosts: usize, capacity: u64) -> FirstByFree {
        let leaves = (capacity as usize + 1).next_power_of_two();
        let rows = (0..=capacity).map(|_| BinaryHeap::new()).collect();
        let earliest = vec![u32::MAX; 2 * leaves];
        let mut table = FirstByFree { rows, earliest, leaves, free: vec![capacity; hosts], opened: 0 };
        table.refresh(capacity as usize);
        table
    }

    fn refresh(&mut self, row: usize) {
        let mut node = self.leaves + row;
        let mut earliest = self.rows[row].peek().map_or(u32::MAX, |&Reverse(p)| p);
        if row + 1 == self.rows.len() && self.opened < self.free.len() {
            earliest = earliest.min(self.opened as u32);
        }
        self.earliest[node] = earliest;
        while node > 1 {
            node /= 2;
            let least = self.earliest[2 * node].min(self.earliest[2 * node + 1]);
            if self.earliest[node] == least {
                break; // and so are the nodes above
            }
            self.earliest[node] = least;
        }
    }

    /// Place `size` on the earliest host with at least that much free; returns its position.
    fn place(&mut self, size: u64) -> Option<usize> {
        if size >= self.rows.len() as u64 {
            return None;
        }
        // the least over the leaves size..leaves
        let (mut lo, mut hi) = (self.leaves + size as usize, 2 * self.leaves);
        let mut best = u32::MAX;
        while lo < hi {
            if lo % 2 == 1 {
                best = best.min(self.earliest[lo]);
                lo += 1;
            }
            if hi % 2 == 1 {
                hi -= 1;
                best = best.min(self.earliest[hi]);
            }
            lo /= 2;
            hi /= 2;
        }
        if best == u32::MAX {
            return None;
        }
        let p = best as usize;
        let row = self.free[p] as usize;
        if p == self.opened {
            self.opened += 1;
        } else {
            self.rows[row].pop();
        }
        self.refresh(row);
        self.free[p] -= size;
        self.rows[row - size as usize].push(Reverse(best));
        self.refresh(row - size as usize);
        Some(p)
    }
}

/// Hosts by free capacity, each free capacity's hosts by opening position: the host with the least free capacity
/// of at least a given amount (best fit), or the most (worst fit), ties to the earliest position.
enum ByFree {
    /// A row per free capacity (a heap of positions) and a bit per non-empty row.
    Table { rows: Vec<BinaryHeap<Reverse<u32>>>, filled: Vec<u64> },
    Tree(BTreeSet<(u64, u32)>),
}

impl ByFree {
    fn new(capacity: u64) -> ByFree {
        if capacity <= TABLE_CAPACITY {
            let rows = (0..=capacity).map(|_| BinaryHeap::new()).collect();
            ByFree::Table { rows, filled: vec![0; capacity as usize / 64 + 1] }
        } else {
            ByFree::Tree(BTreeSet::new())
        }
    }

    fn insert(&mut self, free: u64, position: u32) {
        match self {
            ByFree::Table { rows, filled } => {
                rows[free as usize].push(Reverse(position));
                filled[free as usize / 64] |= 1 << (free % 64);
            }
            ByFree::Tree(set) => {
                set.insert((free, position));
            }
        }
    }

    /// Take out the host of least free capacity of at least `need`, earliest first.
    fn take_least(&mut self, need: u64) -> Option<(u64, u32)> {
        match self {
            ByFree::Table { rows, filled } => {
                let mut word = need as usize / 64;
                let mut bits = *filled.get(word)? & (u64::MAX << (need % 64));
                while bits == 0 {
                    word += 1;
                    bits = *filled.get(word)?;
                }
                let free = word * 64 + bits.trailing_zeros() as usize;
                Some((free as u64, Self::pop(rows, filled, free)))
            }
            ByFree::Tree(set) => {
                let found = *set.range((need, 0)..).next()?;
                set.remove(&found);
                Some(found)
            }
        }
    }

    /// Take out the host of most free capacity if it has at least `need`, earliest first.
    fn take_most(&mut self, need: u64) -> Option<(u64, u32)> {
        match self {
            ByFree::Table { rows, filled } => {
                let word = filled.iter().rposition(|&bits| bits != 0)?;
                let free = word * 64 + 63 - filled[word].leading_zeros() as usize;
                if (free as u64) < need {
                    return None;
                }
                Some((free as u64, Self::pop(rows, filled, free)))
            }
            ByFree::Tree(set) => {
                let most = set.iter().next_back()?.0;
                if most < need {
                    return None;
                }
                // the earliest host of that free capacity
                let found = *set.range((most, 0)..).next()?;
                set.remove(&found);
                Some(found)
            }
        }
    }

    fn pop(rows: &mut [BinaryHeap<Reverse<u32>>], filled: &mut [u64], free: usize) -> u32 {
        let Reverse(position) = rows[free].pop().expect("a filled row has a host");
        if rows[free].is_empty() {
            filled[free / 64] &= !(1 << (free % 64));
        }
        position
    }
}

/// Run `method` on a problem recognised as plain bin packing; the same answer as [`super::greedy::run`] gives.
pub fn run<'p>(
    problem: &'p Problem,
    plain: &Plain,
    method: Method,
    key: SortKey,
    objective: Objective,
    stop: &dyn Fn() -> bool,
) -> (HostStates<'p>, Placement) {
    let placement = pack(problem, plain, method, key, objective, stop);
    (HostStates::from_placement(problem, &placement), placement)
}

/// What each host uses (row-major, as [`HostStates::used`]) under a plan of plain bin packing: the sizes on it, in its
/// one dimension (no overheads).
pub fn usage(problem: &Problem, plain: &Plain, placement: &Placement) -> Vec<u64> {
    let dims = problem.dims();
    let mut used = vec![0u64; problem.host_count() * dims];
    for (i, place) in placement.iter().enumerate() {
        if let Some((j, _)) = place {
            used[*j as usize * dims + plain.dim()] += plain.size(problem, i);
        }
    }
    used
}

/// [`run`]'s plan alone, without the fleet's state (the single heuristics need only the plan and its usage).
pub fn pack(
    problem: &Problem,
    plain: &Plain,
    method: Method,
    key: SortKey,
    objective: Objective,
    stop: &dyn Fn() -> bool,
) -> Placement {
    let opening = opening_order(problem, objective);
    let m = opening.len();
    let capacity = plain.capacity();
    let mut placement: Placement = vec![None; problem.workload_count()];
    let workloads = order(problem, plain, method, key);
    let mut choose: Box<dyn FnMut(u64) -> Option<usize>> = match method {
        Method::FirstFit | Method::FirstFitDecreasing if capacity <= TABLE_CAPACITY => {
            let mut table = FirstByFree::new(m, capacity);
            Box::new(move |size| table.place(size))
        }
        Method::FirstFit | Method::FirstFitDecreasing => {
            let mut tree = FirstFree::new(m, capacity);
            Box::new(move |size| {
                let p = tree.first(size)?;
                tree.set(p, tree.most[tree.size + p] - size);
                Some(p)
            })
        }
        Method::BestFitDecreasing => {
            // hosts in use by free capacity; hosts not yet in use open in order
            let mut in_use = ByFree::new(capacity);
            let mut opened = 0usize;
            Box::new(move |size| {
                let (left, p) = match in_use.take_least(size) {
                    Some((f, p)) => (f - size, p),
                    None if opened < m && size <= capacity => {
                        opened += 1;
                        (capacity - size, opened as u32 - 1)
                    }
                    None => return None,
                };
                in_use.insert(left, p);
                Some(p as usize)
            })
        }
        Method::WorstFitDecreasing => {
            let mut all = ByFree::new(capacity);
            for p in 0..m {
                all.insert(capacity, p as u32);
            }
            Box::new(move |size| {
                let (f, p) = all.take_most(size)?;
                all.insert(f - size, p);
                Some(p as usize)
            })
        }
    };
    // the sizes and forms in the order of placing, gathered in one tight pass: reading them scattered while
    // placing stalled on each cache miss in turn
    let sizes: Vec<u64> = workloads.iter().map(|&i| plain.size(problem, i)).collect();
    let forms: Vec<Option<Form>> = workloads.iter().map(|&i| plain.form(i)).collect();
    for (k, &i) in workloads.iter().enumerate() {
        if k % STOP_EVERY == 0 && k > 0 && stop() {
            break;
        }
        let Some(form) = forms[k] else { continue };
        if let Some(p) = choose(sizes[k]) {
            placement[i] = Some((opening[p] as u32, form));
        }
    }
    drop(choose);
    placement
}
