"""Odoo integration: `client` (the one client, every protocol), `errors` (typed), `fields` (detected names),
`gateway` (the purchase and sale order operations the orders app calls), `diagnose` and `checks` (what is wrong
with a setup, in one sentence), `standin` (a local Odoo for dev and tests)."""
