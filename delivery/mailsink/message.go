package mailsink

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"time"
)

// Message is one message as the server received it.
type Message struct {
	From    string   // envelope sender (MAIL FROM)
	To      []string // envelope recipients (RCPT TO)
	Data    []byte   // the message exactly as sent
	Header  mail.Header
	Subject string // decoded (RFC 2047)
	Text    string // the first text/plain part, transfer encoding undone
	HTML    string // the first text/html part, transfer encoding undone
	// ReceivedAt is when the sink accepted the message (UTC).
	ReceivedAt time.Time
	// ParseErr is set when Data is not a well-formed message; the fields above are then
	// filled as far as parsing got.
	ParseErr error
}

func parseMessage(from string, to []string, data []byte) Message {
	m := Message{From: from, To: to, Data: data}
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		m.ParseErr = err
		return m
	}
	m.Header = msg.Header
	dec := new(mime.WordDecoder)
	if subj, err := dec.DecodeHeader(msg.Header.Get("Subject")); err == nil {
		m.Subject = subj
	} else {
		m.Subject = msg.Header.Get("Subject")
	}
	m.ParseErr = m.walk(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
	return m
}

// walk descends a MIME tree and keeps the first text/plain and text/html leaves.
func (m *Message) walk(contentType, encoding string, body io.Reader) error {
	if contentType == "" {
		contentType = "text/plain"
	}
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return err
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			// NextRawPart: transfer encodings are undone below, for every part alike.
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			if err := m.walk(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p); err != nil {
				return err
			}
		}
	}
	content, err := decodeTransfer(encoding, body)
	if err != nil {
		return err
	}
	if _, inPart := body.(*multipart.Part); !inPart {
		// A single-part body ends with the line break SMTP requires before "."; inside a
		// multipart body that break belongs to the boundary and the reader drops it.
		content = strings.TrimSuffix(content, "\n")
	}
	switch {
	case mediaType == "text/plain" && m.Text == "":
		m.Text = content
	case mediaType == "text/html" && m.HTML == "":
		m.HTML = content
	}
	return nil
}

func decodeTransfer(encoding string, r io.Reader) (string, error) {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, newlineStripper{r})
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	}
	b, err := io.ReadAll(r)
	return normalizeNewlines(string(b)), err
}

// normalizeNewlines turns the wire's CRLF into \n so tests compare with Go string literals.
func normalizeNewlines(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

// newlineStripper drops line breaks, which base64 bodies carry every 76 characters.
type newlineStripper struct{ r io.Reader }

func (n newlineStripper) Read(p []byte) (int, error) {
	for {
		k, err := n.r.Read(p)
		j := 0
		for _, c := range p[:k] {
			if c != '\r' && c != '\n' {
				p[j] = c
				j++
			}
		}
		if j > 0 || err != nil {
			return j, err
		}
	}
}
