package handlers

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/reviews"
)

// listCases: GET /api/cases?status=open|resolved&customer_id=&cursor=&limit=
// caseView is a case as the list shows it: with its customer's name.
type caseView struct {
	reviews.Case
	Customer *models.CustomerCard `json:"customer"`
}

func (s *Server) listCases(c echo.Context) error {
	var f reviews.CaseFilter
	var err error
	if f.CustomerID, err = reviewInt64Query(c, "customer_id"); err != nil {
		return err
	}
	if f.Limit, err = limitParam(c); err != nil {
		return err
	}
	f.Status, f.Cursor = c.QueryParam("status"), c.QueryParam("cursor")
	cs, next, err := reviews.ListCases(c.Request().Context(), s.DB, ShopID(c), f)
	if err != nil {
		return err
	}
	ids := make([]int64, len(cs))
	for i, k := range cs {
		ids[i] = k.CustomerID
	}
	cards, err := models.CustomerCards(c.Request().Context(), s.DB, ShopID(c), ids)
	if err != nil {
		return err
	}
	views := make([]caseView, len(cs))
	for i, k := range cs {
		views[i].Case, views[i].Customer = k, cards[k.CustomerID]
	}
	out := map[string]any{"cases": views}
	if next != "" {
		out["next_cursor"] = next
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) getCase(c echo.Context) error {
	id, err := reviewIDParam(c)
	if err != nil {
		return err
	}
	cs, err := reviews.GetCase(c.Request().Context(), s.DB, ShopID(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, cs)
}

// patchCase: PATCH /api/cases/{id} {"assignee", "note"} — either may be left out.
func (s *Server) patchCase(c echo.Context) error {
	id, err := reviewIDParam(c)
	if err != nil {
		return err
	}
	var in struct {
		Assignee *string `json:"assignee"`
		Note     *string `json:"note"`
	}
	if err := decodeReviewJSON(c, &in); err != nil {
		return err
	}
	cs, err := reviews.UpdateCase(c.Request().Context(), s.DB, ShopID(c), id, reviews.CaseUpdate{Assignee: in.Assignee, Note: in.Note})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, cs)
}

// resolveCase: POST /api/cases/{id}/resolve {"note"} — closes the case and lifts the
// promotional hold it placed.
func (s *Server) resolveCase(c echo.Context) error {
	id, err := reviewIDParam(c)
	if err != nil {
		return err
	}
	var in struct {
		Note string `json:"note"`
	}
	if err := decodeReviewJSON(c, &in); err != nil {
		return err
	}
	cs, err := reviews.ResolveCase(c.Request().Context(), s.DB, ShopID(c), id, in.Note, StaffUser(c), time.Now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, cs)
}

// listThemes: GET /api/themes?weeks=12&source=review|cancellation — complaint themes and
// recurring phrases with weekly trend and example quotes.
func (s *Server) listThemes(c echo.Context) error {
	q := models.ThemeQuery{SourceType: c.QueryParam("source"), Now: time.Now()}
	if v := c.QueryParam("weeks"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return models.Invalid("weeks", "must be from 1 to 104")
		}
		q.Weeks = n
	}
	ts, err := models.ComplaintThemes(c.Request().Context(), s.DB, ShopID(c), q)
	if err != nil {
		return err
	}
	if ts == nil {
		ts = []models.Theme{}
	}
	return c.JSON(http.StatusOK, map[string]any{"themes": ts})
}
