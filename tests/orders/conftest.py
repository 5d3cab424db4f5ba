from tests.fakes.odoo import make_odoo_standin, odoo_standin  # noqa: F401

import pytest


@pytest.fixture
def approver(django_user_model, settings):
    from django.contrib.auth.models import Group

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed: tests log in a lot
    user = django_user_model.objects.create_user("aprobadora", password="pw-aprobadora", is_staff=True)
    user.groups.add(Group.objects.get(name="Approvers"))
    return django_user_model.objects.get(pk=user.pk)  # fresh permission cache


from tests.fakes.slack import fake_slack  # noqa: E402,F401
