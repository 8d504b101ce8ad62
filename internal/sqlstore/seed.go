package sqlstore

import (
	"context"
	"fmt"
)

// SeedSpec describes synthetic data for scale measurements: accounts
// seed_u0..seed_u<Accounts-1>, and Public groups seed-0..seed-<Groups-1> of
// MembersPerGroup members each, the first of them the owner. Group x's
// members are the accounts (x*MembersPerGroup + j) mod Accounts, so every
// account is in about Groups*MembersPerGroup/Accounts groups.
type SeedSpec struct {
	App             uint64
	Accounts        int
	Groups          int
	MembersPerGroup int
}

// seedChunk is how many groups one seeding transaction writes.
const seedChunk = 20000

// Seed writes spec's rows with set-based SQL, in transactions of seedChunk
// groups, and records no callback events. It is for `timd bench --preload`:
// loading a million groups through the API would take longer than the
// measurement. Rows that already exist are kept, so it can be run again.
// progress, if set, is called after each transaction with the groups done.
func (db *DB) Seed(ctx context.Context, spec SeedSpec, progress func(done int)) error {
	m := spec.MembersPerGroup
	if spec.Accounts < m || m < 1 || spec.Groups < 0 {
		return fmt.Errorf("seed: need 1 <= MembersPerGroup <= Accounts, got %d members of %d accounts", m, spec.Accounts)
	}
	now := db.now().UnixMilli()
	app := int64(spec.App)
	for lo := 0; lo < spec.Accounts; lo += seedChunk * 5 {
		hi := min(lo+seedChunk*5, spec.Accounts) - 1
		err := db.write(ctx, func(tx *Tx) error {
			_, err := tx.ExecContext(ctx, `
				WITH RECURSIVE c(x) AS (SELECT CAST($2 AS BIGINT) UNION ALL SELECT x + 1 FROM c WHERE x < $3)
				INSERT INTO accounts (app_id, user_id, created_at)
				SELECT $1, 'seed_u' || CAST(x AS TEXT), $4 FROM c WHERE true
				ON CONFLICT DO NOTHING`, app, lo, hi, now)
			return err
		})
		if err != nil {
			return fmt.Errorf("seed accounts: %w", err)
		}
	}
	for lo := 0; lo < spec.Groups; lo += seedChunk {
		hi := min(lo+seedChunk, spec.Groups) - 1
		err := db.write(ctx, func(tx *Tx) error {
			if _, err := tx.ExecContext(ctx, `
				WITH RECURSIVE c(x) AS (SELECT CAST($2 AS BIGINT) UNION ALL SELECT x + 1 FROM c WHERE x < $3)
				INSERT INTO im_groups (app_id, group_id, type, name, owner, created_at, info_time,
					member_num, join_counter, max_members, apply_join, invite_join)
				SELECT $1, 'seed-' || CAST(x AS TEXT), 'Public', 'seed', 'seed_u' || CAST((x * $4) % $5 AS TEXT),
					$6, $6, $4, $4, 2000, 'NeedPermission', 'NeedPermission' FROM c WHERE true
				ON CONFLICT DO NOTHING`, app, lo, hi, m, spec.Accounts, now); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `
				WITH RECURSIVE c(x) AS (SELECT CAST($2 AS BIGINT) UNION ALL SELECT x + 1 FROM c WHERE x < $3),
				j(y) AS (SELECT CAST(0 AS BIGINT) UNION ALL SELECT y + 1 FROM j WHERE y < $4 - 1)
				INSERT INTO group_members (app_id, group_seq, user_id, role, join_time, join_seq)
				SELECT $1, g.seq, 'seed_u' || CAST((c.x * $4 + j.y) % $5 AS TEXT),
					CASE WHEN j.y = 0 THEN 'Owner' ELSE 'Member' END, $6, j.y + 1
				FROM c JOIN im_groups g ON g.app_id = $1 AND g.group_id = 'seed-' || CAST(c.x AS TEXT)
				CROSS JOIN j WHERE true
				ON CONFLICT DO NOTHING`, app, lo, hi, m, spec.Accounts, now)
			return err
		})
		if err != nil {
			return fmt.Errorf("seed groups: %w", err)
		}
		if progress != nil {
			progress(hi + 1)
		}
	}
	return nil
}
