package models

import (
	"sync"
	"time"
)

var locations sync.Map // IANA name → *time.Location

// Location resolves a time zone name, UTC when empty or unknown. Zones are read from the system's
// zone files once each and kept: the hourly fan-outs resolve every shop's zone.
func Location(name string) *time.Location {
	if name == "" {
		return time.UTC
	}
	if l, ok := locations.Load(name); ok {
		return l.(*time.Location)
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		l = time.UTC
	}
	locations.Store(name, l)
	return l
}
