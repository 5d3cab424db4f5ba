"""Group "Approvers" with the "approve purchase orders" permission (the approval console).

Permissions are normally created after migrate (post_migrate); this creates the one it needs, idempotently.
"""

from django.db import migrations


def create_approvers(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    content_type, _ = ContentType.objects.get_or_create(app_label="orders", model="purchaseorder")
    group, _ = Group.objects.get_or_create(name="Approvers")
    for codename, name in (("approve_purchaseorder", "Can approve purchase orders"),
                           ("view_purchaseorder", "Can view purchase order")):
        permission, _ = Permission.objects.get_or_create(
            codename=codename, content_type=content_type, defaults={"name": name})
        group.permissions.add(permission)


def remove_approvers(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Approvers").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0002_purchase_orders"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_approvers, remove_approvers)]
