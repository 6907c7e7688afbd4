//! A map with a cap on its size: when full, the entry inserted longest ago is dropped.
//! Every store of the reference server is one of these, so memory stays bounded whatever a client sends.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;

#[derive(Debug)]
pub struct BoundedMap<K, V> {
    cap: usize,
    entries: HashMap<K, V>,
    order: VecDeque<K>,
}

impl<K: Eq + Hash + Clone, V> BoundedMap<K, V> {
    pub fn new(cap: usize) -> Self {
        assert!(cap > 0, "a bounded map needs room for one entry");
        Self { cap, entries: HashMap::new(), order: VecDeque::new() }
    }

    /// Inserts or replaces; a replaced entry counts as the newest.
    pub fn insert(&mut self, key: K, value: V) {
        if self.entries.insert(key.clone(), value).is_some() {
            self.order.retain(|k| k != &key);
        }
        self.order.push_back(key);
        while self.order.len() > self.cap {
            if let Some(oldest) = self.order.pop_front() {
                self.entries.remove(&oldest);
            }
        }
    }

    pub fn get(&self, key: &K) -> Option<&V> {
        self.entries.get(key)
    }

    pub fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        self.entries.get_mut(key)
    }

    /// Visits every value (in no particular order); none is removed.
    pub fn for_each_mut(&mut self, mut visit: impl FnMut(&mut V)) {
        self.entries.values_mut().for_each(&mut visit);
    }

    /// Keeps only the entries for which `keep` says yes.
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        self.entries.retain(|k, v| keep(k, v));
        let entries = &self.entries;
        self.order.retain(|k| entries.contains_key(k));
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oldest_entry_goes_first_when_full() {
        let mut map = BoundedMap::new(2);
        map.insert("a", 1);
        map.insert("b", 2);
        map.insert("a", 10); // refreshed: now newest
        map.insert("c", 3);
        assert_eq!(map.len(), 2);
        assert_eq!(map.get(&"b"), None);
        assert_eq!(map.get(&"a"), Some(&10));
        assert_eq!(map.get(&"c"), Some(&3));
    }

    #[test]
    fn retain_drops_entries_and_their_order() {
        let mut map = BoundedMap::new(3);
        for (k, v) in [("a", 1), ("b", 2), ("c", 3)] {
            map.insert(k, v);
        }
        map.retain(|_, v| *v != 2);
        map.insert("d", 4);
        map.insert("e", 5);
        assert_eq!(map.len(), 3);
        assert!(map.get(&"a").is_none(), "a was the oldest left");
        assert!(map.get(&"c").is_some());
    }
}
