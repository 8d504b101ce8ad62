package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/timd/timd/internal/dbtest"
)

// The migrations are written twice, once per database (dialect.go). These
// tests read both schemas back from the catalogs of fresh stores and check
// that they say the same: tables, columns (type and nullability), primary
// keys and indexes (columns, unique, partial). What differs on purpose is
// listed below with the reason.

// schemaColumn is one column as the comparison sees it: the PostgreSQL
// type name (SQLite's declared type translated by sqliteTypes) and whether
// NULL is refused.
type schemaColumn struct {
	Type    string
	NotNull bool
}

// schemaIndex is one secondary index: its table, its columns in order,
// and whether it is unique and partial. Indexes backing a UNIQUE column
// constraint are named "<table>(<cols>) unique", as the two databases name
// them differently.
type schemaIndex struct {
	Table, Columns  string
	Unique, Partial bool
}

// schema is what one database says about the store's tables.
type schema struct {
	Columns map[string]map[string]schemaColumn // table → column
	Keys    map[string]string                  // table → primary key columns
	Indexes map[string]schemaIndex             // name → index
}

// sqliteTypes maps SQLite's declared column types to the PostgreSQL type
// the same column has in the PostgreSQL migrations. The store writes only
// 64-bit integers and text, so INTEGER is bigint; there is no BLOB column
// today, and one would be bytea.
var sqliteTypes = map[string]string{
	"INTEGER": "bigint",
	"BIGINT":  "bigint",
	"TEXT":    "text",
	"BLOB":    "bytea",
}

// sqliteOnlyTables are SQLite's own bookkeeping, with no PostgreSQL twin.
var sqliteOnlyTables = map[string]string{
	"sqlite_sequence": "SQLite's AUTOINCREMENT counters; PostgreSQL keeps them in BIGSERIAL sequences",
	"sqlite_stat1":    "SQLite's planner statistics, written by migration 0006; PostgreSQL gathers its own",
	"sqlite_stat4":    "SQLite's sampled planner statistics, created by 0006's ANALYZE (empty); PostgreSQL gathers its own",
}

// sqliteNullableKeys are primary-key columns that SQLite's catalog reports
// nullable: a rowid table (not WITHOUT ROWID) admits NULL in a primary key
// that is not an INTEGER one, a quirk SQLite keeps for compatibility.
// timd writes constants there (the app slot, a migration's file name).
var sqliteNullableKeys = map[string]string{
	"apps.slot":              "rowid table with a TEXT primary key",
	"schema_migrations.name": "rowid table with a TEXT primary key",
}

// Ensure the SQLite schema uses only column types the comparison knows,
// and that every deliberate difference listed above still exists: a stale
// entry would hide drift.
func TestSchema_SQLiteKnown(t *testing.T) {
	s := readSQLiteSchema(t)
	for table, cols := range s.Columns {
		for name, c := range cols {
			if c.Type == "" && sqliteOnlyTables[table] == "" {
				t.Errorf("%s.%s: declared type not in sqliteTypes", table, name)
			}
		}
	}
	for table := range sqliteOnlyTables {
		if s.Columns[table] == nil {
			t.Errorf("sqliteOnlyTables lists %s, which SQLite no longer has", table)
		}
	}
	for col := range sqliteNullableKeys {
		table, name, _ := strings.Cut(col, ".")
		if c, ok := s.Columns[table][name]; !ok || c.NotNull {
			t.Errorf("sqliteNullableKeys lists %s, which is not a nullable SQLite column", col)
		}
	}
}

// Ensure a fresh SQLite store and a fresh PostgreSQL store have the same
// tables, columns, primary keys and indexes, but for the differences listed
// above. The PostgreSQL half needs TIMD_TEST_POSTGRES_DSN.
func TestSchema_SameOnBothDatabases(t *testing.T) {
	lite := readSQLiteSchema(t)
	for table := range sqliteOnlyTables {
		delete(lite.Columns, table)
	}
	for col := range sqliteNullableKeys {
		table, name, _ := strings.Cut(col, ".")
		c := lite.Columns[table][name]
		c.NotNull = true
		lite.Columns[table][name] = c
	}
	pg := readPostgresSchema(t)

	if got, want := sortedKeys(pg.Columns), sortedKeys(lite.Columns); !slices.Equal(got, want) {
		t.Errorf("tables:\n postgres %v\n sqlite   %v", got, want)
	}
	for table, cols := range lite.Columns {
		for name, c := range cols {
			if p, ok := pg.Columns[table][name]; ok && p != c {
				t.Errorf("%s.%s: postgres %+v, sqlite %+v", table, name, p, c)
			}
		}
		if got, want := sortedKeys(pg.Columns[table]), sortedKeys(cols); pg.Columns[table] != nil && !slices.Equal(got, want) {
			t.Errorf("%s columns:\n postgres %v\n sqlite   %v", table, got, want)
		}
	}
	if !maps.Equal(pg.Keys, lite.Keys) {
		t.Errorf("primary keys:\n postgres %v\n sqlite   %v", pg.Keys, lite.Keys)
	}
	for _, name := range unionSorted(sortedKeys(pg.Indexes), sortedKeys(lite.Indexes)) {
		p, inPG := pg.Indexes[name]
		l, inLite := lite.Indexes[name]
		if !inPG || !inLite || p != l {
			t.Errorf("index %s:\n postgres %+v (present %v)\n sqlite   %+v (present %v)", name, p, inPG, l, inLite)
		}
	}
}

func readSQLiteSchema(t *testing.T) schema {
	t.Helper()
	db := openSQLite(t)
	ctx := context.Background()
	s := schema{Columns: map[string]map[string]schemaColumn{}, Keys: map[string]string{}, Indexes: map[string]schemaIndex{}}
	tables := catalogStrings(t, db.r, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
	for _, table := range tables {
		s.Columns[table] = map[string]schemaColumn{}
		withoutRowid := len(catalogStrings(t, db.r,
			"SELECT name FROM sqlite_master WHERE name = $1 AND sql LIKE '%WITHOUT ROWID%'", table)) > 0
		rows, err := db.r.QueryContext(ctx, `SELECT name, type, "notnull", pk FROM pragma_table_info($1) ORDER BY cid`, table)
		if err != nil {
			t.Fatal(err)
		}
		var key []string
		for rows.Next() {
			var name, typ string
			var notNull bool
			var pk int
			if err := rows.Scan(&name, &typ, &notNull, &pk); err != nil {
				t.Fatal(err)
			}
			// A primary key refuses NULL in a WITHOUT ROWID table and
			// as a rowid alias (INTEGER), though the catalog says nothing.
			notNull = notNull || pk > 0 && (withoutRowid || strings.EqualFold(typ, "INTEGER"))
			s.Columns[table][name] = schemaColumn{Type: sqliteTypes[strings.ToUpper(typ)], NotNull: notNull}
			if pk > 0 {
				key = append(key, fmt.Sprintf("%d:%s", pk, name))
			}
		}
		closeOrFatal(t, rows)
		if len(key) > 0 {
			slices.Sort(key) // by position in the key; fewer than 10 columns
			for i := range key {
				_, key[i], _ = strings.Cut(key[i], ":")
			}
			s.Keys[table] = strings.Join(key, ",")
		}
		readSQLiteIndexes(t, db.r, table, s.Indexes)
	}
	return s
}

// readSQLiteIndexes adds table's secondary indexes to into; the primary
// key's own index (origin "pk") is compared as the table's key instead.
func readSQLiteIndexes(t *testing.T, r *sql.DB, table string, into map[string]schemaIndex) {
	t.Helper()
	rows, err := r.QueryContext(context.Background(), `SELECT name, "unique", origin, partial FROM pragma_index_list($1)`, table)
	if err != nil {
		t.Fatal(err)
	}
	type listed struct {
		name, origin    string
		unique, partial bool
	}
	var all []listed
	for rows.Next() {
		var l listed
		if err := rows.Scan(&l.name, &l.unique, &l.origin, &l.partial); err != nil {
			t.Fatal(err)
		}
		all = append(all, l)
	}
	closeOrFatal(t, rows)
	for _, l := range all {
		if l.origin == "pk" {
			continue
		}
		cols := strings.Join(catalogStrings(t, r, "SELECT name FROM pragma_index_info($1) ORDER BY seqno", l.name), ",")
		name := l.name
		if l.origin == "u" {
			name = table + "(" + cols + ") unique"
		}
		into[name] = schemaIndex{Table: table, Columns: cols, Unique: l.unique, Partial: l.partial}
	}
}

func readPostgresSchema(t *testing.T) schema {
	t.Helper()
	db, err := Open(context.Background(), dbtest.PostgresDSN(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	ctx := context.Background()
	s := schema{Columns: map[string]map[string]schemaColumn{}, Keys: map[string]string{}, Indexes: map[string]schemaIndex{}}
	rows, err := db.r.QueryContext(ctx, `
		SELECT table_name, column_name, data_type, is_nullable = 'NO'
		FROM information_schema.columns WHERE table_schema = current_schema()`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var table, name string
		var c schemaColumn
		if err := rows.Scan(&table, &name, &c.Type, &c.NotNull); err != nil {
			t.Fatal(err)
		}
		if s.Columns[table] == nil {
			s.Columns[table] = map[string]schemaColumn{}
		}
		s.Columns[table][name] = c
	}
	closeOrFatal(t, rows)

	rows, err = db.r.QueryContext(ctx, `
		SELECT i.relname, t.relname, ix.indisprimary, ix.indisunique, ix.indpred IS NOT NULL,
			EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = ix.indexrelid AND c.contype = 'u'),
			array_to_string(ARRAY(SELECT pg_get_indexdef(ix.indexrelid, k, true)
				FROM generate_series(1, ix.indnatts) k ORDER BY k), ',')
		FROM pg_index ix
		JOIN pg_class i ON i.oid = ix.indexrelid
		JOIN pg_class t ON t.oid = ix.indrelid
		JOIN pg_namespace n ON n.oid = t.relnamespace
		WHERE n.nspname = current_schema()`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		var ix schemaIndex
		var primary, constraint bool
		if err := rows.Scan(&name, &ix.Table, &primary, &ix.Unique, &ix.Partial, &constraint, &ix.Columns); err != nil {
			t.Fatal(err)
		}
		switch {
		case primary:
			s.Keys[ix.Table] = ix.Columns
		case constraint:
			s.Indexes[ix.Table+"("+ix.Columns+") unique"] = ix
		default:
			s.Indexes[name] = ix
		}
	}
	closeOrFatal(t, rows)
	return s
}

func catalogStrings(t *testing.T, db *sql.DB, query string, args ...any) []string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), query, args...)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	closeOrFatal(t, rows)
	return out
}

func closeOrFatal(t *testing.T, rows *sql.Rows) {
	t.Helper()
	if err := closeRows(rows); err != nil {
		t.Fatal(err)
	}
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

func unionSorted(a, b []string) []string {
	return slices.Compact(slices.Sorted(slices.Values(append(a, b...))))
}
