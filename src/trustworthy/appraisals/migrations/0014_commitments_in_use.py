import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("appraisals", "0013_screening"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations: list[migrations.operations.base.Operation] = [
        migrations.AddField(
            model_name="decision",
            name="commitments_answer",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="decision",
            name="commitments_version",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.CreateModel(
            name="InterestDeclaration",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("person_name", models.CharField(max_length=200)),
                ("role", models.CharField(max_length=20)),
                ("has_interest", models.BooleanField(default=False)),
                ("interest", models.TextField(blank=True)),
                ("declared_at", models.DateTimeField(auto_now=True)),
                ("stand_aside", models.BooleanField(default=False)),
                ("stand_aside_reason", models.TextField(blank=True)),
                (
                    "appraisal",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="interests",
                        to="appraisals.appraisal",
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["declared_at", "id"],
                "constraints": [
                    models.UniqueConstraint(fields=("appraisal", "person"), name="one_declaration_per_person")
                ],
            },
        ),
    ]
