"""A test oracle: how Discord's client parses Markdown, to judge what a member would *see*.

This models the rules of Discord's client (simple-markdown with Discord's own rules, as ported
by the npm package ``discord-markdown``; the regular expressions below are those rules,
translated to Python), plus the newer line-start rules (headings, ``-#`` subtext, lists):

* the parser walks the text left to right; at each position it tries the rules in order and
  the first that matches consumes text (rules of equal order with a ``quality`` compete: the
  best quality wins — that is how ``**`` beats ``*``);
* ``||…||`` (spoiler, tried first), ``~~…~~`` (strike) and code spans match on the *raw*
  text, lazily, ignoring backslashes: a stray marker pairs with the next one wherever it is;
* ``**``, ``__`` and ``*``/``_`` emphasis honour backslash escapes inside;
* ``\\`` before any character that is not a letter, digit or blank shows that character;
* block quotes, headings and lists only at the start of a line.

:func:`parse` returns a tree of :class:`Node`; :func:`visible_outside_spoilers` and
:func:`spoiler_text` say what a member sees without clicking and what is hidden;
:func:`formatting` lists every construct that is not plain text (for "inert" checks).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

TEXT = "text"
SPOILER = "spoiler"


@dataclass
class Node:
    kind: str
    text: str = ""  # for text, code and links' targets
    children: list[Node] = field(default_factory=list)

    def walk(self, inside: tuple[str, ...] = ()) -> Iterator[tuple[Node, tuple[str, ...]]]:
        yield self, inside
        for child in self.children:
            yield from child.walk((*inside, self.kind))


@dataclass
class _State:
    in_quote: bool = False
    in_emphasis: bool = False


Match = re.Match[str]
_Rule = tuple[
    str,  # name
    int,  # order
    Callable[[str, _State, str], Match | None],  # match(source, state, previous)
    Callable[[Match, _State], Node],  # build
    Callable[[Match], float] | None,  # quality
]


def _regex(pattern: str, flags: int = 0) -> Callable[[str, _State, str], Match | None]:
    compiled = re.compile(pattern, flags)
    return lambda source, state, previous: compiled.match(source)


def _line_start(pattern: str, flags: int = 0) -> Callable[[str, _State, str], Match | None]:
    compiled = re.compile(pattern, flags)

    def match(source: str, state: _State, previous: str) -> Match | None:
        if previous and not re.search(r"\n *$", previous):
            return None
        return compiled.match(source)

    return match


def _quote_match(source: str, state: _State, previous: str) -> Match | None:
    if state.in_quote or (previous and not re.search(r"\n *$", previous)):
        return None
    return re.match(r"( *>>> ([\s\S]*))|( *> [^\n]*(\n *> [^\n]*)*\n?)", source)


def _build_quote(match: Match, state: _State) -> Node:
    whole = match.group(0)
    if re.match(r" *>>> ?", whole):
        content = re.sub(r"^ *>>> ?", "", whole, count=1)
    else:
        content = re.sub(r"^ *> ?", "", whole, flags=re.MULTILINE)
    return Node("quote", children=_parse(content, _State(True, state.in_emphasis)))


def _container(kind: str, group: int) -> Callable[[Match, _State], Node]:
    return lambda match, state: Node(kind, children=_parse(match.group(group) or "", state))


def _em(match: Match, state: _State) -> Node:
    inner = match.group(2) if match.group(2) is not None else match.group(1)
    return Node("em", children=_parse(inner, _State(state.in_quote, True)))


def _literal(kind: str, group: int) -> Callable[[Match, _State], Node]:
    return lambda match, state: Node(kind, text=match.group(group) or "")


def _link(match: Match, state: _State) -> Node:
    return Node("link", text=match.group(2), children=_parse(match.group(1), state))


def _url(match: Match, state: _State) -> Node:
    return Node("link", text=match.group(1), children=[Node(TEXT, match.group(1))])


_LINK = (
    r"\[((?:\[[^\]]*\]|[^\[\]]|\](?=[^\[]*\]))*)\]"
    r"\(\s*<?((?:\([^)]*\)|[^\s\\]|\\.)*?)>?(?:\s+['\"]([\s\S]*?)['\"])?\s*\)"
)
_EM = (
    r"\b_((?:__|\\[\s\S]|[^\\_])+?)_\b"
    r"|\*(?=\S)((?:\*\*|\\[\s\S]|\s+(?:\\[\s\S]|[^\s\*\\]|\*\*)|[^\s\*\\])+?)\*(?!\*)"
)
_TEXT = re.compile(r"[\s\S]+?(?=[^0-9A-Za-z\s\u00c0-\uffff-]|\n\n|\n|\w+:\S|$)")

_RULES: list[_Rule] = [
    ("spoiler", 0, _regex(r"\|\|([\s\S]+?)\|\|"), _container(SPOILER, 1), None),
    (
        "heading",
        1,
        _line_start(r" *(#{1,3}) +([^\n]+?)#* *(?:\n|$)"),
        _container("heading", 2),
        None,
    ),
    ("subtext", 1, _line_start(r" *-# +([^\n]+?) *(?:\n|$)"), _container("subtext", 1), None),
    (
        "codeBlock",
        2,
        _regex(r"```(([a-z0-9-]+?)\n+)?\n*([\s\S]+?)\n*```", re.IGNORECASE),
        _literal("codeblock", 3),
        None,
    ),
    ("blockQuote", 3, _quote_match, _build_quote, None),
    (
        "list",
        4,
        _line_start(r" *(?:[-*+]|\d{1,9}[.)]) +([^\n]*)(?:\n|$)"),
        _container("list", 1),
        None,
    ),
    ("escape", 5, _regex(r"\\([^0-9A-Za-z\s])"), _literal(TEXT, 1), None),
    ("autolink", 6, _regex(r"<([^: >]+:\/[^ >]+)>"), _url, None),
    ("url", 7, _regex(r"(https?:\/\/[^\s<]+[^<.,:;\"')\]\s])"), _url, None),
    ("link", 8, _regex(_LINK), _link, None),
    ("em", 9, _regex(_EM, re.ASCII), _em, lambda m: len(m.group(0)) + 0.2),
    (
        "strong",
        9,
        _regex(r"\*\*((?:\\[\s\S]|[^\\])+?)\*\*(?!\*)"),
        _container("strong", 1),
        lambda m: len(m.group(0)) + 0.1,
    ),
    (
        "u",
        9,
        _regex(r"__((?:\\[\s\S]|[^\\])+?)__(?!_)"),
        _container("underline", 1),
        lambda m: float(len(m.group(0))),
    ),
    ("mention", 9, _regex(r"<(?:@[!&]?|#)[0-9]+>"), _literal("mention", 0), None),
    ("everyone", 9, _regex(r"@(?:everyone|here)"), _literal("mention", 0), None),
    ("emoji", 9, _regex(r"<a?:\w+:\d+>"), _literal("emoji", 0), None),
    ("timestamp", 9, _regex(r"<t:-?\d+(?::[tTdDfFR])?>"), _literal("timestamp", 0), None),
    ("strike", 10, _regex(r"~~([\s\S]+?)~~(?!_)"), _container("strike", 1), None),
    ("inlineCode", 11, _regex(r"(`+)([\s\S]*?[^`])\1(?!`)"), _literal("code", 2), None),
    ("br", 12, _regex(r"\n"), _literal(TEXT, 0), None),
    ("text", 13, lambda source, state, previous: _TEXT.match(source), _literal(TEXT, 0), None),
]


def _parse(source: str, state: _State) -> list[Node]:
    nodes: list[Node] = []
    consumed = ""
    while source:
        best: tuple[_Rule, Match, float] | None = None
        for rule in _RULES:
            _name, order, match, _build, quality = rule
            if best is not None:
                chosen_order = best[0][1]
                if order != chosen_order or quality is None:
                    break
            found = match(source, state, consumed)
            if found is None or not found.group(0):
                continue
            score = quality(found) if quality else 0.0
            if best is None or score > best[2]:
                best = (rule, found, score)
            if quality is None:
                break
        if best is None:  # pragma: no cover - the text rule always matches
            raise AssertionError(f"nothing matched at {source[:20]!r}")
        rule, found, _ = best
        node = rule[3](found, state)
        if node.kind == "em" and state.in_emphasis:
            nodes.extend(node.children)
        else:
            nodes.append(node)
        consumed += found.group(0)
        source = source[len(found.group(0)) :]
    return nodes


def parse(markdown: str) -> Node:
    """The tree Discord's client builds for ``markdown`` (message content or an embed text)."""
    return Node("root", children=_parse(markdown, _State()))


def _shown(node: Node) -> str:
    if node.kind in (TEXT, "code", "codeblock", "mention", "emoji", "timestamp"):
        return node.text
    if node.kind == "link" and not node.children:
        return node.text
    return "".join(_shown(child) for child in node.children)


def visible_outside_spoilers(markdown: str) -> str:
    """Every character a member sees without clicking a spoiler."""
    return _collect(parse(markdown), hidden=False)


def spoiler_text(markdown: str) -> str:
    """Every character inside spoiler spans (what clicking reveals), in order."""
    return _collect(parse(markdown), hidden=True)


def _collect(node: Node, *, hidden: bool, inside: bool = False) -> str:
    if node.kind == SPOILER:
        inside = True
    if node.kind in (TEXT, "code", "codeblock", "mention", "emoji", "timestamp"):
        return node.text if inside == hidden else ""
    return "".join(_collect(child, hidden=hidden, inside=inside) for child in node.children)


def shown_text(markdown: str) -> str:
    """Every character shown once all spoilers are revealed, in order."""
    return _shown(parse(markdown))


def formatting(markdown: str) -> list[str]:
    """The kinds of every node that is not plain text (spoilers included), in order."""
    return [node.kind for node, _ in parse(markdown).walk() if node.kind not in ("root", TEXT)]


def spoiler_count(markdown: str) -> int:
    return sum(1 for node, _ in parse(markdown).walk() if node.kind == SPOILER)
