package sqlstore

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/timd/timd/internal/im"
)

// ExportApp reads the app's whole state, in one transaction.
func (db *DB) ExportApp(ctx context.Context, app uint64) (*im.StateDoc, error) {
	var doc *im.StateDoc
	err := db.read(ctx, func(tx *Tx) error {
		var err error
		doc, err = exportApp(ctx, tx, app)
		return err
	})
	return doc, err
}

// exportApp reads every table of the app's state into one document.
func exportApp(ctx context.Context, tx *Tx, app uint64) (*im.StateDoc, error) {
	doc := &im.StateDoc{Format: im.StateFormat, Version: im.StateVersion, SdkAppId: app}
	for i := range stateTables {
		st := &stateTables[i]
		rows, err := st.export(ctx, tx, app)
		if err != nil {
			return nil, err
		}
		*st.rows(doc) = rows
	}
	return doc, nil
}

// exportColumns are the names of the document's columns, text first, then
// integers, in the order exportQuery selects them.
func (st *stateTable) exportColumns() (text, ints []string) {
	text = append([]string(nil), st.text...)
	if st.group {
		text = append(text, "group_id")
	}
	ints = append([]string(nil), st.ints...)
	if st.clearPos {
		ints = append(ints, "clear_pos")
	}
	return text, ints
}

// exportQuery selects the app's rows of the table, as exportColumns names
// them, in storage order.
func (st *stateTable) exportQuery() string {
	var sel []string
	for _, c := range st.text {
		sel = append(sel, "t."+c)
	}
	if st.group {
		sel = append(sel, "g.group_id")
	}
	for _, c := range st.ints {
		sel = append(sel, "t."+c)
	}
	if st.clearPos {
		sel = append(sel, "(SELECT COUNT(*) FROM c2c_msgs m WHERE m.app_id = t.app_id AND m.id <= t.clear_id)")
	}
	q := "SELECT " + strings.Join(sel, ", ") + " FROM " + st.table + " t"
	if st.group {
		// Rows of a dismissed group whose deletion is still to come are
		// not state: the live group is the only way to them.
		q += " JOIN im_groups g ON g.app_id = t.app_id AND g.seq = t.group_seq"
	}
	return q + " WHERE t.app_id = $1 ORDER BY " + st.order
}

// export reads the app's rows of the table, never nil.
func (st *stateTable) export(ctx context.Context, tx *Tx, app uint64) ([]im.StateRow, error) {
	text, ints := st.exportColumns()
	rows, err := tx.QueryContext(ctx, st.exportQuery(), int64(app))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []im.StateRow{}
	strs, nums := make([]string, len(text)), make([]int64, len(ints))
	dest := make([]any, 0, len(text)+len(ints))
	for i := range strs {
		dest = append(dest, &strs[i])
	}
	for i := range nums {
		dest = append(dest, &nums[i])
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		row := make(im.StateRow, len(dest))
		for i, c := range text {
			row[c], _ = json.Marshal(strs[i]) // a string always marshals
		}
		for i, c := range ints {
			row[c] = json.RawMessage(strconv.FormatInt(nums[i], 10))
		}
		out = append(out, row)
	}
	return out, rows.Err()
}
