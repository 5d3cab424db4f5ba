"""Demo data for the Odoo stand-in: a Chilean natural-foods distributor (CLP) that buys from local vendors and sells
to shops and cafés.

Our own catalog. It covers the kinds of product the router's dev catalog has (oils, nuts, flours and grains,
pulses, plant milks, seeds, sweeteners) so demos read naturally, with codes, vendors and prices of its own. Some
products are only bought (bulk goods repackaged here), some only sold (own production), most both; some have no
stock at all, some have stock that is already promised (free < on hand).
"""

from typing import NamedTuple

VENDORS = [
    # (name, phone, email)
    ("Coco Andino SpA", "+56 2 2345 6701", "ventas@cocoandino.cl"),
    ("Frutos Secos del Maule SpA", "+56 71 234 5602", "pedidos@frutosmaule.cl"),
    ("Molino San Bernardo Ltda.", "+56 2 2859 1103", "comercial@molinosb.cl"),
    ("Legumbres de Ñuble SpA", "+56 42 221 9904", "ventas@legumbresnuble.cl"),
    ("Vegetal Lácteos Chile SpA", "+56 2 2456 7805", "b2b@vegetallacteos.cl"),
    ("Olivícola Valle del Elqui Ltda.", "+56 51 233 4406", "ventas@olivaselqui.cl"),
    ("Semillas Araucanía SpA", "+56 45 298 7707", "contacto@semillasaraucania.cl"),
    ("Apícola Cordillera Ltda.", "+56 64 224 1108", "pedidos@apicolacordillera.cl"),
]

# Customers (sale mode). The second buys at the wholesale pricelist below.
CUSTOMERS = [
    # (name, phone, email, pricelist name or None)
    ("Minimarket Don Tito", "+56 2 2671 4410", "compras@dontito.cl", None),
    ("Café Cerro Alegre Ltda.", "+56 32 268 3301", "abastecimiento@cafecerroalegre.cl", "Mayorista"),
    ("Tienda Saludable Concepción SpA", "+56 41 224 9012", "pedidos@saludableconce.cl", None),
]

# Wholesale pricelist: a percentage off the list price for most goods, fixed prices for some.
PRICELISTS = {
    "Mayorista": [
        # (product code or None for every product, "percentage" | "fixed", value, minimum quantity)
        (None, "percentage", 5.0, 0.0),
        ("FS-ALM-KG", "fixed", 12900.0, 0.0),
        ("GR-QUINOA-KG", "percentage", 12.0, 10.0),
    ],
}

UOMS = ["kg", "Unidades", "Caja x12", "Saco 25 kg", "L"]


class Item(NamedTuple):
    code: str
    name: str
    uom: str
    vendor: int  # index into VENDORS
    vendor_price: float | None  # CLP; None: no vendor line, the cost applies
    cost: float
    list_price: float  # sales price, CLP, before tax
    on_hand: float
    reserved: float  # already promised to customers: free = on hand - reserved
    purchase_ok: bool
    sale_ok: bool
    lead_days: float  # customer lead time
    description: str = ""


PRODUCTS = [
    Item("AC-COCO-KG", "Aceite de coco orgánico a granel", "kg", 0, 6890, 6500, 0, 180, 0, True, False, 0),
    Item("AC-COCO-500", "Aceite de coco extra virgen 500 ml", "Unidades", 0, 4290, 3900, 5490, 96, 12, True, True, 1,
         "Frasco de vidrio, prensado en frío"),
    Item("AC-OLIVA-5L", "Aceite de oliva extra virgen bidón 5 L", "Unidades", 5, 38900, 36000, 47900, 40, 0, True,
         True, 2),
    Item("AC-MARAV-CJ12", "Aceite de maravilla 1 L", "Caja x12", 5, None, 23900, 29900, 25, 0, True, True, 1),
    Item("FS-ALM-KG", "Almendra entera sin tostar", "kg", 1, 10900, 10200, 13900, 350, 40, True, True, 1),
    Item("FS-NUEZ-KG", "Nuez mariposa light", "kg", 1, 9400, 8800, 11900, 220, 0, True, True, 1),
    Item("FS-CAJU-KG", "Castaña de cajú entera", "kg", 1, 12800, 12100, 15900, 110, 0, True, True, 2),
    Item("FS-MANI-KG", "Maní tostado sin sal", "kg", 1, 3290, 3000, 4290, 420, 0, True, True, 1),
    Item("FS-PASAS-KG", "Pasas rubias jumbo", "kg", 1, None, 4190, 5490, 160, 0, True, True, 1),
    Item("HA-TRIGO-25", "Harina de trigo sin polvos saco 25 kg", "Saco 25 kg", 2, 18900, 17500, 23900, 80, 0, True,
         True, 2),
    Item("HA-INTEG-25", "Harina integral saco 25 kg", "Saco 25 kg", 2, 21500, 20100, 26900, 45, 0, True, True, 2),
    Item("HA-ALMEN-KG", "Harina de almendra", "kg", 1, 14900, 13900, 18900, 30, 30, True, True, 3),
    Item("HA-AVENA-25", "Avena instantánea saco 25 kg", "Saco 25 kg", 2, 31900, 30000, 39900, 55, 0, True, True, 2),
    Item("GR-QUINOA-KG", "Quinoa blanca lavada", "kg", 6, 3890, 3600, 4990, 500, 0, True, True, 1),
    Item("LG-LENTEJA-25", "Lenteja 6 mm saco 25 kg", "Saco 25 kg", 3, 42500, 40000, 52900, 38, 0, True, True, 2),
    Item("LG-GARBANZO-KG", "Garbanzo calibre 8", "kg", 3, 2590, 2400, 3390, 610, 0, True, True, 1),
    Item("LG-POROTO-KG", "Poroto negro", "kg", 3, 2390, 2200, 3190, 0, 0, True, True, 5),
    Item("LV-ALMEN-CJ12", "Leche de almendra sin azúcar 1 L", "Caja x12", 4, 27900, 26500, 34900, 64, 0, True, True, 1),
    Item("LV-AVENA-CJ12", "Bebida de avena barista 1 L", "Caja x12", 4, 25900, 24400, 32900, 48, 0, True, True, 1),
    Item("LV-COCO-CJ12", "Leche de coco 400 ml", "Caja x12", 0, 18900, 17800, 23900, 70, 0, True, True, 1),
    Item("SE-CHIA-KG", "Semillas de chía", "kg", 6, 4490, 4200, 5990, 260, 0, True, True, 1),
    Item("SE-LINAZA-KG", "Linaza dorada", "kg", 6, 2890, 2700, 3790, 0, 0, True, True, 4),
    Item("EN-MIEL-KG", "Miel de ulmo 1 kg", "Unidades", 7, 8790, 8200, 11490, 90, 0, True, True, 1),
    Item("EN-AZCOCO-KG", "Azúcar de coco", "kg", 0, 7690, 7200, 9890, 65, 0, True, True, 1),
    # Bought in bulk and bottled here: bought, never sold as such.
    Item("VI-MANZANA-L", "Vinagre de manzana orgánico a granel", "L", 5, 2890, 2700, 0, 240, 0, True, False, 0),
    # Own production: sold, never bought from a vendor (sync_catalog in purchase mode leaves these out).
    Item("ES-MERKEN-KG", "Merkén ahumado (elaboración propia)", "kg", 6, None, 11500, 16900, 20, 0, False, True, 2),
    Item("ES-CURCUMA-KG", "Cúrcuma en polvo (envasado propio)", "kg", 6, None, 6700, 9490, 15, 0, False, True, 2),
    Item("ES-GRANOLA-KG", "Granola de la casa con miel de ulmo", "kg", 6, None, 5200, 7990, 0, 0, False, True, 3),
]
