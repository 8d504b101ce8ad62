package api

import (
	"context"
	"errors"

	"github.com/timd/timd/internal/im"
)

// BeforeItemsHook is implemented by a BeforeHook that can also send
// before-callbacks whose reply decides item by item
// (Sns.CallbackPrevFriendAdd). It returns the rejected items by To_Account,
// each with the code and info to answer for it (absent: allowed). An
// *im.Error as the error rejects every item with it (a receiver that
// failed, for an app configured to reject then); any other error is
// internal.
type BeforeItemsHook interface {
	BeforeItems(ctx context.Context, app *im.App, clientIP string, cb im.Callback) (map[string]*im.Error, error)
}

// beforeFriendAdd sends Sns.CallbackPrevFriendAdd when the app has it on
// and the hook can send it, after the request is validated and before
// anything is stored, and returns the items the app backend rejected.
func (s *Server) beforeFriendAdd(ctx context.Context, c *Call, add im.FriendAdd) (map[string]*im.Error, error) {
	hook, ok := s.before.(BeforeItemsHook)
	if !ok || !c.App.Records(im.CallbackPrevFriendAdd) {
		return nil, nil
	}
	items := make([]im.PrevFriendItem, len(add.Items))
	for i, it := range add.Items {
		group := ""
		if len(it.Lists) > 0 {
			group = it.Lists[0]
		}
		items[i] = im.PrevFriendItem{To: it.To, Remark: it.Remark, GroupName: group,
			AddSource: it.AddSource, AddWording: it.AddWording}
	}
	addType := im.AddTypeBoth
	if !add.Both {
		addType = im.AddTypeSingle
	}
	rejected, err := hook.BeforeItems(ctx, c.App, c.ClientIP, im.PrevFriendAddBody{
		Requester:     add.From,
		From:          add.From,
		FriendItem:    items,
		AddType:       addType,
		ForceAddFlags: b2i(add.Force),
	})
	var ie *im.Error
	if errors.As(err, &ie) {
		rejected = make(map[string]*im.Error, len(add.Items))
		for _, it := range add.Items {
			rejected[it.To] = ie
		}
		return rejected, nil
	}
	return rejected, err
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
