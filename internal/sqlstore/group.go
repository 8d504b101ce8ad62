package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/timd/timd/internal/im"
)

var _ im.GroupService = (*DB)(nil)

// groupCols are the columns scanGroup reads, in its order.
const groupCols = `seq, group_id, type, name, introduction, notification, face_url, owner, created_at,
	info_seq, info_time, member_num, max_members, apply_join, invite_join, mute_all, app_defined, next_msg_seq, last_msg_time`

type scanner interface{ Scan(dest ...any) error }

func scanGroup(row scanner) (*im.Group, error) {
	var (
		g                 im.Group
		created, infoTime int64
		muteAll           int
		appDefined        string
	)
	err := row.Scan(&g.Seq, &g.GroupID, &g.Type, &g.Name, &g.Introduction, &g.Notification, &g.FaceURL, &g.Owner,
		&created, &g.InfoSeq, &infoTime, &g.MemberNum, &g.MaxMemberNum, &g.ApplyJoin, &g.InviteJoin, &muteAll, &appDefined,
		&g.NextMsgSeq, &g.LastMsgTime)
	if err != nil {
		return nil, err
	}
	g.CreateTime, g.LastInfoTime, g.MuteAll = msTime(created), msTime(infoTime), muteAll != 0
	if err := json.Unmarshal([]byte(appDefined), &g.AppDefined); err != nil {
		return nil, err
	}
	return &g, nil
}

// errGroupNotFound is the answer for a group that does not exist or was
// dismissed.
func errGroupNotFound(id string) error {
	return im.Errorf(im.CodeGroupNotFound, "group %s does not exist or has been dismissed", id)
}

// findGroup reads one group; lock also locks its row until tx ends, so that
// membership changes of one group queue on PostgreSQL.
func findGroup(ctx context.Context, tx *Tx, app uint64, id string, lock bool) (*im.Group, error) {
	q := "SELECT " + groupCols + " FROM im_groups WHERE app_id = $1 AND group_id = $2"
	if lock {
		q += tx.forUpdate()
	}
	g, err := scanGroup(tx.QueryRowContext(ctx, q, int64(app), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errGroupNotFound(id)
	}
	return g, err
}

// requireAccounts fails with 10019 unless every id is imported. It reads
// without locking: a write uses lockAccounts and missingAccount instead.
func requireAccounts(ctx context.Context, tx *Tx, app uint64, ids []string) error {
	for _, id := range ids {
		ok, err := accountExists(ctx, tx, app, id)
		if err != nil {
			return err
		}
		if !ok {
			return errMissingAccount(id)
		}
	}
	return nil
}

// missingAccount is 10019 for the first of ids that lockAccounts did not
// find, nil if it found them all.
func missingAccount(ids []string, exists map[string]bool) error {
	for _, id := range ids {
		if !exists[id] {
			return errMissingAccount(id)
		}
	}
	return nil
}

func errMissingAccount(id string) error {
	return im.Errorf(im.CodeGroupAccountNotFound, "account %s is not imported", id)
}

const groupIDAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// newGroupID draws an automatic GroupId: "@TGS#", the type character and 8
// random characters from A-Z0-9 (docs/decisions.md §3.2).
func newGroupID(groupType string) string {
	b := []byte("@TGS#?????????")
	b[5] = im.GroupIDTypeChar(groupType)
	for i := 6; i < len(b); i++ {
		b[i] = groupIDAlphabet[rand.IntN(len(groupIDAlphabet))]
	}
	return string(b)
}

// CreateGroup creates a group with its owner and members in one transaction.
func (db *DB) CreateGroup(ctx context.Context, op im.Op, ng im.NewGroup) (string, error) {
	var id string
	err := db.write(ctx, func(tx *Tx) error {
		app := op.App.SDKAppID
		accounts := make([]string, 0, len(ng.Members)+1)
		if ng.Owner != "" {
			accounts = append(accounts, ng.Owner)
		}
		for _, m := range ng.Members {
			accounts = append(accounts, m.UserID)
		}
		exists, err := lockAccounts(ctx, tx, app, accounts)
		if err != nil {
			return err
		}
		if err := missingAccount(accounts, exists); err != nil {
			return err
		}
		members := membersWithOwner(ng)
		if ng.MaxMemberNum > 0 && len(members) > ng.MaxMemberNum {
			return im.Errorf(im.CodeGroupFull, "%d members exceed the group's limit of %d", len(members), ng.MaxMemberNum)
		}
		var seq int64
		if id, seq, err = insertGroup(ctx, tx, app, ng, len(members)); err != nil {
			return err
		}
		// The event's MemberList names the members the request added, not
		// the owner, as in Tencent's sample.
		if err := insertMembers(ctx, tx, app, seq, members, 1); err != nil {
			return err
		}
		list := []im.MemberAccount{}
		for _, m := range members {
			if m.Role != im.RoleOwner {
				list = append(list, im.MemberAccount{Account: m.UserID})
			}
		}
		if ng.Import {
			return nil // import_group records no callback
		}
		appDefined := ng.AppDefined
		if appDefined == nil {
			appDefined = []im.KV{}
		}
		return recordEvent(ctx, tx, op, im.AfterCreateGroupBody{
			GroupID: id, Operator: op.Operator, Owner: ng.Owner, Type: ng.Type,
			Name: ng.Name, MemberList: list, AppDefined: appDefined,
		})
	})
	return id, err
}

// membersWithOwner returns the owner (role Owner) followed by the other
// members, each once.
func membersWithOwner(ng im.NewGroup) []im.Member {
	seen := map[string]bool{}
	var out []im.Member
	if ng.Owner != "" {
		out = append(out, im.Member{UserID: ng.Owner, Role: im.RoleOwner, JoinTime: createTime(ng)})
		seen[ng.Owner] = true
	}
	for _, m := range ng.Members {
		if seen[m.UserID] {
			continue
		}
		seen[m.UserID] = true
		if m.Role == "" {
			m.Role = im.RoleMember
		}
		out = append(out, m)
	}
	return out
}

// insertGroup inserts the group row under its custom id (10021 if taken) or
// under a fresh automatic id, drawing again on the rare collision, and
// returns the id and the group's seq. The insert does nothing on conflict
// rather than fail, so that a PostgreSQL transaction survives it.
func insertGroup(ctx context.Context, tx *Tx, app uint64, ng im.NewGroup, memberNum int) (string, int64, error) {
	appDefined, err := json.Marshal(nonNilKVs(ng.AppDefined))
	if err != nil {
		return "", 0, err
	}
	now := tx.now.UnixMilli()
	if t := createTime(ng); !t.IsZero() {
		now = t.UnixMilli()
	}
	for attempt := 0; attempt < 16; attempt++ {
		id := ng.GroupID
		if !ng.CustomID {
			id = newGroupID(ng.Type)
		}
		var seq int64
		err := tx.QueryRowContext(ctx, `
			INSERT INTO im_groups (app_id, group_id, type, name, introduction, notification, face_url, owner,
				created_at, info_time, member_num, join_counter, max_members, apply_join, invite_join, app_defined)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10, $10, $11, $12, $13, $14)
			ON CONFLICT (app_id, group_id) DO NOTHING
			RETURNING seq`,
			int64(app), id, ng.Type, ng.Name, ng.Introduction, ng.Notification, ng.FaceURL, ng.Owner,
			now, memberNum, ng.MaxMemberNum, ng.ApplyJoin, ng.InviteJoin, string(appDefined)).Scan(&seq)
		if err == nil && ng.SupportTopic { // a Community's alone: the common insert stays as it was
			_, err = tx.ExecContext(ctx, "UPDATE im_groups SET support_topic = 1 WHERE app_id = $1 AND seq = $2", int64(app), seq)
		}
		if err == nil {
			return id, seq, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return "", 0, err
		}
		if ng.CustomID {
			return "", 0, im.Errorf(im.CodeGroupIDInUse, "group id %s is already in use", id)
		}
	}
	return "", 0, errors.New("could not draw a free group id")
}

// createTime is an imported group's creation time, zero for now.
func createTime(ng im.NewGroup) time.Time {
	if ng.CreateTime == 0 {
		return time.Time{}
	}
	return time.Unix(ng.CreateTime, 0)
}

func nonNilKVs(kv []im.KV) []im.KV {
	if kv == nil {
		return []im.KV{}
	}
	return kv
}

// membersPerInsert is how many membership rows one INSERT of insertMembers
// writes: a statement per row was most of create_group's time in the
// writer past the group's own row, and a bound keeps the texts (one per
// row count) few enough to stay prepared.
const membersPerInsert = 8

// insertMembers adds membership rows, join_seq firstSeq, firstSeq+1, ...
// in the order given.
func insertMembers(ctx context.Context, tx *Tx, app uint64, groupSeq int64, members []im.Member, firstSeq int64) error {
	for start := 0; start < len(members); start += membersPerInsert {
		chunk := members[start:min(start+membersPerInsert, len(members))]
		var q strings.Builder
		q.WriteString(`INSERT INTO group_members (app_id, group_seq, user_id, role, join_time, join_seq, app_defined, unread_msg_num) VALUES `)
		args := make([]any, 0, 8*len(chunk))
		for i, m := range chunk {
			appDefined, err := json.Marshal(nonNilKVs(m.AppDefined))
			if err != nil {
				return err
			}
			joined := tx.now.UnixMilli()
			if !m.JoinTime.IsZero() {
				joined = m.JoinTime.UnixMilli()
			}
			if i > 0 {
				q.WriteString(", ")
			}
			n := len(args)
			fmt.Fprintf(&q, "($%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d)", n+1, n+2, n+3, n+4, n+5, n+6, n+7, n+8)
			args = append(args, int64(app), groupSeq, m.UserID, m.Role, joined, firstSeq+int64(start+i), string(appDefined), m.Unread)
		}
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// reapInline is the largest group whose member rows a dismissal deletes
// itself. A larger group's rows, already invisible once its row is gone,
// are deleted afterwards in batches, so that dismissing a Community of
// 100,000 members holds the write lock for milliseconds, not a third of a
// second.
const reapInline = 1000

// deleteGroupExtras deletes, with a group's dismissal, what it had beside
// its members and messages: its attributes (at most 16), counters (at most
// 20), its former members' mutes, and what only some groups can have (a
// clear mark, topics, bans), each deleted only where it can be, so that the
// common dismissal runs no statement for them.
func deleteGroupExtras(ctx context.Context, tx *Tx, app, seq int64, typ string, nextMsgSeq int64) error {
	steps := []func(context.Context, *Tx, int64, int64) error{deleteGroupAttrs, deleteGroupCounters, deleteOutsideMutes}
	if nextMsgSeq > 1 { // a group without messages has no clear mark
		steps = append(steps, deleteGroupMsgClears)
	}
	switch typ {
	case im.GroupCommunity:
		steps = append(steps, deleteGroupTopics)
	case im.GroupAVChatRoom:
		steps = append(steps, deleteGroupBans)
	}
	for _, step := range steps {
		if err := step(ctx, tx, app, seq); err != nil {
			return err
		}
	}
	return nil
}

// DestroyGroup dismisses a group. Deleting the group row first, with
// RETURNING, makes exactly one of several concurrent dismissals see it:
// on PostgreSQL the others wait for its row lock and then find nothing.
func (db *DB) DestroyGroup(ctx context.Context, op im.Op, groupID string) error {
	reap := false
	err := db.write(ctx, func(tx *Tx) error {
		app := int64(op.App.SDKAppID)
		var (
			typ, name, owner string
			seq, nextMsgSeq  int64
			memberNum        int
		)
		err := tx.QueryRowContext(ctx, `
			DELETE FROM im_groups WHERE app_id = $1 AND group_id = $2
			RETURNING seq, type, name, owner, member_num, next_msg_seq`, app, groupID).Scan(&seq, &typ, &name, &owner, &memberNum, &nextMsgSeq)
		if errors.Is(err, sql.ErrNoRows) {
			return errGroupNotFound(groupID)
		}
		if err != nil {
			return err
		}
		// Operator_Account: who dismissed it (the REST call's identifier).
		cb := im.AfterGroupDestroyedBody{GroupID: groupID, Type: typ, Owner: owner, Name: name, Operator: op.Operator}
		// A Community's MemberList is not sent (it may hold 100,000 names),
		// so it is not read either.
		if typ != im.GroupCommunity && op.App.Records(im.CallbackAfterGroupDestroyed) {
			ids, err := memberIDs(ctx, tx, op.App.SDKAppID, seq)
			if err != nil {
				return err
			}
			cb.MemberList = im.MemberAccounts(ids)
		}
		// Its messages go with it: a group with more of them than
		// reapInline leaves them to the reaper too (nextMsgSeq-1 bounds
		// how many it has).
		reap = memberNum > reapInline || nextMsgSeq-1 > reapInline
		if reap {
			_, err = tx.ExecContext(ctx, "INSERT INTO group_reap (group_seq, app_id) VALUES ($1, $2)", seq, app)
		} else {
			err = deleteGroupRows(ctx, tx, app, seq)
		}
		if err != nil {
			return err
		}
		if err := deleteGroupExtras(ctx, tx, app, seq, typ, nextMsgSeq); err != nil {
			return err
		}
		if err := removeGroupConversations(ctx, tx, op.App.SDKAppID, groupID); err != nil {
			return err
		}
		return recordEvent(ctx, tx, op, cb)
	})
	if err == nil && reap {
		db.reaper.kick()
	}
	return err
}

// memberIDs lists a group's members in the order they joined.
func memberIDs(ctx context.Context, tx *Tx, app uint64, groupSeq int64) ([]string, error) {
	return queryStrings(ctx, tx,
		"SELECT user_id FROM group_members WHERE app_id = $1 AND group_seq = $2 ORDER BY join_seq", int64(app), groupSeq)
}
