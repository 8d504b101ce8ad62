package im

import (
	"go/ast"
	"go/constant"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Ensure package im, where every code timd answers is named, names none of
// NeverAnswered outside that list (timd has no such condition); the api
// package's TestMain also holds its tests' replies to the list.
func TestCodes_NeverAnsweredUndefined(t *testing.T) {
	never := map[int64]bool{}
	for _, c := range NeverAnswered {
		never[int64(c)] = true
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	seen := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if v, ok := n.(*ast.ValueSpec); ok && len(v.Names) == 1 && v.Names[0].Name == "NeverAnswered" {
				return false // the list itself
			}
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.INT {
				return true
			}
			seen++
			v, ok := constant.Int64Val(constant.MakeFromLiteral(lit.Value, lit.Kind, 0))
			if ok && never[v] {
				t.Errorf("%s: %d is a code timd never answers (NeverAnswered)", fset.Position(lit.Pos()), v)
			}
			return true
		})
	}
	if seen < 100 {
		t.Fatalf("only %d integer literals found: not the package's sources?", seen)
	}
}
