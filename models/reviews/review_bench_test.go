package reviews_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/reviews"
)

// sizedCSV is a Judge.me-shaped export of about `bytes` bytes, generated as it is read.
type sizedCSV struct {
	g     *genCSV
	left  int64
	total int64
}

func newSizedCSV(bytes int64) *sizedCSV {
	return &sizedCSV{g: newGenCSV(1 << 30), left: bytes}
}

func (s *sizedCSV) Read(p []byte) (int, error) {
	if s.left <= 0 && len(s.g.buf) == 0 {
		return 0, io.EOF
	}
	if s.left <= 0 {
		s.g.rows = s.g.i // finish the current row, then stop
	}
	n, err := s.g.Read(p)
	s.left -= int64(n)
	s.total += int64(n)
	return n, err
}

// heapPeak samples the live heap while f runs.
func heapPeak(f func()) uint64 {
	var peak atomic.Uint64
	done := make(chan struct{})
	go func() {
		var m runtime.MemStats
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	f()
	close(done)
	return peak.Load()
}

// BenchmarkImportParse100MB streams a 100 MB export through the parser alone.
func BenchmarkImportParse100MB(b *testing.B) {
	for i := 0; i < b.N; i++ {
		src := newSizedCSV(100 << 20)
		rows := 0
		peak := heapPeak(func() {
			ir, err := reviews.NewImportReader(src)
			if err != nil {
				b.Fatal(err)
			}
			for {
				_, bad, err := ir.Next()
				if err == io.EOF {
					break
				}
				if err != nil || bad != nil {
					b.Fatal(err, bad)
				}
				rows++
			}
		})
		b.SetBytes(src.total)
		b.ReportMetric(float64(rows), "rows/op")
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	}
}

// BenchmarkImportDB imports `rows` rows into Postgres per op (fresh shop each op) and reports
// the peak heap while doing so; -benchtime=1x with IMPORT_MB set measures one big file.
func BenchmarkImportDB(b *testing.B) {
	db, _ := testenv.DB(b)
	ctx := context.Background()
	size := int64(20 << 20)
	if mb, err := strconv.Atoi(os.Getenv("IMPORT_MB")); err == nil && mb > 0 {
		size = int64(mb) << 20
	}
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		shopID, _, err := models.InstallShop(ctx, db, fmt.Sprintf("bench-%d-%d.myshopify.com", time.Now().UnixNano(), i))
		if err != nil {
			b.Fatal(err)
		}
		src := newSizedCSV(size)
		b.StartTimer()
		var rep reviews.ImportReport
		peak := heapPeak(func() {
			rep, err = reviews.ImportReviews(ctx, db, shopID, src, time.Now())
		})
		if err != nil || rep.Invalid != 0 {
			b.Fatal(err, rep.Errors)
		}
		b.SetBytes(src.total)
		b.ReportMetric(float64(rep.Imported), "rows/op")
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	}
}

// BenchmarkScoreReview scores one stored review per op: the scorer plus its transaction
// (score, complaint themes, and for the negative ones the case, hold, event and alert).
func BenchmarkScoreReview(b *testing.B) {
	db, _ := testenv.DB(b)
	ctx := context.Background()
	shopID, _, err := models.InstallShop(ctx, db, fmt.Sprintf("bench-score-%d.myshopify.com", time.Now().UnixNano()))
	if err != nil {
		b.Fatal(err)
	}
	texts := []struct {
		rating int
		text   string
	}{
		{5, "Soft fabric, true to size, shipping was quick. Would buy again."},
		{1, "Arrived broken, the box was crushed and support never answered my emails."},
		{3, "The colour is nice but the size runs small and it took two weeks to arrive."},
	}
	ids := make([]int64, b.N)
	for i := range ids {
		tx := texts[i%len(texts)]
		r, err := reviews.SubmitReview(ctx, db, shopID, reviews.ReviewInput{ProductID: int64(i + 1), Rating: tx.rating,
			Body: tx.text, CustomerID: int64(i/5 + 1), Source: reviews.SourceStorefront}, time.Now().Add(-time.Duration(i/5)*25*time.Hour))
		if err != nil {
			b.Fatal(err)
		}
		ids[i] = r.ID
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := reviews.ScoreReview(ctx, db, shopID, ids[i], time.Now()); err != nil {
			b.Fatal(err)
		}
	}
}
