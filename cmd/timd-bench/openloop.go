package main

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// openLoop is the state of an open-loop run: its workers, each fed its
// requests' scheduled times on its own channel, and the idle ones.
type openLoop struct {
	ctx       context.Context
	t         *benchTarget
	ops       opFunc
	o         driveOpts
	rec       *benchRec
	exhausted *atomic.Bool
	idle      chan int // workers waiting for a request
	jobs      []chan time.Time
}

func driveOpen(ctx context.Context, t *benchTarget, ops opFunc, o driveOpts, rec *benchRec, exhausted *atomic.Bool, start, deadline time.Time) {
	l := &openLoop{ctx: ctx, t: t, ops: ops, o: o, rec: rec, exhausted: exhausted,
		idle: make(chan int, o.concurrency), jobs: make([]chan time.Time, o.concurrency)}
	var wg sync.WaitGroup
	for w := range o.concurrency {
		l.jobs[w] = make(chan time.Time, 1)
		l.idle <- w
		wg.Go(func() { l.worker(w) })
	}
	l.schedule(start, deadline)
	for _, c := range l.jobs {
		close(c)
	}
	wg.Wait()
}

// worker sends worker w's requests as their times are handed to it, then
// completes its cycle, unmeasured.
func (l *openLoop) worker(w int) {
	i := 0
	for sched := range l.jobs[w] {
		op, ok := l.ops(w, i)
		if !ok {
			l.exhausted.Store(true)
			for range l.jobs[w] {
			}
			return
		}
		i++
		_, key := l.t.call(l.ctx, op)
		l.rec.add(time.Since(sched), key)
		l.idle <- w
	}
	for ; i%l.o.cycle != 0 && l.ctx.Err() == nil; i++ {
		op, ok := l.ops(w, i)
		if !ok {
			return
		}
		l.t.call(l.ctx, op)
	}
}

// schedule hands out the requests due from start to deadline, one every
// 1/rate, each to the next idle worker, until the grace after the deadline
// is over (the requests still waiting then count as missed).
func (l *openLoop) schedule(start, deadline time.Time) {
	period := float64(time.Second) / l.o.rate
	timer := time.NewTimer(0)
	<-timer.C
	defer timer.Stop()
	grace := l.o.grace
	if grace <= 0 {
		grace = drainGrace
	}
	end := time.NewTimer(time.Until(deadline.Add(grace)))
	defer end.Stop()
	for k := 0; ; k++ {
		sched := start.Add(time.Duration(float64(k) * period))
		if !sched.Before(deadline) {
			return
		}
		// Behind (waiting for workers, or a slow wake-up): hand it out at
		// once; the latency still counts from sched. Only a wait on the
		// timer measures bench's own lag.
		if d := time.Until(sched); d > 0 {
			timer.Reset(d)
			select {
			case <-timer.C:
			case <-l.ctx.Done():
			}
			l.rec.sent(time.Since(sched))
		}
		if l.ctx.Err() != nil || l.exhausted.Load() {
			return
		}
		select {
		case w := <-l.idle:
			l.jobs[w] <- sched
		case <-l.ctx.Done():
			return
		case <-end.C:
			// Long past the schedule, requests still wait: the server
			// cannot keep up.
			for ; start.Add(time.Duration(float64(k) * period)).Before(deadline); k++ {
				l.rec.add(-1, missedKey)
			}
			return
		}
	}
}
