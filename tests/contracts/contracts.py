# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Validate JSON against the carriers' published schemas kept in this folder.

Standard library plus ``jsonschema``; imported by the contract tests and,
by path, by the UPS and DHL simulators (which refuse what the carrier's
schema refuses). See README.md here for the sources, versions and licences.
"""

import functools
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def available():
    """True when ``jsonschema`` is importable (it validates everything here)."""
    try:
        import jsonschema  # noqa: F401
    except ImportError:
        return False
    return True


# Places where a UPS file contradicts UPS's own examples and the other UPS
# files (README.md, "Errata"): (carrier, file, schema) -> (JSON pointer under
# the schema, replacement value). Applied when a file is loaded; the files
# themselves stay as published.
ERRATA = {
    # Rating.yaml: Service.Code minLength/maxLength 3, while service codes
    # are two characters ("03") in Rating.yaml's own examples and in
    # Shipping.yaml (minLength 2, maxLength 2).
    ("ups", "rating", "Shipment_Service"): ("/properties/Code/minLength", 1),
    # Shipping.yaml label recovery: LabelImageFormat.Code minLength 4, while
    # its own examples send "GIF" and "ZPL" (Ship: minLength 1).
    ("ups", "shipping", "LabelRecovery_LabelSpecification_LabelImageFormat"): (
        "/properties/Code/minLength",
        1,
    ),
    # Shipping.yaml label recovery lists Request, TrackingNumbers and
    # ReferenceValues as all required, while its first example recovers by
    # TrackingNumber alone: Request is kept required, the three ways to name
    # the label are alternatives (at least one).
    ("ups", "shipping", "LabelRecoveryRequest"): ("/required", ["Request"]),
}
ALTERNATIVES = {
    ("ups", "shipping", "LabelRecoveryRequest"): [
        {"required": ["TrackingNumber"]},
        {"required": ["TrackingNumbers"]},
        {"required": ["ReferenceValues"]},
    ],
}


def _apply_errata(carrier, name, doc):
    schemas = doc["components"]["schemas"]
    for (c, n, schema), (pointer, value) in ERRATA.items():
        if (c, n) != (carrier, name) or schema not in schemas:
            continue
        node = schemas[schema]
        keys = pointer.strip("/").split("/")
        for key in keys[:-1]:
            node = node[key]
        node[keys[-1]] = value
    for (c, n, schema), alternatives in ALTERNATIVES.items():
        if (c, n) == (carrier, name) and schema in schemas:
            schemas[schema]["anyOf"] = alternatives
    return doc


@functools.cache
def load(carrier, name):
    """The document ``<carrier>/<name>.json`` (schemas, examples, source),
    with the errata above applied."""
    with open(os.path.join(HERE, carrier, f"{name}.json"), encoding="utf-8") as fh:
        return _apply_errata(carrier, name, json.load(fh))


@functools.cache
def validator(carrier, name, root):
    """A jsonschema validator of component schema ``root`` of a document."""
    import jsonschema

    doc = load(carrier, name)
    if root not in doc["components"]["schemas"]:
        raise KeyError(f"{carrier}/{name}.json has no schema {root!r}")
    schema = {
        "$ref": f"#/components/schemas/{root}",
        "components": doc["components"],
    }
    if str(doc.get("openapi") or "").startswith("3.1"):
        cls = jsonschema.Draft202012Validator
    else:  # OpenAPI 3.0 schema objects are JSON Schema draft 4/5 in spirit
        cls = jsonschema.Draft4Validator
    return cls(schema)


def errors(carrier, name, root, instance, *, single_objects=False):
    """``["path: message", ...]`` of ``instance`` against ``root`` (empty: valid).

    ``single_objects``: accept one object (or value) where the schema has an
    array of them, and validate it against the array's items. UPS documents
    both forms (its Postman examples send single objects, arrays since
    v2403/v2409) and accepts both; the simulators are that lenient, the
    contract tests of our own requests are not.
    """
    found = []
    _collect(validator(carrier, name, root), instance, [], single_objects, found)
    return sorted(found)


def _collect(check, instance, prefix, single_objects, found):
    for error in check.iter_errors(instance):
        path = prefix + list(error.absolute_path)
        wanted = error.validator_value if error.validator == "type" else None
        wanted = wanted if isinstance(wanted, list) else [wanted]
        items = error.schema.get("items") if isinstance(error.schema, dict) else None
        if (
            single_objects
            and "array" in wanted
            and isinstance(items, dict)
            and not isinstance(error.instance, list)
        ):
            inner = check.evolve(schema=items)
            _collect(inner, error.instance, path + [0], single_objects, found)
            continue
        where = "/".join(str(p) for p in path) or "(body)"
        found.append(f"{where}: {error.message[:300]}")


def examples(carrier, name, prefix=""):
    """``{key: example}`` of the specification's own examples."""
    return {
        key: value
        for key, value in load(carrier, name).get("examples", {}).items()
        if key.startswith(prefix)
    }
