package sqlstore

import "time"

// Times are stored as unix milliseconds in a 64-bit integer on both
// databases, which keeps the SQL free of timestamp dialects.
func msTime(ms int64) time.Time { return time.UnixMilli(ms) }
