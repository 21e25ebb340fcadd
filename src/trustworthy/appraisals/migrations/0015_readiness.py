import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """Readiness for innovation: an assessment of each readiness dimension of the edition, and
    its gaps as a source of actions."""

    dependencies = [
        ("appraisals", "0014_commitments_in_use"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="action",
            name="source",
            field=models.CharField(
                choices=[
                    ("risk", "Mitigation of a risk"),
                    ("enabler", "Enabler to put in place"),
                    ("decision", "Condition of the decision"),
                    ("lessons", "Lesson from the evaluation"),
                    ("readiness", "Gap in readiness for innovation"),
                    ("other", "Other"),
                ],
                default="other",
                max_length=20,
            ),
        ),
        migrations.CreateModel(
            name="ReadinessAssessment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("dimension", models.CharField(max_length=40)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("in-place", "In place"),
                            ("partly", "Partly in place"),
                            ("not-in-place", "Not in place"),
                        ],
                        max_length=20,
                    ),
                ),
                ("evidence", models.TextField(blank=True)),
                ("carried_forward", models.BooleanField(default=False)),
                ("lock_version", models.PositiveIntegerField(default=0)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "appraisal",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="readiness",
                        to="appraisals.appraisal",
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={"ordering": ["appraisal", "id"]},
        ),
        migrations.AddConstraint(
            model_name="readinessassessment",
            constraint=models.UniqueConstraint(
                fields=("appraisal", "dimension"), name="one_assessment_per_dimension"
            ),
        ),
        migrations.AddField(
            model_name="action",
            name="readiness",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="actions",
                to="appraisals.readinessassessment",
            ),
        ),
    ]
