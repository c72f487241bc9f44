"""A source's text cut into highlighted pieces: nested, overlapping and adjacent passages,
and work that grows with the passages, not with their square."""

from dataclasses import dataclass
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from timeline.highlighting import highlight


@dataclass(frozen=True)
class Passage:
    start: int
    end: int

    @property
    def anchor(self) -> str:
        return f"passage-{self.start}-{self.end}"


def by_definition(text, statements):
    """What each piece is, read straight from the definition: every passage is compared
    with every piece (the quadratic way highlighting used to work)."""
    cuts = sorted({0, len(text)} | {s.start for s in statements} | {s.end for s in statements})
    pieces = []
    for start, end in pairwise(cuts):
        covering = [s for s in statements if s.start <= start and end <= s.end]
        pieces.append(
            {
                "text": text[start:end],
                "statements": covering,
                "main": min(covering, key=lambda s: s.end - s.start) if covering else None,
                "anchors": [s.anchor for s in statements if s.start == start],
            }
        )
    return pieces


def test_nested_overlapping_and_adjacent_passages_each_piece_names_its_innermost():
    text = "0123456789AB"
    outer, inner, crossing, adjacent = Passage(1, 10), Passage(2, 5), Passage(4, 8), Passage(8, 10)
    pieces = highlight(text, [outer, inner, crossing, adjacent])
    assert [(p["text"], p["main"], p["statements"], p["anchors"]) for p in pieces] == [
        ("0", None, [], []),
        ("1", outer, [outer], [outer.anchor]),
        ("23", inner, [outer, inner], [inner.anchor]),
        ("4", inner, [outer, inner, crossing], [crossing.anchor]),  # inner is the shortest
        ("567", crossing, [outer, crossing], []),
        ("89", adjacent, [outer, adjacent], [adjacent.anchor]),  # crossing ended where it starts
        ("AB", None, [], []),
    ]


def test_passages_sharing_a_start_get_their_anchors_at_that_piece_and_ties_go_to_the_first():
    text = "abcdefgh"
    long, short, twin = Passage(0, 6), Passage(0, 3), Passage(3, 6)
    pieces = highlight(text, [long, short, twin])
    assert [p["anchors"] for p in pieces] == [[long.anchor, short.anchor], [twin.anchor], []]
    assert [p["main"] for p in pieces] == [short, twin, None]
    # Of two equally short passages covering a piece, the first given is the innermost.
    first, second = Passage(0, 4), Passage(2, 6)
    assert highlight(text, [first, second])[1]["main"] == first
    assert highlight(text, [second, first])[1]["main"] == second


def test_no_passages_leave_the_text_whole():
    assert highlight("text", []) == [
        {"text": "text", "statements": [], "main": None, "anchors": []}
    ]


@given(
    text=st.text(alphabet="ab", max_size=30),
    spans=st.lists(st.tuples(st.integers(0, 30), st.integers(1, 30)), max_size=12),
)
def test_every_piece_is_what_the_definition_says(text, spans):
    statements = list(dict.fromkeys(Passage(s, s + n) for s, n in spans))
    assert highlight(text, statements) == by_definition(text, statements)


# ---------------------------------------------------------------- at scale


class Counted:
    """A passage that counts every reading of its offsets, and stops the work once there
    have been more than a budget allows: the measure of the work, without a clock."""

    reads = 0
    budget = 0

    def __init__(self, start: int, end: int):
        self._start, self._end = start, end
        self.anchor = f"passage-{start}-{end}"

    @classmethod
    def read(cls, value: int) -> int:
        cls.reads += 1
        if cls.reads > cls.budget:
            raise AssertionError(f"more than {cls.budget} readings of passages' offsets")
        return value

    @property
    def start(self) -> int:
        return self.read(self._start)

    @property
    def end(self) -> int:
        return self.read(self._end)


def test_highlighting_twenty_thousand_passages_reads_each_a_bounded_number_of_times():
    # Sentences with a quote inside, every other one recorded whole as well: the shape of
    # a long transcript, with passages nested two deep.
    n = 20_000
    sentences = [f'Speaker {i} said: "we shall talk about point {i}" today. ' for i in range(n)]
    text, passages = "".join(sentences), []
    at = 0
    for i, sentence in enumerate(sentences):
        if i % 2 == 0:
            passages.append(Counted(at, at + len(sentence) - 1))
        quote = at + sentence.index("we")
        passages.append(Counted(quote, quote + len(f"we shall talk about point {i}")))
        at += len(sentence)
    passages = passages[:n]
    Counted.reads, Counted.budget = 0, 4 * n  # comparing every passage with every piece: 2n²
    pieces = highlight(text, passages)
    assert Counted.reads <= 4 * n
    # Each piece lists at most the two passages that cover it.
    assert sum(len(piece["statements"]) for piece in pieces) <= 2 * n
    assert "".join(piece["text"] for piece in pieces) == text


def test_another_passage_gets_an_anchor_where_it_begins_and_no_mark():
    text = "The minister said that talks will resume next week."
    quote = Passage(text.index("talks"), len(text) - 1)
    words = (text.index("will"), text.index(" next"))
    segments = highlight(text, [quote], anchored=[words, (quote.start, quote.end)])
    assert "".join(s["text"] for s in segments) == text
    at_words = next(s for s in segments if s["anchors"] == [f"passage-{words[0]}-{words[1]}"])
    assert at_words["text"].startswith("will")
    assert at_words["main"] is quote
    # A passage that is a statement's too is anchored once.
    assert [a for s in segments for a in s["anchors"]].count(quote.anchor) == 1
