"""The live Odoo check, opt-in because it calls Odoo: `manage.py check --deploy --tag odoo` (or any
`check --deploy`). A plain `manage.py check`, and every other command, never reaches Odoo."""

from django.core.checks import Error, register

from integrations.odoo import diagnose


@register("odoo", deploy=True)
def check_odoo(app_configs=None, **kwargs):
    return [Error(problem, id="integrations.E001") for problem in diagnose.problems()]
