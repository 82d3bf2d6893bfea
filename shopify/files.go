package shopify

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"time"
)

// Review photos live in the shop's own Shopify Files (issue 13): staged upload, then fileCreate,
// then Shopify processes the image and serves it from its CDN.

// StagedTarget is where one file is uploaded before fileCreate takes it.
type StagedTarget struct {
	URL         string `json:"url"`
	ResourceURL string `json:"resourceUrl"`
	Parameters  []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"parameters"`
}

// ImageFile is an image to stage: its name, MIME type and bytes.
type ImageFile struct {
	Filename string
	MimeType string
	Data     []byte
	Alt      string
}

// FileState is a file's processing state and, once READY, its CDN image.
type FileState struct {
	ID     string
	Status string // UPLOADED, PROCESSING, READY or FAILED
	URL    string
	Width  int
	Height int
}

const stagedUploadsMutation = `mutation stagedUploadsCreate($input: [StagedUploadInput!]!) {
  stagedUploadsCreate(input: $input) { stagedTargets { url resourceUrl parameters { name value } } userErrors { field message } }
}`

const fileCreateMutation = `mutation fileCreate($files: [FileCreateInput!]!) {
  fileCreate(files: $files) { files { id fileStatus } userErrors { field message code } }
}`

const fileStatusQuery = `query files($ids: [ID!]!) {
  nodes(ids: $ids) { ... on MediaImage { id fileStatus image { url width height } } }
}`

const fileDeleteMutation = `mutation fileDelete($fileIds: [ID!]!) {
  fileDelete(fileIds: $fileIds) { deletedFileIds userErrors { field message code } }
}`

// UploadImages stages each image, uploads its bytes and creates the files in one fileCreate;
// it returns the new file ids, in order. A refusal is a *RefusedError.
func (a *Admin) UploadImages(ctx context.Context, shop string, imgs []ImageFile) ([]string, error) {
	if len(imgs) == 0 {
		return nil, nil
	}
	in := make([]map[string]any, len(imgs))
	for i, img := range imgs {
		in[i] = map[string]any{"resource": "IMAGE", "filename": img.Filename, "mimeType": img.MimeType,
			"fileSize": fmt.Sprint(len(img.Data)), "httpMethod": "POST"}
	}
	var staged struct {
		StagedUploadsCreate struct {
			StagedTargets []StagedTarget `json:"stagedTargets"`
			UserErrors    []UserError    `json:"userErrors"`
		} `json:"stagedUploadsCreate"`
	}
	if err := a.Query(ctx, shop, stagedUploadsMutation, map[string]any{"input": in}, &staged); err != nil {
		return nil, err
	}
	if ue := staged.StagedUploadsCreate.UserErrors; len(ue) > 0 {
		return nil, &RefusedError{Op: "stagedUploadsCreate", Errors: ue}
	}
	targets := staged.StagedUploadsCreate.StagedTargets
	if len(targets) != len(imgs) {
		return nil, fmt.Errorf("stagedUploadsCreate: %d targets for %d files", len(targets), len(imgs))
	}
	files := make([]map[string]any, len(imgs))
	for i, img := range imgs {
		if err := a.postStaged(ctx, targets[i], img); err != nil {
			return nil, err
		}
		files[i] = map[string]any{"originalSource": targets[i].ResourceURL, "contentType": "IMAGE", "alt": img.Alt}
	}
	var created struct {
		FileCreate struct {
			Files []struct {
				ID string `json:"id"`
			} `json:"files"`
			UserErrors []UserError `json:"userErrors"`
		} `json:"fileCreate"`
	}
	if err := a.Query(ctx, shop, fileCreateMutation, map[string]any{"files": files}, &created); err != nil {
		return nil, err
	}
	if ue := created.FileCreate.UserErrors; len(ue) > 0 {
		return nil, &RefusedError{Op: "fileCreate", Errors: ue}
	}
	ids := make([]string, len(created.FileCreate.Files))
	for i, f := range created.FileCreate.Files {
		ids[i] = f.ID
	}
	return ids, nil
}

// postStaged uploads one file to its staged target: a multipart form, the target's parameters
// first and the file last, as the storage behind it requires.
func (a *Admin) postStaged(ctx context.Context, t StagedTarget, img ImageFile) error {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, p := range t.Parameters {
		if err := mw.WriteField(p.Name, p.Value); err != nil {
			return err
		}
	}
	fw, err := mw.CreateFormFile("file", img.Filename)
	if err != nil {
		return err
	}
	if _, err := fw.Write(img.Data); err != nil {
		return err
	}
	if err := mw.Close(); err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.URL, &body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	hc := a.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 60 * time.Second}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("staged upload: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("staged upload: status %d: %s", resp.StatusCode, msg)
	}
	return nil
}

// FileStates reads the processing state of files (at most 250 ids a call).
func (a *Admin) FileStates(ctx context.Context, shop string, ids []string) ([]FileState, error) {
	var out struct {
		Nodes []*struct {
			ID         string `json:"id"`
			FileStatus string `json:"fileStatus"`
			Image      *struct {
				URL    string `json:"url"`
				Width  int    `json:"width"`
				Height int    `json:"height"`
			} `json:"image"`
		} `json:"nodes"`
	}
	if err := a.Query(ctx, shop, fileStatusQuery, map[string]any{"ids": ids}, &out); err != nil {
		return nil, err
	}
	states := make([]FileState, 0, len(out.Nodes))
	for i, n := range out.Nodes {
		if n == nil { // deleted in Shopify
			states = append(states, FileState{ID: ids[i], Status: "FAILED"})
			continue
		}
		s := FileState{ID: n.ID, Status: n.FileStatus}
		if n.Image != nil {
			s.URL, s.Width, s.Height = n.Image.URL, n.Image.Width, n.Image.Height
		}
		states = append(states, s)
	}
	return states, nil
}

// FileDelete deletes files from the shop's Files (one already gone is not an error).
func (a *Admin) FileDelete(ctx context.Context, shop string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	var out struct {
		FileDelete struct {
			UserErrors []struct {
				Field   []string `json:"field"`
				Message string   `json:"message"`
				Code    string   `json:"code"`
			} `json:"userErrors"`
		} `json:"fileDelete"`
	}
	if err := a.Query(ctx, shop, fileDeleteMutation, map[string]any{"fileIds": ids}, &out); err != nil {
		return err
	}
	for _, ue := range out.FileDelete.UserErrors {
		if ue.Code != "FILE_DOES_NOT_EXIST" {
			return &RefusedError{Op: "fileDelete", Errors: []UserError{{Field: ue.Field, Message: ue.Message}}}
		}
	}
	return nil
}
