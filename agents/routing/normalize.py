"""Text normalisation for the rule-based router: accents, case, repeated letters, chat slang and common typos.

Everything downstream (intent rules, the quantity parser, the product matcher) works on the output of `normalize`,
so the vocabularies there are written without accents and in lower case.

Numbers that are not amounts of a product become placeholder tokens first (`_ENTITIES`): e-mail addresses, phone
numbers, RUTs, document numbers ("cotización N° 1043", "OC 4521"), money ("$25.000", "50 mil pesos"), clock times,
dates and durations ("48 horas", "5 días hábiles"). Without that, a signature's phone number or "hace 3 semanas" reads
as a quantity, and a message about an order's paperwork looks like a new order.

Brazilian customers write in Portuguese or a mix ("quero 10 quilos de granola"): common Portuguese chat words map to
their Spanish equivalents (`PORTUGUESE`), token by token, so one Spanish model and one catalog serve both.
"""

from __future__ import annotations

import functools
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

# Portuguese chat words -> Spanish (accent-free). Only words that are not also common Spanish ("no", "da", "o",
# "mas" stay as they are: in Spanish they mean something else).
PORTUGUESE = {
    "oi": "hola", "boa": "buena", "bom": "bueno", "noite": "noche", "tudo": "todo", "bem": "bien",
    "obrigado": "gracias", "obrigada": "gracias", "obrigadao": "gracias", "obg": "gracias", "brigado": "gracias",
    "valeu": "gracias", "vlw": "gracias", "voces": "ustedes", "voce": "usted", "tem": "tienen", "tenho": "tengo",
    "quero": "quiero", "preciso": "necesito", "precisamos": "necesitamos", "quilo": "kilo", "quilos": "kilos",
    "farinha": "harina", "manteiga": "mantequilla", "amendoim": "mani", "caixa": "caja", "caixas": "cajas",
    "mais": "mas", "meio": "medio", "meia": "media", "chegou": "llego", "chega": "llega", "chegaram": "llegaron",
    "faltou": "falto", "faltaram": "faltaron", "falar": "hablar", "pessoa": "persona", "uma": "una", "um": "un",
    "pela": "por la", "pelo": "por el", "atencao": "atencion", "troca": "cambio", "frete": "despacho",
    "amanha": "manana", "quando": "cuando", "posso": "puedo", "podem": "pueden", "pode": "puede",
    "desculpa": "perdon", "desculpe": "perdon", "melhor": "mejor", "nao": "no", "sim": "si", "estoque": "stock",
    "aprovado": "aprobado", "meu": "mi", "minha": "mi", "foi": "fue", "beleza": "perfecto", "blz": "perfecto",
    "fechado": "listo", "veio": "vino", "vieram": "vinieron", "olha": "mira", "ninguem": "nadie",
    "avisou": "aviso", "com": "con", "ou": "o", "preco": "precio", "fazem": "hacen", "fazer": "hacer",
    "qual": "cual", "quais": "cuales", "entregam": "entregan", "aveia": "avena", "mel": "miel",
    "azeite": "aceite de oliva", "oleo": "aceite", "leite": "leche", "cacau": "cacao", "amendoa": "almendra",
    "amendoas": "almendras", "nozes": "nueces", "castanha": "castana", "castanhas": "castanas",
    "linhaca": "linaza", "acucar": "azucar", "pimenta": "pimienta", "tambem": "tambien", "ainda": "todavia",
    "agora": "ahora", "hoje": "hoy", "ontem": "ayer", "isso": "eso", "essa": "esa", "esse": "ese",
    "errado": "equivocado", "estragado": "podrido", "reclamacao": "reclamo", "vem": "viene", "pra": "para",
    "obrigadinho": "gracias", "tchau": "chao", "ate": "hasta", "semana": "semana", "entrega": "entrega",
}

# Filler words that carry no meaning for routing ("po" is the Chilean tag particle: "ya po", "si po").
FILLERS = {"po", "pos", "cachai", "oye", "wn", "weon", "hueon", "m", "mm", "eh", "em", "ah", "uh", "oh"}
# Emoji that carry the message on their own ("👍" to a quote is a yes). Everything else non-textual is dropped.
EMOJI = {"👍": " ok ", "👌": " ok ", "✅": " ok ", "👋": " hola ", "🙏": " gracias ", "🙌": " gracias ", "👎": " no "}

# Placeholders for numbers that are not amounts of a product (applied to lower-case, accent-free text).
_MONTHS = "enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre"
_NO_DIGIT_BEFORE, _NO_DIGIT_AFTER = r"(?<![\d.,])", r"(?![\d.,])"
_PHONE = (
    r"\+\s?\d[\d\s-]{7,16}\d"  # +56 9 8765 4321
    rf"|{_NO_DIGIT_BEFORE}(?:\d{{1,2}}[\s-]?)?\d{{4}}[\s-]\d{{4}}{_NO_DIGIT_AFTER}"  # 9 8765 4321, 2345 6789
    rf"|{_NO_DIGIT_BEFORE}9\d{{8}}{_NO_DIGIT_AFTER}"  # 987654321
)
_DOCUMENT = (  # a document word before a number of 3+ digits that is not followed by a unit ("OC 4521")
    r"\b(oc|orden de compra|orden|cotizacion|factura|boleta|guia(?: de despacho)?|folio|pedido|ticket|nota de credito)"
    r"\s?(?:numero\s)?\d{3,}(?![\d.,]*\s?(?:kg|kilos?|cajas?|sacos?|unidades|litros?)\b)"
)
_MONEY = (
    r"\$\s?\d[\d.,]*(?:\s?mil\b)?"  # $25.000, $ 50 mil
    r"|\b\d[\d.,]*\s?(?:mil\s)?(?:pesos|lucas|clp|usd|dolares|dollars)\b"  # 50 mil pesos, 20 lucas
    r"|\b(?:sobre|mas de|menos de|bajo|desde|arriba de)\s\d+\s?mil\b"  # sobre 50 mil
    r"|\b\d+\s?(?:%|por ciento)"
)
_TIME = (
    r"\b\d{1,2}:\d{2}\s?(?:am|pm|hrs?|horas)?"  # 10:30
    r"|\b(?:a|de|hasta|desde|entre) las \d{1,2}(?::\d{2})?\b(?:\s?(?:y|a) (?:las )?\d{1,2})?"  # entre las 9 y las 12
    r"|\b\d{1,2}\s?(?:am|pm|hrs)\b|\b\d{1,2} de la (?:manana|tarde|noche)\b"
)
_DATE = rf"\b\d{{1,2}} de (?:{_MONTHS})\b|\b(?!(?:1/2|1/4|3/4)\b)\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?\b"
_SPAN = r"\b\d+\s?(?:dias?(?: habiles)?|horas?|semanas?|meses|mes|minutos?|anos?|days?|hours?|weeks?|months?)\b"
_ENTITIES = (
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), " zemail "),
    (re.compile(r"\b\d{1,2}\.?\d{3}\.?\d{3}-[\dk]\b"), " zrut "),
    (re.compile(_PHONE), " zphone "),
    (re.compile(r"(?:\bn\s?[°º]|\bnro\b\.?|\bnum\b\.?|#)\s?\d+"), " zref "),  # N° 1043, nro. 88, #4521
    (re.compile(_DOCUMENT), r" \1 zref "),
    (re.compile(_MONEY), " zmoney "),
    (re.compile(_TIME), " ztime "),
    (re.compile(_DATE), " zdate "),
    (re.compile(_SPAN), " zspan "),
)

_REPEATS = re.compile(r"([a-z])\1{2,}")
_NON_WORD = re.compile(r"[^a-z0-9,.;:?!+/ ]+")
_NUMBER_UNIT = re.compile(r"(\d)([a-z])")
_SPACES = re.compile(r"\s+")
_FRACTIONS = {"1/2": "0.5", "1/4": "0.25", "3/4": "0.75"}
_FRACTION = re.compile(r"(?<![\d/])(?:1/2|1/4|3/4)(?![\d/])")


PLACEHOLDERS = frozenset({"zemail", "zrut", "zphone", "zref", "zmoney", "ztime", "zdate", "zspan"})


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    # Keep ñ's base letter: "castaña" -> "castana"; good enough for fuzzy matching.
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _fix_token(token: str) -> str:
    if token in SLANG:
        return SLANG[token]
    if token in PORTUGUESE:
        return PORTUGUESE[token]
    # "kinoa", "kiero": a k before e/i is nearly always a phonetic "qu" in chat Spanish.
    if re.match(r"^k[ei]", token) and not token.startswith(("kil", "kiw", "ket", "kid")):  # kilo(s), kilito, kiwi
        return "qu" + token[1:]
    return token


def normalize(text: str) -> str:
    """Lower-case, accent-free, slang-expanded text with punctuation reduced to separators we use.

    One turn normalises the same text and its clauses many times (rules, model, clauses, items, secondary
    requests), so chat-sized texts are remembered; a long e-mail is computed each time rather than held."""
    return _normalize_remembered(text) if len(text) <= _REMEMBERED_LENGTH else _normalize(text)


_REMEMBERED_LENGTH = 2000


@functools.lru_cache(maxsize=4096)
def _normalize_remembered(text: str) -> str:
    return _normalize(text)


def _normalize(text: str) -> str:
    for emoji, word in EMOJI.items():
        text = text.replace(emoji, word)
    text = strip_accents(text.lower())
    for pattern, placeholder in _ENTITIES:
        text = pattern.sub(placeholder, text)
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
