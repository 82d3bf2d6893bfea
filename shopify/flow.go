package shopify

import (
	"context"
	"encoding/json"
	"fmt"
)

// MaxFlowPayload is the largest payload flowTriggerReceive takes (Flow refuses 50,000 bytes
// and more).
const MaxFlowPayload = 50000

// FlowRefusedError is Flow's userErrors for a trigger: a payload it will not take, so sending it
// again cannot succeed.
type FlowRefusedError struct{ Message string }

func (e *FlowRefusedError) Error() string { return "flow refused the trigger: " + e.Message }

// Refused makes it a models.Refusal.
func (e *FlowRefusedError) Refused() string { return e.Message }

const flowTriggerReceiveMutation = `mutation flowTriggerReceive($handle: String, $payload: JSON) {
  flowTriggerReceive(handle: $handle, payload: $payload) { userErrors { field message } }
}`

// FlowTriggerReceive starts the shop's workflows that begin with the trigger handle. A
// throttled or failed call returns the error to retry; a refusal is a *FlowRefusedError.
func (a *Admin) FlowTriggerReceive(ctx context.Context, shop, handle string, payload json.RawMessage) error {
	if len(payload) >= MaxFlowPayload {
		return &FlowRefusedError{Message: fmt.Sprintf("payload of %d bytes, Flow takes under %d", len(payload), MaxFlowPayload)}
	}
	var out struct {
		FlowTriggerReceive struct {
			UserErrors []struct {
				Field   []string `json:"field"`
				Message string   `json:"message"`
			} `json:"userErrors"`
		} `json:"flowTriggerReceive"`
	}
	if err := a.Query(ctx, shop, flowTriggerReceiveMutation, map[string]any{"handle": handle, "payload": payload}, &out); err != nil {
		return err
	}
	if ue := out.FlowTriggerReceive.UserErrors; len(ue) > 0 {
		return &FlowRefusedError{Message: ue[0].Message}
	}
	return nil
}
