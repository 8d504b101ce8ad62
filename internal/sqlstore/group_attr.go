package sqlstore

import (
	"context"
	"encoding/json"

	"github.com/timd/timd/internal/im"
)

var _ im.GroupAttrService = (*DB)(nil)

// Group custom attributes (docs/fidelity/group-admin.md#group-attributes):
// group_attrs rows of the group's seq, in pos order. A write reads them,
// applies im.GroupAttrChange.Apply and writes the result back whole: a
// group has at most 16.

// groupAttrs reads a group's attributes in pos order: empty, not nil.
func groupAttrs(ctx context.Context, tx *Tx, app uint64, groupSeq int64) ([]im.GroupAttr, error) {
	rows, err := tx.QueryContext(ctx, "SELECT attr_key, value FROM group_attrs WHERE app_id = $1 AND group_seq = $2 ORDER BY pos",
		int64(app), groupSeq)
	if err != nil {
		return nil, err
	}
	out := []im.GroupAttr{}
	for rows.Next() {
		var a im.GroupAttr
		var value string
		if err := rows.Scan(&a.Key, &value); err != nil {
			rows.Close()
			return nil, err
		}
		if err := json.Unmarshal([]byte(value), &a.Value); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, a)
	}
	return out, closeRows(rows)
}

// GroupAttrs reads a group's attributes.
func (db *DB) GroupAttrs(ctx context.Context, app uint64, groupID string) ([]im.GroupAttr, error) {
	var out []im.GroupAttr
	err := db.read(ctx, func(tx *Tx) error {
		g, err := findGroup(ctx, tx, app, groupID, false)
		if err != nil {
			return err
		}
		out, err = groupAttrs(ctx, tx, app, g.Seq)
		return err
	})
	return out, err
}

// ChangeGroupAttrs applies a write under the group's lock and records
// Group.CallbackAfterGroupAttrChanged.
func (db *DB) ChangeGroupAttrs(ctx context.Context, op im.Op, groupID string, ch im.GroupAttrChange) error {
	return db.write(ctx, func(tx *Tx) error {
		app := op.App.SDKAppID
		g, err := findGroup(ctx, tx, app, groupID, true)
		if err != nil {
			return err
		}
		if ch.Op == im.GroupAttrClear && g.Type == im.GroupCommunity {
			return im.Errorf(im.CodeGroupForbidden, "a Community's attributes cannot be cleared")
		}
		cur, err := groupAttrs(ctx, tx, app, g.Seq)
		if err != nil {
			return err
		}
		next, changed, err := ch.Apply(cur)
		if err != nil {
			return err
		}
		if err := deleteGroupAttrs(ctx, tx, int64(app), g.Seq); err != nil {
			return err
		}
		for i, a := range next {
			value, err := json.Marshal(a.Value)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "INSERT INTO group_attrs (app_id, group_seq, attr_key, value, pos) VALUES ($1, $2, $3, $4, $5)",
				int64(app), g.Seq, a.Key, string(value), i); err != nil {
				return err
			}
		}
		return recordEvent(ctx, tx, op, im.AfterGroupAttrChangedBody{
			GroupID: groupID, Type: g.Type, Operator: op.Operator, OptionType: ch.Op, GroupAttr: changed,
		})
	})
}

// deleteGroupAttrs deletes a group's attributes: a write's first step, and
// a dismissal's.
func deleteGroupAttrs(ctx context.Context, tx *Tx, app, groupSeq int64) error {
	_, err := tx.ExecContext(ctx, "DELETE FROM group_attrs WHERE app_id = $1 AND group_seq = $2", app, groupSeq)
	return err
}
