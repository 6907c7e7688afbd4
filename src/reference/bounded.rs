//! A map with a cap on its size: when full, the entry inserted longest ago is dropped.
//! Every store of the reference server is one of these, so memory stays bounded whatever a client sends.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;

#[derive(Debug)]
pub struct BoundedMap<K, V> {
    cap: usize,
    /// Each value with the stamp of its latest insertion.
    entries: HashMap<K, (V, u64)>,
    /// Insertions, oldest first, each with its stamp. A key replaced since leaves a stale entry
    /// here (its stamp no longer matches), skipped when it comes out and dropped when the queue
    /// is compacted: replacing is then O(1), not a walk of the whole queue.
    order: VecDeque<(K, u64)>,
    stamp: u64,
}

impl<K: Eq + Hash + Clone, V> BoundedMap<K, V> {
    pub fn new(cap: usize) -> Self {
        assert!(cap > 0, "a bounded map needs room for one entry");
        Self { cap, entries: HashMap::new(), order: VecDeque::new(), stamp: 0 }
    }

    /// Inserts or replaces; a replaced entry counts as the newest.
    pub fn insert(&mut self, key: K, value: V) {
        self.stamp += 1;
        self.entries.insert(key.clone(), (value, self.stamp));
        self.order.push_back((key, self.stamp));
        while self.entries.len() > self.cap {
            let Some((oldest, stamp)) = self.order.pop_front() else { break };
            if self.entries.get(&oldest).is_some_and(|(_, s)| *s == stamp) {
                self.entries.remove(&oldest);
            }
        }
        // Stale insertions (of keys replaced since) never outnumber the live ones for long.
        if self.order.len() > 2 * self.entries.len().max(16) {
            self.compact();
        }
    }

    /// Drops the queue's stale insertions.
    fn compact(&mut self) {
        let entries = &self.entries;
        self.order.retain(|(k, stamp)| entries.get(k).is_some_and(|(_, s)| s == stamp));
    }

    pub fn get(&self, key: &K) -> Option<&V> {
        self.entries.get(key).map(|(v, _)| v)
    }

    pub fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        self.entries.get_mut(key).map(|(v, _)| v)
    }

    /// Removes an entry; its insertion leaves the queue when it is compacted or comes out.
    pub fn remove(&mut self, key: &K) -> Option<V> {
        self.entries.remove(key).map(|(v, _)| v)
    }

    /// How many values satisfy `test`.
    pub fn count(&self, mut test: impl FnMut(&V) -> bool) -> usize {
        self.entries.values().filter(|(v, _)| test(v)).count()
    }

    /// Whether some value satisfies `test`.
    pub fn any(&self, mut test: impl FnMut(&V) -> bool) -> bool {
        self.entries.values().any(|(v, _)| test(v))
    }

    /// Visits every value in the order of their latest insertion, oldest first.
    pub fn for_each_in_order_mut(&mut self, mut visit: impl FnMut(&mut V)) {
        let entries = &self.entries;
        let live: Vec<K> = self
            .order
            .iter()
            .filter(|(k, stamp)| entries.get(k).is_some_and(|(_, s)| s == stamp))
            .map(|(k, _)| k.clone())
            .collect();
        for key in live {
            if let Some((value, _)) = self.entries.get_mut(&key) {
                visit(value);
            }
        }
    }

    /// Visits every value (in no particular order); none is removed.
    pub fn for_each_mut(&mut self, mut visit: impl FnMut(&mut V)) {
        self.entries.values_mut().for_each(|(v, _)| visit(v));
    }

    /// Keeps only the entries for which `keep` says yes.
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        self.entries.retain(|k, (v, _)| keep(k, v));
        self.compact();
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
        let mut seen = Vec::new();
        map.for_each_in_order_mut(|v| seen.push(*v));
        assert_eq!(seen, [10, 3], "oldest insertion first");
    }

    #[test]
    fn replacing_often_keeps_order_and_bounds_the_queue() {
        let mut map = BoundedMap::new(3);
        for round in 0..1000 {
            map.insert("a", round);
            map.insert("b", round);
        }
        assert!(map.order.len() <= 2 * 16 + 1, "stale insertions are dropped: {}", map.order.len());
        map.insert("c", 0);
        map.insert("a", 1); // a is newest now, b oldest
        map.insert("d", 0);
        assert_eq!(map.len(), 3);
        assert_eq!(map.get(&"b"), None);
        assert_eq!(map.get(&"a"), Some(&1));
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
