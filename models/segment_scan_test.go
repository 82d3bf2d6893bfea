package models_test

import (
	"slices"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/messaging"
)

// The whole-shop scans (campaign audiences, the scheduled win-back and at-risk runs) read the
// stats kept on the customer rows; InSegment works one customer out from their orders. Paged in
// any size, from any cursor, and within any window, the scans must list exactly the customers
// InSegment names.
func TestSegmentScansMatchInSegment(t *testing.T) {
	db, _ := testenv.DB(t)
	f := newSegFixture(t, db, "segscan")
	day := 24 * time.Hour
	// Windows on both sides of when the fixture's customers entered win-back and at-risk, some
	// exactly on an entry (customer 2 entered win-back 10 days ago, 19 at-risk 5 days ago).
	windows := []time.Duration{5 * day, 10 * day, 12 * day, 20 * day, 45 * day, 60 * day, 365 * day}

	check := func(phase string) {
		t.Helper()
		for _, seg := range models.SegmentNames {
			want := f.inSegment(seg, f.now)
			if len(want) == 0 {
				t.Fatalf("%s: segment %s is empty: the comparison proves nothing", phase, seg)
			}
			for _, size := range []int{1, 2, 3, 7, 1000} {
				got := scanSegment(t, size, func(after int64, limit int) ([]int64, error) {
					return models.SegmentMembers(f.ctx, db, f.shop, seg, f.now, after, limit)
				})
				if !slices.Equal(got, want) {
					t.Errorf("%s: %s in pages of %d = %v, InSegment says %v", phase, seg, size, got, want)
				}
			}
			// A campaign to the segment pages through the same scan.
			got := scanSegment(t, 3, func(after int64, limit int) ([]int64, error) {
				return messaging.AudienceMembers(f.ctx, db, f.shop, messaging.CampaignAudience{Segment: seg}, f.now, after, limit)
			})
			if !slices.Equal(got, want) {
				t.Errorf("%s: campaign audience %s = %v, InSegment says %v", phase, seg, got, want)
			}
			// A cursor need not be a member: ids above it, whichever it is.
			for _, after := range []int64{4, 13, 22, 99} {
				got, err := models.SegmentMembers(f.ctx, db, f.shop, seg, f.now, after, 1000)
				if err != nil {
					t.Fatal(err)
				}
				above := slices.DeleteFunc(slices.Clone(want), func(c int64) bool { return c <= after })
				if !slices.Equal(got, above) {
					t.Errorf("%s: %s after %d = %v, want %v", phase, seg, after, got, above)
				}
			}
		}
		// Fresh members entered the segment within the window: in it now, not at the window's start.
		for _, seg := range []string{models.SegmentWinBack, models.SegmentAtRisk} {
			all := f.inSegment(seg, f.now)
			split := false
			for _, w := range windows {
				before := f.inSegment(seg, f.now.Add(-w))
				want := slices.DeleteFunc(slices.Clone(all), func(c int64) bool { return slices.Contains(before, c) })
				split = split || (len(want) > 0 && len(want) < len(all))
				for _, size := range []int{1, 2, 1000} {
					got := scanSegment(t, size, func(after int64, limit int) ([]int64, error) {
						return models.NewSegmentMembers(f.ctx, db, f.shop, seg, f.now, w, after, limit)
					})
					if !slices.Equal(got, want) {
						t.Errorf("%s: %s within %v in pages of %d = %v, want %v (InSegment now %v, at the window's start %v)",
							phase, seg, w, size, got, want, all, before)
					}
				}
			}
			if !split {
				t.Errorf("%s: no window splits %s %v: the windows prove nothing", phase, seg, all)
			}
		}
	}
	check("default win-back delay")
	f.useStoreDelay()
	check("store win-back delay")
}

// scanSegment pages through a scan as its callers do (from after 0 until an empty page), checking
// that pages hold at most size ids, ascending, above the cursor, and that only the last is short.
func scanSegment(t *testing.T, size int, page func(after int64, limit int) ([]int64, error)) []int64 {
	t.Helper()
	var all []int64
	after, short := int64(0), false
	for {
		ids, err := page(after, size)
		if err != nil {
			t.Fatal(err)
		}
		if len(ids) == 0 {
			return all
		}
		if short {
			t.Fatalf("pages of %d: ids %v after a short page", size, ids)
		}
		if len(ids) > size {
			t.Fatalf("pages of %d: a page of %d", size, len(ids))
		}
		for _, id := range ids {
			if id <= after {
				t.Fatalf("pages of %d: id %d not above %d", size, id, after)
			}
			after = id
		}
		all = append(all, ids...)
		short = len(ids) < size
	}
}
