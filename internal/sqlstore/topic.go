package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"math/rand/v2"

	"github.com/timd/timd/internal/im"
)

var _ im.TopicService = (*DB)(nil)

// Community topics (docs/fidelity/topics.md): group_topics rows of the
// Community's seq, in creation order (pos).

// topicGroup finds the Community a topic command names (under its lock
// for a write): 10010 if there is none, 11000 unless it is a Community
// created with SupportTopic 1.
func topicGroup(ctx context.Context, tx *Tx, app uint64, groupID string, lock bool) (*im.Group, error) {
	g, err := findGroup(ctx, tx, app, groupID, lock)
	if err != nil {
		return nil, err
	}
	var support int
	if err := tx.QueryRowContext(ctx, "SELECT support_topic FROM im_groups WHERE app_id = $1 AND seq = $2",
		int64(app), g.Seq).Scan(&support); err != nil {
		return nil, err
	}
	if g.Type != im.GroupCommunity || support == 0 {
		return nil, im.Errorf(im.CodeTopicUnsupported, "group %s does not support topics (a Community created with SupportTopic 1 does)", groupID)
	}
	return g, nil
}

// newTopicID draws a topic ID: the Community's GroupId, "@TOPIC#_",
// "@TOPIC#c" and eleven characters of A-Z0-9, as Tencent's look.
func newTopicID(groupID string) string {
	b := []byte("@TOPIC#c???????????")
	for i := 8; i < len(b); i++ {
		b[i] = groupIDAlphabet[rand.IntN(len(groupIDAlphabet))]
	}
	return groupID + im.TopicIDInfix + string(b)
}

// CreateTopic creates a topic in the Community under its lock.
func (db *DB) CreateTopic(ctx context.Context, op im.Op, groupID, topicID, operator string, t im.TopicUpdate) (string, error) {
	err := db.write(ctx, func(tx *Tx) error {
		app := op.App.SDKAppID
		if operator != "" {
			exists, err := lockAccounts(ctx, tx, app, []string{operator})
			if err != nil {
				return err
			}
			if err := missingAccount([]string{operator}, exists); err != nil {
				return err
			}
		}
		g, err := topicGroup(ctx, tx, app, groupID, true)
		if err != nil {
			return err
		}
		id := topicID
		if id == "" {
			id = newTopicID(groupID)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO group_topics (app_id, group_seq, topic_id, name, introduction, notification,
				face_url, custom_string, mute_all, created_at, pos)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, (SELECT COALESCE(MAX(pos), 0) + 1 FROM group_topics WHERE app_id = $1 AND group_seq = $2))
			ON CONFLICT (app_id, group_seq, topic_id) DO NOTHING`,
			int64(app), g.Seq, id, deref0(t.Name), deref0(t.Introduction), deref0(t.Notification), deref0(t.FaceURL),
			deref0(t.CustomString), b2i(deref0(t.MuteAll)), tx.now.Unix())
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errors.Join(err, im.Errorf(im.CodeGroupIDInUse, "topic %s already exists", id))
		}
		topicID = id
		if !op.App.Records(im.CallbackAfterCreateTopic) {
			return nil
		}
		by := op.Operator
		if operator != "" {
			by = operator
		}
		return recordEvent(ctx, tx, op, im.AfterCreateTopicBody{GroupID: groupID, TopicID: id, Operator: by, Owner: g.Owner,
			Type: g.Type, Name: deref0(t.Name)})
	})
	return topicID, err
}

const topicCols = `topic_id, name, introduction, notification, face_url, custom_string, mute_all, created_at, next_msg_seq, last_msg_time`

func scanTopic(row scanner, groupID string) (*im.Topic, error) {
	t := im.Topic{GroupID: groupID}
	var mute int
	err := row.Scan(&t.TopicID, &t.Name, &t.Introduction, &t.Notification, &t.FaceURL, &t.CustomString, &mute,
		&t.CreateTime, &t.NextMsgSeq, &t.LastMsgTime)
	t.MuteAll = mute == 1
	return &t, err
}

// Topics reads the Community's topics and account's place in them.
func (db *DB) Topics(ctx context.Context, app uint64, groupID string, ids []string, account string) ([]*im.Topic, im.TopicSelf, error) {
	var (
		out  []*im.Topic
		self im.TopicSelf
	)
	err := db.read(ctx, func(tx *Tx) error {
		g, err := topicGroup(ctx, tx, app, groupID, false)
		if err != nil {
			return err
		}
		if out, err = readTopics(ctx, tx, app, g, ids); err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx, "SELECT mute_until, msg_flag FROM group_members WHERE app_id = $1 AND group_seq = $2 AND user_id = $3",
			int64(app), g.Seq, account).Scan(&self.MuteUntil, &self.MsgFlag)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if self.MuteUntil <= tx.now.Unix() {
			self.MuteUntil = 0 // a mute that has run out
		}
		self.Member = err == nil
		return err
	})
	return out, self, err
}

// readTopics reads all of a Community's topics in creation order, or
// those ids names in their order (nil for one it lacks).
func readTopics(ctx context.Context, tx *Tx, app uint64, g *im.Group, ids []string) ([]*im.Topic, error) {
	if len(ids) > 0 {
		out := make([]*im.Topic, len(ids))
		for i, id := range ids {
			t, err := scanTopic(tx.QueryRowContext(ctx, "SELECT "+topicCols+" FROM group_topics WHERE app_id = $1 AND group_seq = $2 AND topic_id = $3",
				int64(app), g.Seq, id), g.GroupID)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return nil, err
			}
			out[i] = t
		}
		return out, nil
	}
	rows, err := tx.QueryContext(ctx, "SELECT "+topicCols+" FROM group_topics WHERE app_id = $1 AND group_seq = $2 ORDER BY pos",
		int64(app), g.Seq)
	if err != nil {
		return nil, err
	}
	out := []*im.Topic{}
	for rows.Next() {
		t, err := scanTopic(rows, g.GroupID)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, t)
	}
	return out, closeRows(rows)
}

// ModifyTopic changes the fields t gives of a topic.
func (db *DB) ModifyTopic(ctx context.Context, op im.Op, groupID, topicID string, t im.TopicUpdate) error {
	return db.write(ctx, func(tx *Tx) error {
		app := op.App.SDKAppID
		g, err := topicGroup(ctx, tx, app, groupID, true)
		if err != nil {
			return err
		}
		cur, err := scanTopic(tx.QueryRowContext(ctx, "SELECT "+topicCols+" FROM group_topics WHERE app_id = $1 AND group_seq = $2 AND topic_id = $3",
			int64(app), g.Seq, topicID), groupID)
		if errors.Is(err, sql.ErrNoRows) {
			return im.Errorf(im.CodeGroupNotFound, "topic %s does not exist", topicID)
		}
		if err != nil {
			return err
		}
		deref(&cur.Name, t.Name)
		deref(&cur.Introduction, t.Introduction)
		deref(&cur.Notification, t.Notification)
		deref(&cur.FaceURL, t.FaceURL)
		deref(&cur.CustomString, t.CustomString)
		deref(&cur.MuteAll, t.MuteAll)
		if _, err := tx.ExecContext(ctx, `UPDATE group_topics SET name = $4, introduction = $5, notification = $6, face_url = $7,
				custom_string = $8, mute_all = $9 WHERE app_id = $1 AND group_seq = $2 AND topic_id = $3`,
			int64(app), g.Seq, topicID, cur.Name, cur.Introduction, cur.Notification, cur.FaceURL, cur.CustomString, b2i(cur.MuteAll)); err != nil {
			return err
		}
		if t.Name == nil && t.Introduction == nil && t.Notification == nil && t.FaceURL == nil {
			return nil // the callback reports these four
		}
		return recordEvent(ctx, tx, op, im.AfterTopicInfoChangedBody{GroupID: groupID, TopicID: topicID, Type: g.Type,
			Operator: op.Operator, Name: t.Name, Introduction: t.Introduction, Notification: t.Notification, FaceURL: t.FaceURL})
	})
}

// DestroyTopics deletes the topics ids names, each once.
func (db *DB) DestroyTopics(ctx context.Context, op im.Op, groupID string, ids []string) ([]int, error) {
	var codes []int
	err := db.write(ctx, func(tx *Tx) error {
		app := op.App.SDKAppID
		g, err := topicGroup(ctx, tx, app, groupID, true)
		if err != nil {
			return err
		}
		codes = make([]int, len(ids))
		var gone []string
		for i, id := range ids {
			res, err := tx.ExecContext(ctx, "DELETE FROM group_topics WHERE app_id = $1 AND group_seq = $2 AND topic_id = $3",
				int64(app), g.Seq, id)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			if n == 0 {
				codes[i] = im.CodeTopicAlreadyDeleted
				continue
			}
			gone = append(gone, id)
		}
		if len(gone) == 0 || !op.App.Records(im.CallbackAfterTopicDestroyed) {
			return nil
		}
		return recordEvent(ctx, tx, op, im.AfterTopicDestroyedBody{GroupID: groupID, Type: g.Type, TopicIDs: gone})
	})
	return codes, err
}

// deleteGroupTopics deletes a dismissed Community's topics.
func deleteGroupTopics(ctx context.Context, tx *Tx, app, groupSeq int64) error {
	_, err := tx.ExecContext(ctx, "DELETE FROM group_topics WHERE app_id = $1 AND group_seq = $2", app, groupSeq)
	return err
}
