package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"time"
)

// reapBatch is how many member rows of a dismissed group one reaping
// transaction deletes: a few milliseconds of the write lock.
const reapBatch = 1000

// reaper deletes, in the background and in small transactions, the member
// and message rows of dismissed groups listed in group_reap. Those rows are
// invisible from the dismissal's commit on; deleting them is housekeeping, so a
// dismissal of a huge group does not hold the single SQLite writer for
// long. It runs at start (finishing what a crash interrupted) and whenever a
// dismissal queues work.
type reaper struct {
	db   *DB
	wake chan struct{}
	stop chan struct{}
	done sync.WaitGroup
}

func startReaper(db *DB) *reaper {
	r := &reaper{db: db, wake: make(chan struct{}, 1), stop: make(chan struct{})}
	r.done.Add(1)
	go r.run()
	r.kick()
	return r
}

// kick asks the reaper to look for work, without waiting.
func (r *reaper) kick() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// close stops the reaper and waits for it.
func (r *reaper) close() {
	close(r.stop)
	r.done.Wait()
}

func (r *reaper) run() {
	defer r.done.Done()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { <-r.stop; cancel() }()
	for {
		select {
		case <-r.stop:
			return
		case <-r.wake:
		}
		for {
			more, err := r.db.reapOnce(ctx)
			if err != nil {
				// The database is away or busy: try again later.
				r.sleep(time.Second)
				r.kick()
				break
			}
			if !more {
				break
			}
			// Let waiting writers in between batches.
			r.sleep(time.Millisecond)
		}
	}
}

func (r *reaper) sleep(d time.Duration) {
	select {
	case <-r.stop:
	case <-time.After(d):
	}
}

// reapOnce deletes one batch of a dismissed group's member or message rows
// and reports whether work may remain.
func (db *DB) reapOnce(ctx context.Context) (more bool, err error) {
	err = db.write(ctx, func(tx *Tx) error {
		var app, seq int64
		err := tx.QueryRowContext(ctx, "SELECT app_id, group_seq FROM group_reap ORDER BY group_seq LIMIT 1").Scan(&app, &seq)
		if errors.Is(err, sql.ErrNoRows) {
			more = false
			return nil
		}
		if err != nil {
			return err
		}
		// Members first, then messages, a batch of either per
		// transaction.
		n, err := execCount(ctx, tx, `DELETE FROM group_members WHERE app_id = $1 AND group_seq = $2 AND user_id IN
			(SELECT user_id FROM group_members WHERE app_id = $1 AND group_seq = $2 LIMIT CAST($3 AS BIGINT))`, app, seq, reapBatch)
		if err == nil && n < reapBatch {
			n, err = execCount(ctx, tx, `DELETE FROM group_msgs WHERE app_id = $1 AND group_seq = $2 AND msg_seq IN
				(SELECT msg_seq FROM group_msgs WHERE app_id = $1 AND group_seq = $2 ORDER BY msg_seq LIMIT CAST($3 AS BIGINT))`, app, seq, reapBatch)
		}
		if err != nil {
			return err
		}
		if n < reapBatch {
			_, err = tx.ExecContext(ctx, "DELETE FROM group_reap WHERE group_seq = $1", seq)
		}
		more = true
		return err
	})
	return more, err
}

// execCount runs a statement and returns how many rows it changed.
func execCount(ctx context.Context, tx *Tx, query string, args ...any) (int64, error) {
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// ReapPending reports how many dismissed groups still have member rows to
// delete. Tests use it to wait for the reaper.
func (db *DB) ReapPending(ctx context.Context) (int, error) {
	var n int
	err := db.r.QueryRowContext(ctx, "SELECT COUNT(*) FROM group_reap").Scan(&n)
	return n, err
}

// deleteGroupRows deletes a dismissed group's member and message rows.
func deleteGroupRows(ctx context.Context, tx *Tx, app, groupSeq int64) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM group_members WHERE app_id = $1 AND group_seq = $2", app, groupSeq); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, "DELETE FROM group_msgs WHERE app_id = $1 AND group_seq = $2", app, groupSeq)
	return err
}
