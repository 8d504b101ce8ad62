package sqlstore

import (
	"context"
	"reflect"
	"strings"

	"github.com/timd/timd/internal/im"
)

// State control (im.StateControlService; docs/control-state.md): reset,
// export and import of an app's whole state, and snapshots of it. The
// tables an app owns are listed once, in stateTables; TestStateTables_Cover
// fails when a table keyed by app_id is in neither stateTables nor
// droppedTables.

// stateTable is one table of an app's state and how its rows appear in the
// export document (im.StateDoc).
type stateTable struct {
	table string   // SQL table, read as t
	field string   // the im.StateDoc field of its rows
	text  []string // TEXT columns
	ints  []string // BIGINT columns
	order string   // ORDER BY of the export: the table's storage order
	// storageID is the column the database numbers (im_groups.seq,
	// c2c_msgs.id): not exported; the row's place in the document stands
	// for it, and an import hands out new numbers in the same order.
	storageID string
	// group: the table is keyed by group_seq, which the document gives as
	// the group's group_id (read through g, the live group).
	group bool
	// clearPos: conversations.clear_id, a c2c_msgs id, is exported as
	// clear_pos, the number of the app's C2C messages (in document order)
	// it covers.
	clearPos bool
}

// stateTables lists every table of an app's state, in import order: a
// table comes after the tables its rows refer to by storage number.
var stateTables = []stateTable{
	{table: "accounts", field: "Accounts", text: cols("user_id nick face_url"), ints: cols("created_at"), order: "t.user_id"},
	{table: "profiles", field: "Profiles", text: cols("user_id tag value"), ints: cols("updated_at"), order: "t.user_id, t.tag"},
	{table: "online_states", field: "OnlineStates", text: cols("user_id platform status"), ints: cols("updated_at"),
		order: "t.user_id, t.platform"},
	{table: "no_speaking", field: "NoSpeaking", text: cols("user_id"), ints: cols("c2c_secs c2c_until group_secs group_until"),
		order: "t.user_id"},
	{table: "sns_users", field: "SNSUsers", text: cols("user_id"),
		ints: cols("list_seq std_seq custom_seq list_pos black_seq black_pos"), order: "t.user_id"},
	{table: "friends", field: "Friends", text: cols("user_id friend_id remark add_source add_wording custom"),
		ints: cols("remark_time add_time"), order: "t.user_id, t.friend_id"},
	{table: "friend_lists", field: "FriendLists", text: cols("user_id name"), ints: cols("pos"), order: "t.user_id, t.name"},
	{table: "friend_list_members", field: "FriendListMembers", text: cols("user_id name friend_id"),
		order: "t.user_id, t.name, t.friend_id"},
	{table: "friend_requests", field: "FriendRequests", text: cols("user_id peer_id remark list_name add_source add_wording"),
		ints: cols("both_ways add_time"), order: "t.user_id, t.peer_id"},
	{table: "follows", field: "Follows", text: cols("user_id follow_id"), ints: cols("follow_time"), order: "t.user_id, t.follow_id"},
	{table: "blacklist", field: "Blacklist", text: cols("user_id black_id"), ints: cols("add_time pos"), order: "t.user_id, t.black_id"},
	{table: "im_groups", field: "Groups", storageID: "seq", order: "t.seq",
		text: cols("group_id type name introduction notification face_url owner apply_join invite_join app_defined"),
		ints: cols("created_at info_seq info_time member_num join_counter max_members mute_all next_msg_seq last_msg_time support_topic")},
	{table: "group_members", field: "GroupMembers", group: true, order: "g.seq, t.user_id",
		text: cols("user_id role msg_flag name_card app_defined"), ints: cols("join_time join_seq mute_until unread_msg_num")},
	{table: "group_attrs", field: "GroupAttrs", group: true, text: cols("attr_key value"), ints: cols("pos"),
		order: "g.seq, t.attr_key"},
	{table: "group_counters", field: "GroupCounters", group: true, text: cols("counter_key"), ints: cols("value pos"),
		order: "g.seq, t.counter_key"},
	{table: "group_outside_mutes", field: "GroupOutsideMutes", group: true, text: cols("user_id"), ints: cols("mute_until"),
		order: "g.seq, t.user_id"},
	{table: "group_topics", field: "GroupTopics", group: true,
		text: cols("topic_id name introduction notification face_url custom_string"),
		ints: cols("mute_all created_at next_msg_seq last_msg_time pos"), order: "g.seq, t.pos"},
	{table: "group_bans", field: "GroupBans", group: true, text: cols("user_id description"), ints: cols("banned_until"),
		order: "g.seq, t.user_id"},
	{table: "group_msg_clears", field: "GroupMsgClears", group: true, ints: cols("cleared_seq"), order: "g.seq"},
	{table: "group_msg_exts", field: "GroupMsgExts", group: true, ints: cols("msg_seq latest_seq clear_seq expires_at"),
		order: "g.seq, t.msg_seq"},
	{table: "group_msg_ext_kvs", field: "GroupMsgExtKVs", group: true, text: cols("ext_key value"), ints: cols("msg_seq seq"),
		order: "g.seq, t.msg_seq, t.ext_key"},
	{table: "c2c_msg_exts", field: "C2CMsgExts", text: cols("peer_lo peer_hi msg_key"), ints: cols("latest_seq clear_seq expires_at"),
		order: "t.peer_lo, t.peer_hi, t.msg_key"},
	{table: "c2c_msg_ext_kvs", field: "C2CMsgExtKVs", text: cols("peer_lo peer_hi msg_key ext_key value"), ints: cols("seq"),
		order: "t.peer_lo, t.peer_hi, t.msg_key, t.ext_key"},
	{table: "group_msgs", field: "GroupMsgs", group: true, order: "g.seq, t.msg_seq",
		text: cols("from_user body cloud_data push_info"),
		ints: cols("msg_seq random msg_time priority flag_bits deleted created_at expires_at")},
	{table: "c2c_msgs", field: "C2CMsgs", storageID: "id", order: "t.id",
		text: cols("peer_lo peer_hi from_user to_user body cloud_data push_info"),
		ints: cols("msg_seq msg_random msg_time flag_bits hide_from hide_to receipt unread content_crc created_at expires_at")},
	{table: "conversations", field: "Conversations", clearPos: true, text: cols("owner peer"),
		ints: cols("type msg_time unread read_time pinned deleted"), order: "t.owner, t.type, t.peer"},
	{table: "contact_users", field: "ContactUsers", text: cols("user_id"), ints: cols("next_group_id"), order: "t.user_id"},
	{table: "contact_groups", field: "ContactGroups", text: cols("user_id name"), ints: cols("group_id created_at"),
		order: "t.user_id, t.group_id"},
	{table: "contact_items", field: "ContactItems", text: cols("user_id peer custom_mark"),
		ints: cols("type standard_mark updated_at"), order: "t.user_id, t.type, t.peer"},
	{table: "contact_group_items", field: "ContactGroupItems", text: cols("user_id peer"), ints: cols("type group_id"),
		order: "t.user_id, t.type, t.peer, t.group_id"},
	{table: "push_attr_names", field: "PushAttrNames", text: cols("name"), ints: cols("idx"), order: "t.idx"},
	{table: "push_user_attrs", field: "PushUserAttrs", text: cols("user_id value"), ints: cols("idx"), order: "t.user_id, t.idx"},
	{table: "push_user_tags", field: "PushUserTags", text: cols("user_id tag"), ints: cols("added_at pos"), order: "t.user_id, t.tag"},
	{table: "push_tasks", field: "PushTasks", text: cols("task_id from_user body push_info"),
		ints: cols("msg_random life_time recipients created_at"), order: "t.msg_random"},
}

// droppedTables (callback events and captured callbacks among them) are
// the tables keyed by app_id that are not part of the
// document: a reset or an import empties them of the app's rows. events is
// the callback outbox (pending, delivered and dead events alike);
// group_reap lists dismissed groups whose rows are still to be deleted,
// which the reset deletes itself.
var droppedTables = []string{"events", "group_reap", "captured_accounts", "captured_callbacks", "capture_seqs"}

// keptTables are the tables keyed by app_id that a reset leaves alone.
var keptTables = []string{"snapshots"}

// cols splits a space-separated list of column names.
func cols(s string) []string { return strings.Fields(s) }

// rows returns the document's rows of the table.
func (st *stateTable) rows(doc *im.StateDoc) *[]im.StateRow {
	return reflect.ValueOf(doc).Elem().FieldByName(st.field).Addr().Interface().(*[]im.StateRow)
}

// ResetApp empties the app's state and imports its admins again.
func (db *DB) ResetApp(ctx context.Context, app uint64, admins []string) error {
	return db.write(ctx, func(tx *Tx) error {
		if err := resetApp(ctx, tx, app); err != nil {
			return err
		}
		return ensureAccounts(ctx, tx, app, admins)
	})
}

// resetApp deletes every row of the app but its snapshots.
func resetApp(ctx context.Context, tx *Tx, app uint64) error {
	for _, st := range stateTables {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+st.table+" WHERE app_id = $1", int64(app)); err != nil {
			return err
		}
	}
	for _, table := range droppedTables {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+table+" WHERE app_id = $1", int64(app)); err != nil {
			return err
		}
	}
	return nil
}
