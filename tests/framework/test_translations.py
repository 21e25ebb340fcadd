"""The framework's wording in Welsh, in the edition file: the English stays the source."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import trustworthy.framework
from trustworthy.framework import default_framework
from trustworthy.framework.errors import FrameworkError
from trustworthy.framework.loader import framework_to_dict, load_framework_text

EDITION = Path(trustworthy.framework.__file__).parent / "data" / "hgl-2021-1.0.0.yaml"


def _edition() -> dict:
    return yaml.safe_load(EDITION.read_text())


def test_the_edition_has_welsh_for_what_participants_and_the_public_read() -> None:
    fw = default_framework()
    for question in fw.questions():
        assert fw.translated("questions", question.id, "cy"), question.id
        assert fw.translated("questions", question.id, "cy", "text"), question.id
    for vocabulary in (
        "stages",
        "answer_scale",
        "decisions",
        "stakeholders",
        "participation_modes",
        "principles",
    ):
        for item in getattr(fw, vocabulary):
            assert fw.translated(vocabulary, item.id, "cy"), (vocabulary, item.id)
    for section in fw.sections:
        assert fw.section_title(section.id, "cy") != section.title


def test_the_english_wording_stays_the_source() -> None:
    fw = default_framework()
    assert fw.question_label("P1") == "Is innovation the right approach?"
    assert fw.question_label("P1", "cy") == "Ai arloesi yw'r dull cywir?"
    assert fw.question_text("P1", "en-gb") == fw.question("P1").text
    assert fw.label("decisions", "reframe") == "Reframe"
    assert fw.label("decisions", "reframe", language="cy") == "Ailfframio"
    assert fw.label("decisions", "reframe", language="fr") == "Reframe"  # not translated: English


def test_a_translation_falls_back_to_english_where_it_has_nothing() -> None:
    data = _edition()
    del data["translations"]["cy"]["questions"]["P2"]
    fw = load_framework_text(yaml.safe_dump(data))
    assert fw.question_label("P2", "cy") == "Does this model fit the problem and context?"
    assert fw.question_label("P1", "cy") == "Ai arloesi yw'r dull cywir?"


def test_a_translation_of_an_id_the_edition_does_not_have_is_refused() -> None:
    data = _edition()
    data["translations"]["cy"]["questions"]["P99"] = {"title": "Cwestiwn"}
    data["translations"]["cy"]["decisions"]["maybe"] = "Efallai"
    with pytest.raises(FrameworkError) as raised:
        load_framework_text(yaml.safe_dump(data))
    text = str(raised.value)
    assert "translations.cy.questions" in text
    assert "unknown question 'P99'" in text
    assert "unknown decision 'maybe'" in text


def test_a_translation_must_be_words() -> None:
    data = _edition()
    data["translations"]["cy"]["questions"]["P1"] = {"title": ""}
    with pytest.raises(FrameworkError):
        load_framework_text(yaml.safe_dump(data))


def test_the_translations_survive_being_written_out_and_read_back() -> None:
    fw = default_framework()
    again = load_framework_text(yaml.safe_dump(framework_to_dict(fw), allow_unicode=True))
    assert again.translations == fw.translations
    assert again.question_label("T6", "cy") == "Modd ei egluro a'i gyfiawnhau"
