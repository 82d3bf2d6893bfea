package models_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
)

// Every raw SQL text in the app's code that touches a shop's rows names shop_id for each
// shop table it touches, unless its function spans shops on purpose (it calls AllShops, the
// operator's mark). The runtime guard checks the statements tests run; this reads them all.
func TestEveryRawStatementIsPinnedToAShop(t *testing.T) {
	fset := token.NewFileSet()
	var files []*ast.File
	var bad []string
	checked := 0
	consts := map[string]string{} // package-level string constants, for "..." + name + "..." texts
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		// apptest and testenv are test helpers: their look at a test's database may span shops.
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "web" || d.Name() == "apptest" || d.Name() == "testenv" ||
			strings.HasPrefix(d.Name(), ".")) && path != ".." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		files = append(files, f)
		for _, decl := range f.Decls {
			if g, ok := decl.(*ast.GenDecl); ok && g.Tok == token.CONST {
				for _, spec := range g.Specs {
					vs := spec.(*ast.ValueSpec)
					for i, name := range vs.Names {
						if i < len(vs.Values) {
							if v, ok := stringOf(vs.Values[i], nil); ok {
								consts[name.Name] = v
							}
						}
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil || callsAllShops(fn.Body) {
				continue
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				e, ok := n.(ast.Expr)
				if !ok {
					return true
				}
				s, ok := stringOf(e, consts)
				if !ok {
					return true
				}
				if looksLikeSQL(s) {
					checked++
					if tables := models.UnpinnedSQL(s); tables != nil {
						bad = append(bad, fset.Position(e.Pos()).String()+" ("+strings.Join(tables, ", ")+"): "+oneLine(s))
					}
				}
				return false // the whole text was checked, not its parts
			})
		}
	}
	t.Logf("%d SQL texts checked", checked)
	if checked < 100 {
		t.Fatalf("only %d SQL texts found: is the scan reading the code?", checked)
	}
	for _, b := range bad {
		t.Error(b)
	}
}

// stringOf evaluates a string literal or a + chain of literals and known constants; any other
// operand (a table name in a variable) stands as "?".
func stringOf(e ast.Expr, consts map[string]string) (string, bool) {
	switch x := e.(type) {
	case *ast.BasicLit:
		if x.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(x.Value)
		return s, err == nil
	case *ast.ParenExpr:
		return stringOf(x.X, consts)
	case *ast.BinaryExpr:
		if x.Op != token.ADD {
			return "", false
		}
		l, lok := stringOf(x.X, consts)
		r, rok := stringOf(x.Y, consts)
		if !lok && !rok {
			return "", false
		}
		if !lok {
			l = "?"
		}
		if !rok {
			r = "?"
		}
		return l + r, true
	case *ast.Ident:
		v, ok := consts[x.Name]
		return v, ok
	}
	return "", false
}

func callsAllShops(body *ast.BlockStmt) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		if c, ok := n.(*ast.CallExpr); ok {
			switch f := c.Fun.(type) {
			case *ast.Ident:
				found = found || f.Name == "AllShops"
			case *ast.SelectorExpr:
				found = found || f.Sel.Name == "AllShops"
			}
		}
		return !found
	})
	return found
}

func looksLikeSQL(s string) bool {
	u := strings.ToUpper(strings.TrimSpace(s))
	for _, k := range []string{"SELECT ", "INSERT ", "UPDATE ", "DELETE ", "WITH ", "(SELECT "} {
		if strings.HasPrefix(u, k) {
			return true
		}
	}
	return false
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	return s
}

// The guard's list of shop tables is the schema's: a new table with a shop_id is guarded.
func TestShopTablesMatchTheSchema(t *testing.T) {
	db, _ := testenv.DB(t)
	var tables []string
	if err := db.Raw(`SELECT DISTINCT table_name FROM information_schema.columns
		WHERE column_name = 'shop_id' AND table_schema = 'public' ORDER BY 1`).Scan(&tables).Error; err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(models.ShopTables(), " "), strings.Join(tables, " "); got != want {
		t.Fatalf("guarded tables:\n  %s\nschema's shop tables:\n  %s", got, want)
	}
}

// The lexical check itself.
func TestUnpinnedSQL(t *testing.T) {
	for sql, want := range map[string]bool{
		`SELECT id FROM orders WHERE shop_id = ? AND order_id = ?`:                                                          true,
		`SELECT id FROM orders WHERE order_id = ?`:                                                                          false,
		`UPDATE review_requests SET status = 'sent' WHERE id = ?`:                                                           false,
		`DELETE FROM complaint_terms WHERE shop_id = ? AND complaint_id = ?`:                                                true,
		`SELECT o.id FROM orders o JOIN refunds r ON r.order_id = o.order_id WHERE o.shop_id = ?`:                           false,
		`SELECT o.id FROM orders o JOIN refunds r ON r.shop_id = o.shop_id AND r.order_id = o.order_id WHERE o.shop_id = ?`: true,
		`INSERT INTO customers (shop_id, customer_id) VALUES (?, ?)`:                                                        true,
		`SELECT 'from orders' FROM shops WHERE domain = ?`:                                                                  true,
		`SELECT id FROM shops -- from orders
			WHERE domain = ?`: true,
		`SELECT extract(epoch from now())`: true,
	} {
		if got := models.UnpinnedSQL(sql) == nil; got != want {
			t.Errorf("pinned(%q) = %v, want %v", sql, got, want)
		}
	}
}

// BenchmarkUnpinnedSQL is the lexical check of one ~1 KB statement, uncached: what the guard
// pays the first time it sees a text.
func BenchmarkUnpinnedSQL(b *testing.B) {
	sql := `INSERT INTO orders (shop_id, order_id, customer_id, name, email, currency, subtotal, total,
		financial_status, test, discount_codes, landing_site, cancel_reason, cancelled_at, paid_at, processed_at,
		shopify_created_at, shopify_updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (shop_id, order_id) DO UPDATE SET customer_id = COALESCE(EXCLUDED.customer_id, orders.customer_id),
		name = EXCLUDED.name, email = EXCLUDED.email, currency = EXCLUDED.currency, subtotal = EXCLUDED.subtotal,
		total = EXCLUDED.total, financial_status = EXCLUDED.financial_status, test = EXCLUDED.test,
		discount_codes = EXCLUDED.discount_codes, landing_site = EXCLUDED.landing_site, updated_at = now()
		WHERE orders.shopify_updated_at IS NULL OR orders.shopify_updated_at <= EXCLUDED.shopify_updated_at`
	for b.Loop() {
		if models.UnpinnedSQL(sql) != nil {
			b.Fatal("pinned statement reported")
		}
	}
}
