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
    chef = book.get("chef")
    assert chef is not None and chef.title == "chef"
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


def test_a_persona_declares_known_tools_each_once() -> None:
    book = parse_personas(
        '[[persona]]\nname = "a"\ninstructions = "x"\n'
        'tools = ["web_search", "code_interpreter", "web_search"]\n',
        source="t",
    )
    assert book.default.tools == ("web_search", "code_interpreter")
    with pytest.raises(PersonaFileError, match="unknown tool 'browser'; the tools are"):
        parse_personas(
            '[[persona]]\nname = "a"\ninstructions = "x"\ntools = ["browser"]\n', source="t"
        )
    with pytest.raises(PersonaFileError, match="'tools' must be a list"):
        parse_personas('[[persona]]\nname = "a"\ninstructions = "x"\ntools = "x"\n', source="t")


def test_the_bundled_math_tutor_runs_code_and_the_researcher_searches() -> None:
    book = load_personas()
    assert book.get("math_tutor") is not None and book.get("researcher") is not None
    assert book.get("math_tutor").tools == ("code_interpreter",)  # type: ignore[union-attr]
    assert book.get("researcher").tools == ("web_search",)  # type: ignore[union-attr]
