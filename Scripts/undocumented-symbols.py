#!/usr/bin/env python3
"""Lists ProcCore's public symbols that have no doc comment of their own, and its public
types that no page of the DocC catalog links to (so the reference's topics list them all).

Reads the symbol graphs that `swift package dump-symbol-graph` writes; exits 1 when any
public symbol is undocumented or a public type is left out of the topics. Run by
Scripts/docs.sh.
"""
import glob, json, re, sys

TYPE_KINDS = ("swift.struct", "swift.class", "swift.enum", "swift.protocol", "swift.actor")
catalog = "".join(open(page).read() for page in glob.glob("Sources/ProcCore/ProcCore.docc/*.md"))
linked = set(re.findall(r"``([A-Za-z0-9_]+)", catalog))
unlisted = []

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
        if symbol["kind"]["identifier"] in TYPE_KINDS and len(symbol["pathComponents"]) == 1 \
                and symbol["pathComponents"][0] not in linked:
            unlisted.append(symbol["pathComponents"][0])
        if symbol.get("docComment"):
            continue
        line = symbol["location"]["position"]["line"] + 1
        name = ".".join(symbol["pathComponents"])
        missing.append(f"{location.split('/Sources/')[-1]}:{line}: {name}")

for name in sorted(set(unlisted)):
    print(f"{name}: a public type that no page of ProcCore.docc links to (add it to the topics)")
for entry in sorted(set(missing)):
    print(entry)
if missing:
    print(f"{len(set(missing))} public symbol(s) of ProcCore without a doc comment", file=sys.stderr)
if unlisted:
    print(f"{len(set(unlisted))} public type(s) of ProcCore missing from the DocC topics", file=sys.stderr)
if missing or unlisted:
    sys.exit(1)
print("every public symbol of ProcCore has a doc comment, and every public type a place in the topics")
