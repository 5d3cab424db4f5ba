"""Demo data for the Odoo stand-in: a Chilean natural-foods distributor buying from local vendors (CLP).

Our own catalog. It covers the kinds of product the router's dev catalog has (oils, nuts, flours and grains,
pulses, plant milks, seeds, sweeteners) so demos read naturally, with codes, vendors and prices of its own.
"""

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

UOMS = ["kg", "Unidades", "Caja x12", "Saco 25 kg", "L"]

# (code, name, uom, vendor index, vendor price CLP or None (use cost), cost CLP, on hand, purchasable)
PRODUCTS = [
    ("AC-COCO-KG", "Aceite de coco orgánico a granel", "kg", 0, 6890, 6500, 180, True),
    ("AC-COCO-500", "Aceite de coco extra virgen 500 ml", "Unidades", 0, 4290, 3900, 96, True),
    ("AC-OLIVA-5L", "Aceite de oliva extra virgen bidón 5 L", "Unidades", 5, 38900, 36000, 40, True),
    ("AC-MARAV-CJ12", "Aceite de maravilla 1 L", "Caja x12", 5, None, 23900, 25, True),
    ("FS-ALM-KG", "Almendra entera sin tostar", "kg", 1, 10900, 10200, 350, True),
    ("FS-NUEZ-KG", "Nuez mariposa light", "kg", 1, 9400, 8800, 220, True),
    ("FS-CAJU-KG", "Castaña de cajú entera", "kg", 1, 12800, 12100, 110, True),
    ("FS-MANI-KG", "Maní tostado sin sal", "kg", 1, 3290, 3000, 420, True),
    ("FS-PASAS-KG", "Pasas rubias jumbo", "kg", 1, None, 4190, 160, True),
    ("HA-TRIGO-25", "Harina de trigo sin polvos saco 25 kg", "Saco 25 kg", 2, 18900, 17500, 80, True),
    ("HA-INTEG-25", "Harina integral saco 25 kg", "Saco 25 kg", 2, 21500, 20100, 45, True),
    ("HA-ALMEN-KG", "Harina de almendra", "kg", 1, 14900, 13900, 30, True),
    ("HA-AVENA-25", "Avena instantánea saco 25 kg", "Saco 25 kg", 2, 31900, 30000, 55, True),
    ("GR-QUINOA-KG", "Quinoa blanca lavada", "kg", 6, 3890, 3600, 500, True),
    ("LG-LENTEJA-25", "Lenteja 6 mm saco 25 kg", "Saco 25 kg", 3, 42500, 40000, 38, True),
    ("LG-GARBANZO-KG", "Garbanzo calibre 8", "kg", 3, 2590, 2400, 610, True),
    ("LG-POROTO-KG", "Poroto negro", "kg", 3, 2390, 2200, 0, True),
    ("LV-ALMEN-CJ12", "Leche de almendra sin azúcar 1 L", "Caja x12", 4, 27900, 26500, 64, True),
    ("LV-AVENA-CJ12", "Bebida de avena barista 1 L", "Caja x12", 4, 25900, 24400, 48, True),
    ("LV-COCO-CJ12", "Leche de coco 400 ml", "Caja x12", 0, 18900, 17800, 70, True),
    ("SE-CHIA-KG", "Semillas de chía", "kg", 6, 4490, 4200, 260, True),
    ("SE-LINAZA-KG", "Linaza dorada", "kg", 6, 2890, 2700, 0, True),
    ("EN-MIEL-KG", "Miel de ulmo 1 kg", "Unidades", 7, 8790, 8200, 90, True),
    ("EN-AZCOCO-KG", "Azúcar de coco", "kg", 0, 7690, 7200, 65, True),
    ("VI-MANZANA-L", "Vinagre de manzana orgánico a granel", "L", 5, 2890, 2700, 240, True),
    # Sold but never bought from a vendor: sync_catalog must leave these out.
    ("ES-MERKEN-KG", "Merkén ahumado (elaboración propia)", "kg", 6, None, 11500, 20, False),
    ("ES-CURCUMA-KG", "Cúrcuma en polvo (envasado propio)", "kg", 6, None, 6700, 15, False),
]
