package sqlstore

import (
	"context"
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
// interval after it expired. Time is the store's clock, so tests move it.
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
		for {
			n, err := p.db.purgeOnce(ctx)
			if err != nil || n < purgeBatch {
				// Done, or the database is away: the next round retries.
				break
			}
			// Let waiting writers in between batches.
			if !p.sleep(time.Millisecond) {
				return
			}
		}
		if !p.sleep(p.interval) {
			return
		}
	}
}

// sleep waits d and reports whether the purge is still running.
func (p *purger) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-p.stop:
		return false
	case <-t.C:
		return true
	}
}

// purgeOnce deletes up to purgeBatch expired messages of each table in one
// transaction and returns the larger of the two counts.
func (db *DB) purgeOnce(ctx context.Context) (int, error) {
	var most int
	err := db.write(ctx, func(tx *Tx) error {
		most = 0
		now := tx.now.UnixMilli()
		for _, q := range []string{
			`DELETE FROM c2c_msgs WHERE id IN (SELECT id FROM c2c_msgs WHERE expires_at <= $1 ORDER BY expires_at LIMIT CAST($2 AS BIGINT))`,
			`DELETE FROM group_msgs WHERE (app_id, group_seq, msg_seq) IN
				(SELECT app_id, group_seq, msg_seq FROM group_msgs WHERE expires_at <= $1 ORDER BY expires_at LIMIT CAST($2 AS BIGINT))`,
		} {
			res, err := tx.ExecContext(ctx, q, now, purgeBatch)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			most = max(most, int(n))
		}
		return nil
	})
	return most, err
}
