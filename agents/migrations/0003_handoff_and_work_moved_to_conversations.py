"""Handoff cases and inbound work now live in the conversations app (copied there by conversations 0004)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('agents', '0002_seed_faqs'),
        ('conversations', '0004_handoff_home_and_answer_state'),
    ]

    operations = [
        migrations.DeleteModel(name="HandoffCase"),
        migrations.DeleteModel(name="InboundWork"),
    ]
