package api

import "sync"

// A memo of encoded replies (or parts of them) filed under the store's
// cache generation (im.GroupService.CacheGeneration): the store moves the
// generation after every write transaction and before the writer is
// answered, so what was filed under a generation that is still current
// describes the store as it is now, and a write of any kind makes every
// entry stale at once. A reader loads the generation before it reads, so
// what it read before a commit is filed under a generation that commit has
// left behind. A store without such a generation (PostgreSQL, where another
// instance may write) has no memo. Used by get_group_info
// (group_info_memo.go) and admin_getroammsg (openim_roam_memo.go).
type memo[K comparable, V any] struct {
	maxEntries, maxBytes int

	mu      sync.RWMutex
	entries map[K]memoEntry[V]
	bytes   int
}

type memoEntry[V any] struct {
	gen  uint64
	v    V
	size int // bytes it holds, against maxBytes
}

// newMemo returns a memo that is emptied and refills when it would hold
// more than maxEntries entries or maxBytes bytes.
func newMemo[K comparable, V any](maxEntries, maxBytes int) *memo[K, V] {
	return &memo[K, V]{maxEntries: maxEntries, maxBytes: maxBytes, entries: map[K]memoEntry[V]{}}
}

// get returns what is filed for k, if it was filed under gen.
func (m *memo[K, V]) get(k K, gen uint64) (v V, ok bool) {
	m.mu.RLock()
	e, hit := m.entries[k]
	m.mu.RUnlock()
	if !hit || e.gen != gen {
		return v, false
	}
	return e.v, true
}

// put files v, of size bytes, for k under gen.
func (m *memo[K, V]) put(k K, gen uint64, v V, size int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if old, ok := m.entries[k]; ok {
		m.bytes -= old.size
	} else if len(m.entries) >= m.maxEntries || m.bytes+size > m.maxBytes {
		clear(m.entries)
		m.bytes = 0
	}
	m.entries[k] = memoEntry[V]{gen: gen, v: v, size: size}
	m.bytes += size
}
