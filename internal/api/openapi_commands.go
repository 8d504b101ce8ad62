package api

// commandDoc is what /openapi.json says of a command beyond what reflection
// finds in its types (openapi.go, docs/openapi.md).
type commandDoc struct {
	summary string
	// required lists the request fields that must be present; "A.B" is
	// field B of A's elements (A an object, or an array or map of objects).
	required []string
	// anyOf lists sets of top-level request fields of which at least one
	// must be present (UserID or its older name Identifier).
	anyOf [][]string
	// enums lists the values a request field takes, by the same paths.
	enums map[string][]any
	// codes are the codes the command itself answers, beyond the REST
	// layer's and its service's (invalid, internal, ...), which every
	// command lists.
	codes []int
	// ranges are ranges of codes, both ends included, the command passes
	// through from the app backend: the codes a before-callback may refuse
	// with (groupDenyRange, c2cDenyRange).
	ranges [][2]int
}

// The codes a before-callback's reply may refuse an operation with, passed
// through to the caller: 10100 to 10200 for a group's (Group.CallbackBefore*:
// 1047/34368, 269/1665), 120001 to 130000 for C2C.CallbackBeforeSendMsg
// (1047/34364, 269/1632).
var (
	groupDenyRange = [][2]int{{10100, 10200}}
	c2cDenyRange   = [][2]int{{120001, 130000}}
)

// commandDocs describes every command of the route table, by
// "service/command": a route added to routes.go needs one line here
// (TestOpenAPI_EveryRoute says which). Codes follow docs/fidelity.
var commandDocs = map[string]commandDoc{
	"im_open_login_svc/account_import":                    {summary: "Imports one account, or updates its profile if it exists", anyOf: [][]string{{"UserID", "Identifier"}}, codes: []int{40601, 70402}},
	"im_open_login_svc/multiaccount_import":               {summary: "Imports up to 100 accounts in either form", anyOf: [][]string{{"Accounts", "AccountList"}}, codes: []int{70402}},
	"im_open_login_svc/account_delete":                    {summary: "Deletes up to 100 accounts with everything they own, in one transaction", required: []string{"DeleteItem", "DeleteItem.UserID"}, codes: []int{10019, 70107, 70402}},
	"im_open_login_svc/account_check":                     {summary: "Reports, for up to 100 ids, whether each is imported", required: []string{"CheckItem", "CheckItem.UserID"}, codes: []int{70402}},
	"im_open_login_svc/kick":                              {summary: "Logs an account out of every platform (UserID, or its older name Identifier)", anyOf: [][]string{{"UserID", "Identifier"}}, codes: []int{60010, 70107, 70402}},
	"openim/querystate":                                   {summary: "Answers the state of up to 500 accounts", required: []string{"To_Account"}, codes: []int{70107, 90003, 90010}},
	"openim/query_online_status":                          {summary: "Answers the state of up to 500 accounts", required: []string{"To_Account"}, codes: []int{70107, 90003, 90010}},
	"group_open_http_svc/create_group":                    {summary: "Creates a group", required: []string{"Type", "Name", "MemberList.Member_Account"}, enums: map[string][]any{"Type": {"Private", "Public", "ChatRoom", "AVChatRoom", "Community", "Work", "Meeting"}}, codes: []int{10004, 10005, 10007, 10014, 10016, 10019, 10021, 10100, 10200}, ranges: groupDenyRange},
	"group_open_http_svc/get_group_info":                  {summary: "Returns up to 50 groups' profiles and members", required: []string{"GroupIdList"}, codes: []int{10004, 10010, 10015, 10018}},
	"group_open_http_svc/destroy_group":                   {summary: "Dismisses a group", required: []string{"GroupId"}, codes: []int{10010, 10015}},
	"group_open_http_svc/add_group_member":                {summary: "Adds up to 300 accounts to a group", required: []string{"GroupId", "MemberList", "MemberList.Member_Account"}, codes: []int{10004, 10005, 10007, 10010, 10014, 10015, 10019}},
	"group_open_http_svc/delete_group_member":             {summary: "Removes up to 100 members", required: []string{"GroupId", "MemberToDel_Account"}, codes: []int{10004, 10005, 10007, 10010, 10015}},
	"group_open_http_svc/get_group_member_info":           {summary: "Lists a group's members, a page at a time with Limit and Offset, or, for a Community, Limit and Next", required: []string{"GroupId"}, codes: []int{10004, 10007, 10010, 10015}},
	"group_open_http_svc/get_joined_group_list":           {summary: "Lists the groups an account belongs to", required: []string{"Member_Account"}, codes: []int{10004, 10019}},
	"group_open_http_svc/get_appid_group_list":            {summary: "Pages through all of the app's groups, oldest first", codes: []int{10004}},
	"group_open_http_svc/change_group_owner":              {summary: "Hands a group to one of its members", required: []string{"GroupId", "NewOwner_Account"}, codes: []int{10004, 10007, 10010, 10015, 10019}},
	"group_open_http_svc/modify_group_base_info":          {summary: "Changes a group's profile", required: []string{"GroupId"}, codes: []int{10004, 10010, 10015}},
	"group_open_http_svc/modify_group_member_info":        {summary: "Changes one member's role, message option, name card, mute or custom fields", required: []string{"GroupId", "Member_Account"}, codes: []int{10004, 10007, 10010, 10019}},
	"group_open_http_svc/forbid_send_msg":                 {summary: "Mutes (or, with 0, unmutes) up to 500 members", required: []string{"GroupId", "Members_Account"}, anyOf: [][]string{{"ShutUpTime", "MuteTime"}}, codes: []int{10004, 10005, 10007, 10017, 10019}},
	"group_open_http_svc/get_group_muted_account":         {summary: "Lists the members muted now, with when each mute ends (unix seconds)", required: []string{"GroupId"}, codes: []int{10010, 10015}},
	"group_open_http_svc/get_group_shutted_uin":           {summary: "The older name of get_group_muted_account, answering with the older reply keys (ShuttedUinList, ShuttedUntil)", required: []string{"GroupId"}, codes: []int{10010, 10015}},
	"group_open_http_svc/get_role_in_group":               {summary: "Answers up to 500 accounts' roles", required: []string{"GroupId", "User_Account"}, codes: []int{10004, 10005, 10007, 10010}},
	"group_open_http_svc/import_group":                    {summary: "Creates a group as create_group does, without members beyond its owner, at its CreateTime, and records no callback", required: []string{"Type", "Name"}, enums: map[string][]any{"Type": {"Private", "Public", "ChatRoom", "AVChatRoom", "Community", "Work", "Meeting"}}, codes: []int{10004, 10007, 10019, 10021}},
	"group_open_http_svc/import_group_member":             {summary: "Adds up to 300 members with their roles, join times and unread counts", required: []string{"GroupId", "MemberList", "MemberList.Member_Account"}, codes: []int{10004, 10005, 10007, 10014, 10019}},
	"group_open_http_svc/set_unread_msg_num":              {summary: "Sets a member's unread message count", required: []string{"GroupId", "Member_Account", "UnreadMsgNum"}, codes: []int{10004, 10010, 10019}},
	"group_open_attr_http_svc/get_group_attr":             {summary: "Reads a group's attributes", required: []string{"GroupId"}, codes: []int{10010, 10015}},
	"group_open_http_svc/modify_group_attr":               {summary: "Adds or replaces the attributes given", required: []string{"GroupId", "GroupAttr", "GroupAttr.key", "GroupAttr.value"}, codes: []int{10007, 10010, 10015, 10045, 10046, 10047, 10048, 10049}},
	"group_open_http_svc/set_group_attr":                  {summary: "Replaces a group's attributes with those given", required: []string{"GroupId", "GroupAttr", "GroupAttr.key", "GroupAttr.value"}, codes: []int{10007, 10010, 10015, 10045, 10046, 10047, 10048, 10049}},
	"group_open_http_svc/delete_group_attr":               {summary: "Deletes the attributes whose keys are given, every one of which the group must have (10050)", required: []string{"GroupId", "GroupAttr", "GroupAttr.key"}, codes: []int{10007, 10010, 10015, 10045, 10049, 10050}},
	"group_open_http_svc/clear_group_attr":                {summary: "Deletes all of a group's attributes", required: []string{"GroupId"}, codes: []int{10007, 10010, 10015, 10049}},
	"follow/follow_add":                                   {summary: "Makes From_Account follow each FollowItem's To_Account (up to 20), each with its ResultCode (Ultimate edition)", required: []string{"From_Account", "FollowItem", "FollowItem.To_Account"}, codes: []int{30001, 30003, 30005}},
	"follow/follow_delete":                                {summary: "Ends From_Account's follows of each To_Account (up to 20), each with its ResultCode (Ultimate edition)", required: []string{"From_Account", "To_Account"}, codes: []int{30001, 30003, 30005}},
	"follow/follow_check":                                 {summary: "Tells how From_Account and each To_Account (up to 100) follow each other: FollowType 0 none, 1 a follower, 2 followed, 3 mutual (Ultimate edition)", required: []string{"From_Account", "To_Account"}, codes: []int{30001, 30003, 30005}},
	"follow/follow_get":                                   {summary: "Reads a page of From_Account's followers (FollowType 1), follows (2) or mutual follows (3), newest first (Ultimate edition)", required: []string{"From_Account", "FollowType"}, enums: map[string][]any{"FollowType": {1, 2, 3}}, codes: []int{30001, 30003, 30005}},
	"follow/follow_get_info":                              {summary: "Counts each To_Account's followers, follows and mutual follows (up to 20; Ultimate edition)", required: []string{"From_Account", "To_Account"}, codes: []int{30001, 30003, 30005}},
	"open_msg_svc/get_history":                            {summary: "Answers the download URL of one hour's one-to-one or group messages (Beijing time), a gzipped file of Tencent's layout that timd serves itself", required: []string{"ChatType", "MsgTime"}, enums: map[string][]any{"ChatType": {"C2C", "Group"}}, codes: []int{1002, 1004, 1005}},
	"group_open_http_svc/get_group_counter":               {summary: "Reads the group counters named, or all of them (Ultimate edition)", required: []string{"GroupId"}, codes: []int{10004, 10007, 10010, 10015, 10059}},
	"group_open_http_svc/update_group_counter":            {summary: "Sets, increases or decreases group counters and answers their new values (Ultimate edition)", required: []string{"GroupId", "GroupCounter", "GroupCounter.Key", "GroupCounter.Value", "Mode"}, enums: map[string][]any{"Mode": {"Set", "Increase", "Decrease"}}, codes: []int{10004, 10007, 10010, 10015, 10059}},
	"group_open_http_svc/get_specified_group_member_info": {summary: "Reads the profiles of up to 50 named members, in joining order (a name that is not a member is left out)", required: []string{"GroupId", "Member_List_Account"}, codes: []int{10004, 10007, 10010, 10015}},
	"group_open_http_svc/ban_group_member":                {summary: "Bans up to 20 accounts from an AVChatRoom for Duration seconds (Ultimate edition)", required: []string{"GroupId", "Members_Account", "Duration"}, codes: []int{10004, 10007, 10010, 10015, 10019, 10059}},
	"group_open_http_svc/unban_group_member":              {summary: "Lifts up to 20 accounts' bans from an AVChatRoom (Ultimate edition)", required: []string{"GroupId", "Members_Account"}, codes: []int{10004, 10007, 10010, 10015, 10019, 10059}},
	"group_open_http_svc/get_group_ban_member":            {summary: "Reads a page of an AVChatRoom's running bans, the soonest to end first (Ultimate edition)", required: []string{"GroupId", "Limit"}, codes: []int{10004, 10007, 10010, 10015, 10059}},
	"group_open_http_svc/delete_group_counter":            {summary: "Deletes the group counters named, or all of them (Ultimate edition)", required: []string{"GroupId"}, codes: []int{10004, 10007, 10010, 10015, 10059}},
	"group_open_http_svc/send_group_msg":                  {summary: "Sends a message to a group", required: []string{"GroupId", "Random"}, enums: map[string][]any{"MsgPriority": {"High", "Normal", "Low"}}, codes: []int{10004, 10007, 10010, 10015, 10016, 10017, 10019, 10100, 80002}, ranges: groupDenyRange},
	"group_open_http_svc/send_group_system_notification":  {summary: "Sends a system notification to a group's members, or to those of them named", required: []string{"GroupId", "Content"}, codes: []int{10004, 10007, 10010}},
	"group_open_http_svc/group_msg_get_simple":            {summary: "Reads a page of a group's history, newest first", required: []string{"GroupId", "ReqMsgNumber"}, codes: []int{10004, 10007, 10010}},
	"group_open_http_svc/group_msg_recall":                {summary: "Recalls up to 10 messages, each answered with its own RetCode", required: []string{"GroupId", "MsgSeqList", "MsgSeqList.MsgSeq"}, codes: []int{10004, 10010, 10030, 10033}},
	"group_open_http_svc/import_group_msg":                {summary: "Imports up to 7 messages of history, in time order, each answered with its own Result", required: []string{"GroupId", "MsgList", "MsgList.From_Account", "MsgList.SendTime"}, codes: []int{10004, 10007, 10010, 10019}},
	"group_open_http_svc/clear_group_msg":                 {summary: "Clears a group's history up to MsgSeq, or all of it, for its members' clients (a mark: group_msg_get_simple still returns the messages)", required: []string{"GroupId"}, codes: []int{10004, 10007, 10010, 10015}},
	"million_group_open_http_svc/create_topic":            {summary: "Creates a topic in a Community created with SupportTopic 1, with the TopicId given or one drawn", required: []string{"GroupId", "TopicName"}, codes: []int{10004, 10010, 10015, 10019, 10021, 11000}},
	"million_group_open_http_svc/get_topic":               {summary: "Reads a Community's topics, all or those named, and what From_Account is in them", required: []string{"GroupId", "From_Account"}, codes: []int{10004, 10010, 10015, 11000}},
	"million_group_open_http_svc/modify_topic":            {summary: "Changes a topic's name, introduction, notification, face, custom string or mute of all members", required: []string{"GroupId", "TopicId"}, enums: map[string][]any{"MuteAllMember": {"On", "Off"}}, codes: []int{10004, 10010, 10015, 11000}},
	"million_group_open_http_svc/destroy_topic":           {summary: "Deletes topics of a Community, each answered with its own code (110003 for one already gone)", required: []string{"GroupId", "TopicIdList"}, codes: []int{10004, 10010, 10015, 11000}},
	"openim_msg_ext_http_svc/get_key_values":              {summary: "Reads a page of a one-to-one message's extension pairs from StartSeq, in Seq order (the message sent with SupportMessageExtension 1)", required: []string{"To_Account", "MsgKey"}, codes: []int{20022, 90003, 90008, 90010, 90054}},
	"openim_msg_ext_http_svc/set_key_values":              {summary: "Sets (OperateType 1), deletes (2) or clears (3) a one-to-one message's extension pairs, up to 20 a request and 300 a message", required: []string{"To_Account", "MsgKey", "OperateType"}, enums: map[string][]any{"OperateType": {1, 2, 3}}, codes: []int{20022, 90003, 90008, 90010, 90054}},
	"openim_msg_ext_http_svc/group_get_key_values":        {summary: "Reads a page of a group message's extension pairs from StartSeq, in Seq order", required: []string{"GroupId", "MsgSeq"}, codes: []int{10007, 10010, 10030, 90010}},
	"openim_msg_ext_http_svc/group_set_key_values":        {summary: "Sets (OperateType 1), deletes (2) or clears (3) a group message's extension pairs", required: []string{"GroupId", "MsgSeq", "OperateType"}, enums: map[string][]any{"OperateType": {1, 2, 3}}, codes: []int{10007, 10010, 10030, 90010}},
	"group_open_http_svc/delete_group_msg_by_sender":      {summary: "Deletes what one account sent among a group's latest 1000 messages", required: []string{"GroupId", "Sender_Account"}, codes: []int{10004, 10010}},
	"openim/modify_group_msg":                             {summary: "Overwrites a stored group message's MsgBody and/or CloudCustomData", required: []string{"GroupId", "MsgSeq"}, codes: []int{10007, 10010, 10015, 10030, 90002, 90003, 90007, 90010, 93000}},
	"group_open_http_svc/get_online_member_num":           {summary: "Answers how many of a group's members are online", required: []string{"GroupId"}, codes: []int{10004, 10007, 10010, 10015}},
	"sns/friend_add":                                      {summary: "Adds friends", required: []string{"From_Account", "AddFriendItem", "AddFriendItem.To_Account"}, codes: []int{30001, 30003, 30010, 30011, 30014, 30515, 30516, 30525, 30539}},
	"sns/friend_import":                                   {summary: "Imports one-way friends with their fields", required: []string{"From_Account", "AddFriendItem", "AddFriendItem.To_Account", "AddFriendItem.AddSource"}, codes: []int{30001, 30003, 30010, 30011}},
	"sns/friend_delete":                                   {summary: "Removes friends", required: []string{"From_Account", "To_Account"}, codes: []int{30003, 31704}},
	"sns/friend_check":                                    {summary: "Reports relations", required: []string{"From_Account", "To_Account", "CheckType"}, codes: []int{30003}},
	"sns/friend_get":                                      {summary: "Pages through a user's friends, 100 a page, in UserID order, with every standard and custom friend field", required: []string{"From_Account", "StartIndex"}, codes: []int{30001, 30003}},
	"sns/group_add":                                       {summary: "Creates friend lists (up to 32 per user)", required: []string{"From_Account", "GroupName"}, codes: []int{30001, 30003, 30011, 32216}},
	"sns/group_delete":                                    {summary: "Deletes friend lists", required: []string{"From_Account", "GroupName"}, codes: []int{30001, 30003}},
	"sns/group_get":                                       {summary: "Lists a user's friend lists in creation order with their friend counts, and with NeedFriend \"Need_Friend_Type_Yes\" their friends", required: []string{"From_Account"}, codes: []int{30001, 30003}},
	"sns/friend_update":                                   {summary: "Changes friends' remarks, lists and custom fields, the only fields Tencent lets it update (1047/34904)", required: []string{"From_Account", "UpdateItem", "UpdateItem.To_Account", "UpdateItem.SnsItem"}, codes: []int{30001, 30003, 30011}},
	"sns/friend_delete_all":                               {summary: "Removes all of a user's friends", required: []string{"From_Account"}, codes: []int{30003}},
	"sns/friend_get_list":                                 {summary: "Reads the named friends' fields and profiles, the tags of TagList only", required: []string{"From_Account", "To_Account", "TagList"}, codes: []int{30001, 30003}},
	"sns/black_list_add":                                  {summary: "Blocks accounts", required: []string{"From_Account", "To_Account"}, codes: []int{30001, 30003, 30013}},
	"sns/black_list_delete":                               {summary: "Unblocks accounts", required: []string{"From_Account", "To_Account"}, codes: []int{30001, 30003, 30013}},
	"sns/black_list_get":                                  {summary: "Pages through a blocklist in the order of blocking", required: []string{"From_Account", "StartIndex", "MaxLimited", "LastSequence"}, codes: []int{30001, 30003, 30013}},
	"sns/black_list_check":                                {summary: "Reports blocklist relations", required: []string{"From_Account", "To_Account", "CheckType"}, codes: []int{30001, 30003, 30013}},
	"profile/portrait_set":                                {summary: "Sets From_Account's fields", required: []string{"From_Account", "ProfileItem", "ProfileItem.Tag"}, codes: []int{40001, 40003, 40004, 40006, 40008, 40009, 40601, 40605, 40610, 60010}},
	"profile/portrait_get":                                {summary: "Reads the TagList fields of up to 100 accounts", required: []string{"To_Account", "TagList"}, codes: []int{40001, 40002, 40003, 40004, 40006, 40007, 40009, 60010}},
	"recentcontact/create_contact_group":                  {summary: "Creates one conversation group (Tencent takes one per call) holding the listed conversations, each with its own ResultCode", required: []string{"From_Account", "GroupContactItem"}, codes: []int{50001, 50002, 51007, 51008, 51010, 51011, 51013}},
	"recentcontact/update_contact_group":                  {summary: "Renames a conversation group (UpdateGroupType 1) or adds and removes its conversations (2, ContactOptType 1 add, 2 remove)", required: []string{"From_Account", "UpdateType", "UpdateGroup"}, codes: []int{50001, 50002, 51007, 51008, 51009, 51011, 51013}},
	"recentcontact/get_contact_group":                     {summary: "Pages through a user's conversations, 100 a page, each page with all of the user's conversation groups", required: []string{"From_Account", "StartIndex"}, codes: []int{50001, 50002, 51013}},
	"recentcontact/search_contact_group":                  {summary: "Returns the groups and marks of 1 to 300 named conversations", required: []string{"From_Account", "ContactItem"}, codes: []int{50001, 50002, 51013}},
	"recentcontact/mark_contact":                          {summary: "Sets and clears standard marks (bits 0 to 63) and replaces custom marks", required: []string{"From_Account", "MarkItem"}, codes: []int{50001, 50002, 51006, 51007, 51008, 51013}},
	"recentcontact/del_contact_group":                     {summary: "Deletes one conversation group by name (docs/decisions.md §5.4)", required: []string{"From_Account", "GroupName"}, codes: []int{50001, 50002, 51009, 51011, 51013}},
	"recentcontact/get_list":                              {summary: "Answers one page of an account's conversations, pinned first, newest first", required: []string{"From_Account", "TimeStamp", "StartIndex", "TopTimeStamp", "TopStartIndex"}, codes: []int{50001, 50002}},
	"recentcontact/delete":                                {summary: "Deletes one conversation of an account, and with ClearRamble 1 its history for that account", required: []string{"From_Account", "Type"}, codes: []int{50001, 50002, 51007}},
	"recentcontact/top":                                   {summary: "Pins (OperationType 1) or unpins (2) From_Account's conversations", required: []string{"From_Account", "OperationType", "RecentContactItem"}, codes: []int{50001, 50002, 51007, 51012}},
	"openim/sendmsg":                                      {summary: "Sends one one-to-one message", required: []string{"To_Account", "MsgRandom", "MsgBody"}, codes: []int{20003, 20006, 20012, 90002, 90003, 90005, 90006, 90010, 90012, 90026, 90031, 90044, 93000}, ranges: c2cDenyRange},
	"openim/batchsendmsg":                                 {summary: "Sends one message to up to 500 accounts", required: []string{"To_Account", "MsgRandom", "MsgBody"}, codes: []int{20003, 70107, 90003, 90011, 90012, 90048}},
	"openim/importmsg":                                    {summary: "Imports one message of a one-to-one history", required: []string{"SyncFromOldSystem", "From_Account", "To_Account", "MsgRandom", "MsgTimeStamp", "MsgBody"}, codes: []int{90003, 90006, 90008, 90012, 90030}},
	"openim/admin_getroammsg":                             {summary: "Answers one page of a conversation's history", required: []string{"MaxCnt", "MinTime", "MaxTime"}, anyOf: [][]string{{"Operator_Account", "From_Account"}, {"Peer_Account", "To_Account"}}, codes: []int{90003, 90010, 90054}},
	"openim/admin_msgwithdraw":                            {summary: "Recalls a one-to-one message", required: []string{"From_Account", "To_Account", "MsgKey"}, codes: []int{20022, 20023, 90008, 90054}},
	"openim/admin_set_msg_read":                           {summary: "Marks Report_Account's conversation with Peer_Account read up to MsgReadTime, or now", required: []string{"Report_Account", "Peer_Account"}, codes: []int{90003, 90008, 90010}},
	"openim/get_c2c_unread_msg_num":                       {summary: "Reads an account's unread one-to-one counts", required: []string{"To_Account"}, codes: []int{70107, 90003, 90010}},
	"openim/delete_c2c_msg_ramble":                        {summary: "Deletes up to 30 messages from Operator_Account's history of its conversation with Peer_Account, one way: the peer still reads them", required: []string{"Operator_Account", "Peer_Account", "MsgKeyList"}, codes: []int{90003, 90008, 90010}},
	"openim/c2c_msg_read_receipt":                         {summary: "Sends Operator_Account's read receipts for messages Peer_Account sent it: admin_getroammsg then answers IsPeerRead 1 for them", required: []string{"Operator_Account", "Peer_Account", "C2CMsgInfo", "C2CMsgInfo.From_Account", "C2CMsgInfo.To_Account", "C2CMsgInfo.MsgKey"}, codes: []int{20022, 20023, 90003, 90008, 90010, 90054}},
	"openim/modify_c2c_msg":                               {summary: "Overwrites a message's MsgBody and/or CloudCustomData", required: []string{"From_Account", "To_Account", "MsgKey"}, codes: []int{20022, 20023, 90010, 93000}},
	"all_member_push/im_push":                             {summary: "Records a push to the accounts Condition selects, all of them without one, from From_Account (the calling admin if left out), and answers its TaskId", required: []string{"MsgRandom", "MsgBody"}, codes: []int{90005, 90007, 90008, 90020, 90022, 90024, 90026, 90032, 90033, 90039, 90047, 90056}},
	"all_member_push/im_set_attr_name":                    {summary: "Names attributes \"0\"..\"9\" (269/45935)", required: []string{"AttrNames"}, codes: []int{90033}},
	"all_member_push/im_get_attr_name":                    {summary: "Answers the app's attribute names (269/45936)", codes: []int{90033}},
	"all_member_push/im_get_attr":                         {summary: "Answers accounts' attribute values (269/45937), {} for an account without any", required: []string{"To_Account"}, codes: []int{90018, 90033}},
	"all_member_push/im_set_attr":                         {summary: "Sets accounts' attribute values (269/45938)", required: []string{"UserAttrs"}, codes: []int{90033}},
	"all_member_push/im_remove_attr":                      {summary: "Removes accounts' attribute values by name (269/45939)", required: []string{"UserAttrs"}, codes: []int{90033}},
	"all_member_push/im_get_tag":                          {summary: "Answers accounts' tags in the order they were added (269/45940)", required: []string{"To_Account"}, codes: []int{90020, 90032, 90040}},
	"all_member_push/im_add_tag":                          {summary: "Adds tags (269/45941)", required: []string{"UserTags"}, codes: []int{90020, 90032, 90040}},
	"all_member_push/im_remove_tag":                       {summary: "Removes tags (269/45942)", required: []string{"UserTags"}, codes: []int{90020, 90032, 90040}},
	"all_member_push/im_remove_all_tags":                  {summary: "Removes every tag of the accounts named (269/45943)", required: []string{"To_Account"}, codes: []int{90018, 90020, 90032, 90040}},
	"ConfigSvc/GetIPList":                                 {summary: "Answers the addresses timd listens on"},
	"openconfigsvr/setnospeaking":                         {summary: "Sets an account's one-to-one and group mute periods, from now", required: []string{"Set_Account"}, codes: []int{10017, 20012, 90001, 91000}},
	"openconfigsvr/getnospeaking":                         {summary: "Reads an account's mute periods", required: []string{"Get_Account"}, codes: []int{10017, 20012, 90001, 91000}},
	"timd_callback/list_deliveries":                       {summary: "Pages through the app's events, oldest first", enums: map[string][]any{"State": {"pending", "delivered", "dead"}}, codes: []int{91001}},
	"timd_callback/replay":                                {summary: "Makes one event pending again, due at once, with its attempts reset", required: []string{"Id"}, codes: []int{91003}},
	"timd_callback/replay_dead":                           {summary: "Makes every dead event of the app pending again"},
	"timd_callback/purge":                                 {summary: "Deletes the app's events delivered before Before", codes: []int{91001}},
	"timd_control/set_state":                              {summary: "Sets one platform of an account as a client's Login, Logout or Disconnect would, and records State.StateChange as Tencent sends it", required: []string{"To_Account", "Platform", "Action"}, enums: map[string][]any{"Action": {"Login", "Logout", "Disconnect"}}, codes: []int{60009, 70107, 91001, 91002}},
	"timd_control/apply_join_group":                       {summary: "Applies to join a group on an account's behalf, as a client would", required: []string{"GroupId", "Requestor_Account"}, codes: []int{10007, 10010, 10013, 10014, 10015, 10016, 10019, 10100, 10200}, ranges: groupDenyRange},
	"timd_clock/get":                                      {summary: "Answers the app's clock"},
	"timd_clock/set":                                      {summary: "Moves the app's clock to Time, forward or back", required: []string{"Time"}},
	"timd_clock/advance":                                  {summary: "Moves the app's clock forward by Seconds and Milliseconds", anyOf: [][]string{{"Seconds", "Milliseconds"}}},
	"timd_clock/reset":                                    {summary: "Puts the app back on the real time"},
	"timd_control/list_objects": {summary: "Answers one page of the app's accounts, groups, a group's members or an account's friends", required: []string{"Type"},
		enums: map[string][]any{"Type": {"Account", "Group", "GroupMember", "Friend"}}, codes: []int{10010}},
	"timd_apps/create": {summary: "Creates an app at runtime and serves it at once, answering its first admin's UserSig",
		enums: map[string][]any{"Edition": {"ultimate", "pro", "standard"}}},
	"timd_apps/delete":   {summary: "Deletes a runtime app with all its data", required: []string{"SdkAppId"}},
	"timd_apps/list":     {summary: "Lists the configured apps (without their keys) and the runtime apps"},
	"timd_capture/list":  {summary: "Lists the callbacks the app captured (TIMD_CALLBACK_URL=internal), oldest first, by command, group or account"},
	"timd_capture/wait":  {summary: "Waits up to TimeoutMs for a captured callback after Cursor that matches the filters"},
	"timd_capture/clear": {summary: "Deletes the app's captured callbacks, all or those matching the filters"},
	"timd_fault/set": {summary: "Makes a command (or every command of a service) answer ErrorCode, or wait LatencyMs, for Count calls or with a Probability",
		required: []string{"Service", "Command"}},
	"timd_fault/set_callback": {summary: "Makes callback deliveries fail, time out or stall, for Count deliveries or with a Probability",
		required: []string{"CallbackCommand", "Action"}, enums: map[string][]any{"Action": {"Fail", "Timeout", "Stall"}}},
	"timd_fault/list":     {summary: "Lists the app's faults in force"},
	"timd_fault/clear":    {summary: "Removes one fault of the app, or all"},
	"timd_control/reset":  {summary: "Empties the app in one transaction; its admins are imported again"},
	"timd_control/export": {summary: "Answers the app's whole state as one versioned document (docs/control-state.md)"},
	"timd_control/import": {summary: "Replaces the app's state by an export document, in one transaction",
		required: []string{"Format", "Version"}},
	"timd_control/snapshot":        {summary: "Stores the app's state under Name", required: []string{"Name"}},
	"timd_control/restore":         {summary: "Replaces the app's state by the snapshot Name", required: []string{"Name"}},
	"timd_control/list_snapshots":  {summary: "Lists the app's snapshots"},
	"timd_control/delete_snapshot": {summary: "Deletes the snapshot Name", required: []string{"Name"}},
}
