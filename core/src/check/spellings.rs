//! 课程名: every course name as written, kept once, with the id of its key (two spellings of
//! one course, `知识产权 专题` and `知识产权专题`, share the id; see [`crate::text::course_key`]).
//!
//! Every row looks its course up here, and a file names a few thousand courses in random
//! order, so the lookup is laid out to touch little memory: the names lie back to back in one
//! string, the entries (hash, place, id) in one vector, and the table holds 4-byte indices.
//! A row's name is compared only with an entry whose whole hash matches, and that compare
//! reads the one string rather than a separate allocation per name.

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::Arc;

use crate::fxhash::FxBuildHasher;
use crate::text::{course_key, is_plain};

/// The spellings of a file (see the module).
#[derive(Debug, Default)]
pub(super) struct Spellings {
    /// The spellings, back to back (at most the bytes read, or a workbook's distinct strings:
    /// `u32` offsets hold them).
    text: String,
    entries: Vec<Entry>,
    /// Each spelling as an `Arc`, made the first time an exclusion or the ledger needs it.
    shared: Vec<Option<Arc<str>>>,
    /// Open addressing with linear probing: 0 is empty, else an index into `entries` plus one.
    /// A power of two at least twice `entries.len()` once anything is stored.
    slots: Vec<u32>,
    /// Course keys to their id.
    keys: HashMap<String, u32, FxBuildHasher>,
}

#[derive(Debug)]
struct Entry {
    hash: u64,
    start: u32,
    len: u32,
    /// The id of the spelling's key.
    id: u32,
}

/// A spelling, as [`Spellings::find_or_add`] gives it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Spelling {
    /// The id of its course key.
    pub(super) id: u32,
    /// Where it is stored (`None` only past what `u32` offsets reach, which the input limits rule out).
    index: Option<u32>,
}

/// The smallest table made.
const MIN_SLOTS: usize = 64;

impl Spellings {
    /// `name`'s spelling, stored on first sight.
    pub(super) fn find_or_add(&mut self, name: &str) -> Spelling {
        let hash = FxBuildHasher.hash_one(name);
        if self.slots.is_empty() {
            self.slots = vec![0; MIN_SLOTS];
        }
        let mask = self.slots.len() - 1;
        let mut i = home(hash, mask);
        while let Some(index) = self.slots[i].checked_sub(1) {
            if let Some(e) = self.entries.get(index as usize)
                && e.hash == hash
                && self.text.get(e.start as usize..(e.start + e.len) as usize) == Some(name)
            {
                return Spelling { id: e.id, index: Some(index) };
            }
            i = (i + 1) & mask;
        }
        // A new spelling is normalised once (a name already in normal form is its own key).
        let key = if is_plain(name) { name.to_owned() } else { course_key(name) };
        let next = u32::try_from(self.keys.len()).unwrap_or(u32::MAX);
        let id = *self.keys.entry(key).or_insert(next);
        let (Ok(start), Ok(len), Ok(index)) =
            (u32::try_from(self.text.len()), u32::try_from(name.len()), u32::try_from(self.entries.len()))
        else {
            return Spelling { id, index: None };
        };
        self.text.push_str(name);
        self.entries.push(Entry { hash, start, len, id });
        self.shared.push(None);
        if self.entries.len() * 2 > self.slots.len() {
            self.grow();
        } else {
            self.slots[i] = index + 1;
        }
        Spelling { id, index: Some(index) }
    }

    /// The spelling as an `Arc` shared by every row that spells the name so; `name` is what
    /// [`Self::find_or_add`] was given.
    pub(super) fn shared(&mut self, spelling: Spelling, name: &str) -> Arc<str> {
        let Some(slot) = spelling.index.and_then(|i| self.shared.get_mut(i as usize)) else { return name.into() };
        slot.get_or_insert_with(|| name.into()).clone()
    }

    /// Doubles the table and places every entry again by its stored hash.
    #[cold]
    fn grow(&mut self) {
        let size = self.slots.len() * 2;
        self.slots.clear();
        self.slots.resize(size, 0);
        let mask = size - 1;
        for (index, e) in (1..).zip(&self.entries) {
            let mut i = home(e.hash, mask);
            while self.slots[i] != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = index;
        }
    }
}

/// Where `hash` starts probing: its top bits (the Fx hash ends with a multiply, which mixes
/// the top bits best).
#[inline]
fn home(hash: u64, mask: usize) -> usize {
    (hash >> 32) as usize & mask
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// Ids are those of a map from course key to the order keys were first seen, through
        /// growth and collisions; a shared spelling is the name as written, and one `Arc` per spelling.
        #[test]
        fn agrees_with_a_map_of_keys(names in prop::collection::vec("[ab中 Ａ（）]{0,4}", 0..400)) {
            let mut s = Spellings::default();
            let mut keys: HashMap<String, u32> = HashMap::new();
            let mut arcs: HashMap<String, Arc<str>> = HashMap::new();
            for name in &names {
                let next = keys.len() as u32;
                let want = *keys.entry(course_key(name)).or_insert(next);
                let spelling = s.find_or_add(name);
                prop_assert_eq!(spelling.id, want, "{:?}", name);
                let shared = s.shared(spelling, name);
                prop_assert_eq!(&*shared, name.as_str());
                let first = arcs.entry(name.clone()).or_insert_with(|| shared.clone());
                prop_assert!(Arc::ptr_eq(first, &shared));
            }
        }
    }
}
