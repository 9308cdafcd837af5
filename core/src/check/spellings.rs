//! 课程名: every course name as written, kept once, with the id of its key (two spellings of
//! one course, `知识产权 专题` and `知识产权专题`, share the id; see [`crate::text::course_key`]).
//!
//! Every row looks its course up here, and a file names a few thousand courses in random
//! order, so the lookup is laid out to touch little memory: each slot of the open-addressing
//! table holds what a hit needs (the top half of the hash, the id, and the name as the `Arc`
//! every exclusion naming it shares), so a row reads one slot and the name it is compared with;
//! an exclusion then takes the `Arc` whose memory that compare has just read. A row's name is
//! compared only with a slot whose hash half matches.

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::Arc;

use crate::fxhash::FxBuildHasher;
use crate::text::{MAX_QUOTED_CHARS, course_key, cut, is_plain};

/// The spellings of a file (see the module).
#[derive(Debug, Default)]
pub(super) struct Spellings {
    /// Open addressing with linear probing. A power of two at least twice `len` once anything
    /// is stored.
    slots: Vec<Option<Slot>>,
    /// Spellings stored.
    len: usize,
    /// Course keys to their id.
    keys: HashMap<String, u32, FxBuildHasher>,
    /// For a spelling longer than [`MAX_QUOTED_CHARS`] bytes, by the address of its stored name:
    /// the name cut as messages quote it, which is what rows share (a 256 KB name referenced by
    /// every row is listed, and written out, as 200 characters). Rare, so off the slots.
    cut: HashMap<usize, Arc<str>, FxBuildHasher>,
}

/// A stored spelling, in its slot.
#[derive(Debug)]
struct Slot {
    /// The top half of the spelling's hash (where it starts probing, and a cheap first compare).
    hash: u32,
    /// The id of the spelling's key.
    id: u32,
    /// The spelling, shared by every exclusion and ledger entry that names it.
    name: Arc<str>,
}

/// A spelling, as [`Spellings::find_or_add`] gives it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Spelling {
    /// The id of its course key.
    pub(super) id: u32,
    /// Its slot (until the next spelling is added).
    slot: usize,
}

/// Where a stored name's text lives: it never moves while the `Arc` is held.
fn address(name: &Arc<str>) -> usize {
    name.as_ptr() as usize
}

/// The smallest table made.
const MIN_SLOTS: usize = 64;

/// The top half of `name`'s hash (the Fx hash ends with a multiply, which mixes the top bits best).
#[inline]
fn hash(name: &str) -> u32 {
    (FxBuildHasher.hash_one(name) >> 32) as u32
}

impl Spellings {
    /// `name`'s spelling, stored on first sight.
    pub(super) fn find_or_add(&mut self, name: &str) -> Spelling {
        let hash = hash(name);
        if self.slots.is_empty() {
            self.slots.resize_with(MIN_SLOTS, || None);
        }
        let mask = self.slots.len() - 1;
        let mut i = hash as usize & mask;
        while let Some(Some(slot)) = self.slots.get(i) {
            if slot.hash == hash && *slot.name == *name {
                return Spelling { id: slot.id, slot: i };
            }
            i = (i + 1) & mask;
        }
        // A new spelling is normalised once (a name already in normal form is its own key).
        let key = if is_plain(name) { name.to_owned() } else { course_key(name) };
        let next = u32::try_from(self.keys.len()).unwrap_or(u32::MAX);
        let id = *self.keys.entry(key).or_insert(next);
        if let Some(empty) = self.slots.get_mut(i) {
            let name: Arc<str> = name.into();
            if name.len() > MAX_QUOTED_CHARS {
                self.cut.insert(address(&name), cut(&name).into());
            }
            *empty = Some(Slot { hash, id, name });
            self.len += 1;
        }
        if self.len * 2 > self.slots.len() {
            i = self.grow(hash, name);
        }
        Spelling { id, slot: i }
    }

    /// The spelling as an `Arc` shared by every row that spells the name so; `name` is what
    /// [`Self::find_or_add`] was given.
    /// A name longer than [`MAX_QUOTED_CHARS`] comes back cut, as messages quote it.
    pub(super) fn shared(&self, spelling: Spelling, name: &str) -> Arc<str> {
        match self.slots.get(spelling.slot) {
            Some(Some(slot)) if *slot.name == *name => {
                if slot.name.len() > MAX_QUOTED_CHARS
                    && let Some(cut) = self.cut.get(&address(&slot.name))
                {
                    return cut.clone();
                }
                slot.name.clone()
            }
            _ => cut(name).into(),
        }
    }

    /// Doubles the table and places every spelling again by its hash; returns the slot of `name`.
    #[cold]
    fn grow(&mut self, hash: u32, name: &str) -> usize {
        let size = self.slots.len() * 2;
        let mut slots = Vec::new();
        slots.resize_with(size, || None);
        let old = std::mem::replace(&mut self.slots, slots);
        let mask = size - 1;
        let mut found = 0;
        for slot in old.into_iter().flatten() {
            let mut i = slot.hash as usize & mask;
            while self.slots.get(i).is_some_and(Option::is_some) {
                i = (i + 1) & mask;
            }
            if slot.hash == hash && *slot.name == *name {
                found = i;
            }
            if let Some(empty) = self.slots.get_mut(i) {
                *empty = Some(slot);
            }
        }
        found
    }
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
