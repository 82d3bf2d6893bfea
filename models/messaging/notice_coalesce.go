package messaging

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/models"
)

// Notices about the same thing close together collapse into one (issue 14): three orders in a
// few minutes make one "points earned" mail with the final balance and the points of all three,
// not three mails. A notice of a coalesced trigger waits out the shop's notice window; when it
// comes due and a newer notice of the same message, customer and channel was made within the
// window after it, it is skipped with reason coalesced, and the newest one goes out with the
// latest state (TemplateVars reads the balance when it renders; CoalescedPoints adds up what the
// skipped ones announced).

var coalescedTriggers = map[string]bool{models.EventPointsEarned: true}

// Coalesced reports whether notices of the trigger collapse within the notice window.
func Coalesced(trigger string) bool { return coalescedTriggers[trigger] }

// NoticeNotBefore is when a notice may go at the earliest: a coalesced one waits out the window.
func NoticeNotBefore(trigger string, at time.Time, s PolicySettings) time.Time {
	if Coalesced(trigger) && s.NoticeWindow > 0 {
		return at.Add(s.NoticeWindow)
	}
	return at
}

// supersede skips a due notice when a newer one of the same message, customer and channel was
// made within the window after it; skipped is false when the notice stands.
func supersede(ctx context.Context, db *gorm.DB, md *MessageDecision, s PolicySettings) (skipped bool, err error) {
	if !Coalesced(md.Trigger) || s.NoticeWindow <= 0 {
		return false, nil
	}
	var newer int64
	if err := db.WithContext(ctx).Raw(`SELECT id FROM message_decisions WHERE shop_id = ? AND message_id = ? AND customer_id = ?
			AND channel = ? AND trigger = ? AND id > ? AND created_at <= ? AND decision IN ('queued', 'deferred', 'sending', 'sent')
		ORDER BY id LIMIT 1`, md.ShopID, md.MessageID, md.CustomerID, md.Channel, md.Trigger, md.ID,
		md.CreatedAt.Add(s.NoticeWindow)).Scan(&newer).Error; err != nil {
		return false, fmt.Errorf("newer notice than %d: %w", md.ID, err)
	}
	if newer == 0 {
		return false, nil
	}
	detail := fmt.Sprintf("a newer notice (decision %d) within the %d-minute window carries the latest state", newer,
		int(s.NoticeWindow/time.Minute))
	return true, MarkDecisionSkipped(ctx, db, md.ShopID, md.ID, ReasonCoalesced, detail)
}

// CoalescedPoints adds up the points announced by the notices this one supersedes: those of the
// same message, customer and channel since the last one that went out that were skipped as
// coalesced, or that still wait but have a newer notice within their window (supersede will skip
// them when they come due: two notices due at once may be delivered in either order, and the
// one that goes out must carry the points of both).
func CoalescedPoints(ctx context.Context, db *gorm.DB, md *MessageDecision, window time.Duration) (int64, error) {
	var n int64
	err := db.WithContext(ctx).Raw(`SELECT COALESCE(sum((d.payload->>'points')::bigint), 0) FROM message_decisions d
		WHERE d.shop_id = ? AND d.message_id = ? AND d.customer_id = ? AND d.channel = ? AND d.trigger = ? AND d.id < ?
		  AND d.id > COALESCE((SELECT max(p.id) FROM message_decisions p WHERE p.shop_id = ? AND p.message_id = ?
			AND p.customer_id = ? AND p.channel = ? AND p.trigger = ? AND p.id < ? AND p.decision IN ('sending', 'sent', 'unknown')), 0)
		  AND ((d.decision = 'skipped' AND d.reason = 'coalesced')
		    OR (d.decision IN ('queued', 'deferred') AND EXISTS (SELECT 1 FROM message_decisions x
				WHERE x.shop_id = d.shop_id AND x.message_id = d.message_id AND x.customer_id = d.customer_id
				  AND x.channel = d.channel AND x.trigger = d.trigger AND x.id > d.id AND x.id <= ?
				  AND x.created_at <= d.created_at + ? * interval '1 second')))`,
		md.ShopID, md.MessageID, md.CustomerID, md.Channel, md.Trigger, md.ID,
		md.ShopID, md.MessageID, md.CustomerID, md.Channel, md.Trigger, md.ID,
		md.ID, window.Seconds()).Scan(&n).Error
	if err != nil {
		return 0, fmt.Errorf("coalesced points of decision %d: %w", md.ID, err)
	}
	return n, nil
}
