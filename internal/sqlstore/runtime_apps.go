package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/timd/timd/internal/im"
)

// Apps created while timd runs (timd_apps, docs/control-apps.md): the
// runtime_apps table, and the deletion of an app with all its data.

const runtimeAppCols = "sdkappid, secret_key, admins, edition, callback_url, control, settings"

// appSettings is runtime_apps.settings: what an app sets of its callbacks
// beyond the URL, and its custom profile fields. Zero values are the
// defaults, as in im.CallbackConfig; durations are milliseconds.
type appSettings struct {
	Token           string            `json:",omitempty"`
	Secrets         []string          `json:",omitempty"`
	Commands        []string          `json:",omitempty"`
	TimeoutMs       int64             `json:",omitempty"`
	RetryMs         []int64           `json:",omitempty"`
	Concurrency     int               `json:",omitempty"`
	BeforeTimeoutMs int64             `json:",omitempty"`
	RejectOnFailure bool              `json:",omitempty"`
	ProfileFields   []im.ProfileField `json:",omitempty"`
}

// settingsOf encodes app's settings, "" when every one is its default.
func settingsOf(app *im.App) (string, error) {
	cb := app.Callback
	st := appSettings{Token: cb.Token, Secrets: cb.Secret, Commands: cb.Commands,
		TimeoutMs: cb.Timeout.Milliseconds(), Concurrency: cb.Concurrency,
		BeforeTimeoutMs: cb.BeforeTimeout.Milliseconds(), RejectOnFailure: cb.RejectOnFailure,
		ProfileFields: app.ProfileFields}
	for _, d := range cb.Retry {
		st.RetryMs = append(st.RetryMs, d.Milliseconds())
	}
	b, err := json.Marshal(st)
	if err != nil || string(b) == "{}" {
		return "", err
	}
	return string(b), nil
}

// applySettings sets on app what settings encodes.
func applySettings(app *im.App, settings string) error {
	if settings == "" {
		return nil
	}
	var st appSettings
	if err := json.Unmarshal([]byte(settings), &st); err != nil {
		return err
	}
	cb := &app.Callback
	cb.Token, cb.Secret, cb.Commands = st.Token, st.Secrets, st.Commands
	cb.Timeout = time.Duration(st.TimeoutMs) * time.Millisecond
	cb.Concurrency = st.Concurrency
	cb.BeforeTimeout = time.Duration(st.BeforeTimeoutMs) * time.Millisecond
	cb.RejectOnFailure = st.RejectOnFailure
	for _, ms := range st.RetryMs {
		cb.Retry = append(cb.Retry, time.Duration(ms)*time.Millisecond)
	}
	app.ProfileFields = st.ProfileFields
	return nil
}

// CreateApp stores app and imports its admins in one transaction.
func (db *DB) CreateApp(ctx context.Context, app *im.App, taken func(uint64) bool) error {
	admins, err := json.Marshal(app.Admins)
	if err != nil {
		return err
	}
	settings, err := settingsOf(app)
	if err != nil {
		return err
	}
	want := app.SDKAppID
	var got uint64
	err = db.write(ctx, func(tx *Tx) error {
		id, err := insertRuntimeApp(ctx, tx, app, want, runtimeAppText{string(admins), settings}, taken)
		if err != nil {
			return err
		}
		got = id
		for _, u := range app.Admins {
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO accounts (app_id, user_id, created_at) VALUES ($1, $2, $3)
				ON CONFLICT (app_id, user_id) DO NOTHING`, int64(id), u, tx.now.UnixMilli()); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		app.SDKAppID = got
	}
	return err
}

// runtimeAppText are a runtime app's columns stored as JSON text.
type runtimeAppText struct{ admins, settings string }

// insertRuntimeApp inserts the app's row under id, or with id 0 under the
// lowest free id from im.FirstRuntimeAppID up, and returns the id used. On
// PostgreSQL, an insert that meets a concurrent one's row waits for it and
// then skips the id.
func insertRuntimeApp(ctx context.Context, tx *Tx, app *im.App, id uint64, text runtimeAppText, taken func(uint64) bool) (uint64, error) {
	next := id
	if id == 0 {
		var top int64
		if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(sdkappid), 0) FROM runtime_apps WHERE sdkappid >= $1",
			int64(im.FirstRuntimeAppID)).Scan(&top); err != nil {
			return 0, err
		}
		next = max(uint64(top)+1, im.FirstRuntimeAppID)
	}
	for ; ; next++ {
		if id == 0 && taken != nil && taken(next) {
			continue
		}
		dev, err := isDevApp(ctx, tx, next)
		if err != nil {
			return 0, err
		}
		if dev && id == 0 {
			continue
		}
		if dev {
			return 0, im.Errorf(im.CodeMgmtInvalid, "SdkAppId %d is the development app's", id)
		}
		res, err := tx.ExecContext(ctx, `
			INSERT INTO runtime_apps (`+runtimeAppCols+`, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (sdkappid) DO NOTHING`, int64(next), app.SecretKey, text.admins, string(app.Edition),
			app.Callback.URL, boolInt(app.Control), text.settings, tx.now.UnixMilli())
		if err != nil {
			return 0, err
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			return next, err
		}
		if id != 0 {
			return 0, im.Errorf(im.CodeMgmtInvalid, "app %d already exists: delete it first", id)
		}
	}
}

// isDevApp reports whether id is the stored development app's.
func isDevApp(ctx context.Context, tx *Tx, id uint64) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM apps WHERE sdkappid = $1", int64(id)).Scan(&n)
	return n > 0, err
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// RuntimeApps returns every app created at runtime.
func (db *DB) RuntimeApps(ctx context.Context) ([]*im.App, error) {
	var apps []*im.App
	err := db.read(ctx, func(tx *Tx) error {
		apps = apps[:0]
		rows, err := tx.QueryContext(ctx, "SELECT "+runtimeAppCols+" FROM runtime_apps ORDER BY sdkappid")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			a, err := scanRuntimeApp(rows)
			if err != nil {
				return err
			}
			apps = append(apps, a)
		}
		return rows.Err()
	})
	return apps, err
}

// RuntimeApp returns one app created at runtime, nil if there is none.
func (db *DB) RuntimeApp(ctx context.Context, sdkappid uint64) (*im.App, error) {
	var app *im.App
	err := db.read(ctx, func(tx *Tx) error {
		a, err := scanRuntimeApp(tx.QueryRowContext(ctx, "SELECT "+runtimeAppCols+" FROM runtime_apps WHERE sdkappid = $1", int64(sdkappid)))
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		app = a
		return err
	})
	return app, err
}

func scanRuntimeApp(row interface{ Scan(...any) error }) (*im.App, error) {
	var (
		a        im.App
		id       int64
		admins   string
		edition  string
		control  int64
		settings string
	)
	if err := row.Scan(&id, &a.SecretKey, &admins, &edition, &a.Callback.URL, &control, &settings); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(admins), &a.Admins); err != nil {
		return nil, fmt.Errorf("app %d admins: %w", id, err)
	}
	if err := applySettings(&a, settings); err != nil {
		return nil, fmt.Errorf("app %d settings: %w", id, err)
	}
	a.SDKAppID, a.Edition, a.Control = uint64(id), im.Edition(edition), control != 0
	return &a, nil
}

// DeleteApp deletes a runtime app's row and every row of every table keyed
// by the app (db.appTables), in one transaction.
func (db *DB) DeleteApp(ctx context.Context, sdkappid uint64) error {
	return db.write(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM runtime_apps WHERE sdkappid = $1", int64(sdkappid))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err != nil {
				return err
			}
			return im.Errorf(im.CodeMgmtInvalid, "app %d is not an app created with timd_apps/create", sdkappid)
		}
		for _, t := range db.appTables {
			if _, err := tx.ExecContext(ctx, `DELETE FROM "`+t+`" WHERE app_id = $1`, int64(sdkappid)); err != nil {
				return fmt.Errorf("delete app %d from %s: %w", sdkappid, t, err)
			}
		}
		return nil
	})
}

// loadAppTables finds every table with an app_id column: an app's data,
// which DeleteApp deletes. Read from the catalog once the migrations have
// run, so that a table a later migration adds is never left behind.
func (db *DB) loadAppTables(ctx context.Context) error {
	rows, err := db.r.QueryContext(ctx, db.dialect.appTablesQuery())
	if err != nil {
		return err
	}
	defer rows.Close()
	db.appTables = db.appTables[:0]
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return err
		}
		db.appTables = append(db.appTables, t)
	}
	return rows.Err()
}
