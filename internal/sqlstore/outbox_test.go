package sqlstore

import (
	"context"
	"testing"
	"time"
)

// Ensure AnyDue tells whether a claim could find something, without a
// write: the sender asks it before claiming for an idle app, several times a
// second per app.
func TestAnyDue(t *testing.T) {
	ctx := context.Background()
	db := openQuietSQLite(t)        // only the statements below write
	fillEvents(t, db, 3, "pending") // due at 0, that is at once
	if _, err := db.w.ExecContext(ctx, "UPDATE events SET next_attempt_at = $1", time.Now().Add(time.Hour).UnixMilli()); err != nil {
		t.Fatal(err)
	}
	before, _ := db.BatchStats()
	later := time.Now().Add(2 * time.Hour)
	for _, c := range []struct {
		at   time.Time
		app  uint64
		want bool
	}{{time.Now(), benchApp, false}, {later, benchApp, true}, {later, benchApp + 1, false}} {
		if due, err := db.AnyDue(ctx, c.app, c.at); err != nil || due != c.want {
			t.Errorf("AnyDue(app %d, %v) = %v, %v; want %v", c.app, c.at, due, err, c.want)
		}
	}
	if _, err := db.ClaimEvents(ctx, "i", benchApp, later, time.Minute, 10, 0); err != nil {
		t.Fatal(err)
	}
	if due, err := db.AnyDue(ctx, benchApp, later); err != nil || due {
		t.Errorf("AnyDue with every due event leased = %v, %v; want false", due, err)
	}
	if after, _ := db.BatchStats(); after != before+1 {
		t.Errorf("AnyDue and a claim ran %d write transactions, want the claim's 1", after-before)
	}
}
