package sqlstore

import (
	"context"
	"encoding/json"
	"time"

	"github.com/timd/timd/internal/im"
)

// friend_add against the peer's Tag_Profile_IM_AllowType, and the pending
// friend requests it stores (migration 0020).

var _ im.SNSPendingService = (*DB)(nil)

// Per-item outcomes of the peer's AllowType. Tencent's ResultInfo for 30516
// is Err_SNS_FriendAdd_Friend_Allow_Type_Forbid as a client log shows it;
// the text of 30539 is timd's, after it.
var (
	errAddDenyAny = &im.Error{Code: im.CodeSNSAllowDenyAny, Info: "Err_SNS_FriendAdd_Friend_Allow_Type_Forbid"}
	errAddPending = &im.Error{Code: im.CodeSNSPending, Info: "Err_SNS_FriendAdd_Friend_Allow_Type_Need_Confirm"}
)

// allowType reads user's Tag_Profile_IM_AllowType; an account that never
// set it has AllowType_Type_NeedConfirm.
func (s *snsTx) allowType(user string) (string, error) {
	vals, err := queryStrings(s.ctx, s.tx, "SELECT value FROM profiles WHERE app_id = $1 AND user_id = $2 AND tag = $3",
		s.app, user, im.TagAllowType)
	if err != nil || len(vals) == 0 {
		return im.AllowTypeNeedConfirm, err
	}
	var v string
	if err := json.Unmarshal([]byte(vals[0]), &v); err != nil {
		return "", err
	}
	return v, nil
}

// allowAdd applies the peer's AllowType to a friend_add item that would
// create a row: nil for AllowAny; 30516 for DenyAny; for NeedConfirm the
// request is stored (replacing an earlier one from the same user) and the
// item answers 30539.
func (s *snsTx) allowAdd(from string, it im.FriendItem, both bool) (*im.Error, error) {
	at, err := s.allowType(it.To)
	if err != nil {
		return nil, err
	}
	switch at {
	case im.AllowTypeAllowAny:
		return nil, nil
	case im.AllowTypeDenyAny:
		return errAddDenyAny, nil
	}
	list := ""
	if len(it.Lists) > 0 {
		list = it.Lists[0]
	}
	_, err = s.tx.ExecContext(s.ctx, `
		INSERT INTO friend_requests (app_id, user_id, peer_id, both_ways, remark, list_name, add_source, add_wording, add_time)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (app_id, user_id, peer_id) DO UPDATE SET both_ways = $4, remark = $5, list_name = $6,
			add_source = $7, add_wording = $8, add_time = $9`,
		s.app, from, it.To, b2i(both), it.Remark, list, it.AddSource, it.AddWording, s.tx.now.Unix())
	return errAddPending, err
}

// dropRequest removes the pending request "user asked to add friend": the
// row it asked for now exists.
func (s *snsTx) dropRequest(user, friend string) error {
	_, err := s.tx.ExecContext(s.ctx, "DELETE FROM friend_requests WHERE app_id = $1 AND user_id = $2 AND peer_id = $3",
		s.app, user, friend)
	return err
}

// deleteFriendRequests is account_delete's step for pending requests: those
// the user sent and those it received.
func deleteFriendRequests(ctx context.Context, tx *Tx, app int64, userID string) error {
	for _, q := range []string{
		"DELETE FROM friend_requests WHERE app_id = $1 AND user_id = $2",
		"DELETE FROM friend_requests WHERE app_id = $1 AND peer_id = $2",
	} {
		if _, err := tx.ExecContext(ctx, q, app, userID); err != nil {
			return err
		}
	}
	return nil
}

// FriendRequests returns the pending requests user sent or received.
func (db *DB) FriendRequests(ctx context.Context, app uint64, user string) ([]im.FriendRequest, error) {
	var out []im.FriendRequest
	err := db.read(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `
			SELECT user_id, peer_id, both_ways, remark, list_name, add_source, add_wording, add_time
			FROM friend_requests WHERE app_id = $1 AND (user_id = $2 OR peer_id = $2)
			ORDER BY user_id, peer_id`, int64(app), user)
		if err != nil {
			return err
		}
		defer rows.Close()
		out = []im.FriendRequest{}
		for rows.Next() {
			var r im.FriendRequest
			var both, at int64
			if err := rows.Scan(&r.From, &r.To, &both, &r.Remark, &r.List, &r.AddSource, &r.AddWording, &at); err != nil {
				return err
			}
			r.Both, r.Time = both == 1, time.Unix(at, 0)
			out = append(out, r)
		}
		return rows.Err()
	})
	return out, err
}
