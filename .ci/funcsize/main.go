// Command funcsize fails when a function of timd is too long or branches too
// much: more than 80 lines from its func keyword to its closing brace, or a
// cyclomatic complexity over 19. Complexity is counted as gocyclo counts it:
// 1, plus one for each if, for, range, non-default case or select clause,
// && and ||, over the whole declaration including its function literals.
//
// It reads every .go file under the directories it is given (the current
// directory by default), tests and the compat module included, skipping
// testdata and directories whose name starts with '.' or '_' other than
// those given. Run from the repository root:
//
//	go run ./.ci/funcsize .
package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

const (
	maxLines      = 80
	maxComplexity = 19
)

func main() {
	roots := os.Args[1:]
	if len(roots) == 0 {
		roots = []string{"."}
	}
	var bad []string
	for _, root := range roots {
		found, err := check(root)
		if err != nil {
			fmt.Fprintln(os.Stderr, "funcsize:", err)
			os.Exit(2)
		}
		bad = append(bad, found...)
	}
	if len(bad) > 0 {
		fmt.Fprintf(os.Stderr, "funcsize: %d functions over %d lines or complexity %d; split them:\n",
			len(bad), maxLines, maxComplexity)
		for _, b := range bad {
			fmt.Fprintln(os.Stderr, b)
		}
		os.Exit(1)
	}
}

// check walks root and returns one line for each function over a limit.
func check(root string) ([]string, error) {
	var bad []string
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != root && (name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		bad = append(bad, checkFile(fset, f)...)
		return nil
	})
	return bad, err
}

func checkFile(fset *token.FileSet, f *ast.File) []string {
	var bad []string
	for _, decl := range f.Decls {
		fd, ok := decl.(*ast.FuncDecl)
		if !ok || fd.Body == nil {
			continue
		}
		start := fset.Position(fd.Pos())
		lines := fset.Position(fd.End()).Line - start.Line + 1
		cc := complexity(fd)
		if lines > maxLines || cc > maxComplexity {
			bad = append(bad, fmt.Sprintf("%s: %s: %d lines, complexity %d",
				start, funcName(fd), lines, cc))
		}
	}
	return bad
}

// complexity is gocyclo's count for one declaration.
func complexity(fd *ast.FuncDecl) int {
	n := 1
	ast.Inspect(fd, func(node ast.Node) bool {
		switch node := node.(type) {
		case *ast.IfStmt, *ast.ForStmt, *ast.RangeStmt:
			n++
		case *ast.CaseClause:
			if node.List != nil {
				n++
			}
		case *ast.CommClause:
			if node.Comm != nil {
				n++
			}
		case *ast.BinaryExpr:
			if node.Op == token.LAND || node.Op == token.LOR {
				n++
			}
		}
		return true
	})
	return n
}

// funcName is Name, or (T).Name and (*T).Name for a method.
func funcName(fd *ast.FuncDecl) string {
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return fd.Name.Name
	}
	typ := fd.Recv.List[0].Type
	star := ""
	if s, ok := typ.(*ast.StarExpr); ok {
		star, typ = "*", s.X
	}
	switch t := typ.(type) {
	case *ast.IndexExpr:
		typ = t.X
	case *ast.IndexListExpr:
		typ = t.X
	}
	if id, ok := typ.(*ast.Ident); ok {
		return "(" + star + id.Name + ")." + fd.Name.Name
	}
	return fd.Name.Name
}
