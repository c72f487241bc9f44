"""Passages of a source's text: whether one stands inside a quotation, and which
stretch of the text is closest to a passage typed wrongly."""

import difflib

QUOTE_MARKS = {'"': '"', "“": "”", "«": "»"}


def is_inside_quotation(text: str, start: int, end: int) -> bool:
    """True when text[start:end] lies between an opening quotation mark and the closing
    mark that answers it: inside one quotation, never running past its end into the text
    around it (or into the next quotation)."""
    before, passage, after = text[:start], text[start:end], text[end:]
    for opening, closing in QUOTE_MARKS.items():
        if closing in passage:
            continue  # the quotation it starts in closes inside it
        if opening == closing:
            if before.count(opening) % 2 == 1 and closing in after:
                return True
            continue
        opened = before.rfind(opening) > before.rfind(closing)
        next_close, next_open = after.find(closing), after.find(opening)
        if opened and next_close >= 0 and (next_open < 0 or next_close < next_open):
            return True
    return False


# How much of a typed passage the closest-passage hint compares: enough to find a
# misquote's place, and small enough that a long one is answered in well under a
# second (comparing whole long texts takes minutes, past any server's timeout).
HINT_SPAN = 300


def closest_passage(haystack: str, needle: str) -> str:
    """The stretch of ``haystack`` most like ``needle``, to help an editor fix a misquote.

    A long ``needle`` is placed by its first ``HINT_SPAN`` characters and ended by
    its last ones, so the work stays bounded whatever its length."""
    if not haystack or not needle:
        return ""
    head, tail = needle[:HINT_SPAN], needle[-HINT_SPAN:]
    matcher = difflib.SequenceMatcher(None, haystack, head, autojunk=False)
    block = matcher.find_longest_match(0, len(haystack), 0, len(head))
    if block.size == 0:
        return ""
    guess = max(0, block.a - block.b)

    def likeness(candidate: str, typed: str) -> float:
        return difflib.SequenceMatcher(None, candidate, typed, autojunk=False).ratio()

    # First slide a window of the typed length around the best match, then
    # stretch or shrink its end: a misquote often adds or drops a few letters.
    size = len(needle)
    starts = range(max(0, guess - 20), min(len(haystack), guess + 21))
    start = max(starts, key=lambda s: likeness(haystack[s : s + len(head)], head))
    if likeness(haystack[start : start + len(head)], head) < 0.5:
        return ""  # nothing in the source is much like it: no hint beats a misleading one
    ends = range(start + max(1, size - 20), min(len(haystack), start + size + 20) + 1)

    def ending_at(e: int) -> str:  # what the typed passage's end is compared with
        return haystack[start:e] if size <= HINT_SPAN else haystack[max(start, e - len(tail)) : e]

    end = max(
        ends, key=lambda e: likeness(ending_at(e), tail), default=min(len(haystack), start + size)
    )
    return haystack[start:end]
