package shopify

import (
	"context"
	"sync"
)

// MemoryTokens is a TokenStore of one shop's tokens held in memory: for tools and child
// processes that are handed a token and keep nothing.
type MemoryTokens struct {
	mu sync.Mutex
	t  Tokens
}

// NewMemoryTokens holds t.
func NewMemoryTokens(t Tokens) *MemoryTokens { return &MemoryTokens{t: t} }

func (m *MemoryTokens) Load(context.Context, string) (Tokens, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.t, nil
}

func (m *MemoryTokens) Update(_ context.Context, _ string, fn func(Tokens) (Tokens, error)) (Tokens, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, err := fn(m.t)
	if err == nil {
		m.t = t
	}
	return t, err
}
