package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/timd/timd/internal/im"
)

// Snapshots of an app's state: the export document, stored by name in the
// snapshots table (migration 0022).

// MaxSnapshotName bounds a snapshot's name, in bytes.
const MaxSnapshotName = 128

// checkSnapshotName refuses a name that is empty, too long or not storable.
func checkSnapshotName(name string) error {
	if name == "" || len(name) > MaxSnapshotName || !storableText(name) {
		return im.Errorf(im.CodeMgmtInvalid, "Name must be 1 to %d bytes, without NUL", MaxSnapshotName)
	}
	return nil
}

// SaveSnapshot stores the app's state under name, replacing a snapshot of
// that name.
func (db *DB) SaveSnapshot(ctx context.Context, app uint64, name string) (*im.Snapshot, error) {
	if err := checkSnapshotName(name); err != nil {
		return nil, err
	}
	var snap *im.Snapshot
	err := db.write(ctx, func(tx *Tx) error {
		doc, err := exportApp(ctx, tx, app)
		if err != nil {
			return err
		}
		b, err := json.Marshal(doc)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `
			INSERT INTO snapshots (app_id, name, doc, created_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (app_id, name) DO UPDATE SET doc = excluded.doc, created_at = excluded.created_at`,
			int64(app), name, string(b), tx.now.UnixMilli())
		snap = &im.Snapshot{Name: name, CreatedAt: msTime(tx.now.UnixMilli()), Size: len([]rune(string(b)))}
		return err
	})
	if err != nil {
		return nil, err
	}
	return snap, nil
}

// RestoreSnapshot replaces the app's state by the snapshot's, as ImportApp.
func (db *DB) RestoreSnapshot(ctx context.Context, app uint64, name string, admins []string) error {
	if err := checkSnapshotName(name); err != nil {
		return err
	}
	return db.write(ctx, func(tx *Tx) error {
		var text string
		err := tx.QueryRowContext(ctx, "SELECT doc FROM snapshots WHERE app_id = $1 AND name = $2", int64(app), name).Scan(&text)
		if errors.Is(err, sql.ErrNoRows) {
			return snapshotNotFound(name)
		}
		if err != nil {
			return err
		}
		var doc im.StateDoc
		if err := json.Unmarshal([]byte(text), &doc); err != nil {
			return err
		}
		tables, err := checkStateDoc(&doc)
		if err != nil {
			return err
		}
		return importApp(ctx, tx, app, tables, admins)
	})
}

func snapshotNotFound(name string) error {
	return im.Errorf(im.CodeMgmtInvalid, "no snapshot named %q", name)
}

// ListSnapshots lists the app's snapshots by name, never nil.
func (db *DB) ListSnapshots(ctx context.Context, app uint64) ([]im.Snapshot, error) {
	out := []im.Snapshot{}
	err := db.read(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx,
			"SELECT name, created_at, LENGTH(doc) FROM snapshots WHERE app_id = $1 ORDER BY name", int64(app))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s im.Snapshot
			var created int64
			if err := rows.Scan(&s.Name, &created, &s.Size); err != nil {
				return err
			}
			s.CreatedAt = msTime(created)
			out = append(out, s)
		}
		return rows.Err()
	})
	return out, err
}

// DeleteSnapshot deletes one snapshot of the app.
func (db *DB) DeleteSnapshot(ctx context.Context, app uint64, name string) error {
	if err := checkSnapshotName(name); err != nil {
		return err
	}
	return db.write(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM snapshots WHERE app_id = $1 AND name = $2", int64(app), name)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errors.Join(err, snapshotNotFound(name))
		}
		return nil
	})
}
