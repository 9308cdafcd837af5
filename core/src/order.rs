//! One sort for the report's few orderings. Each `sort_by_key` on its own element type or key was
//! another copy of the standard library's sort in the page's module (four copies, ≈13 KB of code);
//! these all sort the same `(key, key, index)` triples and then move the elements into place.

/// Sorts `v` by `key`, stably: elements with equal keys keep their order.
pub(crate) fn sort_by_key<T>(v: &mut [T], mut key: impl FnMut(&T) -> (i64, i64)) {
    let mut order: Vec<(i64, i64, usize)> = v
        .iter()
        .enumerate()
        .map(|(i, x)| {
            let (a, b) = key(x);
            (a, b, i)
        })
        .collect();
    // The index makes every triple distinct, so the unstable sort gives the stable order.
    order.sort_unstable();
    // The element that belongs at position i is v[order[i].2]: follow each cycle of that
    // permutation with swaps, so nothing is copied or cloned.
    let mut done = vec![false; v.len()];
    for start in 0..v.len() {
        let mut at = start;
        while !done[at] {
            done[at] = true;
            let from = order[at].2;
            if from == start {
                break;
            }
            v.swap(at, from);
            at = from;
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn sorts_as_the_standard_stable_sort_does(v in proptest::collection::vec((0i64..5, -3i64..3, any::<u8>()), 0..60)) {
            let mut ours = v.clone();
            super::sort_by_key(&mut ours, |x| (x.0, x.1));
            let mut std = v;
            std.sort_by_key(|x| (x.0, x.1));
            prop_assert_eq!(ours, std);
        }
    }
}
