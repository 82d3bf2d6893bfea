package handlers

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/loyalty"
)

// importLoyalty serves POST /api/import/loyalty?dry_run=true&format=smile|loyaltylion|yotpo|custom
// &mapping={"email":"…","points":"…"}: another loyalty app's customer export (multipart "file",
// or the raw CSV as the body) carried into the shop. The format is recognised from the columns
// when not given; the mapping names the columns of any other export. Answers the report:
// customers matched, points carried (and their value), tiers, referral codes, birthdays, and
// the rows skipped with their line and reason. A dry run writes nothing.
func (s *Server) importLoyalty(c echo.Context) error {
	opts := loyalty.MigrationOptions{Format: c.QueryParam("format")}
	if v := c.QueryParam("dry_run"); v != "" {
		dry, err := strconv.ParseBool(v)
		if err != nil {
			return models.Invalid("dry_run", "must be true or false")
		}
		opts.DryRun = dry
	}
	if v := c.QueryParam("mapping"); v != "" {
		if err := json.Unmarshal([]byte(v), &opts.Mapping); err != nil {
			return models.Invalid("mapping", "must be a JSON object of field to column name")
		}
	}
	file, err := uploadedFile(c)
	if err != nil {
		return err
	}
	rep, err := loyalty.ImportMigration(c.Request().Context(), s.DB, ShopID(c), file, opts, time.Now())
	if err != nil {
		return importReadError(err)
	}
	return c.JSON(http.StatusOK, rep)
}
