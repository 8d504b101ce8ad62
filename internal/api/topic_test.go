package api_test

import (
	"regexp"
	"testing"

	"github.com/timd/timd/internal/dbtest"
)

// topicService is the service a command of testdata/topics is served under.
func topicService(command string) string {
	switch command {
	case "create_group", "destroy_group", "import_group":
		return grp
	}
	return "million_group_open_http_svc"
}

// drawnTopic matches a topic ID timd drew.
var drawnTopic = regexp.MustCompile(`@TOPIC#_@TOPIC#c[A-Z0-9]{11}`)

// sameDrawnTopics writes every drawn topic ID alike.
func sameDrawnTopics(v any) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok {
				v[k] = drawnTopic.ReplaceAllString(s, "@TOPIC#_@TOPIC#cDRAWN")
				continue
			}
			sameDrawnTopics(x)
		}
	case []any:
		for _, x := range v {
			sameDrawnTopics(x)
		}
	}
}

// Ensure the topic commands answer as recorded in
// testdata/topics/NN_<command>.{req,resp}.json: Tencent's samples (create
// with and without a TopicId, get all or some, modify, destroy), a drawn
// TopicId of the documented form, each code, and a dismissal that takes a
// Community's topics with it; against one server whose clock stands still
// at msgT0, with the groups of msgGroups; import_group takes SupportTopic
// as create_group does. The callbacks are recorded with the changes.
func TestTopicGolden(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openClocked(t, dsn, &msgClock{t: msgT0}, withCallbacks)
		msgGroups(h)
		replayGolden(t, "testdata/topics", 34, *update, func(command, body string) Reply {
			return h.Call(topicService(command), command, body)
		}, sameDrawnTopics)
		var got []string
		for _, ev := range h.events() {
			switch ev.Command {
			case "Group.CallbackAfterCreateTopic", "Group.CallbackAfterTopicInfoChanged", "Group.CallbackAfterTopicDestroyed":
				got = append(got, drawnTopic.ReplaceAllString(ev.Raw, "@TOPIC#_@TOPIC#cDRAWN"))
			}
		}
		want := []string{
			`{"CallbackCommand":"Group.CallbackAfterCreateTopic","GroupId":"@TGS#_Topics","TopicId":"@TGS#_Topics@TOPIC#_TestTopic","Operator_Account":"` + Admin + `","Owner_Account":"alice","Type":"Community","Name":"TestTopic","EventTime":1767323045000}`,
			`{"CallbackCommand":"Group.CallbackAfterCreateTopic","GroupId":"@TGS#_Topics","TopicId":"@TGS#_Topics@TOPIC#_TestTopic_1","Operator_Account":"bob","Owner_Account":"alice","Type":"Community","Name":"TestTopic","EventTime":1767323045000}`,
			`{"CallbackCommand":"Group.CallbackAfterCreateTopic","GroupId":"@TGS#_Topics","TopicId":"@TGS#_Topics@TOPIC#_@TOPIC#cDRAWN","Operator_Account":"` + Admin + `","Owner_Account":"alice","Type":"Community","Name":"Drawn","EventTime":1767323045000}`,
			`{"CallbackCommand":"Group.CallbackAfterTopicInfoChanged","GroupId":"@TGS#_Topics","TopicId":"@TGS#_Topics@TOPIC#_TestTopic","Type":"Community","Operator_Account":"` + Admin + `","Name":"TestTopicName","Notification":"Notification","EventTime":1767323045000}`,
			`{"CallbackCommand":"Group.CallbackAfterTopicDestroyed","GroupId":"@TGS#_Topics","Type":"Community","TopicIdList":["@TGS#_Topics@TOPIC#_TestTopic","@TGS#_Topics@TOPIC#_TestTopic_1"],"EventTime":1767323045000}`,
			`{"CallbackCommand":"Group.CallbackAfterCreateTopic","GroupId":"@TGS#_Topics","TopicId":"@TGS#_Topics@TOPIC#_TestTopic_2","Operator_Account":"` + Admin + `","Owner_Account":"alice","Type":"Community","Name":"two","EventTime":1767323045000}`,
			`{"CallbackCommand":"Group.CallbackAfterCreateTopic","GroupId":"@TGS#_Imported","TopicId":"@TGS#_Imported@TOPIC#_old","Operator_Account":"` + Admin + `","Owner_Account":"alice","Type":"Community","Name":"old","EventTime":1767323045000}`,
		}
		if len(got) != len(want) {
			t.Fatalf("%d topic events, want %d:\n%v", len(got), len(want), got)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("event %d:\n got %s\nwant %s", i, got[i], want[i])
			}
		}
	})
}
