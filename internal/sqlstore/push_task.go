package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/timd/timd/internal/im"
)

// im_push (docs/fidelity/push.md#im_push): a push task is recorded with the
// number of accounts its condition selects. Its message enters no history:
// Tencent stores an all-member push offline and does not roam it, and timd
// has no client to deliver it to.

// Push records task t. A task with the same MsgRandom within 7 days is the
// same task: its TaskId is answered again and nothing is recorded. Codes:
// 90024 (the app's last push less than a second ago), 90047 (100 pushes in
// the last 24 hours), 90008 (From_Account not imported), 90033 (a condition
// names an attribute the app does not have).
func (db *DB) Push(ctx context.Context, app uint64, t im.PushTask) (im.PushResult, error) {
	var res im.PushResult
	err := db.write(ctx, func(tx *Tx) error {
		now := tx.now.UnixMilli()
		var id string
		var created int64
		err := tx.QueryRowContext(ctx, "SELECT task_id, created_at FROM push_tasks WHERE app_id = $1 AND msg_random = $2",
			int64(app), int64(t.MsgRandom)).Scan(&id, &created)
		switch {
		case err == nil && now-created < im.PushDedupWindowMillis:
			res = im.PushResult{TaskID: id, Repeated: true}
			return nil
		case err == nil:
			if _, err := tx.ExecContext(ctx, "DELETE FROM push_tasks WHERE app_id = $1 AND msg_random = $2",
				int64(app), int64(t.MsgRandom)); err != nil {
				return err
			}
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		if err := pushLimits(ctx, tx, app, now); err != nil {
			return err
		}
		ok, err := accountExists(ctx, tx, app, t.From)
		if err != nil {
			return err
		}
		if !ok {
			return im.Errorf(im.CodePushFromAccount, "From_Account %s is not imported", t.From)
		}
		n, err := pushRecipients(ctx, tx, app, t)
		if err != nil {
			return err
		}
		res = im.PushResult{TaskID: fmt.Sprintf("push_%x_%08x_%x", app, t.MsgRandom, now), Recipients: n}
		_, err = tx.ExecContext(ctx, `INSERT INTO push_tasks (app_id, msg_random, task_id, from_user, body, life_time, recipients, created_at, push_info)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			int64(app), int64(t.MsgRandom), res.TaskID, t.From, string(t.Body), t.LifeTime, n, now, string(t.OfflinePush))
		return err
	})
	return res, err
}

// pushLimits checks the app's push frequency: more than a second after the
// last push (90024), at most 100 pushes in 24 hours (90047).
func pushLimits(ctx context.Context, tx *Tx, app uint64, now int64) error {
	var last int64
	var day int
	err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(created_at), 0),
		COALESCE(SUM(CASE WHEN created_at > $2 THEN 1 ELSE 0 END), 0) FROM push_tasks WHERE app_id = $1`,
		int64(app), now-24*3600*1000).Scan(&last, &day)
	switch {
	case err != nil:
		return err
	case last > 0 && now-last <= im.PushIntervalMillis:
		return im.Errorf(im.CodePushTooFrequent, "the last push was %d ms ago: pushes must be more than 1 s apart", now-last)
	case day >= im.MaxPushesPerDay:
		return im.Errorf(im.CodePushDailyLimit, "%d pushes in the last 24 hours", day)
	}
	return nil
}

// pushRecipients counts the accounts of the app, the sender aside, that
// t's condition selects: all of them without a condition; TagsAnd, TagsOr,
// AttrsAnd and AttrsOr given together must all hold.
func pushRecipients(ctx context.Context, tx *Tx, app uint64, t im.PushTask) (int, error) {
	w := &condSQL{args: []any{int64(app), t.From}}
	c := t.Condition
	for _, tag := range c.TagsAnd {
		w.and(w.hasTag(tag))
	}
	var or []string
	for _, tag := range c.TagsOr {
		or = append(or, w.hasTag(tag))
	}
	w.or(or)
	if len(c.AttrsAnd) > 0 || len(c.AttrsOr) > 0 {
		byName, err := attrIndexes(ctx, tx, app)
		if err != nil {
			return 0, err
		}
		for _, name := range slices.Sorted(maps.Keys(c.AttrsAnd)) {
			e, err := w.hasAttr(byName, name, c.AttrsAnd[name])
			if err != nil {
				return 0, err
			}
			w.and(e)
		}
		or = nil
		for _, name := range slices.Sorted(maps.Keys(c.AttrsOr)) {
			e, err := w.hasAttr(byName, name, c.AttrsOr[name])
			if err != nil {
				return 0, err
			}
			or = append(or, e)
		}
		w.or(or)
	}
	var n int
	err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM accounts a WHERE a.app_id = $1 AND a.user_id <> $2"+w.where, w.args...).Scan(&n)
	return n, err
}

// condSQL builds the WHERE clause of pushRecipients.
type condSQL struct {
	args  []any
	where string
}

func (w *condSQL) arg(v any) string {
	w.args = append(w.args, v)
	return fmt.Sprintf("$%d", len(w.args))
}

func (w *condSQL) and(e string) { w.where += " AND " + e }

func (w *condSQL) or(es []string) {
	if len(es) > 0 {
		w.and("(" + strings.Join(es, " OR ") + ")")
	}
}

func (w *condSQL) hasTag(tag string) string {
	return "EXISTS (SELECT 1 FROM push_user_tags t WHERE t.app_id = a.app_id AND t.tag = " + w.arg(tag) + " AND t.user_id = a.user_id)"
}

func (w *condSQL) hasAttr(byName map[string]int, name, value string) (string, error) {
	idx, err := attrIndex(byName, name)
	return "EXISTS (SELECT 1 FROM push_user_attrs v WHERE v.app_id = a.app_id AND v.idx = " + w.arg(idx) +
		" AND v.value = " + w.arg(value) + " AND v.user_id = a.user_id)", err
}
