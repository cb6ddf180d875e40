#!/usr/bin/env python3
"""Lists ProcCore's public symbols that have no doc comment of their own.

Reads the symbol graphs that `swift package dump-symbol-graph` writes; exits 1 when any
public symbol is undocumented. Run by Scripts/docs.sh.
"""
import glob, json, sys

# What the compiler makes without source (a memberwise init of an enum case, an
# inherited protocol requirement) has no declaration to document.
SYNTHESIZED = ("(extension in Swift)", "(extension in ")

missing = []
for path in glob.glob(".build/*/symbolgraph/ProcCore*.symbols.json"):
    graph = json.load(open(path))
    for symbol in graph["symbols"]:
        if symbol.get("accessLevel") not in ("public", "open"):
            continue
        location = symbol.get("location", {}).get("uri", "")
        if "/Sources/ProcCore/" not in location:
            continue  # inherited from a protocol or the standard library
        if symbol.get("docComment"):
            continue
        line = symbol["location"]["position"]["line"] + 1
        name = ".".join(symbol["pathComponents"])
        missing.append(f"{location.split('/Sources/')[-1]}:{line}: {name}")

for entry in sorted(set(missing)):
    print(entry)
if missing:
    print(f"{len(set(missing))} public symbol(s) of ProcCore without a doc comment", file=sys.stderr)
    sys.exit(1)
print("every public symbol of ProcCore has a doc comment")
