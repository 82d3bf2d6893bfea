package jobs

import (
	"context"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/messaging"
)

// Every delivery needs the shop's sending policy and profile; both change rarely, so each
// worker process keeps them for a few seconds instead of reading them per message. A policy
// edit reaches deliveries within policyTTL (dispatch and campaigns always read it fresh).
const (
	policyTTL = 10 * time.Second
	shopTTL   = time.Minute
)

type cached[T any] struct {
	v  T
	at time.Time
}

// cacheKey is keyed by database (tests open several, each with a shop 1) and shop.
type cacheKey struct {
	db   gorm.Dialector
	shop int64
}

var (
	policyCache sync.Map // cacheKey → cached[models.MessagePolicy]
	shopCache   sync.Map // cacheKey → cached[*models.Shop]
)

func (w *Worker) cachedPolicy(ctx context.Context, shopID int64) (messaging.MessagePolicy, error) {
	key := cacheKey{w.DB.Dialector, shopID}
	if v, ok := policyCache.Load(key); ok && w.now().Sub(v.(cached[messaging.MessagePolicy]).at) < policyTTL {
		return v.(cached[messaging.MessagePolicy]).v, nil
	}
	p, err := messaging.GetMessagePolicy(ctx, w.DB, shopID)
	if err != nil {
		return p, err
	}
	policyCache.Store(key, cached[messaging.MessagePolicy]{p, w.now()})
	return p, nil
}

func (w *Worker) cachedShop(ctx context.Context, shopID int64) (*models.Shop, error) {
	key := cacheKey{w.DB.Dialector, shopID}
	if v, ok := shopCache.Load(key); ok && w.now().Sub(v.(cached[*models.Shop]).at) < shopTTL {
		return v.(cached[*models.Shop]).v, nil
	}
	sh, err := models.GetShop(ctx, w.DB, shopID)
	if err != nil {
		return nil, err
	}
	shopCache.Store(key, cached[*models.Shop]{sh, w.now()})
	return sh, nil
}
