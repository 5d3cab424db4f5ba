import pytest

from agents.routing.catalog import Catalog, CatalogEntry
from tests.fakes.openai_server import fake_openai  # noqa: F401 - fixture

# A catalog of our own for the held-out tests: some products like the shared dev catalog's, many that are not.
TEST_PRODUCTS = [
    ("PAS-FLA-KG", "Pasas flame jumbo", "kg"),
    ("NUE-CHI-KG", "Nuez chilena mariposa", "kg"),
    ("ALM-LAM-KG", "Almendra laminada", "kg"),
    ("PIS-TOS-KG", "Pistacho tostado con sal", "kg"),
    ("GAR-SEC-25", "Garbanzo seco saco 25 kg", "Saco 25 kg"),
    ("ARR-INT-KG", "Arroz integral grano largo", "kg"),
    ("ACE-MAR-5L", "Aceite de maravilla bidón 5 L", "Unidades"),
    ("ACE-COCO-1L", "Aceite de coco orgánico 1 L", "Unidades"),
    ("LEC-ALM-CJ6", "Leche de almendra sin azúcar 1 L", "Caja x6"),
    ("MER-AHU-KG", "Merkén ahumado", "kg"),
    ("POR-NEG-KG", "Poroto negro", "kg"),
    ("LEN-CAS-KG", "Lenteja castellana", "kg"),
    ("PAN-RAL-KG", "Pan rallado", "kg"),
    ("SAL-MAR-KG", "Sal de mar gruesa", "kg"),
    ("SAL-ROS-KG", "Sal rosada del Himalaya fina", "kg"),
    ("MIE-QUI-500", "Miel de quillay 500 g", "Unidades"),
    ("MAN-ALM-CJ12", "Mantequilla de almendra 250 g", "Caja x12"),
    ("TE-VER-CJ20", "Té verde en bolsitas", "Caja x20"),
]


@pytest.fixture
def catalog() -> Catalog:
    return Catalog([CatalogEntry(code, name, uom) for code, name, uom in TEST_PRODUCTS])
