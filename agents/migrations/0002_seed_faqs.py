"""Starter FAQ set for a Chilean distributor. Staff edit them in the admin; answers may use {hours}, {open_now}
and {business_name}, filled in from settings when the bot answers. Seeded by key, so re-running changes nothing
staff already edited."""

from django.db import migrations

FAQS = [
    ("horarios", "Horarios", 10,
     ["a que hora abren", "a que hora cierran", "horario de atencion", "horarios", "estan abiertos",
      "atienden hoy", "atienden el sabado", "abren los domingos", "what time do you open", "opening hours"],
     "Nuestro horario de atención es {hours} (hora de Chile continental). {open_now}",
     "Our opening hours are {hours} (Chile time). {open_now}"),
    ("despacho", "Despacho y envíos", 20,
     ["hacen despacho", "hacen envios", "despachan a regiones", "cuanto cuesta el despacho", "cuanto demora el envio",
      "envian a domicilio", "hacen delivery", "do you deliver", "shipping"],
     "Despachamos en la Región Metropolitana de lunes a viernes, con entrega dentro de 24 a 48 horas hábiles desde "
     "la confirmación del pedido. A regiones enviamos por transportista (Starken, Chilexpress u otro que nos "
     "indiques); el flete se cotiza según destino y volumen. También puedes retirar en nuestra bodega en horario de "
     "atención.",
     "We deliver in the Santiago Metropolitan Region Monday to Friday within 24-48 business hours of order "
     "confirmation. Other regions ship by carrier; freight is quoted by destination and volume. You can also pick "
     "up at our warehouse during opening hours."),
    ("medios-de-pago", "Medios de pago", 30,
     ["medios de pago", "como puedo pagar", "aceptan tarjeta", "puedo pagar con transferencia", "formas de pago",
      "aceptan efectivo", "pagan a credito", "payment methods"],
     "Aceptamos transferencia bancaria, tarjetas de débito y crédito (Webpay) y efectivo al retirar. Para empresas "
     "con cuenta aprobada ofrecemos crédito a 30 días con orden de compra.",
     "We accept bank transfer, debit and credit cards (Webpay) and cash on pick-up. Companies with an approved "
     "account can get 30-day credit against a purchase order."),
    ("direccion", "Dirección", 40,
     ["donde estan ubicados", "cual es la direccion", "donde queda la bodega", "donde puedo retirar",
      "direccion de la tienda", "where are you located", "address"],
     "Estamos en nuestra bodega de Santiago; te enviamos la dirección exacta y un mapa al confirmar tu pedido o "
     "si nos la pides para retirar. Puedes retirar en horario de atención: {hours}.",
     "We are at our Santiago warehouse; we send the exact address and a map when you confirm your order or ask to "
     "pick up. Pick-up during opening hours: {hours}."),
    ("pedido-minimo", "Pedido mínimo", 50,
     ["pedido minimo", "hay compra minima", "cual es el minimo de compra", "venden al detalle",
      "puedo comprar una unidad", "minimum order"],
     "El pedido mínimo para despacho es de $50.000 + IVA. Bajo ese monto puedes retirar en bodega sin mínimo.",
     "The minimum order for delivery is CLP 50,000 + VAT. Below that you can pick up at our warehouse."),
    ("facturacion", "Facturación", 60,
     ["emiten factura", "necesito factura", "boleta o factura", "datos para la factura", "factura electronica",
      "invoice"],
     "Emitimos boleta o factura electrónica. Para factura envíanos RUT, razón social, giro, dirección y correo de "
     "facturación; la recibirás en tu correo al despachar el pedido.",
     "We issue electronic receipts and invoices. For an invoice send us your RUT, company name, line of business, "
     "address and billing e-mail; it arrives by e-mail when the order ships."),
    ("devoluciones", "Cambios y devoluciones", 70,
     ["hacen devoluciones", "puedo devolver un producto", "cambios y devoluciones", "llego un producto equivocado",
      "politica de devolucion", "returns"],
     "Aceptamos cambios y devoluciones dentro de 10 días desde la recepción, con el producto sin abrir y su boleta o "
     "factura. Si llegó dañado o equivocado, avísanos por este chat con una foto y lo solucionamos sin costo.",
     "We accept exchanges and returns within 10 days of delivery, unopened and with the receipt or invoice. If it "
     "arrived damaged or wrong, tell us here with a photo and we fix it at no cost."),
    ("cotizacion", "Cotizaciones", 80,
     ["me pueden cotizar", "necesito una cotizacion", "lista de precios", "tienen catalogo", "price list"],
     "Claro: escríbenos los productos y cantidades que necesitas (por ejemplo «20 kg de almendras y 10 cajas de "
     "pasas») y te preparamos la cotización por este chat.",
     "Sure: send us the products and quantities you need and we will prepare a quote in this chat."),
]


def seed(apps, schema_editor):
    FAQ = apps.get_model("agents", "FAQ")
    for key, title, position, variants, answer, answer_en in FAQS:
        FAQ.objects.get_or_create(key=key, defaults={
            "title": title, "position": position, "variants": variants, "answer": answer, "answer_en": answer_en,
        })


def unseed(apps, schema_editor):
    apps.get_model("agents", "FAQ").objects.filter(key__in=[row[0] for row in FAQS]).delete()


class Migration(migrations.Migration):
    dependencies = [("agents", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
