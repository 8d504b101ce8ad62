package sqlstore

import (
	"context"
	"encoding/json"
	"slices"
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
	var msgIDs []int64 // the app's C2C message ids, in order, for clear_pos
	for i := range stateTables {
		st := &stateTables[i]
		rows, numbers, err := st.export(ctx, tx, app, msgIDs)
		if err != nil {
			return nil, err
		}
		if st.table == "c2c_msgs" { // before conversations in stateTables
			msgIDs = numbers
		}
		*st.rows(doc) = rows
	}
	return doc, nil
}

// exportQuery selects the app's rows of the table in storage order: its
// text columns, then group_id for a table keyed by group, then its integer
// columns, then clear_id for clearPos, then the storage number.
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
		sel = append(sel, "t.clear_id")
	}
	if st.storageID != "" {
		sel = append(sel, "t."+st.storageID)
	}
	q := "SELECT " + strings.Join(sel, ", ") + " FROM " + st.table + " t"
	if st.group {
		// Rows of a dismissed group whose deletion is still to come are
		// not state: the live group is the only way to them.
		q += " JOIN im_groups g ON g.app_id = t.app_id AND g.seq = t.group_seq"
	}
	return q + " WHERE t.app_id = $1 ORDER BY " + st.order
}

// exportScan is the scan targets of one row of exportQuery.
type exportScan struct {
	text []string // st.text, then group_id
	ints []int64  // st.ints, then clear_id, then the storage number
	dest []any
}

func (st *stateTable) newExportScan() *exportScan {
	nText, nInts := len(st.text), len(st.ints)
	if st.group {
		nText++
	}
	if st.clearPos {
		nInts++
	}
	if st.storageID != "" {
		nInts++
	}
	s := &exportScan{text: make([]string, nText), ints: make([]int64, nInts)}
	for i := range s.text {
		s.dest = append(s.dest, &s.text[i])
	}
	for i := range s.ints {
		s.dest = append(s.dest, &s.ints[i])
	}
	return s
}

// export reads the app's rows of the table, never nil, and the storage
// numbers of a numbered table. msgIDs are the app's C2C message ids in
// order, which clear_pos counts.
func (st *stateTable) export(ctx context.Context, tx *Tx, app uint64, msgIDs []int64) ([]im.StateRow, []int64, error) {
	rows, err := tx.QueryContext(ctx, st.exportQuery(), int64(app))
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	out, numbers := []im.StateRow{}, []int64(nil)
	s := st.newExportScan()
	for rows.Next() {
		if err := rows.Scan(s.dest...); err != nil {
			return nil, nil, err
		}
		row := make(im.StateRow, len(s.dest))
		for i, c := range st.text {
			row[c] = jsonString(s.text[i])
		}
		if st.group {
			row["group_id"] = jsonString(s.text[len(st.text)])
		}
		for i, c := range st.ints {
			row[c] = jsonInt(s.ints[i])
		}
		if st.clearPos {
			// How many of the messages, in order, the clear covers.
			pos, _ := slices.BinarySearch(msgIDs, s.ints[len(st.ints)]+1)
			row["clear_pos"] = jsonInt(int64(pos))
		}
		if st.storageID != "" {
			numbers = append(numbers, s.ints[len(s.ints)-1])
		}
		out = append(out, row)
	}
	return out, numbers, rows.Err()
}

func jsonString(s string) json.RawMessage {
	b, _ := json.Marshal(s) // a string always marshals
	return b
}

func jsonInt(n int64) json.RawMessage { return json.RawMessage(strconv.FormatInt(n, 10)) }
