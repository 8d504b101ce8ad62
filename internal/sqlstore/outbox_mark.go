package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/timd/timd/internal/im"
)

// MarkDelivered records deliveries in one transaction: the sender marks
// what its deliveries finished while the previous mark was committing, so
// that a backlog costs a write per batch rather than per event. A delivery
// changes nothing if its event is no longer pending under instance's lease
// (another instance took it over).
//
// A delivery that asks (NextUntil) also leases its key's next event in the
// same transaction, when that event is claimable: a key's events then go
// out a write apiece. Recorded and then claimed, one commit after the
// other, a backlog of 16 busy keys went out at about three quarters of the
// rate it had when every record was a write of its own.
//
// Each statement carries up to markChunk deliveries, and the record names
// each key's next pending event as it goes (RETURNING), so that a batch of
// deliveries whose keys have no next event costs one statement, not two per
// delivery: as two statements each, recording an event cost the writer
// about 35 µs, more than half of it finding next events there were none of.
func (db *DB) MarkDelivered(ctx context.Context, instance string, ds ...im.Delivery) ([]im.Event, error) {
	var next []im.Event
	err := db.writeAside(ctx, func(tx *Tx) error {
		next = next[:0]
		var heads []keyHead
		var refills []refill
		for chunk := range slices.Chunk(ds, markChunk) {
			got, ref, err := markDelivered(ctx, tx, instance, chunk)
			if err != nil {
				return err
			}
			heads, refills = append(heads, got...), addRefills(refills, ref...)
		}
		for len(heads) > 0 {
			// Deliveries of one batch ask for one lease, but for the
			// app's clock offset: one claim per distinct lease.
			at, until := heads[0].at, heads[0].until
			var group []keyHead
			rest := heads[:0]
			for _, h := range heads {
				if h.at.Equal(at) && h.until.Equal(until) {
					group = append(group, h)
				} else {
					rest = append(rest, h)
				}
			}
			heads = rest
			for chunk := range slices.Chunk(group, markChunk) {
				ids := make([]int64, len(chunk))
				for i, h := range chunk {
					ids[i] = h.id
				}
				evs, err := claimHeads(ctx, tx, instance, at, until, ids)
				if err != nil {
					return err
				}
				next = append(next, evs...)
				// A head not claimable now leaves its delivery's place
				// to a refill, if the delivery asked for one.
				for _, h := range chunk {
					if h.refill != nil && !slices.ContainsFunc(evs, func(ev im.Event) bool { return ev.ID == h.id }) {
						refills = addRefills(refills, *h.refill)
					}
				}
			}
		}
		for _, r := range refills {
			evs, err := claimEvents(ctx, tx, instance, r.app, r.at, r.until.Sub(r.at), r.n, int64(4*r.n+64))
			if err != nil {
				return err
			}
			next = append(next, evs...)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return next, nil
}

// refill is how many places of an app's deliveries under one lease are
// left for any of the app's events (Delivery.Refill): one per delivery
// that asked and got no next event of its key.
//
// In a backlog of distinct keys no delivery has a next event, and the
// places a record freed were filled by a claim, a write of its own, after
// it: two commits per round of deliveries. Claimed in the record, the
// round costs one.
type refill struct {
	app       uint64
	at, until time.Time
	n         int
}

// addRefills adds each of rs to the count of its app and lease in to.
func addRefills(to []refill, rs ...refill) []refill {
next:
	for _, r := range rs {
		for i := range to {
			if to[i].app == r.app && to[i].at.Equal(r.at) && to[i].until.Equal(r.until) {
				to[i].n += r.n
				continue next
			}
		}
		to = append(to, r)
	}
	return to
}

// markChunk bounds the deliveries one statement records. Statements carry
// 1, 2, 4, 8 or 16 (padded with id 0, which no event has), so that a few
// texts serve every batch and stay prepared.
const markChunk = 16

// keyHead is the oldest pending event of a delivered event's key, to be
// leased under a delivery's NextAt and NextUntil.
type keyHead struct {
	id        int64
	at, until time.Time
	refill    *refill // the delivery's place, if it asked for a refill
}

// paddedLen is n rounded up to a power of two, at most markChunk.
func paddedLen(n int) int {
	p := 1
	for p < n {
		p *= 2
	}
	return min(p, markChunk)
}

// markDelivered records up to markChunk deliveries in one statement and
// returns, for those that asked, their keys' oldest other pending events
// (each with its delivery's place, if it asked for a refill), and the
// places of those that asked for a refill and whose key has no other. The
// event itself is left out by id (not by state: PostgreSQL's RETURNING
// sees the rows as the statement found them), and any pending event of the
// key counts, an older one too (a replayed dead event), as in ClaimEvents.
func markDelivered(ctx context.Context, tx *Tx, instance string, ds []im.Delivery) ([]keyHead, []refill, error) {
	n := paddedLen(len(ds))
	args := make([]any, 0, 1+3*n)
	args = append(args, instance)
	var vals strings.Builder
	for i := range n {
		if i > 0 {
			vals.WriteString(", ")
		}
		fmt.Fprintf(&vals, "(CAST($%d AS BIGINT), CAST($%d AS INTEGER), CAST($%d AS BIGINT))", 3*i+2, 3*i+3, 3*i+4)
		if i < len(ds) {
			args = append(args, ds[i].ID, ds[i].Status, ds[i].At.UnixMilli())
		} else {
			args = append(args, 0, 0, 0)
		}
	}
	rows, err := tx.QueryContext(ctx, `
		UPDATE events SET state = 'delivered', attempts = attempts + 1, last_status = v.column2, last_error = '',
			delivered_at = v.column3, claimed_by = '', claim_until = 0
		FROM (VALUES `+vals.String()+`) AS v
		WHERE events.id = v.column1 AND events.state = 'pending' AND events.claimed_by = $1
		RETURNING events.id, events.app_id, COALESCE((SELECT n.id FROM events n
			WHERE n.app_id = events.app_id AND n.event_key = events.event_key AND n.state = 'pending' AND n.id <> events.id
			ORDER BY n.id LIMIT 1), 0)`, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var (
		heads   []keyHead
		refills []refill
	)
	for rows.Next() {
		var id, app, head int64
		if err := rows.Scan(&id, &app, &head); err != nil {
			return nil, nil, err
		}
		for _, d := range ds {
			if d.ID != id || d.NextUntil.IsZero() {
				continue
			}
			var place *refill
			if d.Refill {
				place = &refill{uint64(app), d.NextAt, d.NextUntil, 1}
			}
			switch {
			case head != 0:
				heads = append(heads, keyHead{head, d.NextAt, d.NextUntil, place})
			case place != nil:
				refills = addRefills(refills, *place)
			}
		}
	}
	return heads, refills, rows.Err()
}

// claimHeads leases to instance those of the events that are still pending
// and are due and unleased at at. Being their keys' oldest pending events,
// they are the ones ClaimEvents would find claimable.
func claimHeads(ctx context.Context, tx *Tx, instance string, at, until time.Time, ids []int64) ([]im.Event, error) {
	n := paddedLen(len(ids))
	args := make([]any, 0, 3+n)
	args = append(args, instance, until.UnixMilli(), at.UnixMilli())
	marks := make([]string, n)
	for i := range n {
		marks[i] = fmt.Sprintf("$%d", i+4)
		if i < len(ids) {
			args = append(args, ids[i])
		} else {
			args = append(args, 0)
		}
	}
	rows, err := tx.QueryContext(ctx, `
		UPDATE events SET claimed_by = $1, claim_until = $2
		WHERE id IN (`+strings.Join(marks, ", ")+`)
			AND state = 'pending' AND next_attempt_at <= $3 AND claim_until <= $3
		RETURNING `+eventCols, args...)
	if err != nil {
		return nil, err
	}
	return scanEvents(rows)
}
