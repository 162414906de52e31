"""Small template helpers: `{% load linli %}`."""

from django import template

from linli.core.privacy import mask_phone as _mask_phone

register = template.Library()


@register.filter
def mask_phone(value):
    """138****5678 — residents' numbers are shown masked in lists (PIPL)."""
    return _mask_phone(value)


@register.filter
def hours(value):
    """Hours as people write them, in every page and the certificate: 10.50 → "10.5", 3.00 → "3",
    2.25 → "2.25" (never "3E+0"); anything not a number is shown as it is."""
    from decimal import Decimal, InvalidOperation

    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value)).quantize(Decimal("0.01")).normalize()
    except (InvalidOperation, ValueError):
        return value
    return format(number, "f")


@register.filter
def bs_input(bound_field, extra=""):
    """Render a form field's widget with Bootstrap classes (and `is-invalid` when it has errors)."""
    classes = ["form-control", *bound_field.field.widget.attrs.get("class", "").split(), *extra.split()]
    if bound_field.errors:
        classes.append("is-invalid")
    attrs = {"class": " ".join(dict.fromkeys(c for c in classes if c))}
    if bound_field.errors:
        attrs["aria-invalid"] = "true"
        attrs["aria-describedby"] = f"{bound_field.auto_id}_error"
    return bound_field.as_widget(attrs=attrs)


@register.simple_tag
def idempotency_field():
    """A hidden field with a fresh key: the form is filed once however often it is sent
    (core.idempotency.idempotent_form)."""
    import uuid

    from django.utils.html import format_html

    from linli.core.idempotency import FORM_FIELD

    return format_html('<input type="hidden" name="{}" value="{}">', FORM_FIELD, uuid.uuid4().hex)
