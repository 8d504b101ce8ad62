package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"slices"

	"github.com/timd/timd/internal/im"
)

// The relationship chain (sns): friends and friend lists. Every write locks
// the accounts rows of the users it may change (the From_Account and the
// friends it names) in UserID order before anything else, so that writes to
// one user run one at a time (on PostgreSQL across instances too) and two
// writes naming the same users cannot deadlock; account_delete, which
// deletes those rows, waits for them or they for it, so no row can name a
// deleted user. Sequences move once per call, at its end (flush).

var _ im.SNSService = (*DB)(nil)

// snsTx is one write to the relationship chain of some users.
type snsTx struct {
	ctx    context.Context
	tx     *Tx
	app    int64
	exists map[string]bool // locked users that are imported

	friends map[string]int  // friend counts read so far, kept up to date
	lists   map[string]int  // list counts read so far, kept up to date
	changed map[string]bump // sequences to move at flush
}

// bump says which of a user's sequences a call moves.
type bump struct{ list, std, custom bool }

// lockSNS locks the accounts rows of ids (those that could be UserIDs at
// all) in UserID order and notes which exist. The lock (forNoKeyUpdate)
// queues other writes to these users and account_delete, not the writes
// that only check that a user exists (forKeyShare).
func lockSNS(ctx context.Context, tx *Tx, app uint64, ids ...string) (*snsTx, error) {
	s := &snsTx{ctx: ctx, tx: tx, app: int64(app), exists: map[string]bool{},
		friends: map[string]int{}, lists: map[string]int{}, changed: map[string]bump{}}
	var sorted []string
	for _, id := range ids {
		if im.ValidUserID(id) {
			sorted = append(sorted, id)
		}
	}
	slices.Sort(sorted)
	for _, id := range slices.Compact(sorted) {
		rows, err := tx.QueryContext(ctx, "SELECT user_id FROM accounts WHERE app_id = $1 AND user_id = $2"+tx.forNoKeyUpdate(), s.app, id)
		if err != nil {
			return nil, err
		}
		s.exists[id] = rows.Next()
		if err := closeRows(rows); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// closeRows closes rows and reports their error.
func closeRows(rows *sql.Rows) error {
	err := rows.Err()
	if cerr := rows.Close(); err == nil {
		err = cerr
	}
	return err
}

// errSNSUser is the answer for a From_Account that is not imported.
func errSNSUser(user string) error {
	return im.Errorf(im.CodeSNSAccountNotFound, "From_Account %s is not imported", user)
}

// requireUser fails with 30003 unless user was locked and exists.
func (s *snsTx) requireUser(user string) error {
	if !s.exists[user] {
		return errSNSUser(user)
	}
	return nil
}

// mark notes that a user's sequences move at flush.
func (s *snsTx) mark(user string, b bump) {
	c := s.changed[user]
	s.changed[user] = bump{list: c.list || b.list, std: c.std || b.std, custom: c.custom || b.custom}
}

// flush moves each changed user's sequences by one, in UserID order.
func (s *snsTx) flush() error {
	users := make([]string, 0, len(s.changed))
	for u := range s.changed {
		users = append(users, u)
	}
	slices.Sort(users)
	for _, u := range users {
		b := s.changed[u]
		if err := ensureSNSUser(s.ctx, s.tx, s.app, u); err != nil {
			return err
		}
		if _, err := s.tx.ExecContext(s.ctx, `
			UPDATE sns_users SET list_seq = list_seq + $3, std_seq = std_seq + $4, custom_seq = custom_seq + $5
			WHERE app_id = $1 AND user_id = $2`, s.app, u, b2i(b.list), b2i(b.std), b2i(b.custom)); err != nil {
			return err
		}
	}
	clear(s.changed)
	return nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// ensureSNSUser creates a user's sequence row if it has none.
func ensureSNSUser(ctx context.Context, tx *Tx, app int64, user string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO sns_users (app_id, user_id) VALUES ($1, $2)
		ON CONFLICT (app_id, user_id) DO NOTHING`, app, user)
	return err
}

// snsSeqs reads a user's CurrentSequence, StandardSequence and
// CustomSequence; 0 for a user that never had any.
func snsSeqs(ctx context.Context, tx *Tx, app int64, user string) (list, std, custom int64, err error) {
	rows, err := tx.QueryContext(ctx, "SELECT list_seq, std_seq, custom_seq FROM sns_users WHERE app_id = $1 AND user_id = $2", app, user)
	if err != nil {
		return 0, 0, 0, err
	}
	if rows.Next() {
		err = rows.Scan(&list, &std, &custom)
	}
	return list, std, custom, firstErr(err, closeRows(rows))
}

func firstErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// isFriend reports whether user has friend in its friend list.
func (s *snsTx) isFriend(user, friend string) (bool, error) {
	return hasFriend(s.ctx, s.tx, s.app, user, friend)
}

func hasFriend(ctx context.Context, tx *Tx, app int64, user, friend string) (bool, error) {
	if !im.ValidUserID(user) || !im.ValidUserID(friend) {
		return false, nil // never an account, so never a friend
	}
	var n int
	err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM friends WHERE app_id = $1 AND user_id = $2 AND friend_id = $3",
		app, user, friend).Scan(&n)
	return n > 0, err
}

// friendCount returns how many friends user has.
func (s *snsTx) friendCount(user string) (int, error) {
	if n, ok := s.friends[user]; ok {
		return n, nil
	}
	var n int
	err := s.tx.QueryRowContext(s.ctx, "SELECT COUNT(*) FROM friends WHERE app_id = $1 AND user_id = $2", s.app, user).Scan(&n)
	s.friends[user] = n
	return n, err
}

// listCount returns how many friend lists user has.
func (s *snsTx) listCount(user string) (int, error) {
	if n, ok := s.lists[user]; ok {
		return n, nil
	}
	var n int
	err := s.tx.QueryRowContext(s.ctx, "SELECT COUNT(*) FROM friend_lists WHERE app_id = $1 AND user_id = $2", s.app, user).Scan(&n)
	s.lists[user] = n
	return n, err
}

// listExists reports whether user has a list of that name.
func (s *snsTx) listExists(user, name string) (bool, error) {
	if !im.ValidFriendListName(name) {
		return false, nil // could never have been created
	}
	var n int
	err := s.tx.QueryRowContext(s.ctx, "SELECT COUNT(*) FROM friend_lists WHERE app_id = $1 AND user_id = $2 AND name = $3",
		s.app, user, name).Scan(&n)
	return n > 0, err
}

// missingLists returns the distinct names of names that user has no list of.
func (s *snsTx) missingLists(user string, names []string) ([]string, error) {
	var missing []string
	for _, name := range names {
		if slices.Contains(missing, name) {
			continue
		}
		ok, err := s.listExists(user, name)
		if err != nil {
			return nil, err
		}
		if !ok {
			missing = append(missing, name)
		}
	}
	return missing, nil
}

// createList creates a list at the end of user's lists; the caller has
// checked that it does not exist and that the user has room for it.
func (s *snsTx) createList(user, name string) error {
	if err := ensureSNSUser(s.ctx, s.tx, s.app, user); err != nil {
		return err
	}
	var pos int64
	if err := s.tx.QueryRowContext(s.ctx, `UPDATE sns_users SET list_pos = list_pos + 1
		WHERE app_id = $1 AND user_id = $2 RETURNING list_pos`, s.app, user).Scan(&pos); err != nil {
		return err
	}
	if _, err := s.tx.ExecContext(s.ctx, "INSERT INTO friend_lists (app_id, user_id, name, pos) VALUES ($1, $2, $3, $4)",
		s.app, user, name, pos); err != nil {
		return err
	}
	s.lists[user]++
	s.mark(user, bump{list: true})
	return nil
}

// addToList puts friend in user's list and reports whether it was not
// there yet.
func (s *snsTx) addToList(user, name, friend string) (bool, error) {
	res, err := s.tx.ExecContext(s.ctx, `INSERT INTO friend_list_members (app_id, user_id, name, friend_id)
		VALUES ($1, $2, $3, $4) ON CONFLICT (app_id, user_id, name, friend_id) DO NOTHING`, s.app, user, name, friend)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	if n > 0 {
		s.mark(user, bump{list: true, std: true})
	}
	return n > 0, err
}

// insertFriend adds the row "user has it.To"; the caller has checked that
// there is none and that the user has room for it.
func (s *snsTx) insertFriend(user string, it im.FriendItem) error {
	custom := it.Custom
	if custom == nil {
		custom = []im.CustomItem{}
	}
	b, err := json.Marshal(custom)
	if err != nil {
		return err
	}
	addTime := s.tx.now.Unix()
	if !it.AddTime.IsZero() {
		addTime = it.AddTime.Unix()
	}
	remarkTime := it.RemarkTime
	if remarkTime == 0 && it.Remark != "" {
		remarkTime = s.tx.now.Unix()
	}
	if _, err := s.tx.ExecContext(s.ctx, `
		INSERT INTO friends (app_id, user_id, friend_id, remark, remark_time, add_source, add_wording, add_time, custom)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		s.app, user, it.To, it.Remark, remarkTime, it.AddSource, it.AddWording, addTime, string(b)); err != nil {
		return err
	}
	s.friends[user]++
	s.mark(user, bump{std: true, custom: len(it.Custom) > 0})
	return s.dropRequest(user, it.To)
}

// removeFriend deletes the row "user has friend" with its list memberships
// and reports whether there was one.
func (s *snsTx) removeFriend(user, friend string) (bool, error) {
	if !im.ValidUserID(user) || !im.ValidUserID(friend) {
		return false, nil // never an account, so never a friend
	}
	rows, err := s.tx.QueryContext(s.ctx, "DELETE FROM friends WHERE app_id = $1 AND user_id = $2 AND friend_id = $3 RETURNING custom",
		s.app, user, friend)
	if err != nil {
		return false, err
	}
	var custom string
	found := rows.Next()
	if found {
		err = rows.Scan(&custom)
	}
	if err := firstErr(err, closeRows(rows)); err != nil || !found {
		return false, err
	}
	if n, ok := s.friends[user]; ok {
		s.friends[user] = n - 1
	}
	res, err := s.tx.ExecContext(s.ctx, "DELETE FROM friend_list_members WHERE app_id = $1 AND user_id = $2 AND friend_id = $3",
		s.app, user, friend)
	if err != nil {
		return false, err
	}
	inLists, err := res.RowsAffected()
	s.mark(user, bump{std: true, list: inLists > 0, custom: custom != "[]"})
	return true, err
}
