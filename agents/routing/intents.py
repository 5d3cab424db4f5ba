"""Intent rules: weighted patterns per intent on normalised text, plus context signals (order state, order lines).

Each matching pattern adds its weight to its intent; the highest total wins and the margin over the runner-up sets
the confidence. Patterns are general vocabulary for the intent, not sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

W = r"\b"


def _p(*alternatives: str) -> re.Pattern:
    return re.compile(W + "(?:" + "|".join(alternatives) + ")" + W)


INTENT_PATTERNS: dict[str, list[tuple[re.Pattern, float]]] = {
    "greeting": [
        (_p("hola", "buenas", "buenos dias", "buen dia", "buenas tardes", "buenas noches", "hello", "hi", "hey",
            "good (?:morning|afternoon|evening)", "saludos", "como (?:estan|esta|estas|andan|andai|le va)", "que tal",
            "que onda", "alo"), 1.0),
    ],
    "thanks": [
        (_p("gracias", "thanks", "thank you", "agradecid[oa]s?", "se agradece", "muy amable", "mil gracias"), 2.0),
    ],
    "faq": [
        (_p("a que hora (?:abren|cierran|atienden)", "horarios?", "abren", "cierran", "atienden", "abiert[oa]s?",
            "ubicad[oa]s?", "direccion", "donde (?:estan|quedan|se ubican)", "(?:hacen|tienen) despachos?",
            "despachos? a", "despachan", "envios? a", "reparto", "transferencias?", "efectivo", "tarjetas?",
            "(?:formas?|medios?) de pago", "pagar", "factura(?:n)?", "emiten", "boletas?", "pedido minimo",
            "compra minima", "minimo", "retir(?:ar|o)", "bodega", "sabados?", "domingos?", "feriados?",
            "(?:cuanto )?(?:se )?demora\\w*", "tiempo de (?:despacho|entrega)", "estacionamiento",
            "delivery", "deliver", "shipping", "opening", "hours", "where are you", "payment", "invoices?",
            "local", "tienda", "sucursal", "open on", "located", "what time", "close", "closing", "credit cards?",
            "cards", "accept \\w+ cards?",
            "pay by", "minimum order", "pick ?up"), 2.0),
    ],
    "catalog_query": [
        # "tienen despacho / local / horario" asks about the service, not the catalog
        (_p("tienen?(?! (?:despachos?|envios?|reparto|horarios?|facturas?|boletas?|local|tienda|sucursal|bodega"
            "|estacionamiento))",
            "hay stock", "stock", "disponibles?", "disponibilidad", "venden", "vende", "trabajan con", "precios?",
            "available", "availability", "have you got", "que productos", "a cuanto",
            "cuanto (?:cuesta|vale|sale|esta|cuestan|valen)", "valor", "lista de precios", "catalogo",
            "(?:que tal|como) (?:es|son) (?:el|la|los|las)", "do you (?:sell|have|carry)", "how much", "price",
            "in stock"), 2.0),
    ],
    "order_create": [
        (_p("quiero", "necesito", "necesitamos", "quisiera", "pedir", "pido", "encarg\\w*", "comprar", "cotiza\\w*",
            "mandame", "mandenme", "envienme", "anotame", "ponme", "hacer un pedido", "(?:otro|nuevo) pedido",
            "me (?:anota|anotas|pone|pones|manda|mandas|envia|envias|vende|vendes)",
            "order", "buy", "id like", "i want", "i need"), 1.5),
    ],
    "order_modify": [
        (_p("cambia\\w*", "modific\\w*", "agreg\\w*", "anad\\w*", "sumal\\w*", "quit(?:a|ale|ar|ame|en)",
            "sac(?:a|ale|ar|ame)", "saquen", "elimin\\w*", "borra\\w*", "(?:mejor )?que sean", "en vez de",
            "en lugar de", "me equivoque", "no (?:eran|son)", "aumenta\\w*", "disminu\\w*", "reduc\\w*",
            "dej(?:a|ala|alo|alas|alos) en", "sub(?:e|ele|ir)", "baj(?:a|ale|ar)",
            "tambien", "ademas", "pon(?:le|gan|ganle)", "al pedido", "al final", "no \\d+(?:[.,]\\d+)?$", "mejor \\d+",
            "change", "add", "remove", "instead", "also"), 2.0),
    ],
    "order_confirm": [
        (_p("confirm\\w*", "proced\\w*", "adelante", "go ahead", "apruebo", "pueden despachar\\w*",
            "despachen\\w*", "acepto", "aceptamos", "cerremos", "todo bien con"), 3.0),
    ],
    "order_cancel": [
        (_p("cancel\\w*", "anul\\w*", "ya no (?:lo |la )?(?:quiero|necesito)", "desist\\w*", "dejalo sin efecto",
            "echo (?:pa|para) atras", "call off", "olvid\\w*", "no (?:quiero|necesito) nada",
            "no (?:lo |la )?(?:quiero|necesito) (?:el|la) (?:pedido|orden)", "no (?:quiero|queremos|vamos a) seguir",
            "no (?:voy|vamos) a (?:comprar|pedir)"), 3.5),
    ],
    "order_status": [
        (_p("cuando (?:me )?llega\\w*", "cuando (?:me |nos )?(?:entreg|despach|mand|envi)\\w*",
            "llega (?:mi|el|la|lo)", "llego (?:lo|mi)", "falta para", "(?:que|para que|cuando) (?:me )?llegue\\w*",
            "en que va", "como va (?:mi|el|lo)", "estado\\b.{0,15}\\b(?:pedido|orden)", "despacharon",
            "enviaron", "seguimiento", "numero de guia", "aprobaron", "aprobad[oa]", "camion", "lo mio",
            "donde (?:esta|viene) (?:mi|el) (?:pedido|orden)", "lo que (?:pedi|compre)\\w*", "novedad\\w*",
            "ya salio", "salio mi", "(?:y|que pasa con) (?:el|mi) (?:pedido|orden)",
            "when will (?:my|the|it)", "arrive", "shipped", "track\\w*", "where is my", "wheres my", "status",
            "any update",
            "update on"), 2.5),
    ],
    "complaint": [
        (_p("reclamo", "queja", "mal estado", "podrid\\w*", "vencid\\w*", "rot[oa]s?", "abollad\\w*", "reventad\\w*",
            "bichos?", "gusanos?", "hongos?", "piedras?", "suci[oa]s?", "danad\\w*", "no (?:me )?(?:ha )?llegado",
            "no (?:me |nos )?llego",
            "nunca llego", "falt(?:o|aron)", "incomplet\\w*", "cobr\\w* de mas", "cobr\\w* (?:dos veces|doble|mal)",
            "monto mal", "mal (?:cobrado|facturado)", "equivocad[oa]s?", "tirad[oa]", "pesim[oa]", "horrible",
            "verguenza", "inaceptable", "asi no se puede", "molest[oa]", "enojad[oa]", "pucha", "mala calidad",
            "mal(?:o|a)? servicio", "mala atencion", "nadie (?:me )?responde", "no (?:me )?responden",
            "ranci[oa]s?", "mojad[oa]s?", "humed[oa]s?", "quebrad\\w*", "derramad\\w*", "mal olor", "hediond\\w*",
            "devolucion", "reembolso", "damaged", "broken", "complain\\w*", "terrible", "refund", "spoiled", "rotten",
            "wrong", "missing", "expired", "overcharged", "(?:la )?mitad",
            "solo (?:llego|llegaron|vino|vinieron)"), 2.0),
        # "me llegaron 2 y pedí 3", "pedí almendras y me mandaron nueces": what came differs from what was ordered
        (re.compile(r"\b(?:llego|llegaron|recibi\w*|trajeron|mandaron|vino|vinieron)\b.*"
                    r"\by (?:yo )?(?:habia )?pedi(?:mos|do)?\b"
                    r"|\bpedi(?:mos)?\b.*\by (?:me )?(?:llego|llegaron|mandaron|trajeron|enviaron|vino|vinieron)\b"),
         3.5),
    ],
    "human_handoff": [
        (_p("hablar con", "conversar con", "ejecutiv[oa]", "llam(?:ar|en|ame|eme|enme)", "persona real", "humano",
            "operador[a]?", "pas(?:ame|eme|ar|arme|en|enme) con", "comunica\\w* con", "alguien de ventas",
            "que me llame\\w*", "(?:eres|es|hablo con|estoy hablando con) (?:un )?(?:bot|robot|maquina)",
            "are you a (?:bot|robot)",
            "(?:atienda|atender|atiende) (?:una persona|alguien|un humano)", "una persona",
            "connect me", "human", "real person", "agent", "representative", "talk (?:to|with)",
            "speak (?:to|with)"), 3.0),
    ],
    "other": [
        (_p("gana", "ganar dinero", "desde tu casa", "click aqui"), 1.0),
        (_p("https?", "www"), 3.0),  # links in a purchase chat are spam or off-topic
    ],
}

AFFIRMATIVE = frozenset(
    "si ok dale ya perfecto listo bueno buena de acuerdo yes yep sure vale excelente genial buenisimo va sale claro "
    "obvio correcto todo bien esta great good fine okay perfect asi nomas".split()
)
# Words that may ride along a yes without changing it ("sí porfa, mándenlo").
POLITE = frozenset("por favor please entonces nomas mandenlo mandalo envienlo envialo despachenlo hagamoslo".split())
NEGATIVE = frozenset("no nada nope tampoco mejor ya asi entonces".split())
NEGATIVE_CORE = frozenset("no nada nope tampoco".split())
# A first word that says yes by itself; "de" (de acuerdo) or "bien" (bien, pero...) do not.
LEADING_YES = frozenset(
    "si ok dale perfecto listo yes sure vale claro okay excelente genial buenisimo confirmo".split()
)
ACTIVE_ORDER = ("draft", "sent", "to_approve")


@dataclass
class IntentScores:
    scores: dict[str, float] = field(default_factory=dict)
    matched: list[str] = field(default_factory=list)

    def add(self, intent: str, weight: float, why: str) -> None:
        self.scores[intent] = self.scores.get(intent, 0.0) + weight
        self.matched.append(f"{intent}:{why}")


def score_patterns(text: str) -> IntentScores:
    result = IntentScores()
    for intent, rules in INTENT_PATTERNS.items():
        for pattern, weight in rules:
            # Two different cues for one intent ("monto mal", "cobraron de más") count more than one; cap at two.
            found = list(dict.fromkeys(m.group(0) for m in pattern.finditer(text)))[:2]
            for cue in found:
                result.add(intent, weight, cue)
    return result


def only_words_from(tokens: list[str], vocabulary: frozenset) -> bool:
    return bool(tokens) and all(tok in vocabulary for tok in tokens if tok.isalnum())
