package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/boomerang-app/boomerang/delivery"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/reviews"
)

// reviewQueue is what the review routes need from the job system; *jobs.Queue provides it.
// Without it (or when Redis is down) the periodic review sweep scores within a minute.
type reviewQueue interface {
	EnqueueReviewScore(ctx context.Context, shopID, reviewID int64) error
	EnqueueReviewRescore(ctx context.Context, shopID int64) error
}

func (s *Server) reviewJobs() reviewQueue {
	q, _ := s.Queue.(reviewQueue)
	return q
}

// reviewSubmission is a storefront submission as posted (JSON or a form): ids may be numbers,
// strings or Shopify gids.
type reviewSubmission struct {
	ProductID json.RawMessage `json:"product_id"`
	Rating    json.RawMessage `json:"rating"`
	Title     string          `json:"title"`
	Body      string          `json:"body"`
	OrderID   json.RawMessage `json:"order_id"`
	Token     string          `json:"t"`
	Name      string          `json:"name"`  // a guest's (no customer, no link)
	Email     string          `json:"email"` // a guest's
}

// parsedSubmission is a submission with its ids read.
type parsedSubmission struct {
	ProductID, OrderID int64
	Rating             int
	Title, Body, Token string
	Name, Email        string
}

// parseReviewSubmission reads a JSON or form-encoded submission. Errors are 422 naming the
// field, or 413 for a review body over the limit.
func parseReviewSubmission(contentType string, body []byte) (parsedSubmission, error) {
	var p parsedSubmission
	var raw reviewSubmission
	if strings.HasPrefix(contentType, echo.MIMEApplicationForm) {
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			return p, models.Invalid("request", "the form could not be read")
		}
		raw = reviewSubmission{ProductID: jsonString(vals.Get("product_id")), Rating: jsonString(vals.Get("rating")),
			Title: vals.Get("title"), Body: vals.Get("body"), OrderID: jsonString(vals.Get("order_id")), Token: vals.Get("t"),
			Name: vals.Get("name"), Email: vals.Get("email")}
	} else if err := json.Unmarshal(body, &raw); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return p, models.Invalid(te.Field, "has the wrong type")
		}
		return p, models.Invalid("request", "the body is not a JSON object")
	}
	var err error
	if p.ProductID, err = looseReviewID(raw.ProductID, "Product"); err != nil || p.ProductID == 0 {
		return p, models.Invalid("product_id", "must be a Shopify product id")
	}
	r, err := looseReviewID(raw.Rating, "")
	if err != nil || r < 1 || r > 5 {
		return p, models.Invalid("rating", "must be a whole number from 1 to 5")
	}
	p.Rating = int(r)
	if p.OrderID, err = looseReviewID(raw.OrderID, "Order"); err != nil {
		return p, models.Invalid("order_id", "must be a Shopify order id")
	}
	p.Title, p.Body, p.Token = raw.Title, raw.Body, strings.TrimSpace(raw.Token)
	p.Name, p.Email = strings.TrimSpace(raw.Name), strings.TrimSpace(raw.Email)
	if utf8.RuneCountInString(strings.TrimSpace(p.Body)) > reviews.MaxReviewBody {
		return p, apiError(http.StatusRequestEntityTooLarge, "the review body is longer than 5,000 characters")
	}
	return p, nil
}

// reviewReadError turns a body over the proxy's byte limit into 413.
func reviewReadError(err error) error {
	var he *echo.HTTPError
	if errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge {
		return apiError(http.StatusRequestEntityTooLarge, "the review is too long")
	}
	return err
}

func jsonString(s string) json.RawMessage {
	b, _ := json.Marshal(s)
	return b
}

// looseReviewID reads an id written as a number, a string, or a gid of the given kind; absent
// or empty is 0.
func looseReviewID(raw json.RawMessage, gidKind string) (int64, error) {
	v := strings.TrimSpace(string(raw))
	if v == "" || v == "null" {
		return 0, nil
	}
	if strings.HasPrefix(v, `"`) {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0, err
		}
		v = strings.TrimSpace(s)
		if gidKind != "" {
			v = strings.TrimPrefix(v, "gid://shopify/"+gidKind+"/")
		}
		if v == "" {
			return 0, nil
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, models.Invalid("id", "not an id")
	}
	return n, nil
}

// verifyReviewToken checks a review link's token for this shop, with the current app secret
// or, during a rotation, the previous one.
func (s *Server) verifyReviewToken(shop, token string) (reviews.ReviewGrant, error) {
	var err error
	for _, secret := range s.Cfg.Secrets() {
		var f map[string]string
		f, err = delivery.Verify(delivery.ReviewLinkKey(secret), delivery.PurposeReview, token, time.Now())
		if err == nil {
			g, perr := reviews.ParseReviewGrant(f)
			if perr != nil || g.Shop != shop {
				return g, &models.Error{Code: models.EUnauthorized, Message: "this review link is not for this shop"}
			}
			return g, nil
		}
		if errors.Is(err, delivery.ErrLinkExpired) {
			break
		}
	}
	if errors.Is(err, delivery.ErrLinkExpired) {
		return reviews.ReviewGrant{}, &models.Error{Code: models.EUnauthorized, Message: "this review link has expired"}
	}
	return reviews.ReviewGrant{}, &models.Error{Code: models.EUnauthorized, Message: "this review link is not valid"}
}

// proxySubmitReview: POST /proxy/reviews. The reviewer is the verified logged-in customer or
// the customer a signed review link names; nobody else can submit.
func (s *Server) proxySubmitReview(c echo.Context) error {
	req := c.Request()
	ct := req.Header.Get(echo.HeaderContentType)
	form := strings.HasPrefix(ct, echo.MIMEApplicationForm)
	var body []byte
	fail := func(err error) error {
		if !form {
			return err
		}
		return s.reviewFormFailure(c, err, body)
	}
	if !reviewIPLimiter.allow(proxyClientIP(c, s.Cfg.TrustedProxyHops), time.Now()) {
		return fail(apiError(http.StatusTooManyRequests, "too many reviews from this address; try again later"))
	}
	body, err := io.ReadAll(req.Body) // bounded by the proxy group's body limit
	if err != nil {
		return fail(reviewReadError(err))
	}
	p, err := parseReviewSubmission(ct, body)
	if err != nil {
		return fail(err)
	}
	if p.Token == "" {
		p.Token = c.QueryParam("t")
	}
	in := reviews.ReviewInput{ProductID: p.ProductID, Rating: p.Rating, Title: p.Title, Body: p.Body, OrderID: p.OrderID}
	switch {
	case p.Token != "":
		g, err := s.verifyReviewToken(shopDomain(c), p.Token)
		if err != nil {
			return fail(err)
		}
		in.CustomerID, in.OrderID, in.Source, in.LinkProducts = g.CustomerID, g.OrderID, reviews.SourceLink, g.ProductIDs
	case ProxyCustomer(c) > 0:
		in.CustomerID, in.Source = ProxyCustomer(c), reviews.SourceStorefront
	case p.Name == "" && p.Email == "":
		return fail(&models.Error{Code: models.EUnauthorized, Message: "log in, use the link in your review request email, or give your name and email, to write a review"})
	}
	ctx, shopID := req.Context(), ShopID(c)
	var r *reviews.Review
	if in.CustomerID == 0 { // a guest: held for the merchant to moderate
		r, err = reviews.SubmitGuestReview(ctx, s.DB, shopID, reviews.GuestReview{ReviewInput: in, Name: p.Name, Email: p.Email}, time.Now())
	} else {
		r, err = reviews.SubmitReview(ctx, s.DB, shopID, in, time.Now())
	}
	if errors.Is(err, reviews.ErrTooManyReviews) {
		err = apiError(http.StatusTooManyRequests, "at most 5 reviews a day; please come back tomorrow")
	}
	if err != nil {
		return fail(err)
	}
	if q := s.reviewJobs(); q != nil {
		if err := q.EnqueueReviewScore(ctx, shopID, r.ID); err != nil {
			s.Log.Warn("review score not enqueued; the sweep will score it", "review_id", r.ID, "error", err)
		}
	}
	if form {
		back := ""
		if p.Token != "" {
			back = proxyPrefix(c) + "/reviews/new?t=" + url.QueryEscape(p.Token)
		}
		return s.renderReviewPage(c, http.StatusOK, reviewFormPage{Title: "Thank you", Thanks: true, BackURL: back})
	}
	return c.JSON(http.StatusCreated, map[string]any{"review": map[string]any{"id": r.ID, "product_id": r.ProductID,
		"rating": r.Rating, "title": r.Title, "body": r.Body, "status": r.Status, "verified_buyer": r.VerifiedBuyer,
		"created_at": r.CreatedAt}, "photo_token": s.photoToken(shopDomain(c), r.ID)})
}

// reviewFormFailure shows a form submission's error on the form page, with the shopper's text
// kept so nothing typed is lost.
func (s *Server) reviewFormFailure(c echo.Context, err error, body []byte) error {
	status, msg := http.StatusInternalServerError, ""
	var de *models.Error
	var he *echo.HTTPError
	switch {
	case errors.As(err, &de):
		status = statusOf[de.Code]
		msg = reviewPageError(status)
		if de.Code == models.EInvalid {
			msg = "Please check your review: " + strings.ReplaceAll(de.Field, "_", " ") + " " + de.Message + "."
		}
	case errors.As(err, &he):
		status, msg = he.Code, reviewPageError(he.Code)
	default:
		return err
	}
	page := reviewFormPage{Title: "Write a review", Message: msg}
	if vals, perr := url.ParseQuery(string(body)); perr == nil && status != http.StatusUnauthorized {
		// Re-show the forms with what was typed, when the link still works.
		tok := vals.Get("t")
		if g, gerr := s.verifyReviewToken(shopDomain(c), tok); gerr == nil {
			if prods, perr := s.reviewFormProducts(c.Request().Context(), ShopID(c), g); perr == nil {
				page.ShowForms, page.Token, page.Products, page.Action = true, tok, prods, proxyPrefix(c)+"/reviews"
				page.Failed, _ = strconv.ParseInt(vals.Get("product_id"), 10, 64)
				page.Rating, _ = strconv.Atoi(vals.Get("rating"))
				page.ReviewTitle, page.Body = vals.Get("title"), vals.Get("body")
			}
		}
	}
	return s.renderReviewPage(c, status, page)
}

// proxyReviewForm: GET /proxy/reviews/new?t=… — the no-JavaScript form a review request links to.
func (s *Server) proxyReviewForm(c echo.Context) error {
	g, err := s.verifyReviewToken(shopDomain(c), c.QueryParam("t"))
	if err != nil {
		return s.renderReviewPage(c, http.StatusUnauthorized, reviewFormPage{Title: "Write a review", Message: reviewPageError(http.StatusUnauthorized)})
	}
	prods, err := s.reviewFormProducts(c.Request().Context(), ShopID(c), g)
	if err != nil {
		return err
	}
	return s.renderReviewPage(c, http.StatusOK, reviewFormPage{Title: "Write a review", ShowForms: true,
		Token: c.QueryParam("t"), Products: prods, Action: proxyPrefix(c) + "/reviews"})
}

func (s *Server) reviewFormProducts(ctx context.Context, shopID int64, g reviews.ReviewGrant) ([]reviewFormProduct, error) {
	lines, err := models.OrderLines(ctx, s.DB, shopID, g.OrderID)
	if err != nil {
		return nil, err
	}
	reviewed, err := reviews.CustomerReviews(ctx, s.DB, shopID, g.CustomerID, 200)
	if err != nil {
		return nil, err
	}
	out := make([]reviewFormProduct, len(g.ProductIDs))
	for i, id := range g.ProductIDs {
		out[i] = reviewFormProduct{ID: id, Title: "Product " + strconv.FormatInt(id, 10)}
		for _, l := range lines {
			if l.ProductID != nil && *l.ProductID == id && l.Title != "" {
				out[i].Title = l.Title
				break
			}
		}
		for _, r := range reviewed {
			if r.ProductID != nil && *r.ProductID == id && r.Source != reviews.SourceImport {
				out[i].Reviewed = true
			}
		}
	}
	return out, nil
}

// proxyListReviews: GET /proxy/reviews?product_id=…&handle=… — published reviews and the
// product's rating summary, for the storefront widget.
func (s *Server) proxyListReviews(c echo.Context) error {
	var pq reviews.ProductQuery
	if v := c.QueryParam("product_id"); v != "" {
		id, err := looseReviewID(jsonString(v), "Product")
		if err != nil || id == 0 {
			return models.Invalid("product_id", "must be a Shopify product id")
		}
		pq.ProductID = id
	}
	pq.Handle = strings.ToLower(strings.TrimSpace(c.QueryParam("handle")))
	limit, err := limitParam(c)
	if err != nil {
		return err
	}
	ctx, shopID := c.Request().Context(), ShopID(c)
	page, next, err := reviews.PublishedReviews(ctx, s.DB, shopID, pq, c.QueryParam("sort"), c.QueryParam("cursor"), limit)
	if err != nil {
		return err
	}
	sum, err := reviews.ProductRatingSummary(ctx, s.DB, shopID, pq)
	if err != nil {
		return err
	}
	if page == nil {
		page = []reviews.PublicReview{}
	}
	if err := s.withPublicPhotos(c, page); err != nil {
		return err
	}
	out := map[string]any{"reviews": page, "summary": sum}
	if next != "" {
		out["next_cursor"] = next
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=60")
	return c.JSON(http.StatusOK, out)
}
