package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DefaultPurgeInterval is how often, by default, the purge looks for
// messages past their lifetime (Options.PurgeInterval).
const DefaultPurgeInterval = time.Minute

// purgeBatch is how many messages of one table a purge transaction deletes:
// a few milliseconds of the write lock, so senders are not held up.
const purgeBatch = 500

// purger deletes, in the background and in small transactions, the
// one-to-one and group messages whose expires_at has come (MsgLifeTime,
// 7 days for group and imported messages; docs/fidelity/conversations.md).
// A message stays readable until the purge deletes it, at most one
// interval after it expired. Time is the store's clock, so tests move it,
// moved for an app by its offset (timd_clock): its messages and mutes were
// stamped by its time, and are deleted by it, at once when it moves.
type purger struct {
	db       *DB
	interval time.Duration
	stop     chan struct{}
	done     sync.WaitGroup
}

func startPurger(db *DB, interval time.Duration) *purger {
	if interval <= 0 {
		interval = DefaultPurgeInterval
	}
	p := &purger{db: db, interval: interval, stop: make(chan struct{})}
	p.done.Add(1)
	go p.run()
	return p
}

// close stops the purge and waits for it.
func (p *purger) close() {
	close(p.stop)
	p.done.Wait()
}

func (p *purger) run() {
	defer p.done.Done()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { <-p.stop; cancel() }()
	for {
		// Taken before the round, so that a clock moved during it starts
		// another at once.
		moved := p.db.clocks.Moved()
		for {
			n, err := p.db.purgeOnce(ctx)
			if err != nil || n < purgeBatch {
				// Done, or the database is away: the next round retries.
				break
			}
			// Let waiting writers in between batches.
			if !p.sleep(time.Millisecond, nil) {
				return
			}
		}
		if !p.sleep(p.interval, moved) {
			return
		}
	}
}

// sleep waits d, or until moved is closed (an app's clock moved), and
// reports whether the purge is still running.
func (p *purger) sleep(d time.Duration, moved <-chan struct{}) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-p.stop:
		return false
	case <-t.C:
	case <-moved:
	}
	return true
}

// purgeOnce deletes, for each scope (purgeScopes), up to purgeBatch
// expired messages of each table, and as many mutes that ran out, in one
// transaction and returns the largest of the counts.
//
// A clock that moves while the round runs undoes it: on PostgreSQL a
// statement sees rows committed after the round read the offsets, such as
// a message an app moved back sent at once, stamped by its new time, which
// the old offsets would call expired. The purger's next round, at once,
// reads the new ones.
func (db *DB) purgeOnce(ctx context.Context) (int, error) {
	var most int
	var undone bool            // the error the store hands back hides errClockMoved
	moved := db.clocks.Moved() // before the offsets are read
	err := db.write(ctx, func(tx *Tx) error {
		most, undone = 0, false
		for _, sc := range purgeScopes(tx.now, db.clocks.Offsets()) {
			n, err := purgeScoped(ctx, tx, sc)
			if err != nil {
				return err
			}
			most = max(most, n)
		}
		select {
		case <-moved:
			undone = true
			return errClockMoved
		default:
			return nil
		}
	})
	if undone {
		return 0, nil
	}
	return most, err
}

// errClockMoved rolls back a purge round during which an app's clock moved.
var errClockMoved = errors.New("an app's clock moved during the purge")

// purgeScope is what one pass of the purge looks at: the apps on the real
// time (app 0: every app but those in except), or one app whose clock is
// moved, with the time (unix ms) by which their rows have expired.
type purgeScope struct {
	cut    int64
	app    int64
	except []int64
}

// purgeScopes are the apps on the real time at now, then each app with a
// clock offset, at now moved by it, in app order. A moved app's pass walks
// the expiry index from the first pass's cut to its own, other apps' rows
// too: cheap for the few apps a test moves, which is what offsets are for.
func purgeScopes(now time.Time, offsets map[uint64]time.Duration) []purgeScope {
	apps := slices.Sorted(maps.Keys(offsets))
	scopes := []purgeScope{{cut: now.UnixMilli()}}
	for _, app := range apps {
		scopes[0].except = append(scopes[0].except, int64(app))
		scopes = append(scopes, purgeScope{cut: now.Add(offsets[app]).UnixMilli(), app: int64(app)})
	}
	return scopes
}

// cond is the scope's condition on app_id, with placeholders from $3 on
// ($1 and $2 are each statement's own), and their arguments.
func (sc purgeScope) cond() (string, []any) {
	if sc.app != 0 {
		return " AND app_id = $3", []any{sc.app}
	}
	if len(sc.except) == 0 {
		return "", nil
	}
	marks, args := make([]string, len(sc.except)), make([]any, len(sc.except))
	for i, app := range sc.except {
		marks[i], args[i] = "$"+strconv.Itoa(i+3), app
	}
	return " AND app_id NOT IN (" + strings.Join(marks, ", ") + ")", args
}

// purgeScoped deletes up to purgeBatch of each table's expired rows within
// sc and returns the largest of the counts.
func purgeScoped(ctx context.Context, tx *Tx, sc purgeScope) (int, error) {
	cond, args := sc.cond()
	n, err := purgeC2C(ctx, tx, sc.cut, cond, args)
	if err != nil {
		return 0, err
	}
	g, err := purgeGroupMsgs(ctx, tx, sc.cut, cond, args)
	if err != nil {
		return 0, err
	}
	// Mutes no member row holds and AVChatRoom bans that have run out:
	// nothing reads them (they are checked against now), so only their
	// room goes.
	most := max(n, g)
	for _, t := range [][2]string{{"group_outside_mutes", "mute_until"}, {"group_bans", "banned_until"}} {
		res, err := tx.ExecContext(ctx, `DELETE FROM `+t[0]+` WHERE (app_id, group_seq, user_id) IN
			(SELECT app_id, group_seq, user_id FROM `+t[0]+` WHERE `+t[1]+` <= $1`+cond+` ORDER BY `+t[1]+` LIMIT CAST($2 AS BIGINT))`,
			append([]any{sc.cut / 1000, purgeBatch}, args...)...)
		if err != nil {
			return 0, err
		}
		m, err := res.RowsAffected()
		if err != nil {
			return 0, err
		}
		most = max(most, int(m))
	}
	x, err := purgeMsgExts(ctx, tx, sc.cut, cond, args)
	return max(most, x), err
}

// purgeMsgExts deletes up to purgeBatch extension rows of expired
// messages of each kind, with their pairs.
func purgeMsgExts(ctx context.Context, tx *Tx, cut int64, cond string, args []any) (int, error) {
	most := 0
	for _, t := range []struct{ msgs, kvs, key string }{
		{"c2c_msg_exts", "c2c_msg_ext_kvs", "app_id, peer_lo, peer_hi, msg_key"},
		{"group_msg_exts", "group_msg_ext_kvs", "app_id, group_seq, msg_seq"},
	} {
		pick := "(SELECT " + t.key + " FROM " + t.msgs + " WHERE expires_at <= $1" + cond + " ORDER BY expires_at LIMIT CAST($2 AS BIGINT))"
		all := append([]any{cut, purgeBatch}, args...)
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+t.kvs+" WHERE ("+t.key+") IN "+pick, all...); err != nil {
			return 0, err
		}
		res, err := tx.ExecContext(ctx, "DELETE FROM "+t.msgs+" WHERE ("+t.key+") IN "+pick, all...)
		if err != nil {
			return 0, err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return 0, err
		}
		most = max(most, int(n))
	}
	return most, nil
}

// groupRef is a group by its storage number.
type groupRef struct{ app, seq int64 }

// purgeGroupMsgs deletes up to purgeBatch expired group messages, and the
// conversations of the groups left without any: a conversation lasts as
// long as its last message, a group's too (1047/48328: "The conversation
// duration is consistent with the saving time of the last message in the
// conversation"; docs/fidelity/conversations.md).
func purgeGroupMsgs(ctx context.Context, tx *Tx, cut int64, cond string, args []any) (int, error) {
	rows, err := tx.QueryContext(ctx, `DELETE FROM group_msgs WHERE (app_id, group_seq, msg_seq) IN
		(SELECT app_id, group_seq, msg_seq FROM group_msgs WHERE expires_at <= $1`+cond+` ORDER BY expires_at LIMIT CAST($2 AS BIGINT))
		RETURNING app_id, group_seq`, append([]any{cut, purgeBatch}, args...)...)
	if err != nil {
		return 0, err
	}
	n, groups := 0, map[groupRef]bool{}
	for rows.Next() {
		var g groupRef
		if err := rows.Scan(&g.app, &g.seq); err != nil {
			rows.Close()
			return 0, err
		}
		n, groups[g] = n+1, true
	}
	if err := closeRows(rows); err != nil {
		return 0, err
	}
	for _, g := range slices.SortedFunc(maps.Keys(groups), func(a, b groupRef) int {
		return cmp.Or(cmp.Compare(a.app, b.app), cmp.Compare(a.seq, b.seq))
	}) {
		if err := endGroupConversations(ctx, tx, g); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// endGroupConversations deletes the members' conversations of a group
// that has no message left. The group's row is locked first (a send holds
// it), so that a message sent meanwhile is either seen here or sent after
// the deletion, and makes the conversations again. A group no longer
// there was dismissed, and its conversations went with it.
func endGroupConversations(ctx context.Context, tx *Tx, g groupRef) error {
	var groupID string
	err := tx.QueryRowContext(ctx, "SELECT group_id FROM im_groups WHERE app_id = $1 AND seq = $2"+tx.forUpdate(), g.app, g.seq).Scan(&groupID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	var one int
	err = tx.QueryRowContext(ctx, "SELECT 1 FROM group_msgs WHERE app_id = $1 AND group_seq = $2 LIMIT 1", g.app, g.seq).Scan(&one)
	if !errors.Is(err, sql.ErrNoRows) {
		return err // nil: messages are left
	}
	return deleteGroupConversationRows(ctx, tx, uint64(g.app), groupID)
}

// c2cPair is a one-to-one conversation's two accounts in byte order.
type c2cPair struct {
	app    int64
	lo, hi string
}

// purgeC2C deletes up to purgeBatch expired one-to-one messages, and the
// conversations of the pairs left without any: Tencent keeps a
// conversation as long as its last message (docs/fidelity/conversations.md).
func purgeC2C(ctx context.Context, tx *Tx, cut int64, cond string, args []any) (int, error) {
	rows, err := tx.QueryContext(ctx, `DELETE FROM c2c_msgs WHERE id IN
		(SELECT id FROM c2c_msgs WHERE expires_at <= $1`+cond+` ORDER BY expires_at LIMIT CAST($2 AS BIGINT))
		RETURNING app_id, peer_lo, peer_hi`, append([]any{cut, purgeBatch}, args...)...)
	if err != nil {
		return 0, err
	}
	n, pairs := 0, map[c2cPair]bool{}
	for rows.Next() {
		var p c2cPair
		if err := rows.Scan(&p.app, &p.lo, &p.hi); err != nil {
			rows.Close()
			return 0, err
		}
		n, pairs[p] = n+1, true
	}
	if err := closeRows(rows); err != nil {
		return 0, err
	}
	ended := slices.SortedFunc(maps.Keys(pairs), func(a, b c2cPair) int {
		return cmp.Or(cmp.Compare(a.app, b.app), cmp.Compare(a.lo, b.lo), cmp.Compare(a.hi, b.hi))
	})
	for _, p := range ended {
		if err := endConversation(ctx, tx, p); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// endConversation deletes both sides of the pair's conversation if no
// message of it is left. On PostgreSQL the accounts' rows are locked first
// (a send holds them FOR KEY SHARE), so that a message sent to the pair
// meanwhile is either seen here or sent after the deletion, and keeps its
// conversation.
func endConversation(ctx context.Context, tx *Tx, p c2cPair) error {
	if tx.dialect == dialectPostgres {
		rows, err := tx.QueryContext(ctx, "SELECT 1 FROM accounts WHERE app_id = $1 AND user_id IN ($2, $3) ORDER BY user_id"+tx.forUpdate(),
			p.app, p.lo, p.hi)
		if err != nil {
			return err
		}
		if err := closeRows(rows); err != nil {
			return err
		}
	}
	var one int
	err := tx.QueryRowContext(ctx, "SELECT 1 FROM c2c_msgs WHERE app_id = $1 AND peer_lo = $2 AND peer_hi = $3 LIMIT 1",
		p.app, p.lo, p.hi).Scan(&one)
	if !errors.Is(err, sql.ErrNoRows) {
		return err // nil: messages are left
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM conversations WHERE app_id = $1 AND type = $4
		AND (owner = $2 AND peer = $3 OR owner = $3 AND peer = $2)`, p.app, p.lo, p.hi, convC2C)
	return err
}
