# Fields that hold framework ids no longer take their choices from an edition, so no
# edition's wording is part of the schema; the appraisal's own edition checks the ids.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("appraisals", "0007_approval_snapshot")]

    operations = [
        migrations.AlterField(model_name="answer", name="aspect", field=models.CharField(blank=True, max_length=20)),
        migrations.AlterField(model_name="answer", name="value", field=models.CharField(blank=True, max_length=20)),
        migrations.AlterField(model_name="appraisal", name="stage", field=models.CharField(max_length=20)),
        migrations.AlterField(model_name="criterionrating", name="rating", field=models.CharField(max_length=20)),
        migrations.AlterField(model_name="decision", name="decision", field=models.CharField(max_length=40)),
        migrations.AlterField(model_name="participation", name="mode", field=models.CharField(max_length=20)),
        migrations.AlterField(model_name="participation", name="stakeholder", field=models.CharField(max_length=40)),
        migrations.AlterField(model_name="principlerating", name="aspect", field=models.CharField(max_length=20)),
        migrations.AlterField(model_name="principlerating", name="rating", field=models.CharField(max_length=20)),
        migrations.AlterField(
            model_name="project", name="current_stage", field=models.CharField(default="inception", max_length=20)
        ),
        migrations.AlterField(model_name="projectmotivation", name="motivation", field=models.CharField(max_length=40)),
    ]
