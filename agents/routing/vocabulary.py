"""Word lists shared by the rule-based router's parts (all lower case, accent-free, as `normalize` produces)."""

from __future__ import annotations

# Words that never name a product: articles, prepositions, politeness, order verbs, chat filler.
STOPWORDS = frozenset(
    """
    a al algo algun alguna aqui con de del el en es esa ese eso esos esta este esto favor la las le les lo los me
    mi mis o para pero por porfa que se sea sean si sin su sus te tu un una uno unos unas y ya era eran son
    quiero quisiera necesito necesitamos pedir pido pedido pedidos orden cotiza cotizas cotizar cotizacion mandame
    manda mandas mandenme envia envias envienme anota anotas anotame pon pone pones ponme vende vendes venden tienen
    tiene hay stock precio valor cuanto cuesta sale vale hola buenas buenos tardes dias noches gracias ok dale
    cambia cambiar cambiale quita quitale quitar saca sacale sacar elimina eliminar agrega agregale agregar agregame
    suma sumale anade anadele mejor vez lugar no otro otra aparte ahora tambien ademas hacer total mas menos
    equivoque alcanzo alcanzamos cambio necesitaria tengo tenemos lunes martes miercoles jueves viernes sabado
    domingo manana semana hoy please want would like order need some the of and i id me my we our you to for with
    buy get add remove instead also just can could have send
    up down actually oh ok okay swap switch bump let lets do make it its that those these them again next month week
    more less lot lots bit little please pls thanks thank an a be is are was were will shall there here what how
    much many any sure yeah hey hi hello guys mate cheers sorry wait need needs wanted would take ill well
    dame denme deme ocupo ocupamos puedes puede pueden podrias podria podrian enviar mandar despachar traer
    cantidad producto productos cosa cosas kilo unidad precio favor dar pasar poner from your this that
    sube subele subir baja bajale bajar deja dejala dejalo dejalas dejalos reduce reducir reducelo aumenta aumentar
    aumentale ajusta ajustar modifica modificar cambialo cambiala pasalo pasala dejame
    mira sabes oye entonces bueno seria serian nomas todo toda eso esto porfavor hola holi igual aca alla
    encargo encargar encargue llevo llevar ocupo tal hoy despues luego rapido urgente harto harta hartos hartas
    aprox aproximadamente mande mandamos mandaste pedi pedimos compre compramos misma mismo mismos mismas perdon
    digo corrijo otra otro otras otros confundi va van vaya dejamos dejemos cada each
    zemail zrut zphone zref zmoney ztime zdate zspan
    """.split()
)

# Head nouns that name a form, not the product ("Semillas de chía" is chía): they weigh like any other word.
GENERIC_HEADS = frozenset("semilla hojuela grano bolsita polvo trozo pack".split())

# English product words -> the Spanish word the catalog uses. General food vocabulary, not tied to one catalog.
ENGLISH_GLOSSARY = {
    "almond": "almendra", "walnut": "nuez", "cashew": "castana caju", "peanut": "mani", "peanuts": "mani",
    "hazelnut": "avellana", "pistachio": "pistacho", "raisin": "pasa", "date": "datil", "cranberry": "arandano",
    "blueberry": "arandano", "berry": "berrie", "coconut": "coco", "oil": "aceite", "olive": "oliva",
    "oat": "avena", "oats": "avena", "flour": "harina", "wholemeal": "integral", "wholewheat": "integral",
    "whole": "entera", "sugar": "azucar", "vinegar": "vinagre", "apple": "manzana", "cocoa": "cacao",
    "cacao": "cacao", "yeast": "levadura", "nutritional": "nutricional", "honey": "miel", "butter": "mantequilla",
    "milk": "leche", "salt": "sal", "pink": "rosada", "turmeric": "curcuma", "spirulina": "espirulina",
    "chia": "chia", "seed": "semilla", "flax": "linaza", "flaxseed": "linaza", "linseed": "linaza",
    "golden": "dorada", "dried": "deshidratado", "dehydrated": "deshidratado", "roasted": "tostado",
    "toasted": "tostado", "unsalted": "sal", "powder": "polvo", "instant": "instantanea", "white": "blanca",
    "tea": "te", "green": "verde", "brown": "integral", "black": "negro", "red": "rojo", "raisins": "pasa",
    "rice": "arroz", "bean": "poroto", "lentil": "lenteja", "chickpea": "garbanzo", "quinoa": "quinoa",
    "organic": "organico", "sunflower": "maravilla", "lentils": "lenteja", "sesame": "sesamo", "pumpkin": "zapallo",
    "pepper": "pimienta", "cinnamon": "canela", "ginger": "jengibre", "oregano": "oregano", "cumin": "comino",
    "chocolate": "chocolate", "jam": "mermelada", "nuts": "fruto seco", "prune": "ciruela", "fig": "higo", "smoked": "ahumado", "fine": "fina", "rolled": "avena", "granola": "granola",
    # Chilean and regional spellings
    "quinua": "quinoa", "cajuil": "caju", "merken": "merken", "mani": "mani", "cacahuate": "mani",
    "cacahuete": "mani", "palta": "palta", "maple": "arce",
}

# Unit words -> canonical unit. "unit" counts pieces (jars, cans, bottles); docena multiplies by 12.
UNIT_WORDS = {
    "kg": "kg", "kilo": "kg", "kilos": "kg", "kilito": "kg", "kilitos": "kg", "cajita": "caja", "cajitas": "caja",
    "saquito": "saco", "saquitos": "saco", "frasquito": "unit", "frasquitos": "unit", "k": "kg", "kgr": "kg",
    "kilogram": "kg", "kilograms": "kg",
    "g": "g", "gramo": "g", "gramos": "g", "grams": "g", "gram": "g",
    "l": "l", "litro": "l", "litros": "l", "liter": "l", "liters": "l", "litre": "l", "litres": "l",
    "ml": "ml", "cc": "ml",
    "unidad": "unit", "unidades": "unit", "u": "unit", "units": "unit", "unit": "unit",
    "frasco": "unit", "frascos": "unit", "botella": "unit", "botellas": "unit", "lata": "unit", "latas": "unit",
    "tarro": "unit", "tarros": "unit", "paquete": "unit", "paquetes": "unit", "bolsa": "unit", "bolsas": "unit",
    "envase": "unit", "envases": "unit", "jar": "unit", "jars": "unit", "can": "unit", "cans": "unit",
    "bottle": "unit", "bottles": "unit", "pack": "unit", "packs": "unit", "piece": "unit", "pieces": "unit",
    "caja": "caja", "cajas": "caja", "box": "caja", "boxes": "caja", "case": "caja", "cases": "caja",
    "saco": "saco", "sacos": "saco", "sack": "saco", "sacks": "saco", "bag": "saco", "bags": "saco",
}

NUMBER_WORDS = {
    "uno": 1, "un": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8,
    "nueve": 9, "diez": 10, "once": 11, "doce": 12, "trece": 13, "catorce": 14, "quince": 15, "dieciseis": 16,
    "diecisiete": 17, "dieciocho": 18, "diecinueve": 19, "veinte": 20, "veintiuno": 21, "veintiun": 21,
    "veintiuna": 21, "veintidos": 22, "veintitres": 23, "veinticuatro": 24, "veinticinco": 25, "veintiseis": 26,
    "veintisiete": 27, "veintiocho": 28, "veintinueve": 29, "treinta": 30, "cuarenta": 40, "cincuenta": 50,
    "sesenta": 60, "setenta": 70, "ochenta": 80, "noventa": 90, "cien": 100, "ciento": 100, "doscientos": 200,
    "doscientas": 200, "trescientos": 300, "trescientas": 300, "cuatrocientos": 400, "quinientos": 500,
    "quinientas": 500, "seiscientos": 600, "setecientos": 700, "ochocientos": 800, "novecientos": 900,
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "hundred": 100,
}
MULTIPLIER_WORDS = {"mil": 1000, "thousand": 1000, "hundred": 100}
HALF_WORDS = {"medio", "media", "half"}
DOZEN_WORDS = {"docena", "docenas", "dozen", "dozens"}
PAIR_WORDS = {"par", "couple"}

# Modify actions by the verb that introduces them ("quita la almendra", "agrega 3 cajas").
REMOVE_WORDS = frozenset(
    "quita quitale quitar quitame quiten saca sacale sacar sacame saquen elimina eliminar eliminale eliminen borra "
    "borrar borrale remove delete drop".split()
)
ADD_WORDS = frozenset(
    "agrega agregale agregar agregame agreguen suma sumale sumar sumame anade anadele anadir add tambien ademas "
    "extra".split()
)
SET_WORDS = frozenset(
    "cambia cambiale cambiar cambien pon ponle ponme deja dejalo dejala dejalas dejalos sean sube subele baja bajale "
    "change make bump increase decrease reduce".split()
)
# Words that take back what was just said ("5 kg de chía, no perdón, 7 kg"): the next bare quantity replaces it.
CORRECTION_WORDS = frozenset("no perdon digo corrijo error mejor sorry".split())
# Words right before a number that make it the OLD value ("no eran 20", "en vez de 3", "instead of 5").
NEGATING_BEFORE = (("no",), ("vez", "de"), ("lugar", "de"), ("instead", "of"), ("not",), ("antes",))
