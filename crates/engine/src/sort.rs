//! Stable sorting through one shared copy of the standard library's sort. Every call of
//! `sort_by` on a new element type compiles its own copy of the sort (several KB each in
//! WebAssembly); the few small sorts of the analysis results share one instead, on indices.

use std::cmp::Ordering;

/// Sorts `v` by `cmp`, keeping equal elements in their order.
pub(crate) fn sort_stable_by<T>(v: &mut [T], cmp: impl Fn(&T, &T) -> Ordering) {
    let mut order = permutation(v.len(), &|a, b| cmp(&v[a], &v[b]));
    // Position i takes the element at order[i]: follow each cycle of the permutation once,
    // marking each position done by pointing it at itself.
    for i in 0..v.len() {
        let mut cur = i;
        loop {
            let next = std::mem::replace(&mut order[cur], cur);
            if next == i || next == cur {
                break;
            }
            v.swap(cur, next);
            cur = next;
        }
    }
}

/// The indices `0..n` stably sorted by `cmp`: the one instantiation of the sort.
fn permutation(n: usize, cmp: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| cmp(a, b));
    order
}

#[cfg(test)]
mod tests {
    use super::sort_stable_by;

    #[test]
    fn sorts_like_the_standard_stable_sort() {
        // A pseudo-random sequence with many equal keys, each tagged with its position.
        let mut x: u32 = 12345;
        let items: Vec<(u32, usize)> = (0..500)
            .map(|i| {
                x = x.wrapping_mul(1103515245).wrapping_add(12345);
                ((x >> 16) % 17, i)
            })
            .collect();
        let mut ours = items.clone();
        sort_stable_by(&mut ours, |a, b| a.0.cmp(&b.0));
        let mut std = items;
        std.sort_by_key(|p| p.0);
        assert_eq!(ours, std);
        let mut reverse: Vec<u32> = (0..50).collect();
        sort_stable_by(&mut reverse, |a, b| b.cmp(a));
        assert_eq!(reverse, (0..50).rev().collect::<Vec<_>>());
        let mut empty: Vec<u8> = Vec::new();
        sort_stable_by(&mut empty, |a, b| a.cmp(b));
        assert!(empty.is_empty());
    }
}
