package sqlstore

import (
	"context"

	"github.com/timd/timd/internal/im"
)

// ApplyJoin applies a client's application to join a group in one
// transaction (timd_control/apply_join_group; docs/fidelity/group-admin.md).
// The checks come in the order a client meets them: the group (10010), its
// type and ApplyJoinOption (10007), the applicant's account (10019), its
// membership (10013); then NeedPermission stops with ApplyPending, as an
// admin would now be asked, and FreeAccess adds the applicant (10014 when
// full), recording Group.CallbackAfterNewMemberJoin with JoinType "Apply"
// and the applicant as Operator_Account.
func (db *DB) ApplyJoin(ctx context.Context, op im.Op, groupID, userID string) (im.ApplyOutcome, error) {
	var outcome im.ApplyOutcome
	err := db.write(ctx, func(tx *Tx) error {
		app := op.App.SDKAppID
		exists, err := lockAccounts(ctx, tx, app, []string{userID})
		if err != nil {
			return err
		}
		g, err := findGroup(ctx, tx, app, groupID, true)
		if err != nil {
			return err
		}
		switch {
		case g.Type == im.GroupAVChatRoom:
			return im.Errorf(im.CodeGroupForbidden, "timd keeps no members of an AVChatRoom")
		case g.Type == im.GroupPrivate || g.ApplyJoin == "DisableApply":
			return im.Errorf(im.CodeGroupForbidden, "group %s does not take applications", groupID)
		case !exists[userID]:
			return errMissingAccount(userID)
		}
		member, err := isMember(ctx, tx, app, g.Seq, userID)
		if err != nil {
			return err
		}
		if member {
			return im.Errorf(im.CodeGroupAlreadyMember, "%s is already a member of %s", userID, groupID)
		}
		if g.ApplyJoin != "FreeAccess" {
			outcome = im.ApplyPending
			return nil
		}
		if _, _, _, err := addMembers(ctx, tx, app, groupID, []im.Member{{UserID: userID, Role: im.RoleMember}}); err != nil {
			return err
		}
		outcome = im.ApplyJoined
		return recordEvent(ctx, tx, op, im.AfterNewMemberJoinBody{
			GroupID: groupID, Type: g.Type, JoinType: "Apply", Operator: userID,
			NewMemberList: []im.MemberAccount{{Account: userID}},
		})
	})
	if err != nil {
		return "", err
	}
	return outcome, nil
}
