package messaging

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/boomerang-app/boomerang/models"
)

// The message editor lists the variables a template may use. The list is made from the very map
// templates are checked against (the sample variables), so it cannot offer one the renderer
// refuses; this file adds what each means and which triggers fill it.

// TemplateVariable is one variable as the editor shows it.
type TemplateVariable struct {
	Name        string `json:"name"` // the Liquid path, e.g. points.balance
	Description string `json:"description"`
	Sample      string `json:"sample"` // its value in the preview and the test send
	// ForTrigger: the message's trigger fills it. Otherwise it renders empty for this trigger
	// (the general variables are filled for every trigger).
	ForTrigger bool `json:"for_trigger"`
}

type variableDoc struct {
	desc     string
	triggers []string // nil: every trigger
}

var variableDocs = map[string]variableDoc{
	"customer.first_name":   {desc: "The shopper's first name"},
	"customer.last_name":    {desc: "The shopper's last name"},
	"customer.email":        {desc: "The shopper's email address"},
	"customer.stage":        {desc: "new, two-time, repeat or loyal"},
	"shop.name":             {desc: "Your shop's name"},
	"shop.domain":           {desc: "Your shop's myshopify.com domain"},
	"shop.url":              {desc: "Your storefront's address"},
	"points.balance":        {desc: "The shopper's points balance"},
	"points.earned":         {desc: "Points just earned", triggers: []string{models.EventPointsEarned, models.EventReferralRewarded}},
	"points.expiring":       {desc: "Points about to expire", triggers: []string{models.EventPointsExpiring}},
	"points.expiring_at":    {desc: "When they expire; format with | date: \"%B %-d, %Y\"", triggers: []string{models.EventPointsExpiring}},
	"tier.name":             {desc: "The shopper's VIP tier"},
	"tier.next":             {desc: "The next tier (empty at the top)"},
	"tier.progress_percent": {desc: "How far to the next tier, in percent"},
	"tier.points_to_next":   {desc: "Points still needed for the next tier"},
	"tier.previous":         {desc: "The tier before the change", triggers: []string{models.EventTierChanged}},
	"tier.direction":        {desc: "up or down", triggers: []string{models.EventTierChanged}},
	"referral_link":         {desc: "The shopper's personal referral link"},
	"review_link":           {desc: "The link to write the review", triggers: []string{models.EventReviewRequest, models.EventReviewReminder}},
	"featured_products":     {desc: "The products you feature, each with a title and a url (loop over them with for)"},
	"unsubscribe_link":      {desc: "One-click unsubscribe (every email's footer has it)"},
	"offer.code":            {desc: "The discount code issued", triggers: []string{models.EventRewardIssued}},
	"offer.value":           {desc: "What the code is worth, e.g. $5 off", triggers: []string{models.EventRewardIssued}},
}

// TemplateVariables lists the variables of sample (the map templates are checked against) for
// a message on trigger: the ones the trigger fills first, then by name.
func TemplateVariables(sample map[string]any, trigger string) []TemplateVariable {
	var out []TemplateVariable
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		for k, v := range m {
			name := prefix + k
			if sub, ok := v.(map[string]any); ok {
				walk(name+".", sub)
				continue
			}
			doc := variableDocs[name]
			out = append(out, TemplateVariable{Name: name, Description: doc.desc, Sample: sampleText(v),
				ForTrigger: doc.triggers == nil || slices.Contains(doc.triggers, trigger)})
		}
	}
	walk("", sample)
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.ForTrigger != b.ForTrigger {
			return a.ForTrigger
		}
		ta, tb := variableDocs[a.Name].triggers != nil, variableDocs[b.Name].triggers != nil
		if ta != tb {
			return ta // this trigger's own before the general ones
		}
		return a.Name < b.Name
	})
	return out
}

// DocumentedVariables lists the variables described here (a test keeps them and the sample in
// step).
func DocumentedVariables() []string {
	out := make([]string, 0, len(variableDocs))
	for name := range variableDocs {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

func sampleText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case time.Time:
		return x.Format("January 2, 2006")
	case []any:
		titles := make([]string, 0, len(x))
		for _, p := range x {
			if m, ok := p.(map[string]any); ok {
				titles = append(titles, fmt.Sprint(m["title"]))
			}
		}
		return strings.Join(titles, ", ")
	}
	return fmt.Sprint(v)
}
