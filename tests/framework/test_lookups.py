"""The framework's lookups read tables built once; they answer as the searches they replace."""

from __future__ import annotations

import pytest
import yaml

from trustworthy.framework import default_framework, framework_to_dict, load_framework_text
from trustworthy.framework.model import Framework

FW = default_framework()


def test_lookups_find_what_a_search_finds() -> None:
    for section in FW.sections:
        assert FW.section(section.id) is next(s for s in FW.sections if s.id == section.id)
    for register in FW.registers:
        assert FW.register(register.id) is next(r for r in FW.registers if r.id == register.id)
        for field in register.fields:
            for choice in field.choices:
                assert field.choice_label(choice.id) == choice.label
            assert field.choice_label("not-a-choice") == "not-a-choice"
    for decision in FW.decisions:
        assert FW.decision(decision.id) is next(d for d in FW.decisions if d.id == decision.id)
    for stage in FW.stages:
        assert FW.stage(stage.id) is next(s for s in FW.stages if s.id == stage.id)
        assert FW.label("stages", stage.id) == stage.name
    for cluster in FW.principle_clusters:
        assert FW.principles_in(cluster.id) == tuple(p for p in FW.principles if p.cluster == cluster.id)
    assert FW.principles_in("no-such-cluster") == ()
    for choice in FW.answer_scale:
        assert FW.label("answer_scale", choice.id) == choice.label
    assert FW.label("answer_scale", "no-such-answer") == "no-such-answer"


@pytest.mark.parametrize(
    "lookup", [Framework.section, Framework.register, Framework.decision, Framework.stage]
)
def test_an_id_the_edition_does_not_have_is_not_found(lookup) -> None:
    with pytest.raises(StopIteration):
        lookup(FW, "no-such-id")


def test_the_tables_are_not_part_of_the_edition() -> None:
    """Equality and the file written out ignore them, so an edition still loads back equal."""
    FW.label("stages", "inception")  # fills a table
    text = yaml.safe_dump(framework_to_dict(FW), allow_unicode=True)
    assert "_labels" not in text
    assert "_registers" not in text
    assert load_framework_text(text) == FW
