package lambdalog

import "hash/maphash"

// clockMap is a map with a fixed maximum size. When it is full, inserting
// evicts an entry by the CLOCK (second chance) rule: the hand sweeps the
// slots, sparing once each entry touched since it last passed, so that
// entries in use stay and the oldest idle one goes.
//
// Entries live in pages of slots, added as the map grows up to the limit
// (the first page grows by doubling, so that small maps stay small), so
// that a map filling up to a large limit never copies its entries and
// touches no more memory than it holds; an open-addressing index with linear probing and backward-shift deletion
// finds them. Unlike a Go map under constant insert and delete churn, the
// index never accumulates tombstones, and each probe compares a 32-bit hash
// before touching a slot. Lookups and inserts are O(1) and do not allocate
// once the map has grown to its limit.
//
// Pointers returned by get and put stay valid until the next put or del.
type clockMap[K comparable, V any] struct {
	limit int
	hash  func(K) uint64
	index []bucket // length is a power of two, at most half full
	pages [][]clockSlot[K, V]
	nslot int // slots in use or free: slot i is pages[i>>pageBits][i&pageMask]
	free  []int32
	n     int
	hand  int
}

// bucket is one index entry: the low 32 bits of the key's hash and the slot
// number plus one (0 = empty).
type bucket struct {
	hash uint32
	slot int32
}

// Slots per page.
const (
	pageBits = 9
	pageSize = 1 << pageBits
	pageMask = pageSize - 1
)

type clockSlot[K comparable, V any] struct {
	key  K
	val  V
	hash uint32
	used bool // the slot holds an entry
	ref  bool // touched since the hand last passed
}

func newClockMap[K comparable, V any](limit int, hash func(K) uint64) clockMap[K, V] {
	if limit < 1 {
		limit = 1
	}
	return clockMap[K, V]{limit: limit, hash: hash, index: newIndex(16)}
}

// newIndex returns an empty index of n buckets. It writes them before the
// first probe reads them: a fresh page read first is mapped to the shared
// zero page and copied on the first write, which costs the other CPUs that
// run the process a TLB flush; written first, it is simply allocated.
func newIndex(n int) []bucket {
	index := make([]bucket, n)
	clear(index)
	return index
}

// len returns the number of entries.
func (m *clockMap[K, V]) len() int { return m.n }

// find returns the index position holding k, or -1, and k's hash.
func (m *clockMap[K, V]) find(k K) (pos int, h uint32) {
	h = uint32(m.hash(k))
	mask := len(m.index) - 1
	for i := int(h) & mask; ; i = (i + 1) & mask {
		b := m.index[i]
		if b.slot == 0 {
			return -1, h
		}
		if b.hash == h && m.slot(b.slot-1).key == k {
			return i, h
		}
	}
}

// get returns the value for k, or nil.
func (m *clockMap[K, V]) get(k K) *V {
	pos, _ := m.find(k)
	if pos < 0 {
		return nil
	}
	s := m.slot(m.index[pos].slot - 1)
	s.ref = true
	return &s.val
}

// put returns the value for k, inserting a zero value (and evicting one
// entry when full) if k is absent; existed says which.
func (m *clockMap[K, V]) put(k K) (v *V, existed bool) {
	i, existed := m.putSlot(k)
	return &m.slot(i).val, existed
}

// slot returns slot i.
func (m *clockMap[K, V]) slot(i int32) *clockSlot[K, V] {
	return &m.pages[i>>pageBits][i&pageMask]
}

// putSlot is put returning the slot number.
func (m *clockMap[K, V]) putSlot(k K) (slot int32, existed bool) {
	pos, h := m.find(k)
	if pos >= 0 {
		i := m.index[pos].slot - 1
		m.slot(i).ref = true
		return i, true
	}
	var i int32
	switch {
	case len(m.free) > 0:
		i = m.free[len(m.free)-1]
		m.free = m.free[:len(m.free)-1]
	case m.nslot < m.limit:
		i = m.addSlot()
	default:
		i = m.evict()
	}
	*m.slot(i) = clockSlot[K, V]{key: k, hash: h, used: true, ref: true}
	if 2*(m.n+1) > len(m.index) {
		m.grow()
	}
	m.insert(h, i)
	m.n++
	return i, false
}

// addSlot makes room for one more slot (below the limit) and returns it.
// The first page doubles until it is full; later pages are made whole
// (or as large as the limit leaves), so entries are never copied again.
func (m *clockMap[K, V]) addSlot() int32 {
	i := m.nslot
	p, off := i>>pageBits, i&pageMask
	switch {
	case p == len(m.pages):
		n := min(pageSize, m.limit-i)
		if p == 0 {
			n = min(16, n)
		}
		m.pages = append(m.pages, make([]clockSlot[K, V], n))
	case off == len(m.pages[p]):
		grown := make([]clockSlot[K, V], min(2*off, pageSize, m.limit-p*pageSize))
		copy(grown, m.pages[p])
		m.pages[p] = grown
	}
	m.nslot++
	return int32(i)
}

// slotOf returns the slot number of k, or -1.
func (m *clockMap[K, V]) slotOf(k K) int32 {
	pos, _ := m.find(k)
	if pos < 0 {
		return -1
	}
	return m.index[pos].slot - 1
}

// del removes k.
func (m *clockMap[K, V]) del(k K) {
	pos, _ := m.find(k)
	if pos < 0 {
		return
	}
	i := m.index[pos].slot - 1
	m.remove(pos)
	*m.slot(i) = clockSlot[K, V]{}
	m.free = append(m.free, i)
}

// evict frees one slot of a full map and returns it.
func (m *clockMap[K, V]) evict() int32 {
	for {
		if m.hand >= m.nslot {
			m.hand = 0
		}
		i := m.hand
		m.hand++
		s := m.slot(int32(i))
		if !s.used {
			return int32(i)
		}
		if s.ref {
			s.ref = false
			continue
		}
		m.remove(m.locate(s.hash, int32(i)))
		return int32(i)
	}
}

// locate returns the index position of slot i, whose hash is h.
func (m *clockMap[K, V]) locate(h uint32, i int32) int {
	mask := len(m.index) - 1
	p := int(h) & mask
	for m.index[p].slot != i+1 {
		p = (p + 1) & mask
	}
	return p
}

// insert adds slot i under hash h to the index.
func (m *clockMap[K, V]) insert(h uint32, i int32) {
	mask := len(m.index) - 1
	p := int(h) & mask
	for m.index[p].slot != 0 {
		p = (p + 1) & mask
	}
	m.index[p] = bucket{hash: h, slot: i + 1}
}

// remove empties index position pos, shifting back the entries after it
// that would otherwise become unreachable.
func (m *clockMap[K, V]) remove(pos int) {
	mask := len(m.index) - 1
	m.index[pos] = bucket{}
	m.n--
	for j := (pos + 1) & mask; m.index[j].slot != 0; j = (j + 1) & mask {
		home := int(m.index[j].hash) & mask
		// The entry at j may move to pos if its home is not in (pos, j].
		if (j > pos && (home <= pos || home > j)) || (j < pos && home <= pos && home > j) {
			m.index[pos] = m.index[j]
			m.index[j] = bucket{}
			pos = j
		}
	}
}

// grow doubles the index and rehashes the entries.
func (m *clockMap[K, V]) grow() {
	old := m.index
	m.index = newIndex(2 * len(old))
	for _, b := range old {
		if b.slot != 0 {
			m.insert(b.hash, b.slot-1)
		}
	}
}

// Hash functions for the maps of a Parser.

func hashID(seed maphash.Seed) func(idKey) uint64 {
	return func(k idKey) uint64 { return maphash.Comparable(seed, k) }
}

func hashStream(seed maphash.Seed) func(streamKey) uint64 {
	return func(k streamKey) uint64 {
		return maphash.String(seed, k.stream) ^ maphash.String(seed, k.function)*0x9E3779B97F4A7C15
	}
}

func hashString(seed maphash.Seed) func(string) uint64 {
	return func(s string) uint64 { return maphash.String(seed, s) }
}
