package im

// AVChatRoom bans (docs/fidelity/group-admin.md#avchatroom-bans):
// ban_group_member keeps accounts out of a live room for a time,
// unban_group_member lets them back, get_group_ban_member lists the bans
// still running (1047/50296, 1047/50297, 1047/50295; 269/79249, 269/79248,
// 269/89989). Only an AVChatRoom takes bans, on the Ultimate ("Premium")
// edition.

// Limits of the ban commands.
const (
	MaxBanAccounts    = 20         // Members_Account of one ban or unban
	MaxBanDescription = 1000       // bytes of a ban's Description
	MaxBanSeconds     = 4294967295 // Duration: an unsigned 32-bit number
	MaxBanPage        = 100        // Limit of get_group_ban_member
)

// GroupBan is one running ban, as BannedAccountList spells it:
// BannedUntil is the unix second it ends.
type GroupBan struct {
	Member_Account string
	BannedUntil    int64
}

// GroupBanPage is one page of get_group_ban_member: NextOffset is the
// Offset of the next page, 0 after the last one.
type GroupBanPage struct {
	Bans       []GroupBan
	NextOffset int
}
