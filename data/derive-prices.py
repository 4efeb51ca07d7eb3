#!/usr/bin/env python3
"""Derive data/prices.json from LiteLLM's model price list.

LiteLLM publishes model_prices_and_context_window.json (MIT licence): an
object keyed by model name.  prices.json keeps the same shape, with only the
fields LLMFlow's cost computation reads, one model per line, sorted by name,
so that a refresh shows up as a readable diff.

Re-run after fetching a newer copy of LiteLLM's file:

    python3 data/derive-prices.py path/to/model_prices_and_context_window.json \
        > data/prices.json

Entries that are not models are left out: the "sample_spec" documentation
entry, and any top-level value that is not an object with a
"litellm_provider" (for example "last_updated", "fallback_generalizations").
A price field that is present but not a number is dropped with a warning.
Uses the Python 3 standard library only.
"""

import json
import math
import sys

# Fields kept, in the order they are written.
TEXT_FIELDS = ("litellm_provider", "mode")
PRICE_FIELDS = (
    "input_cost_per_token",
    "output_cost_per_token",
    "cache_read_input_token_cost",
    "cache_creation_input_token_cost",
    "output_cost_per_reasoning_token",
)


def is_price(v):
    return (isinstance(v, (int, float)) and not isinstance(v, bool)
            and math.isfinite(v) and v >= 0)


def derive(src):
    out = {}
    for name, entry in src.items():
        if name == "sample_spec" or not isinstance(entry, dict):
            continue
        if not isinstance(entry.get("litellm_provider"), str):
            continue
        kept = {}
        for f in TEXT_FIELDS:
            if isinstance(entry.get(f), str):
                kept[f] = entry[f]
        for f in PRICE_FIELDS:
            if f not in entry:
                continue
            if is_price(entry[f]):
                kept[f] = entry[f]
            else:
                print("warning: %s: %s is not a price, dropped" % (name, f),
                      file=sys.stderr)
        out[name] = kept
    return out


def write(prices, f):
    names = sorted(prices)
    f.write("{\n")
    for i, name in enumerate(names):
        f.write("%s: %s%s\n" % (
            json.dumps(name), json.dumps(prices[name]),
            "," if i + 1 < len(names) else ""))
    f.write("}\n")


def main(argv):
    if len(argv) != 2:
        print("usage: derive-prices.py model_prices_and_context_window.json"
              " > prices.json", file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        src = json.load(f)
    if not isinstance(src, dict):
        print("%s: not a JSON object" % argv[1], file=sys.stderr)
        return 1
    prices = derive(src)
    write(prices, sys.stdout)
    print("%d models" % len(prices), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
