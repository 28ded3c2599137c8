"""docs/scenario-format.md: every field of every pack file has a description and an example that
the loader accepts, and the file in the repository is what the models generate."""

from pathlib import Path
from typing import Annotated

import pytest
from pydantic import BaseModel, Field, TypeAdapter

from simulator.author import reference
from simulator.author.reference import SECTIONS, Section, fields_of, missing_docs, render

DOCS = Path(__file__).resolve().parents[2] / "docs" / "scenario-format.md"


def test_every_field_has_a_description_and_an_example():
    assert missing_docs() == []


def test_an_undocumented_field_is_caught(monkeypatch):
    class Sneaky(BaseModel):
        documented: int = Field(1, description="says what it is", examples=[2])
        silent: int = 0

    monkeypatch.setattr(reference, "SECTIONS", (*SECTIONS, Section("sneaky", Sneaky, "scenario file")))
    assert reference.missing_docs() == ["Sneaky.silent: no description", "Sneaky.silent: no example"]


@pytest.mark.parametrize("section", SECTIONS, ids=lambda s: s.model.__name__)
def test_every_example_is_a_value_the_loader_accepts(section):
    for name, info in fields_of(section.model).items():
        for example in info.examples or []:
            kind = Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation
            TypeAdapter(kind).validate_python(example)


def test_the_docs_file_is_generated_from_the_models():
    assert DOCS.read_text(encoding="utf-8") == render(), (
        "docs/scenario-format.md is stale: python -m simulator.author.reference docs/scenario-format.md")


def test_the_reference_names_every_field_and_the_reply_fields():
    text = render()
    for section in SECTIONS:
        for name, info in fields_of(section.model).items():
            assert f"| `{info.alias or name}` |" in text
    for needed in ("{X_count}", "{X_list}", "error_reply", "`next_monday`", "`labels`", "`answer`", "`errors`"):
        assert needed in text, needed
