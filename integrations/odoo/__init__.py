"""Odoo integration: `client` (the one client, every protocol), `errors` (typed), `fields` (detected names),
`gateway` (the purchase operations the orders app calls), `standin` (a local Odoo for dev and tests)."""
