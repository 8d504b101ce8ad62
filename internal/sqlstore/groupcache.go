package sqlstore

import (
	"sync"
	"sync/atomic"

	"github.com/timd/timd/internal/im"
)

// A cache of the groups FindGroups reads (get_group_info and the lookups
// of apply_join_group and get_online_member_num), for SQLite only.
//
// Profiles of get_group_info put over 40% of timd's CPU in FindGroups' read
// transaction; a repeated read of an unchanged group now costs a map lookup.
// The cache is kept simple enough to be obviously right rather than
// precise: every write transaction, whatever it touched (but for the
// callback outbox's and captures' own, writeAside), moves one generation
// counter after it ends (committed or not) and before its caller is
// answered, and an entry is used only while the generation it was
// read at is still the current one. A reader loads the generation before
// its read transaction begins, so data read before a commit is filed under
// a generation that commit has left behind. A write-heavy workload
// therefore gets few hits and loses nothing; a read-heavy one hits nearly
// always.
//
// PostgreSQL gets no cache: another instance's commit would not move this
// process's generation. SQLite's file lock (lock.go) guarantees no other
// process writes the file.

// Bounds of what the cache holds: past either, it is emptied and refills.
const (
	groupCacheMaxEntries = 10_000
	groupCacheMaxMembers = 200_000 // members of all entries together
)

type groupCacheKey struct {
	app         uint64
	id          string
	withMembers bool
}

type groupCacheEntry struct {
	gen     uint64
	group   *im.Group // nil: the group does not exist
	members []im.Member
}

type groupCache struct {
	gen     atomic.Uint64
	mu      sync.RWMutex
	entries map[groupCacheKey]groupCacheEntry
	members int
}

func newGroupCache() *groupCache {
	return &groupCache{entries: map[groupCacheKey]groupCacheEntry{}}
}

// invalidate is called when a write transaction ends.
func (c *groupCache) invalidate() {
	if c != nil {
		c.gen.Add(1)
	}
}

// get returns the entry for k if it was read at generation gen.
func (c *groupCache) get(k groupCacheKey, gen uint64) (groupCacheEntry, bool) {
	c.mu.RLock()
	e, ok := c.entries[k]
	c.mu.RUnlock()
	return e, ok && e.gen == gen
}

// put files what a read transaction begun at generation gen found for k.
func (c *groupCache) put(k groupCacheKey, e groupCacheEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.entries[k]; ok {
		c.members -= len(old.members)
	} else if len(c.entries) >= groupCacheMaxEntries {
		clear(c.entries)
		c.members = 0
	}
	if c.members+len(e.members) > groupCacheMaxMembers {
		clear(c.entries)
		c.members = 0
		if len(e.members) > groupCacheMaxMembers {
			return
		}
	}
	c.entries[k] = e
	c.members += len(e.members)
}

// cachedGroups answers FindGroups from the cache when every group asked for
// is there at the current generation; ok is false otherwise, and gen is the
// generation to file a fresh read under.
func (c *groupCache) cachedGroups(app uint64, ids []string, withMembers bool) (groups []*im.Group, members [][]im.Member, gen uint64, ok bool) {
	gen = c.gen.Load()
	groups, members = make([]*im.Group, len(ids)), make([][]im.Member, len(ids))
	for i, id := range ids {
		e, hit := c.get(groupCacheKey{app, id, withMembers}, gen)
		if !hit {
			return nil, nil, gen, false
		}
		if e.group != nil {
			g := *e.group // callers get their own Group; member lists are shared, read-only
			groups[i] = &g
		}
		members[i] = e.members
	}
	return groups, members, gen, true
}

// fill files a FindGroups result read at generation gen.
func (c *groupCache) fill(app uint64, ids []string, withMembers bool, gen uint64, groups []*im.Group, members [][]im.Member) {
	for i, id := range ids {
		e := groupCacheEntry{gen: gen, members: members[i]}
		if groups[i] != nil {
			g := *groups[i]
			e.group = &g
		}
		c.put(groupCacheKey{app, id, withMembers}, e)
	}
}

// CacheGeneration reports the group cache's generation, which moves after
// every write transaction ends and before its caller is answered: what is
// read after loading gen describes the store as it is while gen is still
// the current one. ok is false on PostgreSQL, which has no cache.
func (db *DB) CacheGeneration() (gen uint64, ok bool) {
	if db.groups == nil {
		return 0, false
	}
	return db.groups.gen.Load(), true
}
