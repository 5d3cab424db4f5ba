"""Handoff cases and "answer owed" move here from the agents app: a case per hand-over, and the debt recorded on
the message itself. Rows are copied from the agents tables before those are dropped (agents 0003)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


# Old free-text reasons, mapped to the one list of reasons.
OLD_REASONS = {"purchase_request": "human_request", "requested": "human_request"}


def copy_from_agents(apps, schema_editor):
    OldCase = apps.get_model("agents", "HandoffCase")
    Case = apps.get_model("conversations", "HandoffCase")
    Case.objects.bulk_create([
        Case(conversation_id=c.conversation_id, reason=OLD_REASONS.get(c.reason, c.reason)[:32], actor="bot",
             summary=c.summary, contact_text=c.contact_text, turn_id=c.turn_id, created_at=c.created_at)
        for c in OldCase.objects.all().iterator()
    ], batch_size=500)
    Work = apps.get_model("agents", "InboundWork")
    Message = apps.get_model("conversations", "Message")
    states = {"pending": "pending", "done": "answered", "skipped": "skipped"}
    for old, new in states.items():
        ids = Work.objects.filter(state=old).values_list("message_id", flat=True)
        Message.objects.filter(pk__in=ids).update(answer=new)
    Conversation = apps.get_model("conversations", "Conversation")
    Conversation.objects.filter(handoff_reason__startswith="chatwoot status").update(handoff_reason="chatwoot_opened")
    for old, new in OLD_REASONS.items():
        Conversation.objects.filter(handoff_reason=old).update(handoff_reason=new)


class Migration(migrations.Migration):

    dependencies = [
        ('conversations', '0003_duplicate_deliveries'),
        ('agents', '0002_seed_faqs'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HandoffCase',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reason', models.CharField(choices=[('human_request', 'Asked for a person'), ('complaint', 'Complaint'), ('order_attention', 'Order needs attention'), ('failure', 'Bot failure'), ('whatsapp_window', 'WhatsApp 24-hour window closed'), ('human_reply', 'A person replied in Chatwoot'), ('chatwoot_opened', 'Opened in Chatwoot'), ('taken_over', 'Taken over by staff'), ('staff_reply', 'Staff replied from the admin')], db_index=True, max_length=32)),
                ('actor', models.CharField(help_text="'bot', 'system', 'chatwoot' or a staff username", max_length=150)),
                ('summary', models.TextField(blank=True)),
                ('contact_text', models.TextField(blank=True)),
                ('turn_id', models.BigIntegerField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                ('ended_at', models.DateTimeField(blank=True, null=True)),
                ('ended_by', models.CharField(blank=True, max_length=150)),
            ],
            options={
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.AddField(
            model_name='message',
            name='answer',
            field=models.CharField(blank=True, choices=[('', 'Not answerable'), ('pending', 'Answer owed'), ('answered', 'Answered in a turn'), ('skipped', 'Not answered (staff had the conversation)')], default='', max_length=8),
        ),
        migrations.AlterField(
            model_name='conversation',
            name='handoff_reason',
            field=models.CharField(blank=True, choices=[('human_request', 'Asked for a person'), ('complaint', 'Complaint'), ('order_attention', 'Order needs attention'), ('failure', 'Bot failure'), ('whatsapp_window', 'WhatsApp 24-hour window closed'), ('human_reply', 'A person replied in Chatwoot'), ('chatwoot_opened', 'Opened in Chatwoot'), ('taken_over', 'Taken over by staff'), ('staff_reply', 'Staff replied from the admin')], max_length=32),
        ),
        migrations.AddIndex(
            model_name='message',
            index=models.Index(condition=models.Q(('answer', 'pending')), fields=['conversation', 'created_at'], name='message_answer_pending'),
        ),
        migrations.AddField(
            model_name='handoffcase',
            name='conversation',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='cases', to='conversations.conversation'),
        ),
        migrations.RunPython(copy_from_agents, migrations.RunPython.noop),
    ]
