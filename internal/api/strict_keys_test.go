package api_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/timd/timd/internal/api"
	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

// Tencent matches JSON keys exactly: a key that differs from a field's name
// only by case is an unknown field, so a required field named that way is
// missing. These tests hold timd to that for every command.

// strictKeyRoute is a correct request of one command, exactly cased, and
// what the same request with its keys lower-cased answers.
type strictKeyRoute struct {
	body string
	// want is the code of the lower-cased body: the service's code for a
	// missing required field. 0 for a command without required fields:
	// then body sets an optional field to a value the command refuses, and
	// the lower-cased body must answer exactly as {} does.
	want int
}

// strictKeyRoutes has one entry per line of the route table, run in the
// table's order against one server: later entries see what the exact
// bodies of earlier ones did.
var strictKeyRoutes = map[string]strictKeyRoute{
	"im_open_login_svc/account_import":      {`{"UserID":"sk_new1","Nick":"n"}`, 70402},
	"im_open_login_svc/multiaccount_import": {`{"Accounts":["sk_new2"],"AccountList":[{"UserID":"sk_new3"}]}`, 70402},
	"im_open_login_svc/account_delete":      {`{"DeleteItem":[{"UserID":"sk_del"}]}`, 70402},
	"im_open_login_svc/account_check":       {`{"CheckItem":[{"UserID":"alice"}]}`, 70402},
	"im_open_login_svc/kick":                {`{"UserID":"alice"}`, 70402},
	"openim/querystate":                     {`{"To_Account":["alice"],"IsNeedDetail":1}`, 90003},
	"openim/query_online_status":            {`{"To_Account":["alice"]}`, 90003},

	"group_open_http_svc/create_group":                    {`{"Owner_Account":"alice","Type":"Public","Name":"sk","GroupId":"sk_created","MemberList":[{"Member_Account":"bob"}]}`, 10004},
	"group_open_http_svc/get_group_info":                  {`{"GroupIdList":["sk_group"]}`, 10004},
	"group_open_http_svc/destroy_group":                   {`{"GroupId":"sk_doomed"}`, 10004},
	"group_open_http_svc/add_group_member":                {`{"GroupId":"sk_group","MemberList":[{"Member_Account":"carol"}]}`, 10004},
	"group_open_http_svc/delete_group_member":             {`{"GroupId":"sk_group","MemberToDel_Account":["dave"]}`, 10004},
	"group_open_http_svc/get_group_member_info":           {`{"GroupId":"sk_group"}`, 10004},
	"group_open_http_svc/get_specified_group_member_info": {`{"GroupId":"sk_group","Member_List_Account":["bob"]}`, 10004},
	"group_open_http_svc/get_joined_group_list":           {`{"Member_Account":"alice"}`, 10004},
	"group_open_http_svc/get_appid_group_list":            {`{"Limit":-1}`, 0},
	"group_open_http_svc/change_group_owner":              {`{"GroupId":"sk_group","NewOwner_Account":"bob"}`, 10004},
	"group_open_http_svc/modify_group_base_info":          {`{"GroupId":"sk_group","Name":"renamed"}`, 10004},
	"group_open_http_svc/modify_group_member_info":        {`{"GroupId":"sk_group","Member_Account":"bob","NameCard":"b"}`, 10004},
	"group_open_http_svc/forbid_send_msg":                 {`{"GroupId":"sk_group","Members_Account":["bob"],"ShutUpTime":0}`, 10004},
	"group_open_http_svc/get_group_muted_account":         {`{"GroupId":"sk_group"}`, 10004},
	"group_open_http_svc/get_group_shutted_uin":           {`{"GroupId":"sk_group"}`, 10004},
	"group_open_http_svc/get_role_in_group":               {`{"GroupId":"sk_group","User_Account":["bob"]}`, 10004},
	"group_open_http_svc/import_group":                    {`{"Type":"Public","Name":"imp","GroupId":"sk_imported"}`, 10004},
	"group_open_http_svc/import_group_member":             {`{"GroupId":"sk_group","MemberList":[{"Member_Account":"carol"}]}`, 10004},
	"group_open_http_svc/set_unread_msg_num":              {`{"GroupId":"sk_group","Member_Account":"bob","UnreadMsgNum":1}`, 10004},
	"group_open_attr_http_svc/get_group_attr":             {`{"GroupId":"sk_group"}`, 10004},
	"group_open_http_svc/modify_group_attr":               {`{"GroupId":"sk_group","GroupAttr":[{"key":"m","value":"1"}]}`, 10004},
	"group_open_http_svc/set_group_attr":                  {`{"GroupId":"sk_group","GroupAttr":[{"key":"s","value":"1"},{"key":"d","value":"2"}]}`, 10004},
	"group_open_http_svc/delete_group_attr":               {`{"GroupId":"sk_group","GroupAttr":[{"key":"d"}]}`, 10004},
	"group_open_http_svc/clear_group_attr":                {`{"GroupId":"sk_group"}`, 10004},
	"follow/follow_add":                                   {`{"From_Account":"alice","FollowItem":[{"To_Account":"bob"}]}`, 30001},
	"follow/follow_delete":                                {`{"From_Account":"alice","To_Account":["bob"]}`, 30001},
	"follow/follow_check":                                 {`{"From_Account":"alice","To_Account":["bob"]}`, 30001},
	"follow/follow_get":                                   {`{"From_Account":"alice","FollowType":2,"StartCursor":"","WantNum":10}`, 30001},
	"follow/follow_get_info":                              {`{"From_Account":"alice","To_Account":["bob"]}`, 30001},
	"open_msg_svc/get_history":                            {`{"ChatType":"C2C","MsgTime":"2020010100"}`, 1002},
	"group_open_http_svc/get_group_counter":               {`{"GroupId":"sk_group","GroupCounterKeys":["like"]}`, 10004},
	"group_open_http_svc/update_group_counter":            {`{"GroupId":"sk_group","GroupCounter":[{"Key":"like","Value":1}],"Mode":"Increase"}`, 10004},
	"group_open_http_svc/delete_group_counter":            {`{"GroupId":"sk_group","GroupCounterKeys":["like"]}`, 10004},
	"group_open_http_svc/ban_group_member":                {`{"GroupId":"sk_group","Members_Account":["bob"],"Duration":60}`, 10004},
	"group_open_http_svc/unban_group_member":              {`{"GroupId":"sk_group","Members_Account":["bob"]}`, 10004},
	"group_open_http_svc/get_group_ban_member":            {`{"GroupId":"sk_group","Limit":10}`, 10004},
	"group_open_http_svc/send_group_msg":                  {`{"GroupId":"sk_group","Random":1,"From_Account":"alice","MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"hi"}}]}`, 10004},
	"group_open_http_svc/send_group_system_notification":  {`{"GroupId":"sk_group","Content":"hi"}`, 10004},
	"group_open_http_svc/group_msg_get_simple":            {`{"GroupId":"sk_group","ReqMsgNumber":1}`, 10004},
	"group_open_http_svc/group_msg_recall":                {`{"GroupId":"sk_group","MsgSeqList":[{"MsgSeq":1}]}`, 10004},
	"group_open_http_svc/import_group_msg":                {`{"GroupId":"sk_group","MsgList":[{"From_Account":"alice","SendTime":1,"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"hi"}}]}]}`, 10004},
	"group_open_http_svc/clear_group_msg":                 {`{"GroupId":"sk_group","MsgSeq":1}`, 10004},
	"million_group_open_http_svc/create_topic":            {`{"GroupId":"sk_group","TopicName":"t"}`, 10004},
	"million_group_open_http_svc/get_topic":               {`{"GroupId":"sk_group","From_Account":"alice"}`, 10004},
	"million_group_open_http_svc/modify_topic":            {`{"GroupId":"sk_group","TopicId":"sk_group@TOPIC#_t"}`, 10004},
	"million_group_open_http_svc/destroy_topic":           {`{"GroupId":"sk_group","TopicIdList":["sk_group@TOPIC#_t"]}`, 10004},
	"openim_msg_ext_http_svc/get_key_values":              {`{"From_Account":"alice","To_Account":"bob","MsgKey":"1_1_1"}`, 90003},
	"openim_msg_ext_http_svc/set_key_values":              {`{"To_Account":"bob","MsgKey":"1_1_1","OperateType":3}`, 90003},
	"openim_msg_ext_http_svc/group_get_key_values":        {`{"GroupId":"sk_group","MsgSeq":1}`, 90010},
	"openim_msg_ext_http_svc/group_set_key_values":        {`{"GroupId":"sk_group","MsgSeq":1,"OperateType":3}`, 90010},
	"group_open_http_svc/delete_group_msg_by_sender":      {`{"GroupId":"sk_group","Sender_Account":"alice"}`, 10004},
	"openim/modify_group_msg":                             {`{"GroupId":"sk_group","MsgSeq":1,"CloudCustomData":"x"}`, 90010},
	"group_open_http_svc/get_online_member_num":           {`{"GroupId":"sk_group"}`, 10004},

	"sns/friend_add":        {`{"From_Account":"alice","AddFriendItem":[{"To_Account":"carol","AddSource":"AddSource_Type_Test"}]}`, 30001},
	"sns/friend_import":     {`{"From_Account":"alice","AddFriendItem":[{"To_Account":"dave","AddSource":"AddSource_Type_Test"}]}`, 30001},
	"sns/friend_delete":     {`{"From_Account":"alice","To_Account":["bob"]}`, 30001},
	"sns/friend_check":      {`{"From_Account":"alice","To_Account":["bob"],"CheckType":"CheckResult_Type_Both"}`, 30001},
	"sns/friend_get":        {`{"From_Account":"alice","StartIndex":0}`, 30001},
	"sns/group_add":         {`{"From_Account":"alice","GroupName":["L2"]}`, 30001},
	"sns/group_delete":      {`{"From_Account":"alice","GroupName":["L1"]}`, 30001},
	"sns/group_get":         {`{"From_Account":"alice"}`, 30001},
	"sns/friend_update":     {`{"From_Account":"alice","UpdateItem":[{"To_Account":"bob","SnsItem":[{"Tag":"Tag_SNS_IM_Remark","Value":"r"}]}]}`, 30001},
	"sns/friend_delete_all": {`{"From_Account":"carol","DeleteType":"Delete_Type_Both"}`, 30001},
	"sns/friend_get_list":   {`{"From_Account":"alice","To_Account":["bob"],"TagList":["Tag_SNS_IM_Remark"]}`, 30001},
	"sns/black_list_add":    {`{"From_Account":"carol","To_Account":["dave"]}`, 30001},
	"sns/black_list_delete": {`{"From_Account":"carol","To_Account":["dave"]}`, 30001},
	"sns/black_list_get":    {`{"From_Account":"carol","StartIndex":0,"MaxLimited":10,"LastSequence":0}`, 30001},
	"sns/black_list_check":  {`{"From_Account":"carol","To_Account":["dave"],"CheckType":"BlackCheckResult_Type_Both"}`, 30001},

	"profile/portrait_set": {`{"From_Account":"alice","ProfileItem":[{"Tag":"Tag_Profile_IM_Nick","Value":"sk"},{"Tag":"Tag_Profile_IM_Level","Value":3}]}`, 40001},
	"profile/portrait_get": {`{"To_Account":["alice"],"TagList":["Tag_Profile_IM_Nick","Tag_Profile_IM_Level"]}`, 40002},

	"recentcontact/create_contact_group": {`{"From_Account":"alice","GroupContactItem":[{"GroupName":"cg2","ContactItem":[{"Type":1,"To_Account":"bob"}]}]}`, 50002},
	"recentcontact/update_contact_group": {`{"From_Account":"alice","UpdateType":1,"UpdateGroup":{"UpdateGroupType":1,"OldGroupName":"cg","NewGroupName":"cg3"}}`, 50002},
	"recentcontact/get_contact_group":    {`{"From_Account":"alice","StartIndex":0}`, 50002},
	"recentcontact/search_contact_group": {`{"From_Account":"alice","ContactItem":[{"Type":1,"To_Account":"bob"}]}`, 50002},
	"recentcontact/mark_contact":         {`{"From_Account":"alice","MarkItem":[{"OptType":1,"ContactItem":{"Type":1,"To_Account":"bob"},"SetMark":[1]}]}`, 50002},
	"recentcontact/del_contact_group":    {`{"From_Account":"alice","GroupName":["cg2"]}`, 50002},
	"recentcontact/get_list":             {`{"From_Account":"alice","TimeStamp":0,"StartIndex":0,"TopTimeStamp":0,"TopStartIndex":0,"AssistFlags":7}`, 50002},
	"recentcontact/delete":               {`{"From_Account":"alice","Type":2,"ToGroupid":"sk_group","ClearRamble":1}`, 50002},
	"recentcontact/top":                  {`{"From_Account":"alice","OperationType":1,"RecentContactItem":[{"Type":1,"To_Account":"bob"},{"Type":2,"GroupId":"sk_group"}]}`, 50002},

	"openim/sendmsg":                {`{"From_Account":"alice","To_Account":"bob","MsgRandom":1,"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"hi"}}]}`, 90005},
	"openim/batchsendmsg":           {`{"From_Account":"alice","To_Account":["bob"],"MsgRandom":2,"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"hi"}}]}`, 90005},
	"openim/importmsg":              {`{"SyncFromOldSystem":2,"From_Account":"alice","To_Account":"bob","MsgRandom":3,"MsgTimeStamp":1,"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"hi"}}]}`, 90030},
	"openim/admin_getroammsg":       {`{"Operator_Account":"alice","Peer_Account":"bob","MaxCnt":10,"MinTime":0,"MaxTime":4000000000}`, 90008},
	"openim/admin_msgwithdraw":      {`{"From_Account":"alice","To_Account":"bob","MsgKey":"1_1_1"}`, 90008},
	"openim/admin_set_msg_read":     {`{"Report_Account":"alice","Peer_Account":"bob"}`, 90008},
	"openim/get_c2c_unread_msg_num": {`{"To_Account":"alice"}`, 90003},
	"openim/delete_c2c_msg_ramble":  {`{"Operator_Account":"alice","Peer_Account":"bob","MsgKeyList":["1_1_1"]}`, 90008},
	"openim/c2c_msg_read_receipt":   {`{"Operator_Account":"bob","Peer_Account":"alice","C2CMsgInfo":[{"From_Account":"alice","To_Account":"bob","MsgKey":"1_1_1"}]}`, 90008},
	"openim/modify_c2c_msg":         {`{"From_Account":"alice","To_Account":"bob","MsgKey":"1_1_1","CloudCustomData":"x"}`, 90008},

	"all_member_push/im_push":            {`{"MsgRandom":1,"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"hi"}}],"Condition":{"TagsOr":["a"]}}`, 90005},
	"all_member_push/im_set_attr_name":   {`{"AttrNames":{"0":"sex"}}`, 90001},
	"all_member_push/im_get_attr_name":   {`{}`, 0}, // no fields at all
	"all_member_push/im_get_attr":        {`{"To_Account":["alice"]}`, 90001},
	"all_member_push/im_set_attr":        {`{"UserAttrs":[{"To_Account":"alice","Attrs":{"sex":"f"}}]}`, 90001},
	"all_member_push/im_remove_attr":     {`{"UserAttrs":[{"To_Account":"alice","Attrs":["sex"]}]}`, 90001},
	"all_member_push/im_get_tag":         {`{"To_Account":["alice"]}`, 90001},
	"all_member_push/im_add_tag":         {`{"UserTags":[{"To_Account":"alice","Tags":["a"]}]}`, 90001},
	"all_member_push/im_remove_tag":      {`{"UserTags":[{"To_Account":"alice","Tags":["a"]}]}`, 90001},
	"all_member_push/im_remove_all_tags": {`{"To_Account":["alice"]}`, 90001},
	"ConfigSvc/GetIPList":                {`{}`, 0}, // no fields at all
	"openconfigsvr/setnospeaking":        {`{"Set_Account":"alice","GroupmsgNospeakingTime":0}`, 90001},
	"openconfigsvr/getnospeaking":        {`{"Get_Account":"alice"}`, 90001},

	"timd_callback/list_deliveries": {`{"Limit":0}`, 0},
	"timd_callback/replay":          {`{"Id":1}`, 91001},
	"timd_callback/replay_dead":     {`{}`, 0}, // no fields at all
	"timd_callback/purge":           {`{"Before":-1}`, 0},

	"timd_control/set_state":        {`{"To_Account":"alice","Platform":"Web","Action":"Login"}`, 91001},
	"timd_clock/get":                {`{}`, 0},
	"timd_clock/set":                {`{"Time":1700000000000}`, 91001},
	"timd_clock/advance":            {`{"Seconds":1}`, 91001},
	"timd_clock/reset":              {`{}`, 0},
	"timd_control/apply_join_group": {`{"GroupId":"sk_group","Requestor_Account":"carol"}`, 91001},
	"timd_control/list_objects":     {`{"Type":"Account"}`, 91001},
	"timd_apps/create":              {`{"Edition":"standard"}`, 0},
	"timd_apps/delete":              {`{"SdkAppId":1600000999}`, 91001},
	"timd_apps/list":                {`{}`, 0},
	"timd_capture/list":             {`{"Limit":0}`, 0},
	"timd_capture/wait":             {`{"TimeoutMs":-1}`, 0},
	"timd_capture/clear":            {`{"GroupId":""}`, 0},
	"timd_fault/list":               {`{"Kind":"x"}`, 0},
	"timd_fault/clear":              {`{"FaultId":0}`, 0},
	// reset and import replace the state the reads look at: strictKeyResets.
	"timd_control/reset":           {`{}`, 0}, // no fields at all
	"timd_control/export":          {`{}`, 0}, // no fields at all
	"timd_control/import":          {`{"Format":"timd-export","Version":1,"Accounts":[{"user_id":"sk_seeded","created_at":1}]}`, 91001},
	"timd_control/snapshot":        {`{"Name":"sk"}`, 91001},
	"timd_control/restore":         {`{"Name":"sk"}`, 91001},
	"timd_control/list_snapshots":  {`{}`, 0}, // no fields at all
	"timd_control/delete_snapshot": {`{"Name":"sk"}`, 91001},
	// The last routes: their faults touch nothing the others call.
	"timd_fault/set":          {`{"Service":"sns","Command":"friend_delete_all","ErrorCode":30001,"Count":1}`, 91001},
	"timd_fault/set_callback": {`{"CallbackCommand":"*","Action":"Fail","Count":1}`, 91001},
}

// strictKeyResets are the commands whose exact bodies replace the app's
// state: the test keeps a snapshot of the state before each and restores it
// after.
var strictKeyResets = map[string]bool{"timd_control/reset": true, "timd_control/import": true}

var jsonKey = regexp.MustCompile(`"([^"\\]+)"(\s*):`)

// lowerKeys lower-cases every key of a hand-written JSON body (whose string
// values hold no `":`).
func lowerKeys(body string) string {
	return jsonKey.ReplaceAllStringFunc(body, strings.ToLower)
}

// strictKeyState sets up what the strictKeyRoutes bodies name.
func strictKeyState(t *testing.T, h *Harness) {
	t.Helper()
	h.MustCall(0, "im_open_login_svc", "multiaccount_import", `{"Accounts":["alice","bob","carol","dave","sk_del"]}`)
	h.MustCall(0, "group_open_http_svc", "create_group", `{"Owner_Account":"alice","Type":"Public","Name":"g","GroupId":"sk_group","MemberList":[{"Member_Account":"bob"},{"Member_Account":"dave"}]}`)
	h.MustCall(0, "group_open_http_svc", "create_group", `{"Type":"Public","Name":"d","GroupId":"sk_doomed"}`)
	h.MustCall(0, "sns", "friend_add", `{"From_Account":"alice","AddFriendItem":[{"To_Account":"bob","AddSource":"AddSource_Type_Test"}],"ForceAddFlags":1}`)
	h.MustCall(0, "sns", "group_add", `{"From_Account":"alice","GroupName":["L1"],"To_Account":["bob"]}`)
	h.MustCall(0, "recentcontact", "create_contact_group", `{"From_Account":"alice","GroupContactItem":[{"GroupName":"cg","ContactItem":[{"Type":1,"To_Account":"bob"}]}]}`)
	h.MustCall(0, "timd_apps", "create", `{"SdkAppId":1600000999}`)
}

// newAppIdentity matches what differs between two apps timd_apps/create
// made from one request: the SDKAppID allocated, the key and UserSig drawn.
var newAppIdentity = regexp.MustCompile(`"(SdkAppId|SecretKey|UserSig)":("[^"]*"|\d+)`)

// strictKeySnapshot reads every state a strictKeyRoutes body could change.
func strictKeySnapshot(t *testing.T, h *Harness) string {
	t.Helper()
	reads := []struct{ svc, cmd, body string }{
		{"im_open_login_svc", "account_check", `{"CheckItem":[{"UserID":"alice"},{"UserID":"bob"},{"UserID":"carol"},{"UserID":"dave"},{"UserID":"sk_del"},{"UserID":"sk_new1"},{"UserID":"sk_new2"},{"UserID":"sk_new3"}]}`},
		{"group_open_http_svc", "get_appid_group_list", `{}`},
		{"group_open_http_svc", "get_group_info", `{"GroupIdList":["sk_group","sk_doomed","sk_created"]}`},
		{"group_open_attr_http_svc", "get_group_attr", `{"GroupId":"sk_group"}`},
		{"sns", "friend_get", `{"From_Account":"alice","StartIndex":0}`},
		{"sns", "friend_get", `{"From_Account":"bob","StartIndex":0}`},
		{"sns", "group_get", `{"From_Account":"alice","NeedFriend":"Need_Friend_Type_Yes"}`},
		{"sns", "black_list_get", `{"From_Account":"carol","StartIndex":0,"MaxLimited":10,"LastSequence":0}`},
		{"recentcontact", "get_contact_group", `{"From_Account":"alice","StartIndex":0}`},
		{"all_member_push", "im_get_attr_name", `{}`},
		{"all_member_push", "im_get_attr", `{"To_Account":["alice"]}`},
		{"all_member_push", "im_get_tag", `{"To_Account":["alice"]}`},
		{"openim", "admin_getroammsg", `{"Operator_Account":"alice","Peer_Account":"bob","MaxCnt":100,"MinTime":0,"MaxTime":4000000000}`},
		{"openim", "get_c2c_unread_msg_num", `{"To_Account":"bob","Peer_Account":["alice"]}`},
		{"recentcontact", "get_list", `{"From_Account":"alice","TimeStamp":0,"StartIndex":0,"TopTimeStamp":0,"TopStartIndex":0,"AssistFlags":7}`},
		{"profile", "portrait_get", `{"To_Account":["alice"],"TagList":["Tag_Profile_IM_Nick","Tag_Profile_IM_Level"]}`},
		{"timd_callback", "list_deliveries", `{}`},
	}
	var b strings.Builder
	for _, rd := range reads {
		// get_list's last page carries the time of the read.
		reply := readTime.ReplaceAllString(h.MustCall(0, rd.svc, rd.cmd, rd.body).Raw, `"$1":0`)
		b.WriteString(rd.cmd + " " + rd.body + " => " + reply + "\n")
	}
	return b.String()
}

// readTime matches get_list's cursor times.
var readTime = regexp.MustCompile(`"((?:Top)?TimeStamp)":\d+`)

// stateDiff lists the reads of two snapshots that differ, "" if none.
func stateDiff(before, after string) string {
	b, a := strings.Split(before, "\n"), strings.Split(after, "\n")
	var out strings.Builder
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			out.WriteString("before: " + b[i] + "\nafter:  " + a[i] + "\n")
		}
	}
	return out.String()
}

// Ensure, for every command of the route table, that a correct request
// with its keys lower-cased is refused as missing its required fields with
// the service's code and changes nothing, while the exactly cased request
// is not refused so; for a command without required fields, that
// lower-cased keys are ignored.
func TestStrictKeysEveryRoute(t *testing.T) {
	routes := api.RouteNames()
	for _, name := range routes {
		if _, ok := strictKeyRoutes[name]; !ok {
			t.Errorf("%s: no entry in strictKeyRoutes", name)
		}
	}
	if len(strictKeyRoutes) != len(routes) {
		t.Errorf("strictKeyRoutes has %d entries, the route table %d lines", len(strictKeyRoutes), len(routes))
	}
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		// A clock that stands still: timd_clock's replies carry the time.
		start := time.Now()
		h := MustOpenHarness(t, dsn, func(o *api.Options) { o.Clocks, o.Now = &im.Clocks{}, func() time.Time { return start } })
		strictKeyState(t, h)
		for _, name := range routes {
			rt, ok := strictKeyRoutes[name]
			if !ok {
				continue
			}
			svc, cmd, _ := strings.Cut(name, "/")
			if strictKeyResets[name] {
				h.MustCall(0, "timd_control", "snapshot", `{"Name":"sk_keep"}`)
			}
			t.Run(name, func(t *testing.T) {
				lowered := lowerKeys(rt.body)
				before := strictKeySnapshot(t, h)
				r := h.Call(svc, cmd, lowered)
				if rt.want == 0 {
					// Lower-cased keys are unknown fields: the body is {}.
					want := h.Call(svc, cmd, `{}`)
					// Only timd_apps/create's replies name what it drew.
					r.Raw, want.Raw = newAppIdentity.ReplaceAllString(r.Raw, ""), newAppIdentity.ReplaceAllString(want.Raw, "")
					if r.Raw != want.Raw {
						t.Errorf("%s answers %s, {} answers %s", lowered, r.Raw, want.Raw)
					}
					exact := h.Call(svc, cmd, rt.body)
					exact.Raw = newAppIdentity.ReplaceAllString(exact.Raw, "")
					if rt.body != `{}` && exact.Raw == want.Raw {
						t.Errorf("%s answers as {} does: the exact key is not read: %s", rt.body, exact.Raw)
					}
					return
				}
				if code := r.Code(t); code != rt.want {
					t.Errorf("%s: ErrorCode %d, want %d: %s", lowered, code, rt.want, r.Raw)
				}
				if d := stateDiff(before, strictKeySnapshot(t, h)); d != "" {
					t.Errorf("%s changed state:\n%s", lowered, d)
				}
				if exact := h.Call(svc, cmd, rt.body); exact.Code(t) == rt.want {
					t.Errorf("%s: the exactly cased body is refused too: %s", rt.body, exact.Raw)
				}
			})
			if strictKeyResets[name] {
				h.MustCall(0, "timd_control", "restore", `{"Name":"sk_keep"}`)
			}
		}
	})
}

// Ensure a required field inside arrays and nested objects is missing when
// its key is mis-cased, though every key around it is exact.
func TestStrictKeysNested(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := MustOpenHarness(t, dsn)
		strictKeyState(t, h)
		before := strictKeySnapshot(t, h)
		for _, c := range []struct {
			svc, cmd, body string
			want           int
		}{
			{"im_open_login_svc", "multiaccount_import", `{"AccountList":[{"userid":"sk_new3"}]}`, 70402},
			{"im_open_login_svc", "multiaccount_import", `{"Accounts":["sk_new2"],"AccountList":[{"UserId":"sk_new3"}]}`, 70402},
			{"im_open_login_svc", "account_delete", `{"DeleteItem":[{"userID":"sk_del"}]}`, 70402},
			{"im_open_login_svc", "account_check", `{"CheckItem":[{"UserID":"alice"},{"USERID":"bob"}]}`, 70402},
			{"group_open_http_svc", "create_group", `{"Type":"Public","Name":"n","GroupId":"sk_created","MemberList":[{"member_account":"bob"}]}`, 10004},
			{"group_open_http_svc", "create_group", `{"Type":"Public","Name":"n","GroupId":"sk_created","AppDefinedData":[{"key":"k","Value":"v"}]}`, 10004},
			{"group_open_http_svc", "add_group_member", `{"GroupId":"sk_group","MemberList":[{"Member_account":"carol"}]}`, 10004},
			// GroupAttr's keys are key and value, in lower case.
			{"group_open_http_svc", "modify_group_attr", `{"GroupId":"sk_group","GroupAttr":[{"Key":"k","value":"v"}]}`, 10004},
			{"group_open_http_svc", "modify_group_attr", `{"GroupId":"sk_group","GroupAttr":[{"key":"k","Value":"v"}]}`, 10004},
			{"group_open_http_svc", "set_group_attr", `{"GroupId":"sk_group","GroupAttr":[{"KEY":"k","value":"v"}]}`, 10004},
			{"sns", "friend_add", `{"From_Account":"alice","AddFriendItem":[{"to_account":"carol","AddSource":"AddSource_Type_Test"}]}`, 30001},
			{"sns", "friend_add", `{"From_Account":"alice","AddFriendItem":[{"To_Account":"carol","addSource":"AddSource_Type_Test"}]}`, 30001},
			{"sns", "friend_import", `{"From_Account":"alice","AddFriendItem":[{"To_Account":"dave","AddSource":"AddSource_Type_Test","CustomItem":[{"tag":"Tag_SNS_Custom_x","Value":1}]}]}`, 30001},
			{"recentcontact", "create_contact_group", `{"From_Account":"alice","GroupContactItem":[{"GroupName":"cg2","contactitem":[{"Type":1,"To_Account":"bob"}]}]}`, 50002},
			{"recentcontact", "create_contact_group", `{"From_Account":"alice","GroupContactItem":[{"groupname":"cg2","ContactItem":[]}]}`, 50002},
			{"recentcontact", "create_contact_group", `{"From_Account":"alice","GroupContactItem":[{"GroupName":"cg2","ContactItem":[{"type":1,"To_Account":"bob"}]}]}`, 50002},
			{"recentcontact", "update_contact_group", `{"From_Account":"alice","UpdateType":1,"UpdateGroup":{"updateGroupType":1,"OldGroupName":"cg","NewGroupName":"cg3"}}`, 50002},
			{"recentcontact", "update_contact_group", `{"From_Account":"alice","UpdateType":1,"UpdateGroup":{"UpdateGroupType":1,"OldGroupName":"cg","newgroupname":"cg3"}}`, 50002},
			{"recentcontact", "update_contact_group", `{"From_Account":"alice","UpdateType":1,"UpdateGroup":{"UpdateGroupType":2,"OldGroupName":"cg","ContactUpdateItem":[{"ContactOptType":1,"ContactItem":{"Type":1,"to_account":"carol"}}]}}`, 50002},
			// recentcontact/delete spells it ToGroupid; here it is ToGroupId.
			{"recentcontact", "search_contact_group", `{"From_Account":"alice","ContactItem":[{"Type":2,"ToGroupid":"sk_group"}]}`, 50002},
			{"recentcontact", "mark_contact", `{"From_Account":"alice","MarkItem":[{"optType":1,"ContactItem":{"Type":1,"To_Account":"bob"},"SetMark":[1]}]}`, 50002},
			{"recentcontact", "mark_contact", `{"From_Account":"alice","MarkItem":[{"OptType":1,"ContactItem":{"TYPE":1,"To_Account":"bob"},"SetMark":[1]}]}`, 50002},
			// recentcontact/top spells it GroupId.
			{"recentcontact", "top", `{"From_Account":"alice","OperationType":1,"RecentContactItem":[{"Type":2,"groupid":"sk_group"}]}`, 50002},
			{"recentcontact", "top", `{"From_Account":"alice","OperationType":1,"RecentContactItem":[{"Type":2,"ToGroupId":"sk_group"}]}`, 50002},
			{"recentcontact", "top", `{"From_Account":"alice","OperationType":1,"RecentContactItem":[{"Type":1,"To_account":"bob"}]}`, 50002},
		} {
			if r := h.Call(c.svc, c.cmd, c.body); r.Code(t) != c.want {
				t.Errorf("%s/%s %s: ErrorCode %d, want %d: %s", c.svc, c.cmd, c.body, r.Code(t), c.want, r.Raw)
			}
		}
		if d := stateDiff(before, strictKeySnapshot(t, h)); d != "" {
			t.Errorf("state changed:\n%s", d)
		}
	})
}
