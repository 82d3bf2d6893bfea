package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/hibiken/asynq"

	"github.com/boomerang-app/boomerang/config"
	"github.com/boomerang-app/boomerang/jobs"
	"github.com/boomerang-app/boomerang/models"
)

// runReplayWebhooks is `boomerang replay-webhooks [-id 1,2] [-shop x.myshopify.com] [-all]`: failed
// deliveries (listed at /ops/webhooks/failed) go back to pending and to the workers, after the
// operator fixed what made them fail.
func runReplayWebhooks(ctx context.Context, getenv config.Getenv, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("replay-webhooks", flag.ContinueOnError)
	fs.SetOutput(out)
	ids := fs.String("id", "", "comma-separated event ids")
	shop := fs.String("shop", "", "every failed delivery of this shop (x.myshopify.com)")
	all := fs.Bool("all", false, "every failed delivery")
	if err := fs.Parse(args); err != nil {
		return err
	}
	f := models.ReplayFilter{Shop: *shop, All: *all}
	for _, s := range strings.FieldsFunc(*ids, func(r rune) bool { return r == ',' || r == ' ' }) {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return fmt.Errorf("-id: %q is not an event id", s)
		}
		f.IDs = append(f.IDs, id)
	}
	a, err := newApp(getenv)
	if err != nil {
		return err
	}
	defer a.close()
	replayed, err := models.ReplayFailedEvents(ctx, a.db, f)
	if err != nil {
		return err
	}
	insp := asynq.NewInspector(a.redisOpt)
	defer insp.Close()
	for _, id := range replayed {
		// An archived task from before failures were recorded would hold the id: drop it.
		if err := insp.DeleteTask(jobs.QueueCritical, jobs.WebhookTaskID(id)); err != nil &&
			!errors.Is(err, asynq.ErrTaskNotFound) && !errors.Is(err, asynq.ErrQueueNotFound) {
			return err
		}
		if err := a.queue.EnqueueWebhook(ctx, id, ""); err != nil {
			return fmt.Errorf("replayed %d deliveries; enqueue %d: %w (the sweeper enqueues the rest within minutes)", len(replayed), id, err)
		}
	}
	fmt.Fprintf(out, "replayed %d failed deliveries\n", len(replayed))
	return nil
}
