package im

import "context"

// Store is everything timd keeps: one implementation (sqlstore) serves both
// SQLite and PostgreSQL. Its users reach it through narrower interfaces of
// their own (the REST layer's per-service stores, the callback sender's
// outbox); api.Options.Store takes it whole only to fill those.
type Store interface {
	AccountService
	AppService
	RuntimeAppService
	ObjectService
	GroupService
	GroupAdminService
	GroupAttrService
	GroupCounterService
	HistoryService
	FollowService
	NoSpeakingService
	GroupMsgService
	MsgExtService
	TopicService
	Outbox
	ContactService
	ConversationService
	SNSService
	SNSMoreService
	C2CService
	StateService
	PushService
	ProfileService
	CaptureService
	StateControlService

	// Ping reports whether the database answers.
	Ping(ctx context.Context) error
	// Close releases the database.
	Close() error
}

// AppService keeps what timd must remember about apps across restarts.
type AppService interface {
	// DevApp returns the development app created on first start when no app
	// is configured, creating it with newApp's values if none is stored yet.
	// created reports whether this call created it.
	DevApp(ctx context.Context, newApp func() (sdkappid uint64, key string)) (sdkappid uint64, key string, created bool, err error)

	// EnsureAccounts imports the given identifiers (the app's admins) if they
	// do not exist yet, leaving existing ones untouched.
	EnsureAccounts(ctx context.Context, app uint64, userIDs []string) error
}
