package mailsink

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"time"
)

// Persist keeps the messages in a file as well (one JSON line each), so a sink started again on
// the same file shows what the one before it received (`boomerang dev`'s /dev/mail across
// restarts). Keep bounds the file too: it is rewritten with the newest messages when it loads.
func Persist(path string) Option { return func(o *options) { o.persist = path } }

type storedMessage struct {
	From       string    `json:"from"`
	To         []string  `json:"to"`
	Data       []byte    `json:"data"`
	ReceivedAt time.Time `json:"received_at"`
}

// load reads the file's messages into the sink and rewrites it with the ones kept.
func (s *Sink) load() error {
	f, err := os.Open(s.opts.persist)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for sc.Scan() {
		var sm storedMessage
		if json.Unmarshal(sc.Bytes(), &sm) != nil {
			continue // a line cut short by a crash
		}
		m := parseMessage(sm.From, sm.To, sm.Data)
		m.ReceivedAt = sm.ReceivedAt
		s.keepLocked(m)
	}
	f.Close()
	if err := sc.Err(); err != nil {
		return fmt.Errorf("mail store %s: %w", s.opts.persist, err)
	}
	tmp := s.opts.persist + ".tmp"
	out, err := os.Create(tmp)
	if err != nil {
		return err
	}
	for _, m := range s.messages {
		if err := writeStored(out, m); err != nil {
			out.Close()
			return err
		}
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, s.opts.persist)
}

// store appends one message to the file; failing to is not the sender's problem, so it only
// costs the message its place after a restart.
func (s *Sink) store(m Message) {
	f, err := os.OpenFile(s.opts.persist, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return
	}
	_ = writeStored(f, m)
	_ = f.Close()
}

func writeStored(f *os.File, m Message) error {
	b, err := json.Marshal(storedMessage{From: m.From, To: m.To, Data: m.Data, ReceivedAt: m.ReceivedAt})
	if err != nil {
		return err
	}
	_, err = f.Write(append(b, '\n'))
	return err
}
