package ready

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Ensure Write leaves the whole object, readable by its owner only, and no
// temporary file; and that Read gets it back.
func TestWriteRead(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ready.json")
	want := Info{URL: "http://127.0.0.1:1234", SDKAppID: 1400000001, Admin: "administrator", SecretKey: "k", PID: 42, Data: "/d/timd.db"}
	if err := Write(path, want); err != nil {
		t.Fatal(err)
	}
	got, err := Read(path)
	if err != nil || got != want {
		t.Fatalf("Read = %+v, %v; want %+v", got, err, want)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, %v; want 0600", st.Mode(), err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d files in the directory, want the ready file alone", len(entries))
	}
	b, _ := os.ReadFile(path)
	const js = `{"url":"http://127.0.0.1:1234","sdkappid":1400000001,"admin":"administrator","secret_key":"k","pid":42,"data":"/d/timd.db"}` + "\n"
	if string(b) != js {
		t.Errorf("file %s, want %s", b, js)
	}
}

// Ensure Wait returns the file once it appears, and gives up when the
// process exits or the context ends.
func TestWait(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ready.json")
	go func() {
		time.Sleep(50 * time.Millisecond)
		if err := Write(path, Info{URL: "http://x", PID: 1}); err != nil {
			t.Error(err)
		}
	}()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if info, err := Wait(ctx, path, nil); err != nil || info.URL != "http://x" {
		t.Fatalf("Wait = %+v, %v", info, err)
	}

	missing := filepath.Join(t.TempDir(), "ready.json")
	exited := make(chan struct{})
	close(exited)
	if _, err := Wait(ctx, missing, exited); err == nil {
		t.Error("Wait after exit: no error")
	}
	short, cancel2 := context.WithTimeout(t.Context(), 30*time.Millisecond)
	defer cancel2()
	if _, err := Wait(short, missing, nil); err == nil {
		t.Error("Wait past the deadline: no error")
	}
}
