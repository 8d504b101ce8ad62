package compat

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// funcCalls is what one function of the compat tests calls: SDK methods
// ("group.SendMessage") and the package's own functions.
type funcCalls struct {
	sdk     map[string]bool
	helpers []string
}

// compatCalls maps each SDK method ("pkg.Method") to the Test functions of
// this package that call it, directly or through helpers. A call's package
// is known from its receiver: a parameter of type pkg.API, a variable
// assigned from sdk.Group() and the like, or such a call itself.
func compatCalls(t *testing.T) map[string][]string {
	files, err := filepath.Glob("*_test.go")
	if err != nil {
		t.Fatal(err)
	}
	funcs := map[string]*funcCalls{}
	for _, name := range files {
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Body != nil {
				funcs[fd.Name.Name] = callsOf(fd)
			}
		}
	}
	out := map[string][]string{}
	for name := range funcs {
		if !strings.HasPrefix(name, "Test") {
			continue
		}
		for m := range reachable(funcs, name) {
			out[m] = append(out[m], name)
		}
	}
	for m := range out {
		sort.Strings(out[m])
	}
	return out
}

// reachable is every SDK method fn calls, through helpers too.
func reachable(funcs map[string]*funcCalls, fn string) map[string]bool {
	seen, methods := map[string]bool{}, map[string]bool{}
	var walk func(string)
	walk = func(name string) {
		fc := funcs[name]
		if fc == nil || seen[name] {
			return
		}
		seen[name] = true
		for m := range fc.sdk {
			methods[m] = true
		}
		for _, h := range fc.helpers {
			walk(h)
		}
	}
	walk(fn)
	return methods
}

// callsOf reads one function's calls.
func callsOf(fd *ast.FuncDecl) *funcCalls {
	fc := &funcCalls{sdk: map[string]bool{}}
	env := map[string]string{} // variable → SDK package
	for _, p := range fd.Type.Params.List {
		if sel, ok := p.Type.(*ast.SelectorExpr); ok && sel.Sel.Name == "API" {
			if pkg := identName(sel.X); sdkPackages[pkg] != "" {
				for _, n := range p.Names {
					env[n.Name] = pkg
				}
			}
		}
	}
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for i, rhs := range n.Rhs {
				if pkg := accessorPkg(rhs); pkg != "" && i < len(n.Lhs) {
					env[identName(n.Lhs[i])] = pkg
				}
			}
		case *ast.CallExpr:
			fc.addCall(n, env)
		}
		return true
	})
	return fc
}

// addCall records call if it is an SDK method or a function of this
// package.
func (fc *funcCalls) addCall(call *ast.CallExpr, env map[string]string) {
	switch fun := call.Fun.(type) {
	case *ast.Ident:
		fc.helpers = append(fc.helpers, fun.Name)
	case *ast.SelectorExpr:
		pkg := env[identName(fun.X)]
		if pkg == "" {
			pkg = accessorPkg(fun.X)
		}
		if pkg != "" {
			fc.sdk[pkg+"."+fun.Sel.Name] = true
		}
	}
}

// accessorPkg is the SDK package e yields when it is a call like
// sdk.Group(), "" otherwise.
func accessorPkg(e ast.Expr) string {
	call, ok := e.(*ast.CallExpr)
	if !ok || len(call.Args) != 0 {
		return ""
	}
	name := selName(call.Fun)
	for pkg, accessor := range sdkPackages {
		if accessor == name {
			return pkg
		}
	}
	return ""
}
