"""Every event joins its organisation's chain and is sealed with the audit key.

Trails written before this change were plain SHA-256 chains per appraisal. They are
re-sealed here, once, in the order they were written: a one-off step before the first
release, not a way to rewrite history (the data at the time is the demo's).
"""

import datetime
import hashlib
import hmac
import json

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _seal(content):
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hmac.new(str(settings.AUDIT_KEY).encode(), text.encode(), hashlib.sha256).hexdigest()


def reseal(apps, schema_editor):
    AuditEvent = apps.get_model("core", "AuditEvent")
    OrganisationChain = apps.get_model("core", "OrganisationChain")
    Appraisal = apps.get_model("appraisals", "Appraisal")
    org_of = dict(Appraisal.objects.values_list("pk", "organisation_id"))
    org_heads, appraisal_heads = {}, {}
    for event in AuditEvent.objects.order_by("at", "pk"):
        event.organisation_id = org_of[event.appraisal_id]
        org_prev, org_count = org_heads.get(event.organisation_id, ("", 0))
        prev, count = appraisal_heads.get(event.appraisal_id, ("", 0))
        event.org_sequence, event.org_prev_hash = org_count + 1, org_prev
        event.sequence, event.prev_hash = count + 1, prev
        event.hash = _seal({
            "organisation": event.organisation_id, "org_sequence": event.org_sequence,
            "org_prev": event.org_prev_hash, "appraisal": event.appraisal_id, "sequence": event.sequence,
            "prev": event.prev_hash, "actor": event.actor_id, "actor_name": event.actor_name,
            "at": event.at.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
            "action": event.action, "target": event.target, "before": event.before, "after": event.after,
            "reason": event.reason,
        })
        event.save()
        org_heads[event.organisation_id] = (event.hash, org_count + 1)
        appraisal_heads[event.appraisal_id] = (event.hash, count + 1)
    for organisation_id, (head, count) in org_heads.items():
        OrganisationChain.objects.create(organisation_id=organisation_id, head=head, count=count)
    for appraisal_id, (head, count) in appraisal_heads.items():
        Appraisal.objects.filter(pk=appraisal_id).update(audit_head=head, audit_count=count)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("organisations", "0002_safeguarding_contact"),
        ("appraisals", "0007_approval_snapshot"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="auditevent", name="one_event_per_sequence"),
        migrations.AddField(
            model_name="auditevent",
            name="organisation",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="audit_events",
                to="organisations.organisation",
            ),
        ),
        migrations.AddField(
            model_name="auditevent", name="org_sequence", field=models.PositiveIntegerField(null=True)
        ),
        migrations.AddField(
            model_name="auditevent", name="org_prev_hash", field=models.CharField(blank=True, max_length=64, default="")
        ),
        migrations.AlterField(
            model_name="auditevent", name="sequence", field=models.PositiveIntegerField(blank=True, null=True)
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="appraisal",
            field=models.ForeignKey(
                blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="audit_events", to="appraisals.appraisal",
            ),
        ),
        migrations.CreateModel(
            name="OrganisationChain",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("head", models.CharField(blank=True, max_length=64)),
                ("count", models.PositiveIntegerField(default=0)),
                (
                    "organisation",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT, related_name="audit_chain",
                        to="organisations.organisation",
                    ),
                ),
            ],
        ),
        migrations.RunPython(reseal, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditevent",
            name="organisation",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="audit_events",
                to="organisations.organisation",
            ),
        ),
        migrations.AlterField(
            model_name="auditevent", name="org_sequence", field=models.PositiveIntegerField()
        ),
        migrations.AlterField(
            model_name="auditevent", name="org_prev_hash", field=models.CharField(blank=True, max_length=64)
        ),
        migrations.AlterModelOptions(name="auditevent", options={"ordering": ["organisation", "org_sequence"]}),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(
                condition=models.Q(appraisal__isnull=False), fields=("appraisal", "sequence"),
                name="one_event_per_sequence",
            ),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(
                fields=("organisation", "org_sequence"), name="one_event_per_org_sequence"
            ),
        ),
    ]
