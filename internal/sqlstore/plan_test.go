package sqlstore

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/timd/timd/internal/dbtest"
)

// Ensure SQLite plans the queries that find rows by a secondary key with that
// key's index, on the writer and on a reader, in a new database and in one
// opened again: without the planner statistics of migration 0006 each of
// these walked every row of the app (the primary key on app_id alone), so
// dismissals, joined-group lists and account deletions slowed as data grew.
func TestQueryPlans_UseTheirIndex(t *testing.T) {
	ctx := context.Background()
	dsn := dbtest.SQLiteDSN(t)
	for _, round := range []string{"new", "reopened"} {
		db, err := Open(ctx, dsn, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct{ query, want string }{
			{"DELETE FROM contact_items WHERE app_id = 1 AND type = 2 AND peer = 'g'",
				"contact_items_by_peer (app_id=? AND type=? AND peer=?)"},
			{"DELETE FROM contact_group_items WHERE app_id = 1 AND type = 2 AND peer = 'g'",
				"contact_group_items_by_peer (app_id=? AND type=? AND peer=?)"},
			{"SELECT COUNT(*) FROM group_members m JOIN im_groups g ON g.seq = m.group_seq WHERE m.app_id = 1 AND m.user_id = 'u'",
				"group_members_by_user (app_id=? AND user_id=?)"},
			{"DELETE FROM group_members WHERE app_id = 1 AND user_id = 'u'",
				"group_members_by_user (app_id=? AND user_id=?)"},
			{"DELETE FROM friends WHERE app_id = 1 AND friend_id = 'u'",
				"friends_by_friend (app_id=? AND friend_id=?)"},
			{"DELETE FROM friend_list_members WHERE app_id = 1 AND friend_id = 'u'",
				"friend_list_members_by_peer (app_id=? AND friend_id=?)"},
			{"SELECT seq, group_id FROM im_groups WHERE app_id = 1 AND seq > 0 ORDER BY seq LIMIT 10",
				"im_groups_by_seq (app_id=? AND seq>?)"},
			{"DELETE FROM events WHERE state = 'delivered' AND delivered_at < 5 AND app_id = 1",
				"events_delivered (delivered_at<?)"},
			{"SELECT id FROM events WHERE app_id = 1 AND state = 'dead' AND id > 5 ORDER BY id LIMIT 10",
				"INDEX events_dead (app_id=? AND id>?)"},
			{"UPDATE events SET state = 'pending' WHERE app_id = 1 AND state = 'dead'",
				"events_dead (app_id=?)"},
			{"DELETE FROM conversations WHERE app_id = 1 AND type = 1 AND (owner = 'a' AND peer = 'b' OR owner = 'b' AND peer = 'a')",
				"MULTI-INDEX OR; INDEX 1; SEARCH conversations USING PRIMARY KEY (app_id=? AND owner=? AND type=? AND peer=?); INDEX 2; SEARCH conversations USING PRIMARY KEY (app_id=? AND owner=? AND type=? AND peer=?)"},
			{"SELECT app_id, group_seq, user_id FROM group_outside_mutes WHERE mute_until <= 5 ORDER BY mute_until LIMIT 500",
				"group_outside_mutes_ended (mute_until<?)"},
			{"SELECT 1 FROM c2c_msgs WHERE app_id = 1 AND peer_lo = 'a' AND peer_hi = 'b' LIMIT 1",
				"c2c_msgs_conv (app_id=? AND peer_lo=? AND peer_hi=?)"},
		} {
			for name, pool := range map[string]*sql.DB{"writer": db.w, "reader": db.r} {
				plan := explain(t, pool, c.query)
				if !strings.Contains(plan, c.want) {
					t.Errorf("%s, %s: %s\nplan: %s\nwant the index %s", round, name, c.query, plan, c.want)
				}
			}
		}
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	}
}

func explain(t *testing.T, pool *sql.DB, query string) string {
	t.Helper()
	rows, err := pool.Query("EXPLAIN QUERY PLAN " + query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	return strings.Join(plan, "; ")
}

// Ensure every index, and the primary key of every WITHOUT ROWID table, has
// planner statistics: migration 0006 writes them by hand, so a table or an
// index added later without its row would be planned on SQLite's default
// guesses, which is how the walks of the app's whole key came about.
func TestPlannerStats_CoverEveryIndex(t *testing.T) {
	ctx := context.Background()
	db := openSQLite(t)
	stats := map[string]bool{}
	rows, err := db.w.QueryContext(ctx, "SELECT tbl, idx FROM sqlite_stat1")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var tbl, idx string
		if err := rows.Scan(&tbl, &idx); err != nil {
			t.Fatal(err)
		}
		stats[tbl+"."+idx] = true
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	rows, err = db.w.QueryContext(ctx, `SELECT type, name, tbl_name, COALESCE(sql, '') FROM sqlite_schema
		WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite_%' AND tbl_name NOT LIKE 'schema_%'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	checked := 0
	for rows.Next() {
		var typ, name, tbl, ddl string
		if err := rows.Scan(&typ, &name, &tbl, &ddl); err != nil {
			t.Fatal(err)
		}
		if typ == "table" && !strings.Contains(strings.ToUpper(ddl), "WITHOUT ROWID") {
			continue // a rowid table's own key needs no statistics
		}
		checked++
		if !stats[tbl+"."+name] {
			t.Errorf("%s %s of %s has no row in sqlite_stat1: add one to the planner statistics", typ, name, tbl)
		}
	}
	if checked < 20 {
		t.Errorf("checked %d indexes: the schema query found too few", checked)
	}
}

// Ensure the store's SQL takes no LIMIT straight from a bound parameter
// (limitParam says why: SQLite prepares such a statement again each time
// the value changes).
func TestNoBareLimitParam(t *testing.T) {
	bare := regexp.MustCompile("LIMIT \\$[0-9\"`]")
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(src), "\n") {
			if bare.MatchString(line) {
				t.Errorf("%s:%d: a LIMIT from a bare parameter; use CAST($n AS BIGINT) or limitParam: %s", f, i+1, strings.TrimSpace(line))
			}
		}
	}
}
