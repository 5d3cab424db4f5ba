"""Text normalisation for the rule-based router: accents, case, repeated letters, chat slang and common typos.

Everything downstream (intent rules, the quantity parser, the product matcher) works on the output of `normalize`,
so the vocabularies there are written without accents and in lower case.
"""

from __future__ import annotations

import re
import unicodedata

# Chat shorthand seen in Chilean WhatsApp traffic, mapped to the word it stands for.
SLANG = {
    "xfa": "por favor", "xfavor": "por favor", "porfa": "por favor", "porfis": "por favor", "plis": "por favor",
    "pls": "please", "plz": "please", "q": "que", "k": "que", "ke": "que", "xq": "porque", "pq": "porque",
    "d": "de", "tb": "tambien", "tmb": "tambien", "tbn": "tambien", "x": "por", "kls": "kilos", "kl": "kilo",
    "kgs": "kg", "kilogramos": "kilos", "kilogramo": "kilo", "lts": "litros", "lt": "litro", "lto": "litro",
    "grs": "gramos", "gr": "gramos", "uds": "unidades", "ud": "unidad", "unid": "unidades", "cj": "caja",
    "cjs": "cajas", "wena": "buenas", "wenas": "buenas", "wenos": "buenos", "weno": "bueno", "ola": "hola",
    "holi": "hola", "holis": "hola", "grax": "gracias", "grasias": "gracias", "graciass": "gracias", "thx": "thanks",
    "ty": "thanks", "nop": "no", "nopo": "no", "sip": "si", "sii": "si", "oka": "ok", "okey": "ok", "okay": "ok",
    "oki": "ok", "sipo": "si", "yapo": "ya", "nopo": "no", "bkn": "bacan", "kiero": "quiero", "kisiera": "quisiera",
    "aki": "aqui",
    "bn": "bien", "pa": "para", "pal": "para el", "toy": "estoy",
}

# Filler words that carry no meaning for routing ("po" is the Chilean tag particle: "ya po", "si po").
FILLERS = {"po", "pos", "cachai", "oye", "wn", "weon", "hueon", "m", "mm", "eh", "em", "ah", "uh", "oh"}
# Emoji that carry the message on their own ("👍" to a quote is a yes). Everything else non-textual is dropped.
EMOJI = {"👍": " ok ", "👌": " ok ", "✅": " ok ", "👋": " hola ", "🙏": " gracias ", "🙌": " gracias ", "👎": " no "}

_REPEATS = re.compile(r"([a-z])\1{2,}")
_NON_WORD = re.compile(r"[^a-z0-9,.;:?!+/ ]+")
_NUMBER_UNIT = re.compile(r"(\d)([a-z])")
_SPACES = re.compile(r"\s+")
_FRACTIONS = {"1/2": "0.5", "1/4": "0.25", "3/4": "0.75"}
_FRACTION = re.compile(r"(?<![\d/])(?:1/2|1/4|3/4)(?![\d/])")


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    # Keep ñ's base letter: "castaña" -> "castana"; good enough for fuzzy matching.
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _fix_token(token: str) -> str:
    if token in SLANG:
        return SLANG[token]
    # "kinoa", "kiero": a k before e/i is nearly always a phonetic "qu" in chat Spanish.
    if re.match(r"^k[ei]", token) and not token.startswith(("kil", "kiw", "ket", "kid")):  # kilo(s), kilito, kiwi
        return "qu" + token[1:]
    return token


def normalize(text: str) -> str:
    """Lower-case, accent-free, slang-expanded text with punctuation reduced to separators we use."""
    for emoji, word in EMOJI.items():
        text = text.replace(emoji, word)
    text = strip_accents(text.lower())
    text = text.replace("'", "").replace("\u2019", "")  # "I'd" -> "id", not "i d"
    text = _REPEATS.sub(r"\1", text)  # elongation: "wenaaas" -> "wenas", "graciasss" -> "gracias"
    text = re.sub(r"([aeiou])\1+\b", r"\1", text)  # "holaa" -> "hola"
    text = text.replace("¿", " ").replace("¡", " ")
    text = _NON_WORD.sub(" ", text)
    text = _FRACTION.sub(lambda m: _FRACTIONS[m.group(0)], text)  # "1/2 kilo" before "/" becomes a separator
    text = _NUMBER_UNIT.sub(r"\1 \2", text)  # "100kg" -> "100 kg"
    text = re.sub(r"(\d) k\b", r"\1 kg", text)  # "100k": kilos, not the chat "k" (que)
    text = re.sub(r"([?!;:+/])", r" \1 ", text)
    text = re.sub(r"(?<!\d),|,(?!\d)", " , ", text)  # keep decimal commas ("2,5") attached
    text = re.sub(r"(?<!\d)\.|\.(?!\d)", " ", text)
    tokens = [_fix_token(tok) for tok in _SPACES.split(text.strip()) if tok]
    return " ".join(tok for tok in tokens if tok not in FILLERS)


def words(normalized: str) -> list[str]:
    return re.findall(r"[a-z0-9][a-z0-9,.]*", normalized)


_ENGLISH = {
    "the", "i", "you", "your", "my", "of", "and", "please", "want", "would", "like", "order", "do", "does", "is",
    "are", "what", "can", "to", "a", "hello", "hi", "thanks", "thank", "sell", "have", "how", "much", "where",
    "when", "with", "for", "it", "we", "need", "cancel", "talk", "human", "yes", "go", "ahead", "confirmed",
    "days", "delivery", "d", "m", "me", "some", "any", "price", "in", "on", "at", "open",
}
_SPANISH = {
    "el", "la", "los", "las", "de", "del", "que", "y", "quiero", "necesito", "por", "favor", "hola", "gracias",
    "tienen", "cuanto", "para", "con", "mi", "un", "una", "es", "son", "si", "buenas", "buenos", "pedido", "me",
    "se", "al", "lo", "en", "a", "no", "hay", "donde", "cuando", "kilos", "sacos", "cajas", "precio", "quisiera",
}


def detect_language(normalized: str) -> str:
    """'en' or 'es' by stop-word votes; ties (and empty text) go to Spanish, the business's language."""
    tokens = words(normalized.replace("'", " "))
    en = sum(1 for tok in tokens if tok in _ENGLISH and tok not in _SPANISH)
    es = sum(1 for tok in tokens if tok in _SPANISH and tok not in _ENGLISH)
    return "en" if en > es else "es"
