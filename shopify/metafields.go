package shopify

import (
	"context"
	"fmt"
)

// Metafield is one metafieldsSet input: Value is the metafield's string form (JSON for rating
// and json types).
type Metafield struct {
	OwnerID   string `json:"ownerId"`
	Namespace string `json:"namespace"`
	Key       string `json:"key"`
	Type      string `json:"type,omitempty"`
	Value     string `json:"value,omitempty"`
}

// MaxMetafieldsPerCall is the most metafieldsSet and metafieldsDelete take at once.
const MaxMetafieldsPerCall = 25

// UserError is a mutation's userErrors entry.
type UserError struct {
	Field   []string `json:"field"`
	Code    string   `json:"code,omitempty"`
	Message string   `json:"message"`
}

// RefusedError is a mutation's userErrors: input Shopify will not take, so sending it again
// cannot succeed.
type RefusedError struct {
	Op     string
	Errors []UserError
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("%s refused: %s (%v)", e.Op, e.Errors[0].Message, e.Errors[0].Field)
}

// Refused makes it a models.Refusal.
func (e *RefusedError) Refused() string { return e.Error() }

const metafieldsSetMutation = `mutation metafieldsSet($metafields: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $metafields) { metafields { id } userErrors { field message code } }
}`

const metafieldsDeleteMutation = `mutation metafieldsDelete($metafields: [MetafieldIdentifierInput!]!) {
  metafieldsDelete(metafields: $metafields) { deletedMetafields { key } userErrors { field message } }
}`

// MetafieldsSet writes up to MaxMetafieldsPerCall metafields atomically. A throttled or failed
// call returns the error to retry; a refusal is a *RefusedError.
func (a *Admin) MetafieldsSet(ctx context.Context, shop string, mfs []Metafield) error {
	return a.metafieldsMutation(ctx, shop, "metafieldsSet", metafieldsSetMutation, mfs)
}

// MetafieldsDelete deletes up to MaxMetafieldsPerCall metafields by owner, namespace and key
// (deleting one that does not exist is not an error).
func (a *Admin) MetafieldsDelete(ctx context.Context, shop string, mfs []Metafield) error {
	ids := make([]Metafield, len(mfs))
	for i, m := range mfs {
		ids[i] = Metafield{OwnerID: m.OwnerID, Namespace: m.Namespace, Key: m.Key}
	}
	return a.metafieldsMutation(ctx, shop, "metafieldsDelete", metafieldsDeleteMutation, ids)
}

func (a *Admin) metafieldsMutation(ctx context.Context, shop, op, mutation string, mfs []Metafield) error {
	if len(mfs) == 0 {
		return nil
	}
	if len(mfs) > MaxMetafieldsPerCall {
		return fmt.Errorf("%s: %d metafields, at most %d a call", op, len(mfs), MaxMetafieldsPerCall)
	}
	var out map[string]struct {
		UserErrors []UserError `json:"userErrors"`
	}
	if err := a.Query(ctx, shop, mutation, map[string]any{"metafields": mfs}, &out); err != nil {
		return err
	}
	if ue := out[op].UserErrors; len(ue) > 0 {
		return &RefusedError{Op: op, Errors: ue}
	}
	return nil
}
