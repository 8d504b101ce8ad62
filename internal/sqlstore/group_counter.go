package sqlstore

import (
	"context"

	"github.com/timd/timd/internal/im"
)

var _ im.GroupCounterService = (*DB)(nil)

// Group counters (docs/fidelity/group-admin.md#group-counters):
// group_counters rows of the group's seq, in pos order. A write reads them,
// applies the change in Go and writes back what it changed: a group has at
// most 20.

// counterGroup finds a group whose counters a call reads or writes (under
// its lock for a write): 10010 if there is none, 10007 for a Community,
// which has no counters.
func counterGroup(ctx context.Context, tx *Tx, app uint64, groupID string, lock bool) (*im.Group, error) {
	g, err := findGroup(ctx, tx, app, groupID, lock)
	if err != nil {
		return nil, err
	}
	if g.Type == im.GroupCommunity {
		return nil, im.Errorf(im.CodeGroupForbidden, "a Community has no group counters")
	}
	return g, nil
}

// groupCounters reads a group's counters in pos order: empty, not nil.
func groupCounters(ctx context.Context, tx *Tx, app uint64, groupSeq int64) ([]im.GroupCounter, error) {
	rows, err := tx.QueryContext(ctx, "SELECT counter_key, value FROM group_counters WHERE app_id = $1 AND group_seq = $2 ORDER BY pos",
		int64(app), groupSeq)
	if err != nil {
		return nil, err
	}
	out := []im.GroupCounter{}
	for rows.Next() {
		var c im.GroupCounter
		if err := rows.Scan(&c.Key, &c.Value); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, c)
	}
	return out, closeRows(rows)
}

// GroupCounters reads the counters of a group named in keys, all of them
// when keys is empty.
func (db *DB) GroupCounters(ctx context.Context, app uint64, groupID string, keys []string) ([]im.GroupCounter, error) {
	var out []im.GroupCounter
	err := db.read(ctx, func(tx *Tx) error {
		g, err := counterGroup(ctx, tx, app, groupID, false)
		if err != nil {
			return err
		}
		cur, err := groupCounters(ctx, tx, app, g.Seq)
		out = im.PickGroupCounters(cur, keys)
		return err
	})
	return out, err
}

// UpdateGroupCounters applies an update under the group's lock.
func (db *DB) UpdateGroupCounters(ctx context.Context, op im.Op, groupID string, u im.GroupCounterUpdate) ([]im.GroupCounter, error) {
	var updated []im.GroupCounter
	err := db.write(ctx, func(tx *Tx) error {
		app := int64(op.App.SDKAppID)
		g, err := counterGroup(ctx, tx, op.App.SDKAppID, groupID, true)
		if err != nil {
			return err
		}
		cur, err := groupCounters(ctx, tx, op.App.SDKAppID, g.Seq)
		if err != nil {
			return err
		}
		_, changed, err := u.Apply(cur)
		if err != nil {
			return err
		}
		// A new key goes after every key the group has, deleted ones'
		// places included; a key it has keeps its place.
		for _, c := range changed {
			if _, err := tx.ExecContext(ctx, `INSERT INTO group_counters (app_id, group_seq, counter_key, value, pos)
				VALUES ($1, $2, $3, $4, (SELECT COALESCE(MAX(pos), -1) + 1 FROM group_counters WHERE app_id = $1 AND group_seq = $2))
				ON CONFLICT (app_id, group_seq, counter_key) DO UPDATE SET value = excluded.value`,
				app, g.Seq, c.Key, c.Value); err != nil {
				return err
			}
		}
		updated = changed
		return nil
	})
	return updated, err
}

// DeleteGroupCounters deletes the counters named in keys, or all of them
// when keys is empty. The others keep their places: pos orders, it need
// not be dense.
func (db *DB) DeleteGroupCounters(ctx context.Context, op im.Op, groupID string, keys []string) error {
	return db.write(ctx, func(tx *Tx) error {
		app := op.App.SDKAppID
		g, err := counterGroup(ctx, tx, app, groupID, true)
		if err != nil {
			return err
		}
		if len(keys) == 0 {
			return deleteGroupCounters(ctx, tx, int64(app), g.Seq)
		}
		for _, k := range keys {
			if _, err := tx.ExecContext(ctx, "DELETE FROM group_counters WHERE app_id = $1 AND group_seq = $2 AND counter_key = $3",
				int64(app), g.Seq, k); err != nil {
				return err
			}
		}
		return nil
	})
}

// deleteGroupCounters deletes a group's counters: a delete of all of them,
// and a dismissal's.
func deleteGroupCounters(ctx context.Context, tx *Tx, app, groupSeq int64) error {
	_, err := tx.ExecContext(ctx, "DELETE FROM group_counters WHERE app_id = $1 AND group_seq = $2", app, groupSeq)
	return err
}
