package jobs_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/boomerang-app/boomerang/delivery/smtptest"
	"github.com/boomerang-app/boomerang/internal/apptest"
	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/jobs"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/messaging"
)

// Two "points earned" notices come due together and may be delivered in either order: when the
// newer goes first, its mail still carries the older one's points, and the older is then
// skipped as coalesced.
func TestMergedNoticeNewerDeliveredFirst(t *testing.T) {
	srv := smtptest.Start(t)
	a := apptest.Start(t, apptest.Options{NoWorker: true, Env: map[string]string{"SMTP_URL": srv.URL()}})
	shop := testenv.Shop("merge")
	shopID := a.Install(t, shop)
	ctx := context.Background()
	models.UpsertCustomer(ctx, a.DB, shopID, models.CustomerFact{CustomerID: 1, Email: "both@example.com", FirstName: "Bo", EmailConsent: messaging.ConsentSubscribed})
	now := time.Now()
	for i, pts := range []int64{2100, 500} {
		key := []string{"order:1", "order:2"}[i]
		if _, err := models.Emit(ctx, a.DB, shopID, 1, key, models.PointsEarnedPayload{Points: pts, Balance: 2100 + int64(i)*500}, now.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.Worker.DispatchEvents(ctx, shopID); err != nil {
		t.Fatal(err)
	}
	var ds []messaging.MessageDecision
	if err := a.DB.Where("shop_id = ? AND customer_id = ? AND trigger = ?", shopID, 1, models.EventPointsEarned).Order("id").Find(&ds).Error; err != nil || len(ds) != 2 {
		t.Fatalf("decisions: %d %v", len(ds), err)
	}
	a.Worker.Now = func() time.Time { return time.Now().Add(15 * time.Minute) }
	mux := a.Worker.Mux()
	for _, md := range []messaging.MessageDecision{ds[1], ds[0]} { // the newer first
		b, _ := json.Marshal(map[string]int64{"shop": shopID, "id": md.ID})
		if err := mux.ProcessTask(ctx, asynq.NewTask(jobs.TypeDeliverMessage, b)); err != nil {
			t.Fatal(err)
		}
	}
	msgs := srv.Messages()
	if len(msgs) != 1 || !strings.Contains(msgs[0].Subject, "You earned 2600 points") {
		var subjects []string
		for _, m := range msgs {
			subjects = append(subjects, m.Subject)
		}
		t.Fatalf("mails: %q", subjects)
	}
	var older messaging.MessageDecision
	if err := a.DB.Where("shop_id = ? AND id = ?", shopID, ds[0].ID).First(&older).Error; err != nil ||
		older.Decision != messaging.DecisionSkipped || older.Reason != messaging.ReasonCoalesced {
		t.Fatalf("the older notice: %+v %v", older, err)
	}
}
