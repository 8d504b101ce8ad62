package api

import (
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/timd/timd/internal/im"
)

// TestMain runs the package's tests, then holds every code a command
// answered in them to the codes /openapi.json lists for it
// (x-tencent-error-codes): a client that generates its error handling from
// the document must not meet a code the document does not name. Codes a
// fault rule (timd_fault) chose are the test's own and are left out. No
// command may have answered a code of im.NeverAnswered.
func TestMain(m *testing.M) {
	heard := &heardCodes{codes: map[string]map[int]bool{}}
	testHookReplyCode = heard.add
	code := m.Run()
	if code == 0 {
		if err := heard.check(); err != nil {
			fmt.Fprintln(os.Stderr, "FAIL: codes answered that /openapi.json does not list:\n"+err.Error())
			code = 1
		}
	}
	os.Exit(code)
}

// heardCodes collects, by "service/command", the codes replies carried.
type heardCodes struct {
	mu    sync.Mutex
	codes map[string]map[int]bool
}

func (h *heardCodes) add(service, command string, code int, faulted bool) {
	if faulted {
		return
	}
	key := service + "/" + command
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.codes[key] == nil {
		h.codes[key] = map[int]bool{}
	}
	h.codes[key][code] = true
}

// check reports each code heard that the document does not list for its
// command; 0 (success) is never listed.
func (h *heardCodes) check() error {
	listed, err := documentedCodes()
	if err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	var missing []string
	for key, codes := range h.codes {
		for code := range codes {
			if slices.Contains(im.NeverAnswered, code) {
				missing = append(missing, fmt.Sprintf("\t%s answered %d, which timd never answers (im.NeverAnswered)", key, code))
			} else if code != 0 && !listed[key].has(code) {
				missing = append(missing, fmt.Sprintf("\t%s answered %d", key, code))
			}
		}
	}
	if len(missing) == 0 {
		return nil
	}
	sort.Strings(missing)
	return fmt.Errorf("%s\n(add each to the command's codes in openapi_commands.go, or to its service's, or fix the handler)", strings.Join(missing, "\n"))
}

// listedCodes are an operation's x-tencent-error-codes and
// x-tencent-error-code-ranges.
type listedCodes struct {
	codes  []int
	ranges [][]int
}

func (l listedCodes) has(code int) bool {
	for _, rg := range l.ranges {
		if code >= rg[0] && code <= rg[1] {
			return true
		}
	}
	return slices.Contains(l.codes, code)
}

// documentedCodes is what every operation lists, by "service/command".
func documentedCodes() (map[string]listedCodes, error) {
	table := (&Server{}).routeTable()
	out := map[string]listedCodes{}
	for _, r := range table {
		op, err := operation(r, jsonSchema{})
		if err != nil {
			return nil, err
		}
		codes, ok := op["x-tencent-error-codes"].([]int)
		if !ok {
			return nil, fmt.Errorf("%s/%s: no x-tencent-error-codes", r.service, r.command)
		}
		ranges, _ := op["x-tencent-error-code-ranges"].([][]int)
		out[r.service+"/"+r.command] = listedCodes{codes, ranges}
	}
	return out, nil
}
