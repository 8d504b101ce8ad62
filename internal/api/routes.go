package api

import (
	"slices"

	"github.com/timd/timd/internal/im"
)

// services lists the services timd serves with the codes each answers for
// invalid parameters and internal failures (docs/decisions.md §1.2).
var services = map[string]service{
	"im_open_login_svc":   {invalid: im.CodeAccountInvalid, internal: im.CodeAccountInternal, unknownCommand: im.CodeUnknownResource},
	"group_open_http_svc": {invalid: im.CodeGroupInvalid, internal: im.CodeGroupInternal, unknownCommand: im.CodeGroupUnknownCommand},
	"sns":                 {invalid: im.CodeSNSInvalid, internal: im.CodeSNSInternal, unknownCommand: im.CodeUnknownResource, errorDisplay: true},
	"profile":             {invalid: im.CodeProfileInvalid, internal: im.CodeProfileInternal, unknownCommand: im.CodeUnknownResource, errorDisplay: true, fieldCodes: profileFieldCodes},
	"openconfigsvr":       {invalid: im.CodeConfigInvalid, internal: im.CodeConfigInternal, unknownCommand: im.CodeUnknownResource, jsonParse: im.CodeConfigInvalid},
	"recentcontact":       {invalid: im.CodeContactInvalid, internal: im.CodeContactInternal, unknownCommand: im.CodeUnknownResource, errorDisplay: true, timeout: im.CodeContactTimeout},

	// The topic commands' service: destroy_topic's table lists
	// group_open_http_svc's codes beside its own.
	"million_group_open_http_svc": {invalid: im.CodeGroupInvalid, internal: im.CodeGroupInternal, unknownCommand: im.CodeGroupUnknownCommand},

	// get_group_attr's service: its page lists group_open_http_svc's codes.
	"group_open_attr_http_svc": {invalid: im.CodeGroupInvalid, internal: im.CodeGroupInternal, unknownCommand: im.CodeGroupUnknownCommand},

	"openim": {invalid: im.CodeMsgInvalid, internal: im.CodeMsgInternal, unknownCommand: im.CodeUnknownResource,
		jsonParse: im.CodeMsgJSON, fieldCodes: openimFieldCodes},

	// Message extensions: the pages give no codes of their own; timd
	// answers openim's [?] (docs/fidelity/msgext.md).
	"openim_msg_ext_http_svc": {invalid: im.CodeMsgInvalid, internal: im.CodeMsgInternal, unknownCommand: im.CodeUnknownResource,
		jsonParse: im.CodeMsgJSON, fieldCodes: openimFieldCodes},

	"all_member_push": {invalid: im.CodePushJSON, internal: im.CodePushInternal, unknownCommand: im.CodeUnknownResource,
		jsonParse: im.CodePushJSON, fieldCodes: pushFieldCodes},
	// The follow service's table (1047/70345): 30001 bad field, 30006
	// internal, 30007 timeout.
	"follow": {invalid: im.CodeFollowInvalid, internal: im.CodeFollowInternal, unknownCommand: im.CodeUnknownResource,
		errorDisplay: true, jsonParse: im.CodeFollowInvalid, timeout: im.CodeFollowTimeout},
	// open_msg_svc/get_history's table: 1002 for a bad field, 1003 internal.
	"open_msg_svc": {invalid: im.CodeHistoryInvalid, internal: im.CodeHistoryInternal, unknownCommand: im.CodeUnknownResource,
		jsonParse: im.CodeHistoryInvalid},
	// ConfigSvc/GetIPList documents no codes of its own: the REST layer's.
	"ConfigSvc": {invalid: im.CodeJSONParse, internal: im.CodeAccountInternal, unknownCommand: im.CodeUnknownResource},

	// timd's own callback management API (not a Tencent service).
	"timd_callback": {invalid: im.CodeMgmtInvalid, internal: im.CodeMgmtInternal, unknownCommand: im.CodeUnknownResource},
	// timd's own control plane (docs/ci-usage.md), only for an app whose
	// Control is on: the test hooks that set what clients would, and state
	// control.
	"timd_control": controlService,
	// time control, also off unless TIMD_TIME_CONTROL is on (clock.go).
	"timd_clock": controlService,
	// apps created and deleted at runtime (apps.go).
	"timd_apps": controlService,
	// captured callbacks (capture.go) and fault injection (fault_svc.go).
	"timd_capture": controlService,
	"timd_fault":   controlService,
}

// controlService is the codes of every service of timd's control plane.
var controlService = service{invalid: im.CodeMgmtInvalid, internal: im.CodeMgmtInternal,
	unknownCommand: im.CodeUnknownResource, control: true}

// openimFieldCodes are the codes Tencent's openim pages give for a missing or
// mistyped field (sendmsg, importmsg, admin_getroammsg; docs/fidelity.md).
var openimFieldCodes = map[string]int{
	"To_Account":        im.CodeMsgToAccount,
	"Peer_Account":      im.CodeMsgToAccount,
	"MsgRandom":         im.CodeMsgRandom,
	"MsgTimeStamp":      im.CodeMsgTimeStamp,
	"MsgBody":           im.CodeMsgBodyNotArray,
	"From_Account":      im.CodeMsgFromAccount,
	"Operator_Account":  im.CodeMsgFromAccount,
	"Report_Account":    im.CodeMsgFromAccount,
	"SyncOtherMachine":  im.CodeMsgSyncOther,
	"MsgLifeTime":       im.CodeMsgLifeTimeType,
	"SyncFromOldSystem": im.CodeMsgSyncFromOld,
	"MsgKey":            im.CodeMsgKeyInvalid,
}

// pushFieldCodes are the codes all_member_push's pages give for a missing or
// mistyped field of im_push (269/45934, 269/117847).
var pushFieldCodes = map[string]int{
	"MsgRandom":   im.CodePushMsgRandom,
	"MsgLifeTime": im.CodePushLifeTime,
}

// route is one REST command: POST /v4/{service}/{command}.
type route struct {
	service string
	command string
	perSec  int // Tencent's documented calls per second for this API
	h       handler
}

// routeTable is the one route table: every command timd serves is one line
// in this file, so a search for the wire name finds its handler. It is
// kept in one function per service only so that each stays short.
func (s *Server) routeTable() []route {
	return slices.Concat(
		s.accountRoutes(),
		s.groupRoutes(),
		s.snsRoutes(),
		s.profileRoutes(),
		s.contactRoutes(),
		s.openimRoutes(),
		s.pushRoutes(),
		s.configRoutes(),
		s.callbackMgmtRoutes(),
		s.controlRoutes(),
		s.clockRoutes(),
		s.appsRoutes(),
		s.captureRoutes(),
		s.faultRoutes(),
		s.stateRoutes(),
	)
}

// accountRoutes are the commands of accounts and online state (im_open_login_svc, openim querystate).
func (s *Server) accountRoutes() []route {
	return []route{
		{"im_open_login_svc", "account_import", 200, rpc(s.accountImport)},
		{"im_open_login_svc", "multiaccount_import", 100, rpc(s.multiaccountImport)},
		{"im_open_login_svc", "account_delete", 200, rpc(s.accountDelete)},
		{"im_open_login_svc", "account_check", 100, rpc(s.accountCheck)},
		{"im_open_login_svc", "kick", 200, rpc(s.kick)},
		{"openim", "querystate", 200, rpc(s.queryState)},
		{"openim", "query_online_status", 200, rpc(s.queryState)}, // querystate's current name
	}
}

// groupRoutes are the commands of groups, their members, messages and administration (group_open_http_svc).
func (s *Server) groupRoutes() []route {
	return []route{
		{"group_open_http_svc", "create_group", 200, rpc(s.createGroup)},
		{"group_open_http_svc", "get_group_info", 200, rpc(s.getGroupInfo)},
		{"group_open_http_svc", "destroy_group", 200, rpc(s.destroyGroup)},
		{"group_open_http_svc", "add_group_member", 200, rpc(s.addGroupMember)},
		{"group_open_http_svc", "delete_group_member", 200, rpc(s.deleteGroupMember)},
		{"group_open_http_svc", "get_group_member_info", 200, rpc(s.getGroupMemberInfo)},
		{"group_open_http_svc", "get_specified_group_member_info", 200, rpc(s.getSpecifiedGroupMemberInfo)},
		{"group_open_http_svc", "get_joined_group_list", 200, rpc(s.getJoinedGroupList)},
		{"group_open_http_svc", "get_appid_group_list", 200, rpc(s.getAppidGroupList)},
		{"group_open_http_svc", "change_group_owner", 200, rpc(s.changeGroupOwner)},
		{"group_open_http_svc", "modify_group_base_info", 200, rpc(s.modifyGroupBaseInfo)},
		{"group_open_http_svc", "modify_group_member_info", 200, rpc(s.modifyGroupMemberInfo)},
		{"group_open_http_svc", "forbid_send_msg", 200, rpc(s.forbidSendMsg)},
		{"group_open_http_svc", "get_group_muted_account", 200, rpc(s.getGroupMutedAccount)},
		{"group_open_http_svc", "get_group_shutted_uin", 200, rpc(s.getGroupShuttedUin)},
		{"group_open_http_svc", "get_role_in_group", 200, rpc(s.getRoleInGroup)},
		{"group_open_http_svc", "import_group", 200, rpc(s.importGroup)},
		{"group_open_http_svc", "import_group_member", 200, rpc(s.importGroupMember)},
		{"group_open_http_svc", "set_unread_msg_num", 200, rpc(s.setUnreadMsgNum)},
		{"group_open_attr_http_svc", "get_group_attr", 200, rpc(s.getGroupAttr)},
		{"group_open_http_svc", "modify_group_attr", 200, rpc(s.modifyGroupAttr)},
		{"group_open_http_svc", "set_group_attr", 200, rpc(s.setGroupAttr)},
		{"group_open_http_svc", "delete_group_attr", 200, rpc(s.deleteGroupAttr)},
		{"group_open_http_svc", "clear_group_attr", 200, rpc(s.clearGroupAttr)},
		{"group_open_http_svc", "get_group_counter", 200, rpc(s.getGroupCounter)},
		{"open_msg_svc", "get_history", 10, rpc(s.getHistory)},
		{"follow", "follow_add", 200, rpc(s.followAdd)},
		{"follow", "follow_delete", 200, rpc(s.followDelete)},
		{"follow", "follow_check", 200, rpc(s.followCheck)},
		{"follow", "follow_get", 200, rpc(s.followGet)},
		{"follow", "follow_get_info", 200, rpc(s.followGetInfo)},
		{"group_open_http_svc", "update_group_counter", 200, rpc(s.updateGroupCounter)},
		{"group_open_http_svc", "delete_group_counter", 200, rpc(s.deleteGroupCounter)},
		{"group_open_http_svc", "ban_group_member", 200, rpc(s.banGroupMember)},
		{"group_open_http_svc", "unban_group_member", 200, rpc(s.unbanGroupMember)},
		{"group_open_http_svc", "get_group_ban_member", 200, rpc(s.getGroupBanMember)},
		{"group_open_http_svc", "send_group_msg", 200, rpc(s.sendGroupMsg)},
		{"group_open_http_svc", "send_group_system_notification", 200, rpc(s.sendGroupSystemNotification)},
		{"group_open_http_svc", "group_msg_get_simple", 200, rpc(s.groupMsgGetSimple)},
		{"group_open_http_svc", "group_msg_recall", 200, rpc(s.groupMsgRecall)},
		{"group_open_http_svc", "import_group_msg", 200, rpc(s.importGroupMsg)},
		{"group_open_http_svc", "delete_group_msg_by_sender", 200, rpc(s.deleteGroupMsgBySender)},
		{"group_open_http_svc", "clear_group_msg", 200, rpc(s.clearGroupMsg)},
		{"million_group_open_http_svc", "create_topic", 200, rpc(s.createTopic)},
		{"million_group_open_http_svc", "get_topic", 200, rpc(s.getTopic)},
		{"million_group_open_http_svc", "modify_topic", 200, rpc(s.modifyTopic)},
		{"million_group_open_http_svc", "destroy_topic", 200, rpc(s.destroyTopic)},
		{"openim_msg_ext_http_svc", "get_key_values", 200, rpc(s.getKeyValues)},
		{"openim_msg_ext_http_svc", "set_key_values", 200, rpc(s.setKeyValues)},
		{"openim_msg_ext_http_svc", "group_get_key_values", 200, rpc(s.groupGetKeyValues)},
		{"openim_msg_ext_http_svc", "group_set_key_values", 200, rpc(s.groupSetKeyValues)},
		{"openim", "modify_group_msg", 200, rpc(s.modifyGroupMsg)},
		{"group_open_http_svc", "get_online_member_num", 200, rpc(s.getOnlineMemberNum)},
	}
}

// snsRoutes are the commands of friends, friend lists and blocklists (sns).
func (s *Server) snsRoutes() []route {
	return []route{
		{"sns", "friend_add", 200, rpc(s.friendAdd)},
		{"sns", "friend_import", 200, rpc(s.friendImport)},
		{"sns", "friend_delete", 200, rpc(s.friendDelete)},
		{"sns", "friend_check", 200, rpc(s.friendCheck)},
		{"sns", "friend_get", 200, rpc(s.friendGet)},
		{"sns", "group_add", 200, rpc(s.groupAdd)},
		{"sns", "group_delete", 200, rpc(s.groupDelete)},
		{"sns", "group_get", 200, rpc(s.groupGet)},
		{"sns", "friend_update", 200, rpc(s.friendUpdate)},
		{"sns", "friend_delete_all", 200, rpc(s.friendDeleteAll)},
		{"sns", "friend_get_list", 200, rpc(s.friendGetList)},
		{"sns", "black_list_add", 200, rpc(s.blackListAdd)},
		{"sns", "black_list_delete", 200, rpc(s.blackListDelete)},
		{"sns", "black_list_get", 200, rpc(s.blackListGet)},
		{"sns", "black_list_check", 200, rpc(s.blackListCheck)},
	}
}

// profileRoutes are the commands of profiles (profile).
func (s *Server) profileRoutes() []route {
	return []route{
		{"profile", "portrait_set", 200, rpc(s.portraitSet)},
		{"profile", "portrait_get", 200, rpc(s.portraitGet)},
	}
}

// contactRoutes are the commands of conversation groups, marks and conversations (recentcontact).
func (s *Server) contactRoutes() []route {
	return []route{
		{"recentcontact", "create_contact_group", 200, rpc(s.createContactGroup)},
		{"recentcontact", "update_contact_group", 200, rpc(s.updateContactGroup)},
		{"recentcontact", "get_contact_group", 200, rpc(s.getContactGroup)},
		{"recentcontact", "search_contact_group", 200, rpc(s.searchContactGroup)},
		{"recentcontact", "mark_contact", 200, rpc(s.markContact)},
		{"recentcontact", "del_contact_group", 200, rpc(s.delContactGroup)},
		{"recentcontact", "get_list", 200, rpc(s.getList)},
		{"recentcontact", "delete", 200, rpc(s.deleteList)},
		{"recentcontact", "top", 200, rpc(s.top)},
	}
}

// openimRoutes are the commands of one-to-one messages (openim).
func (s *Server) openimRoutes() []route {
	return []route{
		{"openim", "sendmsg", 200, rpc(s.sendMsg)},
		{"openim", "batchsendmsg", 200, rpc(s.batchSendMsg)},
		{"openim", "importmsg", 200, rpc(s.importMsg)},
		{"openim", "admin_getroammsg", 200, rpc(s.adminGetRoamMsg)},
		{"openim", "admin_msgwithdraw", 200, rpc(s.adminMsgWithdraw)},
		{"openim", "admin_set_msg_read", 200, rpc(s.adminSetMsgRead)},
		{"openim", "get_c2c_unread_msg_num", 200, rpc(s.getC2CUnreadMsgNum)},
		{"openim", "modify_c2c_msg", 200, rpc(s.modifyC2CMsg)},
		{"openim", "delete_c2c_msg_ramble", 200, rpc(s.deleteC2CMsgRamble)},
		{"openim", "c2c_msg_read_receipt", 200, rpc(s.c2cMsgReadReceipt)},
	}
}

// pushRoutes are the commands of user attributes, tags and all-member push (all_member_push).
func (s *Server) pushRoutes() []route {
	return []route{
		{"all_member_push", "im_push", 100, rpc(s.imPush)},
		{"all_member_push", "im_set_attr_name", 100, rpc(s.imSetAttrName)},
		{"all_member_push", "im_get_attr_name", 100, rpc(s.imGetAttrName)},
		{"all_member_push", "im_get_attr", 100, rpc(s.imGetAttr)},
		{"all_member_push", "im_set_attr", 100, rpc(s.imSetAttr)},
		{"all_member_push", "im_remove_attr", 100, rpc(s.imRemoveAttr)},
		{"all_member_push", "im_get_tag", 100, rpc(s.imGetTag)},
		{"all_member_push", "im_add_tag", 100, rpc(s.imAddTag)},
		{"all_member_push", "im_remove_tag", 100, rpc(s.imRemoveTag)},
		{"all_member_push", "im_remove_all_tags", 100, rpc(s.imRemoveAllTags)},
	}
}

// configRoutes are the commands of ConfigSvc and openconfigsvr.
func (s *Server) configRoutes() []route {
	return []route{
		{"ConfigSvc", "GetIPList", 200, rpc(s.getIPList)},
		{"openconfigsvr", "setnospeaking", 200, rpc(s.setNoSpeaking)},
		{"openconfigsvr", "getnospeaking", 200, rpc(s.getNoSpeaking)},
	}
}

// callbackMgmtRoutes are the commands of timd's callback management API (timd_callback).
func (s *Server) callbackMgmtRoutes() []route {
	return []route{
		{"timd_callback", "list_deliveries", 200, rpc(s.listDeliveries)},
		{"timd_callback", "replay", 200, rpc(s.replay)},
		{"timd_callback", "replay_dead", 200, rpc(s.replayDead)},
		{"timd_callback", "purge", 200, rpc(s.purge)},
	}
}

// controlRoutes are the commands of timd's control API (timd_control).
func (s *Server) controlRoutes() []route {
	return []route{
		{"timd_control", "set_state", 200, rpc(s.setState)},
		{"timd_control", "apply_join_group", 200, rpc(s.applyJoinGroup)},
		{"timd_control", "list_objects", 200, rpc(s.listObjects)},
	}
}

// clockRoutes are the commands of time control (timd_clock).
func (s *Server) clockRoutes() []route {
	return []route{
		{"timd_clock", "get", 200, rpc(s.clockGet)},
		{"timd_clock", "set", 200, rpc(s.clockSet)},
		{"timd_clock", "advance", 200, rpc(s.clockAdvance)},
		{"timd_clock", "reset", 200, rpc(s.clockReset)},
	}
}

// appsRoutes are the commands of apps created at runtime (timd_apps).
func (s *Server) appsRoutes() []route {
	return []route{
		{"timd_apps", "create", 200, rpc(s.appsCreate)},
		{"timd_apps", "delete", 200, rpc(s.appsDelete)},
		{"timd_apps", "list", 200, rpc(s.appsList)},
	}
}

// captureRoutes are the commands of captured callbacks (timd_capture).
func (s *Server) captureRoutes() []route {
	return []route{
		{"timd_capture", "list", 200, rpc(s.captureList)},
		{"timd_capture", "wait", 200, rpc(s.captureWait)},
		{"timd_capture", "clear", 200, rpc(s.captureClear)},
	}
}

// faultRoutes are the commands of fault injection (timd_fault).
func (s *Server) faultRoutes() []route {
	return []route{
		{"timd_fault", "list", 200, rpc(s.faultList)},
		{"timd_fault", "clear", 200, rpc(s.faultClear)},
		{"timd_fault", "set", 200, rpc(s.faultSet)},
		{"timd_fault", "set_callback", 200, rpc(s.faultSetCallback)},
	}
}

// Commands lists every "service/command" the route table serves, in its
// order (docs/fidelity/coverage.md is generated from it).
func Commands() []string {
	table := (&Server{}).routeTable() // method values only: no server is needed
	out := make([]string, len(table))
	for i, r := range table {
		out[i] = r.service + "/" + r.command
	}
	return out
}
