package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/timd/timd/internal/im"
)

// importRow is one row of the document, checked and ready to insert.
type importRow struct {
	cols     []string // columns given, in name order
	args     []any
	group    string // group_id of a table keyed by group (stateTable.group)
	clearPos int64  // conversations' clear_pos
}

// importTable is the checked rows of one table.
type importTable struct {
	st   *stateTable
	rows []importRow
}

// ImportApp replaces the app's state by doc's, in one transaction, and
// imports its admins again. The document is checked whole before the
// transaction starts.
func (db *DB) ImportApp(ctx context.Context, app uint64, doc *im.StateDoc, admins []string) error {
	tables, err := checkStateDoc(doc)
	if err != nil {
		return err
	}
	return db.write(ctx, func(tx *Tx) error { return importApp(ctx, tx, app, tables, admins) })
}

// importApp empties the app and inserts the checked tables.
func importApp(ctx context.Context, tx *Tx, app uint64, tables []importTable, admins []string) error {
	if err := resetApp(ctx, tx, app); err != nil {
		return err
	}
	ids := &importIDs{groups: map[string]int64{}}
	for _, t := range tables {
		for n, r := range t.rows {
			if err := t.st.insert(ctx, tx, app, r, ids); err != nil {
				return rowError(t.st, n, err)
			}
		}
	}
	return ensureAccounts(ctx, tx, app, admins)
}

// rowError names the row a failed insert came from: the database refusing
// a row (a duplicate key, a missing column) is the document's fault.
func rowError(st *stateTable, n int, err error) error {
	var de *im.Error
	if errors.As(err, &de) {
		return im.Errorf(de.Code, "%s[%d]: %s", st.field, n, de.Info)
	}
	if !refusedRow(err) {
		return err
	}
	return im.Errorf(im.CodeMgmtInvalid, "%s[%d]: the database refused the row: %v", st.field, n, err)
}

// importIDs are the storage numbers the import handed out: the groups' seq
// by GroupId, and the C2C messages' ids in document order.
type importIDs struct {
	groups map[string]int64
	msgs   []int64
}

// insert inserts one row of the table.
func (st *stateTable) insert(ctx context.Context, tx *Tx, app uint64, r importRow, ids *importIDs) error {
	names := append([]string{"app_id"}, r.cols...)
	args := append([]any{int64(app)}, r.args...)
	if st.group {
		seq, ok := ids.groups[r.group]
		if !ok {
			return im.Errorf(im.CodeMgmtInvalid, "group_id %q is not a group of the document", r.group)
		}
		names, args = append(names, "group_seq"), append(args, seq)
	}
	if st.clearPos {
		if r.clearPos > int64(len(ids.msgs)) {
			return im.Errorf(im.CodeMgmtInvalid, "clear_pos %d is past the document's %d C2C messages", r.clearPos, len(ids.msgs))
		}
		var clear int64
		if r.clearPos > 0 {
			clear = ids.msgs[r.clearPos-1]
		}
		names, args = append(names, "clear_id"), append(args, clear)
	}
	marks := make([]string, len(names))
	for i := range marks {
		marks[i] = "$" + strconv.Itoa(i+1)
	}
	q := "INSERT INTO " + st.table + " (" + strings.Join(names, ", ") + ") VALUES (" + strings.Join(marks, ", ") +
		") ON CONFLICT DO NOTHING"
	if st.storageID == "" {
		res, err := st.exec(ctx, tx, r, q, args)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return errors.Join(err, im.Errorf(im.CodeMgmtInvalid, "a row with the same key comes earlier"))
		}
		return nil
	}
	return st.insertNumbered(ctx, tx, q, args, r, ids)
}

// full reports whether the row gives every column, as an export does: its
// insert is one of a few texts, worth keeping prepared. Rows of
// hand-written documents give any subset, so their inserts run unprepared
// rather than fill the statement cache (stmtcache.go).
func (st *stateTable) full(r importRow) bool { return len(r.cols) == len(st.text)+len(st.ints) }

// exec runs an insert, prepared when the row is full.
func (st *stateTable) exec(ctx context.Context, tx *Tx, r importRow, q string, args []any) (sql.Result, error) {
	if st.full(r) {
		return tx.ExecContext(ctx, q, args...)
	}
	return tx.execUnprepared(ctx, q, args...)
}

// insertNumbered inserts a row the database numbers and records its number.
func (st *stateTable) insertNumbered(ctx context.Context, tx *Tx, q string, args []any, r importRow, ids *importIDs) error {
	var id int64
	q += " RETURNING " + st.storageID
	var row *sql.Row
	if st.full(r) {
		row = tx.QueryRowContext(ctx, q, args...)
	} else {
		row = tx.queryRowUnprepared(ctx, q, args...)
	}
	err := row.Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return im.Errorf(im.CodeMgmtInvalid, "a row with the same key comes earlier")
	}
	if err != nil {
		return err
	}
	if st.table == "im_groups" {
		ids.groups[r.group] = id
	} else {
		ids.msgs = append(ids.msgs, id)
	}
	return nil
}

// checkStateDoc checks the document's format and every row's columns and
// values, and returns its rows ready to insert.
func checkStateDoc(doc *im.StateDoc) ([]importTable, error) {
	if doc.Format != im.StateFormat || doc.Version != im.StateVersion {
		return nil, im.Errorf(im.CodeMgmtInvalid, "not a state document: Format must be %q and Version %d (got %q, %d)",
			im.StateFormat, im.StateVersion, doc.Format, doc.Version)
	}
	out := make([]importTable, 0, len(stateTables))
	for i := range stateTables {
		st := &stateTables[i]
		t := importTable{st: st}
		for n, row := range *st.rows(doc) {
			r, err := st.check(row)
			if err != nil {
				return nil, im.Errorf(im.CodeMgmtInvalid, "%s[%d]: %v", st.field, n, err)
			}
			t.rows = append(t.rows, r)
		}
		out = append(out, t)
	}
	return out, nil
}

// check reads one row of the table: every key a column of it, every value
// of the column's type.
func (st *stateTable) check(row im.StateRow) (importRow, error) {
	var r importRow
	if row == nil {
		return r, errors.New("a row must be an object")
	}
	groupSet := false
	for _, k := range slices.Sorted(maps.Keys(row)) {
		raw := row[k]
		switch {
		case slices.Contains(st.text, k):
			s, err := textValue(k, raw)
			if err != nil {
				return r, err
			}
			r.cols, r.args = append(r.cols, k), append(r.args, s)
			if st.table == "im_groups" && k == "group_id" {
				r.group = s
			}
		case slices.Contains(st.ints, k):
			n, err := intValue(k, raw)
			if err != nil {
				return r, err
			}
			r.cols, r.args = append(r.cols, k), append(r.args, n)
		case st.group && k == "group_id":
			s, err := textValue(k, raw)
			r.group, groupSet = s, true
			if err != nil {
				return r, err
			}
		case st.clearPos && k == "clear_pos":
			n, err := intValue(k, raw)
			if err != nil || n < 0 {
				return r, errors.Join(err, errors.New("clear_pos must not be negative"))
			}
			r.clearPos = n
		default:
			return r, fmt.Errorf("%q is not a column of %s", k, st.field)
		}
	}
	if st.group && !groupSet {
		return r, errors.New("group_id is required")
	}
	return r, nil
}

// textValue reads a JSON string that both databases can store.
func textValue(col string, raw json.RawMessage) (string, error) {
	var s string
	if strings.TrimSpace(string(raw)) == "null" || json.Unmarshal(raw, &s) != nil {
		return "", fmt.Errorf("%s must be a string", col)
	}
	if !storableText(s) {
		return "", fmt.Errorf("%s holds a NUL character", col)
	}
	return s, nil
}

// intValue reads a JSON integer of 64 bits.
func intValue(col string, raw json.RawMessage) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(string(raw)), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s must be an integer of 64 bits", col)
	}
	return n, nil
}
