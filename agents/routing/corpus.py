"""The intent model's training corpus: hand-written templates (`data/templates.txt`) expanded with slot values
(`data/slots.json`) and noised the way chat text is (no accents, no punctuation, typos, greetings and sign-offs
around the request), with a fixed seed so every build yields the same lines.

Products come from a long list of unrelated names (food, cleaning, hardware, drinks) and bare codes, so the model
learns the shape of a request rather than one catalog's words.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

from agents.routing.normalize import strip_accents
from agents.routing.states import ALL_STATES

DATA = Path(__file__).resolve().parent / "data"
TEMPLATES = DATA / "templates.txt"
LINES = DATA / "lines.txt"
SLOTS = DATA / "slots.json"
SEED = 20240611
_SECTION = re.compile(r"^\[(\w+)\]\s+states=([\w,]+)\s*$")
_STATE_GROUPS = {
    "any": ALL_STATES,
    "active": ("draft", "sent", "to_approve"),
    "closed": ("none", "confirmed", "received", "cancelled"),
}
_JOINERS = (", ", " y ", "\n", ", y ", " + ", "; ", " e ", "\n")
_BULLETS = ("- ", "• ", "* ", "")


@dataclass(frozen=True)
class Example:
    text: str
    state: str | None  # None: no order
    intent: str
    group: int = 0  # the template it came from: calibration holds whole templates out


@dataclass(frozen=True)
class Template:
    intent: str
    states: tuple[str, ...]
    text: str


def read_templates(path: Path = TEMPLATES) -> list[Template]:
    templates, intent, states = [], None, ()
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        header = _SECTION.match(line)
        if header:
            intent, states = header.group(1), _expand_states(header.group(2))
            continue
        if line.startswith("[") and "]" in line.split()[0]:
            raise ValueError(f"malformed section header (want '[intent] states=...'): {line!r}")
        if intent is None:
            raise ValueError(f"template before any [intent] header: {line!r}")
        for alternative in line.split("|"):
            templates.append(Template(intent, states, alternative.strip().replace("\\n", "\n")))
    return templates


def read_lines(path: Path = LINES) -> list[Template]:
    """Literal lines "intent | states | text", kept as templates without slots."""
    found = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        intent, states, text = (part.strip() for part in raw.split("|", 2))
        found.append(Template(intent, _expand_states(states), text.replace("\\n", "\n")))
    return found


def _expand_states(spec: str) -> tuple[str, ...]:
    states: list[str] = []
    for name in spec.split(","):
        for state in _STATE_GROUPS.get(name, (name,)):
            if state not in ALL_STATES:
                raise ValueError(f"unknown state {state!r} in templates")
            if state not in states:
                states.append(state)
    return tuple(states)


class _Filler:
    """Draws slot values with one seeded generator."""

    def __init__(self, slots: dict, rng: random.Random):
        self.slots, self.rng = slots, rng

    def pick(self, name: str) -> str:
        return self.rng.choice(self.slots[name])

    def product(self) -> str:
        product = self.pick("products")
        return self.pick("codes") if product == "{code}" else product

    def number(self) -> str:
        return self.pick("numbers") if self.rng.random() < 0.7 else self.pick("number_words")

    def quantity(self) -> str:
        number = self.number()
        if number.endswith(" de"):  # "un par de", "kilo y medio de": already a quantity of something
            return number[:-3]
        return f"{number} {self.pick('units')}"

    def quantity_product(self) -> str:
        number, unit, product = self.number(), self.pick("units"), self.product()
        if number.endswith(" de"):
            return f"{number} {product}"
        shapes = (
            f"{number} {unit} de {product}", f"{number} {unit} de {product}", f"{product} {number} {unit}",
            f"{number} {unit} {product}", f"{number} de {product}", f"{product} x {number}",
            f"{number} {product}", f"{product}: {number} {unit}",
        )
        return self.rng.choice(shapes)

    def item_list(self) -> str:
        lines = [self.quantity_product() for _ in range(self.rng.choice((2, 2, 3, 3, 4)))]
        joiner = self.rng.choice(_JOINERS)
        if joiner == "\n":
            bullet = self.rng.choice(_BULLETS)
            return "\n".join(bullet + line for line in lines)
        if joiner in (" y ", ", y ", " e "):
            return ", ".join(lines[:-1]) + joiner + lines[-1]
        return joiner.join(lines)

    def fill(self, text: str) -> str:
        makers = {
            "p": self.product, "qp": self.quantity_product, "list": self.item_list, "q": self.quantity,
            "n": lambda: self.pick("numbers"), "g": lambda: self.pick("greetings"),
            "s": lambda: self.pick("signatures"), "d": lambda: self.pick("days"), "c": lambda: self.pick("places"),
            "who": lambda: self.pick("names"), "biz": lambda: self.pick("businesses"),
        }
        return re.sub(r"\{(\w+)\}", lambda m: makers[m.group(1)](), text)


def _typo(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    candidates = [i for i, word in enumerate(words) if len(word) > 4 and word.isalpha()]
    if not candidates:
        return text
    i = rng.choice(candidates)
    word, j = words[i], rng.randrange(1, len(words[i]) - 1)
    edits = (word[:j] + word[j + 1 :], word[:j] + word[j + 1] + word[j] + word[j + 2 :], word[:j] + word[j] + word[j:])
    words[i] = rng.choice(edits)
    return " ".join(words)


def _noise(text: str, rng: random.Random, slots: dict) -> str:
    """The ways the same request arrives in a chat: casing, accents, punctuation, a typo, a greeting, a sign-off."""
    roll = rng.random
    if roll() < 0.35:
        text = strip_accents(text)
    if roll() < 0.3:
        text = re.sub(r"[¿?¡!.]", "", text)
    if roll() < 0.5:
        text = text.lower()
    if roll() < 0.2:
        text = _typo(text, rng)
    if roll() < 0.12:
        text = f"{rng.choice(slots['greetings'])}, {text}"
    if roll() < 0.12:
        text = f"{text}\n{rng.choice(slots['signatures'])}"
    if roll() < 0.06:  # the same request by e-mail
        text = f"Estimados,\n{text}\nSaludos,\n{rng.choice(slots['names'])}"
    return text


def _copies(template: Template) -> int:
    slots = re.findall(r"\{(\w+)\}", template.text)
    if not slots:
        return max(2, min(len(template.states), 4))
    return 6 if {"qp", "list"} & set(slots) else 4


def build_corpus(seed: int = SEED) -> list[Example]:
    """Every template expanded a few times, each copy with one of its states (cycled so each state is seen)."""
    rng = random.Random(seed)
    slots = json.loads(SLOTS.read_text(encoding="utf-8"))
    filler = _Filler(slots, rng)
    examples = []
    for group, template in enumerate([*read_templates(), *read_lines()]):
        for copy in range(_copies(template)):
            state = template.states[(copy + rng.randrange(len(template.states))) % len(template.states)]
            text = filler.fill(template.text)
            if copy:  # the first copy stays as written
                text = _noise(text, rng, slots)
            examples.append(Example(text, None if state == "none" else state, template.intent, group))
    return examples
