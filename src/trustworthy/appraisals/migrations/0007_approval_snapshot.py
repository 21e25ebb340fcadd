from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("appraisals", "0006_project_version")]

    operations = [
        migrations.AddField(
            model_name="appraisal", name="audit_count", field=models.PositiveIntegerField(default=0)
        ),
        migrations.AddField(
            model_name="appraisal", name="approved_snapshot", field=models.JSONField(blank=True, null=True)
        ),
        migrations.AddField(
            model_name="appraisal", name="signed_content", field=models.JSONField(blank=True, null=True)
        ),
    ]
