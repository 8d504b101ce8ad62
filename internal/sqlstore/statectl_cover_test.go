package sqlstore

import (
	"reflect"
	"slices"
	"testing"

	"github.com/timd/timd/internal/im"
)

// Ensure state control covers the schema: every table keyed by app_id is
// exported (stateTables), dropped by a reset (droppedTables) or kept
// (keptTables), once; an exported table's columns are exactly the schema's,
// each of its type; and every exported table has its im.StateDoc field and
// every list field of im.StateDoc its table. A migration adding a table or
// a column fails here until state control knows what to do with it.
func TestStateTables_Cover(t *testing.T) {
	s := readSQLiteSchema(t)
	listed := map[string]int{}
	for _, st := range stateTables {
		listed[st.table]++
	}
	for _, table := range slices.Concat(droppedTables, keptTables) {
		listed[table]++
	}
	for table, columns := range s.Columns {
		if _, ok := columns["app_id"]; ok && listed[table] != 1 {
			t.Errorf("table %s is keyed by app_id and listed %d times: add it to stateTables, droppedTables or keptTables", table, listed[table])
		}
	}
	for table := range listed {
		if s.Columns[table] == nil {
			t.Errorf("state control lists %s, which the schema does not have", table)
		}
	}
	fields := map[string]bool{}
	for _, st := range stateTables {
		fields[st.field] = true
		checkStateColumns(t, &st, s.Columns[st.table])
	}
	typ := reflect.TypeFor[im.StateDoc]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		if f.Type == reflect.TypeFor[[]im.StateRow]() && !fields[f.Name] {
			t.Errorf("im.StateDoc.%s is the rows of no table of stateTables", f.Name)
		}
	}
}

// Ensure stateTables lists a table after those its rows refer to by storage
// number: groups before the tables keyed by group, C2C messages before
// conversations (export counts clear_pos, import numbers them, in order).
func TestStateTables_Order(t *testing.T) {
	at := map[string]int{}
	for i, st := range stateTables {
		at[st.table] = i
	}
	for i, st := range stateTables {
		if st.group && i < at["im_groups"] || st.clearPos && i < at["c2c_msgs"] {
			t.Errorf("%s comes before the table it refers to", st.table)
		}
	}
}

// checkStateColumns compares a stateTable's columns with the schema's.
func checkStateColumns(t *testing.T, st *stateTable, schema map[string]schemaColumn) {
	t.Helper()
	want := map[string]string{"app_id": "bigint"}
	for _, c := range st.text {
		want[c] = "text"
	}
	for _, c := range st.ints {
		want[c] = "bigint"
	}
	if st.storageID != "" {
		want[st.storageID] = "bigint"
	}
	if st.group {
		want["group_seq"] = "bigint"
	}
	if st.clearPos {
		want["clear_id"] = "bigint"
	}
	for c, typ := range want {
		if got, ok := schema[c]; !ok || got.Type != typ {
			t.Errorf("%s.%s: stateTables says %s, the schema %+v", st.table, c, typ, got)
		}
	}
	for c := range schema {
		if _, ok := want[c]; !ok {
			t.Errorf("%s.%s is not in stateTables: export and import would lose it", st.table, c)
		}
	}
}
