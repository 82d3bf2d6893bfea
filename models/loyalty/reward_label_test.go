package loyalty

import "testing"

func TestRewardLabel(t *testing.T) {
	for _, c := range []struct {
		r    Reward
		cur  string
		want string
	}{
		{Reward{Name: "5 off", Type: RewardFixed, Value: N("5")}, "USD", "$5 off"},
		{Reward{Name: "2.5 off", Type: RewardFixed, Value: N("2.5")}, "EUR", "€2.50 off"},
		{Reward{Name: "Coffee on us", Type: RewardFixed, Value: N("5")}, "USD", "Coffee on us"},
		{Reward{Name: "10% off", Type: RewardPercentage, Value: N("10")}, "USD", "10% off"},
		{Reward{Name: "5 off", Type: RewardFixed, Value: N("5")}, "", "5.00 off"},
	} {
		if got := c.r.Label(c.cur); got != c.want {
			t.Errorf("%q in %q = %q, want %q", c.r.Name, c.cur, got, c.want)
		}
	}
}
