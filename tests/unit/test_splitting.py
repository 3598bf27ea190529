"""Splitting long answers: every part fits, nothing is lost, code blocks stay balanced."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.rendering.splitting import FENCE, split_markdown, utf16_len


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def keeps_in_order(original: str, parts: list[str]) -> bool:
    """Every visible character of `original`, in order, in the parts (fences may be added)."""
    joined = iter(squash("".join(parts)))
    return all(char in joined for char in squash(original))


def test_a_short_answer_is_one_part() -> None:
    assert split_markdown("Hello **world**", 4096) == ["Hello **world**"]


def test_an_empty_answer_has_no_parts() -> None:
    assert split_markdown("  \n\n ", 4096) == []


def test_paragraphs_are_kept_whole_and_rejoin_to_the_original() -> None:
    text = "\n\n".join(f"Paragraph {n} " + "x" * 900 for n in range(10))

    parts = split_markdown(text, 4096)

    assert len(parts) == 3
    assert all(utf16_len(p) <= 4096 for p in parts)
    assert "\n\n".join(parts) == text
    assert all(p.startswith("Paragraph") for p in parts)


def test_a_long_paragraph_splits_on_lines_then_spaces() -> None:
    lines = [" ".join(f"w{n}_{i}" for i in range(30)) for n in range(60)]
    text = "\n".join(lines)

    parts = split_markdown(text, 1000)

    assert all(utf16_len(p) <= 1000 for p in parts)
    assert "\n".join(parts) == text


def test_a_long_code_block_is_closed_and_reopened_with_its_language() -> None:
    code = "\n".join(f"print({n})  # line {n}" for n in range(400))
    text = f"Here is the code:\n\n```python\n{code}\n```\n\nThat's all."

    parts = split_markdown(text, 2000)

    assert all(utf16_len(p) <= 2000 for p in parts)
    code_parts = [p for p in parts if "print(" in p]
    assert len(code_parts) > 1
    for part in code_parts:
        assert part.count("```") == 2
        assert "```python\n" in part
    assert squash("".join(parts).replace("```python", "").replace("```", "")) == squash(
        text.replace("```python", "").replace("```", "")
    )


def test_a_line_without_spaces_is_cut_hard_but_kept_whole() -> None:
    text = "a" * 10000

    parts = split_markdown(text, 4096)

    assert [len(p) for p in parts] == [4096, 4096, 1808]
    assert "".join(parts) == text


def test_emoji_count_as_two_utf16_units() -> None:
    text = "😀" * 3000  # 6000 UTF-16 units

    parts = split_markdown(text, 4096)

    assert all(utf16_len(p) <= 4096 for p in parts)
    assert "".join(parts) == text


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(min_size=1, max_size=300),
            st.builds(lambda body: f"```js\n{body}\n```", st.text(max_size=500)),
            st.just("\n\n"),
        ),
        max_size=30,
    ),
    st.integers(min_value=50, max_value=600),
)
def test_no_part_is_too_long_and_no_visible_character_is_lost(
    pieces: list[str], limit: int
) -> None:
    text = "".join(pieces)

    parts = split_markdown(text, limit)

    assert all(utf16_len(p) <= limit for p in parts)
    assert keeps_in_order(text, parts)
    added = len(squash("".join(parts))) - len(squash(text))
    assert added <= sum(p.count("```") + p.count("~~~") for p in parts) * 3 + sum(
        len(line) for p in parts for line in p.split("\n") if FENCE.match(line)
    )  # only reopened fence lines are added
