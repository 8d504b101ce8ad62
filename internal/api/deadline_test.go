package api

import (
	"context"
	"errors"
	"testing"
	"time"
)

type testKey struct{}

// Ensure lazyDeadline behaves as context.WithDeadline: its deadline holds
// whether or not Done was asked for, a context derived from it is cancelled
// with it, values pass through, and release cancels it.
func TestLazyDeadline(t *testing.T) {
	parent := context.WithValue(context.Background(), testKey{}, "v")

	t.Run("ErrWithoutDone", func(t *testing.T) {
		c := newLazyDeadline(parent, time.Now().Add(20*time.Millisecond))
		if c.Err() != nil || c.Value(testKey{}) != "v" {
			t.Fatalf("fresh: %v %v", c.Err(), c.Value(testKey{}))
		}
		time.Sleep(30 * time.Millisecond)
		if !errors.Is(c.Err(), context.DeadlineExceeded) {
			t.Fatalf("past the deadline: %v", c.Err())
		}
		<-c.Done() // built now, already past its deadline
		c.release()
	})
	t.Run("DoneAndDerived", func(t *testing.T) {
		c := newLazyDeadline(parent, time.Now().Add(20*time.Millisecond))
		child, cancel := context.WithCancel(c)
		defer cancel()
		select {
		case <-child.Done():
		case <-time.After(5 * time.Second):
			t.Fatal("derived context not cancelled at the deadline")
		}
		if !errors.Is(child.Err(), context.DeadlineExceeded) || !errors.Is(c.Err(), context.DeadlineExceeded) {
			t.Fatalf("errs: %v %v", child.Err(), c.Err())
		}
		if child.Value(testKey{}) != "v" {
			t.Fatal("value lost")
		}
		c.release()
	})
	t.Run("ParentCancelled", func(t *testing.T) {
		p, cancel := context.WithCancel(parent)
		c := newLazyDeadline(p, time.Now().Add(time.Hour))
		cancel()
		if !errors.Is(c.Err(), context.Canceled) {
			t.Fatalf("err: %v", c.Err())
		}
		<-c.Done()
		c.release()
	})
	t.Run("Release", func(t *testing.T) {
		for _, built := range []bool{false, true} {
			c := newLazyDeadline(parent, time.Now().Add(time.Hour))
			if built {
				c.Done()
			}
			c.release()
			<-c.Done()
			if !errors.Is(c.Err(), context.Canceled) || c.Value(testKey{}) != "v" {
				t.Fatalf("built %v: %v %v", built, c.Err(), c.Value(testKey{}))
			}
		}
	})
	t.Run("Deadline", func(t *testing.T) {
		early := time.Now().Add(time.Minute)
		p, cancel := context.WithDeadline(parent, early)
		defer cancel()
		if d, ok := newLazyDeadline(p, early.Add(time.Hour)).Deadline(); !ok || !d.Equal(early) {
			t.Fatalf("deadline %v %v", d, ok)
		}
	})
}
