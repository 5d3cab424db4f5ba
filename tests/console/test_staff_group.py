"""The "Atención" group (console/migrations/0001_staff_group): staff see conversations, contacts, orders, products,
FAQs and the dashboard; the internals (task queue, turns, sessions, external calls, webhook deliveries, handoff
cases, login records) are for superusers only, even when someone grants their permissions by hand."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission

pytestmark = pytest.mark.django_db

STAFF_PAGES = ["/admin/conversations/conversation/", "/admin/conversations/contact/",
               "/admin/orders/purchaseorder/", "/admin/orders/product/", "/admin/agents/faq/", "/admin/dashboard/"]
INTERNAL_PAGES = ["/admin/agents/turn/", "/admin/agents/session/", "/admin/conversations/webhookdelivery/",
                  "/admin/conversations/handoffcase/", "/admin/integrations/externalcall/",
                  "/admin/django_q/schedule/", "/admin/django_q/failure/", "/admin/django_q/success/",
                  "/admin/axes/accessattempt/"]


@pytest.fixture
def agent(django_user_model, client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = django_user_model.objects.create_user("agente", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Atención"))
    client.force_login(user)
    return user


def test_the_group_can_work_conversations_and_read_orders():
    codenames = set(Group.objects.get(name="Atención").permissions.values_list("codename", flat=True))
    assert {"view_conversation", "change_conversation", "view_contact", "view_purchaseorder", "view_product",
            "change_product", "view_faq", "add_faq", "change_faq"} == codenames
    assert "approve_purchaseorder" not in codenames  # approvers keep their own group


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_staff_open_their_pages(client, agent, url):
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", INTERNAL_PAGES)
def test_internals_are_refused_to_staff(client, agent, url):
    assert client.get(url).status_code == 403


def test_granting_an_internal_permission_by_hand_still_shows_nothing(client, agent):
    agent.user_permissions.add(Permission.objects.get(codename="view_turn"),
                               Permission.objects.get(codename="view_externalcall"))
    assert client.get("/admin/agents/turn/").status_code == 403
    assert client.get("/admin/integrations/externalcall/").status_code == 403


def test_the_index_shows_staff_only_what_they_act_on(client, agent):
    html = client.get("/admin/").content.decode()
    for shown in ("/admin/conversations/conversation/", "/admin/orders/purchaseorder/", "/admin/agents/faq/",
                  "/admin/orders/product/", "/admin/dashboard/"):
        assert f'href="{shown}"' in html
    for hidden in INTERNAL_PAGES + ["/admin/auth/user/", "/admin/conversations/message/"]:
        assert f'href="{hidden}"' not in html
    assert "Django Q" not in html and "Turnos" not in html


def test_superusers_still_see_the_internals(admin_client):
    html = admin_client.get("/admin/").content.decode()
    for url in INTERNAL_PAGES:
        assert admin_client.get(url).status_code == 200, url
    assert 'href="/admin/agents/turn/"' in html and 'href="/admin/integrations/externalcall/"' in html
