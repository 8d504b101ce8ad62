package sqlstore

import (
	"strings"
	"sync"
)

// What the SQLite writer last read of accounts and global mutes, for the
// checks nearly every write makes: sendmsg looks up both accounts and the
// sender's mute before it stores anything, and profiled those three reads
// were a fifth of the single writer's time per message.
//
// Only the writer uses it, and only on SQLite, where the writer is the one
// connection that changes the file (lock.go keeps other processes out) and
// runs one transaction at a time. Every statement the writer runs passes
// through note: one that writes the accounts or no_speaking table marks the
// cache dirty. A dirty cache answers nothing and files nothing, and when
// the writer's transaction ends, committed or rolled back, it is emptied.
// So an entry was read while no write to either table had happened since
// the last commit or rollback, and none has happened since it was read:
// it is what the same read would find now, in or out of a transaction.
// Readers never use it: their snapshot may be older than the writer's.
//
// The test is by the statement's text: a statement that names either table
// (lower case, as a whole word: captured_accounts is another table) and
// is not a plain SELECT. It errs toward emptying the cache (a profile
// update rewrites accounts rows, and empties it too), never toward keeping
// an entry a write may have changed.

// writerCacheMax bounds the entries; past it the cache empties and refills.
const writerCacheMax = 100_000

type userKey struct {
	app  uint64
	user string
}

// muteRow is an account's no_speaking row; zeros when it has none.
type muteRow struct{ c2cSecs, c2cUntil, groupSecs, groupUntil int64 }

type writerCache struct {
	mu       sync.Mutex
	dirty    bool
	accounts map[userKey]bool // imported or not
	mutes    map[userKey]muteRow
}

func newWriterCache() *writerCache {
	return &writerCache{accounts: map[userKey]bool{}, mutes: map[userKey]muteRow{}}
}

// note looks at a statement the writer is about to run.
func (c *writerCache) note(query string) {
	if c == nil || !writesCachedTable(query) {
		return
	}
	c.mu.Lock()
	c.dirty = true
	c.mu.Unlock()
}

// end is called when a writer transaction has ended.
func (c *writerCache) end() {
	if c == nil {
		return
	}
	c.mu.Lock()
	if c.dirty {
		clear(c.accounts)
		clear(c.mutes)
		c.dirty = false
	}
	c.mu.Unlock()
}

// account reports whether (app, user) is imported, if the cache knows.
func (c *writerCache) account(app uint64, user string) (exists, ok bool) {
	if c == nil {
		return false, false
	}
	return cacheGet(c, c.accounts, userKey{app, user})
}

func (c *writerCache) putAccount(app uint64, user string, exists bool) {
	if c != nil {
		cachePut(c, c.accounts, userKey{app, user}, exists)
	}
}

// mute returns (app, user)'s no_speaking row, if the cache knows it.
func (c *writerCache) mute(app uint64, user string) (muteRow, bool) {
	if c == nil {
		return muteRow{}, false
	}
	return cacheGet(c, c.mutes, userKey{app, user})
}

func (c *writerCache) putMute(app uint64, user string, m muteRow) {
	if c != nil {
		cachePut(c, c.mutes, userKey{app, user}, m)
	}
}

// cacheGet looks k up in m, one of c's maps, unless c is dirty.
func cacheGet[V any](c *writerCache, m map[userKey]V, k userKey) (V, bool) {
	var zero V
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dirty {
		return zero, false
	}
	v, ok := m[k]
	return v, ok
}

// cachePut files v under k in m, one of c's maps, unless c is dirty.
func cachePut[V any](c *writerCache, m map[userKey]V, k userKey, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dirty {
		return
	}
	if len(m) >= writerCacheMax {
		clear(m)
	}
	m[k] = v
}

// cachedTables are the tables the writer cache holds rows of.
var cachedTables = [...]string{"accounts", "no_speaking"}

// writesCachedTable reports whether query may change a row the writer
// cache holds: it names one of cachedTables and is not a plain SELECT.
func writesCachedTable(query string) bool {
	for _, t := range cachedTables {
		if namesTable(query, t) {
			return !plainSelect(query)
		}
	}
	return false
}

// namesTable reports whether table occurs in query as a whole word.
func namesTable(query, table string) bool {
	for i := 0; ; {
		j := strings.Index(query[i:], table)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(table)
		if (start == 0 || !identByte(query[start-1])) && (end == len(query) || !identByte(query[end])) {
			return true
		}
		i = end
	}
}

func identByte(b byte) bool {
	return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}

// plainSelect reports whether query starts with SELECT and has no word
// that writes (INSERT, UPDATE, DELETE, REPLACE), in any case.
func plainSelect(query string) bool {
	first := true
	for i := 0; i < len(query); {
		if !identByte(query[i]) {
			i++
			continue
		}
		j := i
		for j < len(query) && identByte(query[j]) {
			j++
		}
		w := query[i:j]
		if first && !strings.EqualFold(w, "SELECT") {
			return false
		}
		first = false
		for _, kw := range [...]string{"INSERT", "UPDATE", "DELETE", "REPLACE"} {
			if strings.EqualFold(w, kw) {
				return false
			}
		}
		i = j
	}
	return !first
}
