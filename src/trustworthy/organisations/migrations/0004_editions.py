import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("organisations", "0003_sign_in_provider")]

    operations: list[migrations.operations.base.Operation] = [
        migrations.CreateModel(
            name="ChosenEdition",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("framework_id", models.CharField(max_length=100)),
                ("version", models.CharField(max_length=40)),
                ("chosen_at", models.DateTimeField(auto_now=True)),
                (
                    "chosen_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "organisation",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="chosen_edition",
                        to="organisations.organisation",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="Edition",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("framework_id", models.CharField(max_length=100)),
                ("version", models.CharField(max_length=40)),
                ("content", models.TextField()),
                ("digest", models.CharField(max_length=64)),
                ("base_id", models.CharField(blank=True, max_length=100)),
                ("base_version", models.CharField(blank=True, max_length=40)),
                ("installed_at", models.DateTimeField(auto_now_add=True)),
                (
                    "installed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="editions",
                        to="organisations.organisation",
                    ),
                ),
            ],
            options={
                "ordering": ["framework_id", "installed_at"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("framework_id", "version"), name="one_edition_per_version"
                    )
                ],
            },
        ),
    ]
