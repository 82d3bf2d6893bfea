package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/reviews"
)

func init() {
	// The customer record shows the shopper's reviews and make-it-right cases.
	addCustomerSection("reviews", func(ctx context.Context, s *Server, shopID, customerID int64) (any, error) {
		rs, err := reviews.CustomerReviews(ctx, s.DB, shopID, customerID, 50)
		if rs == nil {
			rs = []reviews.Review{}
		}
		return rs, err
	})
	addCustomerSection("cases", func(ctx context.Context, s *Server, shopID, customerID int64) (any, error) {
		cs, _, err := reviews.ListCases(ctx, s.DB, shopID, reviews.CaseFilter{CustomerID: customerID, Limit: 50})
		if cs == nil {
			cs = []reviews.Case{}
		}
		return cs, err
	})
}

// int64Query reads an optional positive id from the query string; 422 names the field.
func reviewInt64Query(c echo.Context, name string) (int64, error) {
	v := c.QueryParam(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, models.Invalid(name, "must be a positive whole number")
	}
	return n, nil
}

func reviewIDParam(c echo.Context) (int64, error) {
	n, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || n <= 0 {
		return 0, models.NotFound(c.Path())
	}
	return n, nil
}

// decodeReviewJSON reads a JSON request body (an empty body leaves v as it is); malformed
// JSON is 422.
func decodeReviewJSON(c echo.Context, v any) error {
	if err := json.NewDecoder(c.Request().Body).Decode(v); err != nil && !errors.Is(err, io.EOF) {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return models.Invalid(te.Field, "has the wrong type")
		}
		return models.Invalid("request", "the body is not valid JSON")
	}
	return nil
}

// listReviews: GET /api/reviews?product_id=&rating=&sentiment=&status=&customer_id=&cursor=&limit=
func (s *Server) listReviews(c echo.Context) error {
	f, err := reviewFilter(c)
	if err != nil {
		return err
	}
	if f.Limit, err = limitParam(c); err != nil {
		return err
	}
	f.Cursor = c.QueryParam("cursor")
	rs, next, err := reviews.ListReviews(c.Request().Context(), s.DB, ShopID(c), f)
	if err != nil {
		return err
	}
	if rs == nil {
		rs = []reviews.Review{}
	}
	if err := s.withPhotos(c, rs); err != nil {
		return err
	}
	if err := s.withProducts(c, rs); err != nil {
		return err
	}
	out := map[string]any{"reviews": rs}
	if next != "" {
		out["next_cursor"] = next
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) getReview(c echo.Context) error {
	id, err := reviewIDParam(c)
	if err != nil {
		return err
	}
	r, err := reviews.GetReview(c.Request().Context(), s.DB, ShopID(c), id)
	if err != nil {
		return err
	}
	one := []reviews.Review{*r}
	if err := s.withPhotos(c, one); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, one[0])
}

// patchReview: PATCH /api/reviews/{id} {"status": "published"|"hidden"}
func (s *Server) patchReview(c echo.Context) error {
	id, err := reviewIDParam(c)
	if err != nil {
		return err
	}
	var in struct {
		Status string `json:"status"`
	}
	if err := decodeReviewJSON(c, &in); err != nil {
		return err
	}
	r, err := reviews.SetReviewStatus(c.Request().Context(), s.DB, ShopID(c), id, in.Status)
	if err != nil {
		return err
	}
	s.ratingChanged(c)
	return c.JSON(http.StatusOK, r)
}

// ratingQueue writes a shop's product rating metafields (jobs.Queue has it).
type ratingQueue interface {
	EnqueueRatingMetafields(ctx context.Context, shopID int64) error
}

// ratingChanged hands a moderation change to the metafield writer now; the review sweep
// catches it within a minute if the enqueue is lost.
func (s *Server) ratingChanged(c echo.Context) {
	if q, ok := s.Queue.(ratingQueue); ok {
		if err := q.EnqueueRatingMetafields(c.Request().Context(), ShopID(c)); err != nil {
			s.Log.Warn("rating metafields not queued; the sweep writes them", "error", err)
		}
	}
}

// replyReview serves PUT /api/reviews/{id}/reply {"reply"}: the merchant's public answer, shown
// under the review on the storefront; an empty reply removes it.
func (s *Server) replyReview(c echo.Context) error {
	id, err := reviewIDParam(c)
	if err != nil {
		return err
	}
	var in struct {
		Reply *string `json:"reply"`
	}
	if err := decodeReviewJSON(c, &in); err != nil {
		return err
	}
	if in.Reply == nil {
		return models.Invalid("reply", "required (an empty string removes the reply)")
	}
	r, err := reviews.SetReviewReply(c.Request().Context(), s.DB, ShopID(c), id, *in.Reply, time.Now())
	if err != nil {
		return err
	}
	s.ratingChanged(c)
	return c.JSON(http.StatusOK, r)
}

// deleteReview serves DELETE /api/reviews/{id}: 204, 404 unknown, 409 its case is still open.
func (s *Server) deleteReview(c echo.Context) error {
	id, err := reviewIDParam(c)
	if err != nil {
		return err
	}
	if err := reviews.DeleteReview(c.Request().Context(), s.DB, ShopID(c), id); err != nil {
		return err
	}
	s.ratingChanged(c)
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) getReviewSettings(c echo.Context) error {
	st, err := reviews.GetReviewSettings(c.Request().Context(), s.DB, ShopID(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}

// putReviewSettings stores the whole settings document; 422 names the bad field.
func (s *Server) putReviewSettings(c echo.Context) error {
	var in reviews.ReviewSettings
	if err := decodeReviewJSON(c, &in); err != nil {
		return err
	}
	st, err := reviews.SaveReviewSettings(c.Request().Context(), s.DB, ShopID(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}

// maxImportBytes bounds one import upload. Reading is streamed, so this is about time, not
// memory.
const maxImportBytes = 512 << 20

// importReviews: POST /api/reviews/import — a multipart upload ("file") or the raw CSV/JSON
// as the body. The file is parsed as it arrives; the report lists bad rows by line.
func (s *Server) importReviews(c echo.Context) error {
	file, err := uploadedFile(c)
	if err != nil {
		return err
	}
	ctx, shopID := c.Request().Context(), ShopID(c)
	rep, err := reviews.ImportReviews(ctx, s.DB, shopID, file, time.Now())
	if err != nil {
		return importReadError(err)
	}
	if rep.Imported > 0 {
		if q := s.reviewJobs(); q != nil {
			if err := q.EnqueueReviewRescore(ctx, shopID); err != nil {
				s.Log.Warn("imported reviews not queued for scoring; the sweep will score them", "error", err)
			}
		}
	}
	return c.JSON(http.StatusOK, rep)
}

// uploadedFile is the file of an import: the multipart field "file", or the raw body. The read
// is bounded by maxImportBytes and may take longer than the server's usual deadlines.
func uploadedFile(c echo.Context) (io.Reader, error) {
	req, w := c.Request(), c.Response()
	rc := http.NewResponseController(w.Writer)
	_ = rc.SetReadDeadline(time.Now().Add(15 * time.Minute))
	_ = rc.SetWriteDeadline(time.Now().Add(16 * time.Minute))
	body := http.MaxBytesReader(w.Writer, req.Body, maxImportBytes)
	mt, _, _ := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType))
	if mt != echo.MIMEMultipartForm {
		return body, nil
	}
	req.Body = body
	mr, err := req.MultipartReader()
	if err != nil {
		return nil, models.Invalid("file", "the upload could not be read")
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, models.Invalid("file", "no file was uploaded (multipart field \"file\")")
		}
		if err != nil {
			return nil, importReadError(err)
		}
		if part.FormName() == "file" {
			return part, nil
		}
	}
}

func importReadError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return apiError(http.StatusRequestEntityTooLarge, "the file is larger than 512 MB")
	}
	var he *echo.HTTPError
	if errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge {
		return apiError(he.Code, "the file is larger than the upload limit")
	}
	return err
}

// withProducts names the reviews' products (title and image).
func (s *Server) withProducts(c echo.Context, rs []reviews.Review) error {
	ids := make([]int64, 0, len(rs))
	for _, r := range rs {
		if r.ProductID != nil && !slices.Contains(ids, *r.ProductID) {
			ids = append(ids, *r.ProductID)
		}
	}
	cards, err := s.nameProducts(c, ids)
	if err != nil {
		return err
	}
	for i := range rs {
		if rs[i].ProductID != nil {
			if p, ok := cards[*rs[i].ProductID]; ok {
				rs[i].Product = &p
			}
		}
	}
	return nil
}

// reviewFilter reads the list's filters from the query string (the list and its export).
func reviewFilter(c echo.Context) (reviews.ReviewFilter, error) {
	var f reviews.ReviewFilter
	var err error
	if f.ProductID, err = reviewInt64Query(c, "product_id"); err != nil {
		return f, err
	}
	if f.CustomerID, err = reviewInt64Query(c, "customer_id"); err != nil {
		return f, err
	}
	rating, err := reviewInt64Query(c, "rating")
	if err != nil || rating > 5 {
		return f, models.Invalid("rating", "must be from 1 to 5")
	}
	f.Rating = int(rating)
	f.Sentiment, f.Status = c.QueryParam("sentiment"), c.QueryParam("status")
	return f, nil
}

// exportReviews streams the filtered reviews as CSV, a page at a time.
func (s *Server) exportReviews(c echo.Context) error {
	f, err := reviewFilter(c)
	if err != nil {
		return err
	}
	f.Limit = 200
	ctx, shopID := c.Request().Context(), ShopID(c)
	header := []string{"review_id", "product_id", "product_title", "customer_id", "rating", "title", "body", "reviewer_name", "status",
		"verified_buyer", "sentiment", "created_at"}
	return streamCSV(c, "reviews.csv", header, func() ([][]string, bool, error) {
		rs, next, err := reviews.ListReviews(ctx, s.DB, shopID, f)
		if err != nil {
			return nil, false, err
		}
		ids := make([]int64, 0, len(rs))
		for _, r := range rs {
			if r.ProductID != nil {
				ids = append(ids, *r.ProductID)
			}
		}
		titles, err := models.ProductCards(ctx, s.DB, shopID, ids) // the cache only: an export asks Shopify nothing
		if err != nil {
			return nil, false, err
		}
		out := make([][]string, len(rs))
		for i, r := range rs {
			product, title, customer, sentiment := "", "", "", ""
			if r.ProductID != nil {
				product, title = strconv.FormatInt(*r.ProductID, 10), titles[*r.ProductID].Title
			}
			if r.CustomerID != nil {
				customer = strconv.FormatInt(*r.CustomerID, 10)
			}
			if st := r.Sentiment(); st != nil {
				sentiment = st.Label
			}
			out[i] = []string{strconv.FormatInt(r.ID, 10), product, title, customer, strconv.Itoa(r.Rating), r.Title, r.Body,
				r.ReviewerName, r.Status, strconv.FormatBool(r.VerifiedBuyer), sentiment, r.CreatedAt.UTC().Format(time.RFC3339)}
		}
		f.Cursor = next
		return out, next != "", nil
	})
}

// nameProducts returns the products' cards, reading from Shopify (within 5 s) the ones not cached
// yet. Shopify failing to answer leaves them unnamed rather than failing the request; only the
// cache failing to read is an error.
func (s *Server) nameProducts(c echo.Context, ids []int64) (map[int64]models.ProductCard, error) {
	var src models.ProductSource
	if s.Admin != nil {
		src = s.Admin
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), 5*time.Second)
	defer cancel()
	cards, err := models.NameProducts(ctx, s.DB, src, ShopID(c), ids, time.Now())
	if err != nil {
		if cards == nil {
			return nil, err
		}
		s.Log.Warn("product names not read from Shopify", "shop_id", ShopID(c), "error", err)
	}
	return cards, nil
}
