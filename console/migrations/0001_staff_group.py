"""Group "Atención": what customer-service staff see and do in the console — conversations (take over, reply,
hand back), contacts, orders, products and FAQs — and nothing of the internals (task queue, turns, sessions,
external calls, webhook deliveries, handoff cases), which stay with superusers. Approvers keep their own group
(orders/0003_approvers_group); a staff member who approves is in both.

Permissions are normally created after migrate (post_migrate); this creates the ones it needs, idempotently, under
the same codenames and names Django would give them.
"""

from django.db import migrations

GROUP = "Atención"
PERMISSIONS = [
    ("conversations", "conversation", "view"), ("conversations", "conversation", "change"),
    ("conversations", "contact", "view"),
    ("orders", "purchaseorder", "view"), ("orders", "product", "view"), ("orders", "product", "change"),
    ("agents", "faq", "view"), ("agents", "faq", "add"), ("agents", "faq", "change"),
]
VERBS = {"view": "Can view", "change": "Can change", "add": "Can add"}


def create_group(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    group, _ = Group.objects.get_or_create(name=GROUP)
    for app_label, model, verb in PERMISSIONS:
        content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
        model_name = apps.get_model(app_label, model)._meta.verbose_name_raw
        permission, _ = Permission.objects.get_or_create(
            codename=f"{verb}_{model}", content_type=content_type,
            defaults={"name": f"{VERBS[verb]} {model_name}"})
        group.permissions.add(permission)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("conversations", "0004_handoff_home_and_answer_state"),
        ("orders", "0003_approvers_group"),
        ("agents", "0003_handoff_and_work_moved_to_conversations"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
