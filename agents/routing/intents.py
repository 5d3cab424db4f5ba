"""Intent rules: weighted patterns per intent on normalised text, plus context signals (order state, order lines).

Each matching pattern adds its weight to its intent; the highest total wins and the margin over the runner-up sets
the confidence. Patterns are general vocabulary for the intent, not sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

W = r"\b"
_LATER = (r"(?:manana|despues|luego|mas (?:rato|tarde)|en la (?:tarde|noche|manana)|el (?:lunes|martes|miercoles|"
          r"jueves|viernes|sabado|domingo)|la (?:otra )?semana|pronto|apenas (?:pueda|sepa)|cuando (?:sepa|pueda|"
          r"tenga|me (?:digan|confirmen|aprueben))|a la brevedad)")
DEFERRAL = (
    r"\b(?:(?:te|le|les|los|las) (?:confirmo|aviso|cuento|digo|respondo|contesto|escribo|llamo)"
    rf"(?: (?:algo|la respuesta))? {_LATER}"
    r"|(?:dejame|dejeme|dejenme|deja|dame|deme|denme) (?:pensarlo|pensar|verlo|ver|revisarlo|revisar|consultarlo|"
    r"consultar|evaluarlo|conversarlo|unos dias|un par de dias|un tiempo)"
    r"|lo (?:pienso|voy a pensar|tengo que pensar|consulto|converso|evaluo|reviso|veo)"
    r"(?: (?:manana|hoy|despues|luego|bien|tranquilo))? (?:y|con)"
    r"|(?:voy|vamos) a (?:pensarlo|consultarlo|verlo|revisarlo|conversarlo|evaluarlo|preguntar|consultar)"
    r"|(?:y|despues|luego) (?:te|le|les) (?:confirmo|aviso|cuento|digo|respondo)$"
    r"|(?:tengo|tenemos|debo|debemos) que (?:pensarlo|consultarlo|verlo|revisarlo|conversarlo|evaluarlo|"
    r"preguntar|consultar|pasarla|pasarlo|esperar)"
    r"|(?:todavia|aun) no (?:puedo|podemos|se|sabemos|decido|decidimos|confirmo|confirmamos)"
    r"|let me (?:think|check|see|ask|get back)|(?:ill|i will|we will|well) (?:get back|let you know|think|check"
    r"|confirm later)|get back to you|(?:need|have) to (?:check|think|ask|run it)|not (?:sure|yet)|hold on)\b"
)
# Billed or ordered one thing, received another: "nos facturaron 6 pero llegaron 5", "the invoice says 20 kg and we
# got 15", "1.5 kg instead of 3".
_BILLED = (r"(?:factur\w+|cobr(?:aron|o|an)|(?:la|el) (?:guia|factura|boleta|orden|pedido) (?:dice|indica|decia|trae|"
           r"tiene)|invoice (?:says|shows)|charged|billed|ordered|pedi(?:mos)?)")
_RECEIVED = r"(?:llego|llegaron|vino|vinieron|recibi\w*|contamos|got|received|came|arrived)"
DISCREPANCY = (
    rf"\b{_BILLED}\b.*\b(?:pero|but|y|and|en circunstancias)\b.*\b{_RECEIVED}\b"
    rf"|\b{_RECEIVED}\b.*\b(?:pero|but|y|and)\b.*\b(?:factur\w+|cobr(?:aron|o)|charged|billed|invoiced)\b"
    r"|\b(?:was|were|came|vino|vinieron|llego|llegaron|venia|venian)\b.*\b(?:instead of|en vez de|en lugar de) \d"
    r"|\b(?:half empty|medio vaci[oa]|media vacia|a medio llenar)\b"
)
# Losing interest ("ya no lo quiero", "olvídalo"): a cancellation only when there is an order to cancel; with
# nothing open it is a refusal (`cues._loss_of_interest`).
LOSS_OF_INTEREST = re.compile(
    r"\b(?:ya no (?:lo |la )?(?:quiero|necesito)|olvid\w*|no (?:quiero|necesito) nada"
    r"|no (?:quiero|queremos|vamos a) seguir|no (?:voy|vamos) a (?:comprar|pedir))\b"
)
# A message that opens by continuing what was said before: "y un saco de harina", "+2 kg", "también 3 cajas".
CONTINUATION = re.compile(r"^(?:(?:ah|oh|y|and|tambien|ademas|also|plus|\+|otra cosa|ah y|y tambien)\b ?,? ?)+")
# Telling what happened to an order (delivered, billed, sent, found): the grammar of a report, not of a request.
PAST_REPORT = re.compile(
    r"\b(?:llego|llegaron|vino|vinieron|venia|venian|trajeron|mandaron|enviaron|despacharon|entregaron|dejaron|"
    r"recibi|recibimos|recibio|facturaron|cobraron|cobro|salio|estaba|estaban|tenia|tenian|nos llego|me llego|"
    r"came|arrived|was|were|got|received|sent|delivered|charged|billed|showed up)\b"
)
# "gracias por el reembolso": what is thanked for is not a request or a complaint of its own
GRATITUDE_SCOPE = re.compile(
    r"\b(?:gracias|thanks|thank you|cheers|agradec\w*|se agradece)(?: (?:a todos|nuevamente|igual))? "
    r"(?:por|for|de) (?P<object>[^?;!,]*)"
)


def _p(*alternatives: str) -> re.Pattern:
    return re.compile(W + "(?:" + "|".join(alternatives) + ")" + W)


INTENT_PATTERNS: dict[str, list[tuple[re.Pattern, float]]] = {
    "greeting": [
        (_p("hola", "buenas", "buenos dias", "buen dia", "buenas tardes", "buenas noches", "hello", "hi", "hey",
            "good (?:morning|afternoon|evening)", "saludos", "como (?:estan|esta|estas|andan|andai|le va)", "que tal",
            "que onda", "alo"), 1.0),
    ],
    "thanks": [
        (_p("gracias", "thanks", "thank you", "agradecid[oa]s?", "se agradece", "muy amable", "mil gracias",
            "agradec(?:o|emos|eria|eriamos|erle|erles)", "cheers", "much appreciated",
            "appreciate (?:it|that|you)"), 2.0),
    ],
    "faq": [
        (_p("a que hora (?:abren|cierran|atienden)", "horarios?", "abren", "cierran", "atienden", "abiert[oa]s?",
            "ubicad[oa]s?", "direccion", "donde (?:estan|quedan|se ubican)", "(?:hacen|tienen) despachos?",
            "despachos? a", "despachan", "envios? a", "reparto", "(?:llegan|reparten|van|entregan) (?:a|hasta)",
            "transferencias?", "efectivo", "tarjetas?",
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
            "mandame", "mandenme", "envienme", "anot(?:a|e|en|ame|enme|ale|enle)", "ponme", "hacer un pedido",
            "(?:otro|nuevo) pedido",
            "me (?:anota|anotas|pone|pones|manda|mandas|envia|envias|vende|vendes)",
            "order", "buy", "id like", "i want", "i need"), 1.5),
    ],
    "order_modify": [
        (_p("cambi(?:a|e)\\w*", "modific\\w*", "agreg\\w*", "anad\\w*", "sumal\\w*", "quit(?:a|ale|ar|ame|en)",
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
        (_p("cancel\\w*", "anul\\w*", "desist\\w*", "dejalo sin efecto", "echo (?:pa|para) atras", "call off",
            "rechaz(?:o|amos|ar)", "no (?:la |lo )?(?:acepto|aceptamos|confirmo|confirmamos|apruebo|aprobamos)",
            "no (?:lo |la )?(?:quiero|necesito) (?:el|la) (?:pedido|orden)"), 3.5),
        (LOSS_OF_INTEREST, 3.5),
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
            "nunca llego", "falt(?:o|aron)(?! (?:poner|agregar|pedir|incluir|anotar|sumar))", "incomplet\\w*",
            "cobr\\w* (?:\\w+ ){0,3}(?:de mas|dos veces|doble|mal)",
            "monto mal", "mal (?:cobrado|facturado)", "equivocad[oa]s?", "tirad[oa]", "pesim[oa]", "horrible",
            "verguenza", "inaceptable", "asi no se puede", "molest[oa]", "enojad[oa]", "pucha", "mala calidad",
            "mal(?:o|a)? servicio", "mala atencion", "nadie (?:me )?responde", "no (?:me )?responden",
            "ranci[oa]s?", "mojad[oa]s?", "humed[oa]s?", "quebrad\\w*", "derramad\\w*", "mal olor", "hediond\\w*",
            "devolucion", "reembolso", "damaged", "broken", "complain\\w*", "terrible", "refund", "spoiled", "rotten",
            "wrong", "missing", "expired", "overcharged", "(?:la )?mitad",
            "solo (?:llego|llegaron|vino|vinieron)", "basura", "porqueria", "una burla", "un desastre", "sin respuesta",
            "no (?:he|hemos) tenido respuesta", "no (?:me|nos) han (?:respondido|contestado)",
            # how someone of theirs behaved: "el chofer fue súper pesado", "la vendedora estuvo grosera"
            "(?:fue|fueron|es|era|estuvo|estuvieron|anda|andaba) (?:\\w+ )?(?:pesad[oa]s?|groser[oa]s?|prepotentes?|"
            "mal educad[oa]s?|maleducad[oa]s?|desagradables?|irrespetuos[oa]s?|pesimos?)",
            "nadie (?:me |nos )?"
            "(?:ha|han) (?:respondido|contestado)", "falta de respeto", "poco serio", "es el colmo", "not cool",
            "not happy", "unacceptable", "disappointed", "llevo zspan", "que lata", "que rabia", "no puede ser"), 2.0),
        # "me llegaron 2 y pedí 3", "pedí almendras y me mandaron nueces": what came differs from what was ordered
        (re.compile(r"\b(?:llego|llegaron|recibi\w*|trajeron|mandaron|vino|vinieron)\b.*"
                    r"\by (?:yo )?(?:habia )?pedi(?:mos|do)?\b"
                    r"|\bpedi(?:mos)?\b.*\by (?:me )?(?:llego|llegaron|mandaron|trajeron|enviaron|vino|vinieron)\b"),
         3.5),
        (re.compile(DISCREPANCY), 3.5),
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
        # a decision put off ("déjame pensarlo y te confirmo mañana") confirms, orders and cancels nothing yet
        (re.compile(DEFERRAL), 4.0),
        (_p("https?", "www"), 3.0),  # links in a purchase chat are spam or off-topic
        # someone selling to the business, not buying from it
        (_p("ofrecemos", "(?:les|le|te) ofrezco", "somos una (?:empresa|agencia|consultora)", "(?:les|le) interesa",
            "necesitan (?:servicio|servicios)", "we (?:build|offer|provide)"), 2.0),
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


def _outside_gratitude(text: str) -> str:
    """The text without the object of its thanks ("gracias por cambiar el saco roto" -> "gracias"), so the cues
    in what was thanked for ("roto", "reembolso", "aprobaron") do not read as a complaint or a question."""
    return GRATITUDE_SCOPE.sub(lambda m: m.group(0)[: m.start("object") - m.start(0)], text)


def score_patterns(text: str) -> IntentScores:
    result = IntentScores()
    unthanked = _outside_gratitude(text)
    for intent, rules in INTENT_PATTERNS.items():
        for pattern, weight in rules:
            scope = text if intent == "thanks" else unthanked
            # Two different cues for one intent ("monto mal", "cobraron de más") count more than one; cap at two.
            found = list(dict.fromkeys(m.group(0) for m in pattern.finditer(scope)))[:2]
            for cue in found:
                result.add(intent, weight, cue)
    return result


def only_words_from(tokens: list[str], vocabulary: frozenset) -> bool:
    return bool(tokens) and all(tok in vocabulary for tok in tokens if tok.isalnum())
