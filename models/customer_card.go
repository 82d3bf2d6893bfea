package models

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// CustomerCard is what a list shows of a customer: the name and email a merchant knows them by.
type CustomerCard struct {
	ID        int64  `json:"id"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Email     string `json:"email"`
}

// CustomerCards reads the cards of a shop's customers by Shopify id, in one query; an id the
// shop does not know (or has redacted) is absent.
func CustomerCards(ctx context.Context, db *gorm.DB, shopID int64, ids []int64) (map[int64]*CustomerCard, error) {
	out := map[int64]*CustomerCard{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []CustomerCard
	if err := db.WithContext(ctx).Raw(`SELECT customer_id AS id, first_name, last_name, email FROM customers
		WHERE shop_id = ? AND customer_id = ANY(?)`, shopID, Array(ids)).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("customer cards of shop %d: %w", shopID, err)
	}
	for i := range rows {
		out[rows[i].ID] = &rows[i]
	}
	return out, nil
}
