from tests.fakes.odoo import make_odoo_standin, odoo_standin  # noqa: F401
