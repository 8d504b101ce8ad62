package sqlstore

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

// Ensure attribute names merge by index and refuse a name two indexes
// would share; values follow their index when it is renamed; accounts that
// are not imported are reported missing and the others done; an unknown
// attribute name fails the whole request; account_delete takes an
// account's values and tags with it.
func TestPush_AttrsAndTags(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db, _ := openClocked(t, dsn, time.Hour) // alice, bob, carol
		if err := db.SetAttrNames(ctx, convApp, map[int]string{0: "sex", 1: "city"}); err != nil {
			t.Fatal(err)
		}
		wantPinCode(t, "a name on two indexes", db.SetAttrNames(ctx, convApp, map[int]string{2: "sex"}), im.CodePushAttrInvalid)
		missing, err := db.SetUserAttrs(ctx, convApp, []im.UserAttrs{
			{UserID: "alice", Attrs: map[string]string{"sex": "f", "city": "sz"}},
			{UserID: "ghost", Attrs: map[string]string{"sex": "m"}},
		})
		if err != nil || !reflect.DeepEqual(missing, []string{"ghost"}) {
			t.Fatalf("SetUserAttrs: %v %v", missing, err)
		}
		_, err = db.SetUserAttrs(ctx, convApp, []im.UserAttrs{{UserID: "bob", Attrs: map[string]string{"age": "3"}}})
		wantPinCode(t, "an unknown attribute", err, im.CodePushAttrInvalid)
		if n := count(t, db, "SELECT COUNT(*) FROM push_user_attrs WHERE user_id = 'bob'"); n != 0 {
			t.Errorf("a refused set stored %d values", n)
		}
		if err := db.SetAttrNames(ctx, convApp, map[int]string{1: "town"}); err != nil {
			t.Fatal(err)
		}
		found, missing, err := db.UserAttrs(ctx, convApp, []string{"alice", "bob", "nobody"})
		want := []im.UserAttrs{{UserID: "alice", Attrs: map[string]string{"sex": "f", "town": "sz"}}, {UserID: "bob", Attrs: map[string]string{}}}
		if err != nil || !reflect.DeepEqual(found, want) || !reflect.DeepEqual(missing, []string{"nobody"}) {
			t.Errorf("UserAttrs: %v %v %v", found, missing, err)
		}
		if _, err := db.RemoveUserAttrs(ctx, convApp, []im.UserAttrNames{{UserID: "alice", Names: []string{"town"}}}); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM push_user_attrs WHERE user_id = 'alice'"); n != 1 {
			t.Errorf("alice has %d values after removing one of 2", n)
		}

		if _, err := db.AddUserTags(ctx, convApp, []im.UserTags{{UserID: "alice", Tags: []string{"b", "a"}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.AddUserTags(ctx, convApp, []im.UserTags{{UserID: "alice", Tags: []string{"a", "c"}}}); err != nil {
			t.Fatal(err)
		}
		tags, _, err := db.UserTagsOf(ctx, convApp, []string{"alice"})
		if err != nil || !reflect.DeepEqual(tags, []im.UserTags{{UserID: "alice", Tags: []string{"b", "a", "c"}}}) {
			t.Errorf("UserTagsOf: %v %v", tags, err)
		}
		if _, err := db.DeleteAccounts(ctx, convApp, []string{"alice"}); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM push_user_tags WHERE user_id = 'alice'") +
			count(t, db, "SELECT COUNT(*) FROM push_user_attrs WHERE user_id = 'alice'"); n != 0 {
			t.Errorf("account_delete left %d attribute and tag rows", n)
		}
	})
}

// Ensure an account holds at most 100 tags: the add that would pass it
// fails whole and adds nothing, also for the other accounts of the call.
func TestPush_TagLimit(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db, _ := openClocked(t, dsn, time.Hour)
		for i := range 10 {
			tags := make([]string, 10)
			for j := range tags {
				tags[j] = string(rune('a'+i)) + string(rune('a'+j))
			}
			if _, err := db.AddUserTags(ctx, convApp, []im.UserTags{{UserID: "alice", Tags: tags}}); err != nil {
				t.Fatal(err)
			}
		}
		_, err := db.AddUserTags(ctx, convApp, []im.UserTags{{UserID: "bob", Tags: []string{"x"}}, {UserID: "alice", Tags: []string{"zz"}}})
		wantPinCode(t, "the 101st tag", err, im.CodePushUserTagsLimit)
		if n := count(t, db, "SELECT COUNT(*) FROM push_user_tags"); n != 100 {
			t.Errorf("%d tags after a refused add, want 100", n)
		}
		if _, err := db.RemoveAllUserTags(ctx, convApp, []string{"alice"}); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM push_user_tags"); n != 0 {
			t.Errorf("%d tags after removing all", n)
		}
	})
}

// Ensure the app's tags are not limited in number (fidelity/push.md): the
// successor timpush pages' 1,000 distinct tags an app is not enforced, so
// 11 accounts' 100 tags each, 1,100 distinct tags, are all kept.
func TestPush_AppTagsNotLimited(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db, _ := openClocked(t, dsn, time.Hour)
		users := make([]string, 11)
		for u := range users {
			users[u] = fmt.Sprintf("tagger%02d", u)
			if err := db.ImportAccounts(ctx, convApp, []im.AccountImport{{UserID: users[u]}}); err != nil {
				t.Fatal(err)
			}
		}
		for i := range 10 {
			batch := make([]im.UserTags, len(users))
			for u, user := range users {
				tags := make([]string, 10)
				for j := range tags {
					tags[j] = fmt.Sprintf("t%02d-%d-%d", u, i, j)
				}
				batch[u] = im.UserTags{UserID: user, Tags: tags}
			}
			if _, err := db.AddUserTags(ctx, convApp, batch); err != nil {
				t.Fatalf("round %d: %v", i, err)
			}
		}
		if n := count(t, db, "SELECT COUNT(DISTINCT tag) FROM push_user_tags"); n != 1100 {
			t.Errorf("%d distinct tags kept, want 1100", n)
		}
	})
}

// Ensure im_push counts the accounts its condition selects (the sender
// aside), answers the same TaskId for a MsgRandom seen within 7 days, and
// refuses a push less than a second after the last and the 101st of 24
// hours.
func TestPush_Tasks(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db, clock := openClocked(t, dsn, time.Hour) // alice, bob, carol
		if err := db.SetAttrNames(ctx, convApp, map[int]string{0: "city"}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SetUserAttrs(ctx, convApp, []im.UserAttrs{{UserID: "bob", Attrs: map[string]string{"city": "sz"}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.AddUserTags(ctx, convApp, []im.UserTags{{UserID: "bob", Tags: []string{"x", "y"}}, {UserID: "carol", Tags: []string{"x"}}}); err != nil {
			t.Fatal(err)
		}
		body := im.MsgBody(`[{"MsgType":"TIMTextElem","MsgContent":{"Text":"hi"}}]`)
		for i, c := range []struct {
			cond im.PushCondition
			want int
		}{
			{im.PushCondition{}, 2},
			{im.PushCondition{TagsOr: []string{"x"}}, 2},
			{im.PushCondition{TagsAnd: []string{"x", "y"}}, 1},
			{im.PushCondition{TagsAnd: []string{"y"}, TagsOr: []string{"z"}}, 0},
			{im.PushCondition{AttrsAnd: map[string]string{"city": "sz"}}, 1},
			{im.PushCondition{AttrsOr: map[string]string{"city": "bj"}}, 0},
		} {
			clock.advance(2 * time.Second)
			res, err := db.Push(ctx, convApp, im.PushTask{MsgRandom: uint32(i + 1), From: "alice", Body: body, Condition: c.cond})
			if err != nil || res.Recipients != c.want || res.Repeated || res.TaskID == "" {
				t.Errorf("push %d %+v: %+v %v, want %d recipients", i, c.cond, res, err, c.want)
			}
		}
		first, _ := db.Push(ctx, convApp, im.PushTask{MsgRandom: 1, From: "alice", Body: body})
		if !first.Repeated {
			t.Errorf("a repeated MsgRandom made a new task: %+v", first)
		}
		_, err := db.Push(ctx, convApp, im.PushTask{MsgRandom: 99, From: "alice", Body: body})
		wantPinCode(t, "a push within a second", err, im.CodePushTooFrequent)
		clock.advance(2 * time.Second)
		_, err = db.Push(ctx, convApp, im.PushTask{MsgRandom: 99, From: "ghost", Body: body})
		wantPinCode(t, "an unknown sender", err, im.CodePushFromAccount)
		_, err = db.Push(ctx, convApp, im.PushTask{MsgRandom: 99, From: "alice", Body: body,
			Condition: im.PushCondition{AttrsOr: map[string]string{"age": "1"}}})
		wantPinCode(t, "an unknown attribute", err, im.CodePushAttrInvalid)
		for i := range im.MaxPushesPerDay - 6 {
			clock.advance(2 * time.Second)
			if _, err := db.Push(ctx, convApp, im.PushTask{MsgRandom: uint32(100 + i), From: "alice", Body: body}); err != nil {
				t.Fatal(i, err)
			}
		}
		clock.advance(2 * time.Second)
		_, err = db.Push(ctx, convApp, im.PushTask{MsgRandom: 5000, From: "alice", Body: body})
		wantPinCode(t, "the 101st push of the day", err, im.CodePushDailyLimit)
		if n := count(t, db, "SELECT COUNT(*) FROM push_tasks"); n != im.MaxPushesPerDay {
			t.Errorf("%d tasks, want %d", n, im.MaxPushesPerDay)
		}
		clock.advance(8 * 24 * time.Hour)
		again, err := db.Push(ctx, convApp, im.PushTask{MsgRandom: 1, From: "alice", Body: body})
		if err != nil || again.Repeated || again.TaskID == first.TaskID {
			t.Errorf("MsgRandom 1 after 8 days: %+v %v, want a new task", again, err)
		}
	})
}
