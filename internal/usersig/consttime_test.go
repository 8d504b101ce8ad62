package usersig

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// Ensure the HMAC a UserSig carries is compared with the one it should
// carry in constant time (docs/fidelity.md, UserSig): a timing test cannot
// prove it on a shared machine, so the sources are held to it instead. The
// package's code compares TLS.sig (a .Sig field) only as an argument of
// hmac.Equal, at least once, never with ==, !=, bytes.Equal, bytes.Compare
// or a conversion to string.
func TestVerify_SigComparedInConstantTime(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	constant := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.BinaryExpr:
				if (n.Op == token.EQL || n.Op == token.NEQ) && (isSig(n.X) || isSig(n.Y)) {
					t.Errorf("%s: TLS.sig compared with %s", fset.Position(n.Pos()), n.Op)
				}
			case *ast.CallExpr:
				name := callName(n.Fun)
				for _, arg := range n.Args {
					if !isSig(arg) {
						continue
					}
					switch name {
					case "hmac.Equal":
						constant++
					case "bytes.Equal", "bytes.Compare", "string", "slices.Equal", "reflect.DeepEqual":
						t.Errorf("%s: TLS.sig compared by %s", fset.Position(n.Pos()), name)
					}
				}
			}
			return true
		})
	}
	if constant == 0 {
		t.Error("no hmac.Equal compares TLS.sig")
	}
}

// isSig reports whether e is a .Sig field.
func isSig(e ast.Expr) bool {
	sel, ok := e.(*ast.SelectorExpr)
	return ok && sel.Sel.Name == "Sig"
}

// callName is a called function's name as written: "pkg.Func" or "Func".
func callName(fun ast.Expr) string {
	switch f := fun.(type) {
	case *ast.Ident:
		return f.Name
	case *ast.SelectorExpr:
		if x, ok := f.X.(*ast.Ident); ok {
			return x.Name + "." + f.Sel.Name
		}
	}
	return ""
}
