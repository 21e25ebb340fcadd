"""Indexes for the portfolio dashboard's grouped queries, on PostgreSQL.

Every figure of a portfolio counts rows of signed (approved) appraisals. Over a national
portfolio (about fifty thousand appraisals, a million answers, one and a half million
principle ratings) reading the tables themselves for each figure is most of the time a
dashboard takes. These partial, covering indexes hold only the rows the figures count,
with the columns they group by, so PostgreSQL answers each figure from an index alone
(an index-only scan, once the tables are vacuumed) and never reads the signed records:
- the approved appraisals, by project, with what the figures group or filter them by,
  and by review date (reviews overdue, in date order);
- every appraisal by project and start, to find the ones a later stage followed;
- the principles rated at risk; the answers "no" and "not sure";
- the open risks (their scores are worked out from the few rows this finds), with
  statistics on the risk's status so the planner knows how many there are.

They live in the database only (`RunSQL`): the models do not change. Other databases
(SQLite, for tests and small installations) do without them.
"""

from django.db import migrations

INDEXES = {
    "appraisal_signed_idx": (
        "appraisals_appraisal (project_id) INCLUDE (id, organisation_id, stage, review_date, created_at) "
        "WHERE status = 'approved'"
    ),
    "appraisal_review_idx": "appraisals_appraisal (review_date, id) WHERE status = 'approved'",
    "appraisal_newer_idx": "appraisals_appraisal (project_id, created_at)",
    "rating_at_risk_idx": (
        "appraisals_principlerating (appraisal_id) INCLUDE (principle_id, aspect) WHERE rating = 'at-risk'"
    ),
    "answer_doubtful_idx": (
        "appraisals_answer (appraisal_id) INCLUDE (question_id, value) WHERE value IN ('no', 'unsure')"
    ),
    "registerrow_open_risk_idx": (
        "appraisals_registerrow (appraisal_id) WHERE register = 'risks' AND (data -> 'status') = '\"open\"'::jsonb"
    ),
}
STATISTICS = "registerrow_risk_status"


def create(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}")
    if connection.pg_version >= 140000:  # statistics on an expression
        schema_editor.execute(
            f"CREATE STATISTICS IF NOT EXISTS {STATISTICS} (mcv) ON register, (data -> 'status') "
            "FROM appraisals_registerrow"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP STATISTICS IF EXISTS {STATISTICS}")
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("appraisals", "0010_appraisal_criteria_version"),
        ("programmes", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
