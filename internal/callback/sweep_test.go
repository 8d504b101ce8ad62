package callback_test

import (
	"context"
	"testing"
	"time"

	"github.com/timd/timd/internal/callback"
	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

// Ensure the sender's retention sweep, which runs when it starts and hourly
// after, deletes captured callbacks older than the retention and keeps the
// others.
func TestSender_SweepPurgesOldCaptures(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		e := newEnv(t, dsn, "", func() time.Time { return now }, nil)
		ctx := context.Background()
		for _, at := range []time.Time{now.Add(-48 * time.Hour), now.Add(-time.Hour)} {
			if _, err := e.db.CaptureCallback(ctx, im.Captured{AppID: testApp, Command: "Sns.CallbackFriendAdd",
				Phase: im.CaptureAfter, Body: []byte(`{}`), CapturedAt: at}); err != nil {
				t.Fatal(err)
			}
		}
		e.start(callback.Options{Retention: 24 * time.Hour, Now: func() time.Time { return now }})
		deadline := time.Now().Add(10 * time.Second)
		for {
			got, err := e.db.ListCaptured(ctx, testApp, im.CaptureFilter{}, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) == 1 && got[0].CapturedAt.Equal(now.Add(-time.Hour)) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("captures after the sweep: %+v, want the one of an hour ago", got)
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
}
