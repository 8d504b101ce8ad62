package sqlstore

import (
	"strconv"
	"time"
)

// Times are stored as unix milliseconds in a 64-bit integer on both
// databases, which keeps the SQL free of timestamp dialects.
func msTime(ms int64) time.Time { return time.UnixMilli(ms) }

func itoa(n int) string { return strconv.Itoa(n) }
