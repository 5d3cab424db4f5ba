from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class Lock(models.Model):
    """A lease used by `core.locks` when Redis is not configured (SQLite `make run`, ORM broker)."""

    name = models.CharField(max_length=200, unique=True)
    token = models.CharField(max_length=64)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name
