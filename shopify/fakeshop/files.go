package fakeshop

import (
	"bytes"
	"fmt"
	"image"
	_ "image/jpeg" // decodes uploaded photos for their size
	_ "image/png"
	"io"
	"net/http"
	"strings"
	"sync"
)

// Shopify Files as the fake keeps them: staged uploads land on the fake itself, fileCreate makes a
// MediaImage from one, which is PROCESSING when first read and READY (with an image served by the
// fake) after, as Shopify processes images in the background.
type filesState struct {
	mu     sync.Mutex
	staged map[string][]byte // shop|key → uploaded bytes
	files  map[string]*fakeFile
}

type fakeFile struct {
	shop          string
	data          []byte
	alt           string
	reads         int
	width, height int
}

func (s *Server) filesData() *filesState {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.filesSt == nil {
		s.filesSt = &filesState{staged: map[string][]byte{}, files: map[string]*fakeFile{}}
	}
	return s.filesSt
}

// Files lists the file gids a shop holds.
func (s *Server) Files(shop string) []string {
	f := s.filesData()
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for id, ff := range f.files {
		if ff.shop == shop {
			out = append(out, id)
		}
	}
	return out
}

func (s *Server) registerFiles() {
	s.Handle("stagedUploadsCreate", func(shop string, vars map[string]any) (any, error) {
		in, _ := vars["input"].([]any)
		var targets []any
		for _, v := range in {
			m, _ := v.(map[string]any)
			if m["resource"] != "IMAGE" || m["httpMethod"] != "POST" {
				return payload("stagedUploadsCreate", nil, userError([]string{"input"}, "INVALID", "resource IMAGE over POST only")), nil
			}
			key := fmt.Sprintf("tmp/%d/%v", s.seq.Add(1), m["filename"])
			url := s.srv.URL + "/" + shop + "/staged"
			targets = append(targets, map[string]any{"url": url, "resourceUrl": url + "/" + key,
				"parameters": []any{map[string]any{"name": "key", "value": key}, map[string]any{"name": "Content-Type", "value": m["mimeType"]}}})
		}
		return payload("stagedUploadsCreate", map[string]any{"stagedTargets": targets}), nil
	})
	s.Handle("fileCreate", func(shop string, vars map[string]any) (any, error) {
		in, _ := vars["files"].([]any)
		f := s.filesData()
		f.mu.Lock()
		defer f.mu.Unlock()
		var files []any
		for i, v := range in {
			m, _ := v.(map[string]any)
			src, _ := m["originalSource"].(string)
			key := strings.TrimPrefix(src, s.srv.URL+"/"+shop+"/staged/")
			data, ok := f.staged[shop+"|"+key]
			if !ok {
				return payload("fileCreate", nil, userError([]string{"files", fmt.Sprint(i), "originalSource"}, "INVALID", "Original source is not a staged upload")), nil
			}
			cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
			if err != nil {
				return payload("fileCreate", nil, userError([]string{"files", fmt.Sprint(i)}, "INVALID", "Image could not be processed")), nil
			}
			id := fmt.Sprintf("gid://shopify/MediaImage/%d", s.seq.Add(1))
			alt, _ := m["alt"].(string)
			f.files[id] = &fakeFile{shop: shop, data: data, alt: alt, width: cfg.Width, height: cfg.Height}
			files = append(files, map[string]any{"id": id, "fileStatus": "UPLOADED"})
		}
		return payload("fileCreate", map[string]any{"files": files}), nil
	})
	s.Handle("nodes", func(shop string, vars map[string]any) (any, error) {
		f := s.filesData()
		f.mu.Lock()
		defer f.mu.Unlock()
		var nodes []any
		for _, id := range toStrings(vars["ids"]) {
			if strings.HasPrefix(id, "gid://shopify/Product/") {
				nodes = append(nodes, s.productNode(shop, id))
				continue
			}
			ff, ok := f.files[id]
			if !ok || ff.shop != shop {
				nodes = append(nodes, nil)
				continue
			}
			ff.reads++
			if ff.reads == 1 {
				nodes = append(nodes, map[string]any{"id": id, "fileStatus": "PROCESSING", "image": nil})
				continue
			}
			nodes = append(nodes, map[string]any{"id": id, "fileStatus": "READY", "image": map[string]any{
				"url":   s.srv.URL + "/" + shop + "/files/" + strings.TrimPrefix(id, "gid://shopify/MediaImage/") + ".jpg",
				"width": ff.width, "height": ff.height}})
		}
		return map[string]any{"nodes": nodes}, nil
	})
	s.Handle("fileDelete", func(shop string, vars map[string]any) (any, error) {
		f := s.filesData()
		f.mu.Lock()
		defer f.mu.Unlock()
		var deleted []any
		var errs []map[string]any
		for _, id := range toStrings(vars["fileIds"]) {
			if ff, ok := f.files[id]; ok && ff.shop == shop {
				delete(f.files, id)
				deleted = append(deleted, id)
			} else {
				errs = append(errs, userError([]string{"fileIds"}, "FILE_DOES_NOT_EXIST", "File id "+id+" does not exist."))
			}
		}
		return payload("fileDelete", map[string]any{"deletedFileIds": deleted}, errs...), nil
	})
}

// serveStaged takes a staged upload: a multipart form with the target's key and the file.
func (s *Server) serveStaged(w http.ResponseWriter, r *http.Request, shop string) {
	if err := r.ParseMultipartForm(32 << 20); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	file, _, err := r.FormFile("file")
	if err != nil || r.FormValue("key") == "" {
		http.Error(w, "key and file required", http.StatusBadRequest)
		return
	}
	data, _ := io.ReadAll(file)
	f := s.filesData()
	f.mu.Lock()
	f.staged[shop+"|"+r.FormValue("key")] = data
	f.mu.Unlock()
	w.WriteHeader(http.StatusCreated)
}

// serveFile answers a READY image's CDN URL.
func (s *Server) serveFile(w http.ResponseWriter, shop, name string) {
	f := s.filesData()
	f.mu.Lock()
	ff, ok := f.files["gid://shopify/MediaImage/"+strings.TrimSuffix(name, ".jpg")]
	f.mu.Unlock()
	if !ok || ff.shop != shop {
		http.NotFound(w, nil)
		return
	}
	w.Header().Set("Content-Type", http.DetectContentType(ff.data))
	_, _ = w.Write(ff.data)
}
