"""Personas: the bundled set, the owner's own file, and clear errors for a broken one."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.personas import PersonaFileError, load_personas, parse_personas


def test_the_bundled_personas_load() -> None:
    book = load_personas()

    assert book.names[:4] == ["assistant", "shop", "tutor", "translator"]
    assert book.default.name == "assistant"
    assert all(p.instructions and p.description for p in book.personas)


def test_an_owner_file_and_default_are_used(tmp_path: Path) -> None:
    path = tmp_path / "personas.toml"
    path.write_text(
        '[[persona]]\nname = "chef"\ninstructions = "Cook."\n'
        '[[persona]]\nname = "poet"\ntitle = "Poet"\ninstructions = "Rhyme."\n'
    )

    book = load_personas(path, "POET")

    assert book.default.name == "poet"
    assert book.get("chef").title == "chef"
    assert book.resolve("removed-one").name == "poet"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not toml [", "not valid TOML"),
        ("title = 'x'", "[[persona]]"),
        ('[[persona]]\nname = "Bad Name"\ninstructions = "x"', "must be 1-32"),
        ('[[persona]]\nname = "a"\ninstructions = ""', "instructions"),
        (
            '[[persona]]\nname = "a"\ninstructions = "x"\n'
            '[[persona]]\nname = "a"\ninstructions = "y"',
            "twice",
        ),
    ],
)
def test_a_broken_file_is_explained(text: str, message: str) -> None:
    with pytest.raises(PersonaFileError, match=message.replace("[", r"\[")):
        parse_personas(text, source="p.toml")


def test_an_unknown_default_lists_the_choices() -> None:
    with pytest.raises(PersonaFileError, match="assistant"):
        load_personas(None, "pirate")
