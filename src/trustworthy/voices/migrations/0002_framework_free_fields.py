# A response's group is a stakeholder id of the appraisal's edition, checked there; the
# field no longer takes its choices (and their wording) from an edition.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("voices", "0001_initial")]

    operations = [
        migrations.AlterField(model_name="response", name="group", field=models.CharField(blank=True, max_length=40)),
    ]
