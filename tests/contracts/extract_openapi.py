#!/usr/bin/env python3
# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Maintainer tool: turn a carrier's OpenAPI YAML into the JSON kept here.

    python3 tests/contracts/extract_openapi.py SPEC.yaml OUT.json \\
        --source URL --version TEXT --licence TEXT ROOT [ROOT ...]

Keeps the component schemas reachable from the ROOT names (``$ref``
closure), converts OpenAPI 3.0 specifics to JSON Schema (``nullable``),
drops descriptions, ``example`` values and ``x-`` extensions from the
schemas (they are not constraints), and stores the specification's own
request/response/webhook examples under ``examples``. Needs PyYAML (not a
dependency of the suite: the JSON files are committed). Tabs, which some
UPS files carry after quoted strings and YAML forbids, are read as spaces.
"""

import argparse
import json
import re

DROP = ("description", "example", "examples", "title", "externalDocs", "xml")


def clean(node, version):
    if isinstance(node, list):
        return [clean(item, version) for item in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key in DROP or key.startswith("x-"):
            continue
        if key == "properties" and isinstance(value, dict):
            out[key] = {k: clean(v, version) for k, v in value.items()}
            continue
        out[key] = clean(value, version)
    if out.pop("nullable", False) and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    return out


def refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from refs(item)


def examples(spec):
    """``{operation/part/name: value}`` of the examples of paths and webhooks."""
    found = {}
    for group in ("paths", "webhooks"):
        for path, ops in (spec.get(group) or {}).items():
            for method, op in (ops or {}).items():
                if not isinstance(op, dict):
                    continue
                key = re.sub(r"[^A-Za-z0-9]+", "_", f"{method}{path}").strip("_")
                bodies = [("request", op.get("requestBody") or {})]
                bodies += [
                    (f"response_{status}", answer)
                    for status, answer in (op.get("responses") or {}).items()
                ]
                for part, holder in bodies:
                    for content in (holder.get("content") or {}).values():
                        if "example" in content:
                            found[f"{key}/{part}/example"] = content["example"]
                        for name, ex in (content.get("examples") or {}).items():
                            if isinstance(ex, dict) and "value" in ex:
                                found[f"{key}/{part}/{name}"] = ex["value"]
    return found


def main():
    import yaml  # maintainer tool only

    parser = argparse.ArgumentParser()
    parser.add_argument("spec")
    parser.add_argument("out")
    parser.add_argument("--source", required=True)
    parser.add_argument("--version", required=True)
    parser.add_argument("--licence", required=True)
    parser.add_argument(
        "--no-examples",
        action="store_true",
        help="keep the schema only (a licence that allows no copy of the text)",
    )
    parser.add_argument("roots", nargs="+")
    args = parser.parse_args()
    with open(args.spec, encoding="utf-8") as handle:
        spec = yaml.safe_load(handle.read().replace("\t", "  "))
    schemas = spec["components"]["schemas"]
    keep, todo = {}, list(args.roots)
    while todo:
        name = todo.pop()
        if name in keep:
            continue
        keep[name] = clean(schemas[name], spec.get("openapi"))
        for ref in refs(schemas[name]):
            # "#/components/schemas/Name[/properties/...]": keep Name
            todo.append(ref.split("/")[3])
    doc = {
        "source": args.source,
        "version": args.version,
        "licence": args.licence,
        "openapi": spec.get("openapi"),
        "components": {"schemas": dict(sorted(keep.items()))},
        "examples": {} if args.no_examples else examples(spec),
    }
    with open(args.out, "w", encoding="utf-8") as handle:
        json.dump(doc, handle, indent=1, ensure_ascii=False, default=str)
        handle.write("\n")


if __name__ == "__main__":
    main()
