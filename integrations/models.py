from django.db import models


class ExternalCall(models.Model):
    """One row per outbound call to Chatwoot, Odoo, the LLM or Slack, so an outage can be read from rows.

    Written when the call ends (integrations.calls); the work in flight is traced by its own pending row (a reply
    `sending`, an Odoo command `running`). `pending` is what rows written by earlier releases may still show.
    """

    class System(models.TextChoices):
        CHATWOOT = "chatwoot"
        ODOO = "odoo"
        LLM = "llm"
        SLACK = "slack"

    class Outcome(models.TextChoices):
        PENDING = "pending"
        OK = "ok"
        ERROR = "error"
        DRY_RUN = "dry_run"

    system = models.CharField(max_length=16, choices=System.choices)
    method = models.CharField(max_length=120)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.PENDING)
    request_summary = models.TextField(blank=True)
    response_summary = models.TextField(blank=True)
    error = models.TextField(blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    prompt_tokens = models.PositiveIntegerField(null=True, blank=True)
    completion_tokens = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["system", "created_at"]), models.Index(fields=["outcome", "created_at"])]

    def __str__(self) -> str:
        return f"{self.system}.{self.method} {self.outcome}"
