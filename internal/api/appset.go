package api

import (
	"context"
	"maps"
	"sync"
	"sync/atomic"

	"github.com/timd/timd/internal/im"
)

// appSet is the apps a Server serves: the configured ones, fixed at start,
// and those created while timd runs (timd_apps). Every request reads a
// snapshot without a lock; a change copies the map under mu and swaps it.
type appSet struct {
	mu         sync.Mutex // serialises changes
	snap       atomic.Pointer[map[uint64]*im.App]
	configured map[uint64]bool
}

// AppWatcher learns the apps created and deleted while timd runs: the
// callback sender (callback.Sender), which delivers their events.
type AppWatcher interface {
	AddApp(app *im.App)
	RemoveApp(sdkappid uint64)
}

func newAppSet(configured []*im.App) *appSet {
	set := &appSet{configured: make(map[uint64]bool, len(configured))}
	m := make(map[uint64]*im.App, len(configured))
	for _, a := range configured {
		m[a.SDKAppID], set.configured[a.SDKAppID] = a, true
	}
	set.snap.Store(&m)
	return set
}

// get returns a served app, nil if there is none.
func (s *appSet) get(id uint64) *im.App { return (*s.snap.Load())[id] }

// all returns the served apps.
func (s *appSet) all() map[uint64]*im.App { return *s.snap.Load() }

// isConfigured reports whether id is a configured app's.
func (s *appSet) isConfigured(id uint64) bool { return s.configured[id] }

// change applies edit to a copy of the apps and makes it current.
func (s *appSet) change(edit func(m map[uint64]*im.App)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := maps.Clone(*s.snap.Load())
	edit(m)
	s.snap.Store(&m)
}

// addApp serves a runtime app, unless its SDKAppID is a configured app's,
// and tells the watcher.
func (s *Server) addApp(a *im.App) bool {
	if s.apps.isConfigured(a.SDKAppID) {
		return false
	}
	s.apps.change(func(m map[uint64]*im.App) { m[a.SDKAppID] = a })
	if s.appWatch != nil {
		s.appWatch.AddApp(a)
	}
	return true
}

// removeApp stops serving a runtime app and forgets its clock.
func (s *Server) removeApp(id uint64) {
	s.apps.change(func(m map[uint64]*im.App) { delete(m, id) })
	if s.appWatch != nil {
		s.appWatch.RemoveApp(id)
	}
	if s.clocks != nil {
		s.clocks.SetOffset(id, 0)
	}
}

// lookupApp returns the app id names: a served one, or one another
// instance created since this one last looked (PostgreSQL), read from the
// store; nil if there is none.
func (s *Server) lookupApp(ctx context.Context, id uint64) *im.App {
	if a := s.apps.get(id); a != nil || s.runtime == nil {
		return a
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	a, err := s.runtime.RuntimeApp(ctx, id)
	if err != nil {
		s.log.Warn("read runtime app", "sdkappid", id, "err", err)
		return nil
	}
	if a == nil || !s.addApp(a) {
		return nil
	}
	s.log.Info("runtime app loaded", "sdkappid", id)
	return a
}

// RefreshApps makes the served runtime apps those stored: timd calls it at
// start and, on PostgreSQL, now and then, so that an app another instance
// deleted stops being served here. A stored app whose SDKAppID is now a
// configured app's is not served.
func (s *Server) RefreshApps(ctx context.Context) error {
	if s.runtime == nil {
		return nil
	}
	stored, err := s.runtime.RuntimeApps(ctx)
	if err != nil {
		return err
	}
	keep := make(map[uint64]bool, len(stored))
	for _, a := range stored {
		if s.apps.isConfigured(a.SDKAppID) {
			s.log.Warn("runtime app not served: its sdkappid is a configured app's", "sdkappid", a.SDKAppID)
			continue
		}
		keep[a.SDKAppID] = true
		if cur := s.apps.get(a.SDKAppID); cur == nil || cur.SecretKey != a.SecretKey {
			s.addApp(a)
		}
	}
	for id := range s.apps.all() {
		if !keep[id] && !s.apps.isConfigured(id) {
			s.removeApp(id)
		}
	}
	return nil
}
