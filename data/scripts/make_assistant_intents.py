#!/usr/bin/env python3
"""Builds the bundled assistant intents of attune-data (see data/DATA.md, "Assistant intents").

Usage: make_assistant_intents.py PACKAGE_DIR OUT_DIR
  PACKAGE_DIR  the unpacked npm tarball generator-botbuilder-assistant-1.0.7.tgz (its "package" folder)
  OUT_DIR      .../dev/attune/data/text/assistant-intents; writes <locale>/train.csv and <locale>/test.csv

Standard library only. Deterministic: no randomness, fixed order, so reruns are byte-identical.
Rules (each one printed as it is applied):
  1. read LU/<locale>/general.lu of the sample assistant for en-us, de-de, es-es, fr-fr, it-it;
     an intent is a "## Name" line, an utterance a "- text" line under it (other lines are ignored);
  2. strip the entity markup {Entity=value} -> value, collapse runs of white space, trim;
  3. drop the intents with fewer than MIN_UTTERANCES utterances (too small for a 3:1 split);
  4. split by position, the same in every locale (the files are line-aligned translations):
     within an intent, utterance positions 3, 7, 11, ... (every fourth, 0-based) are test, the rest train;
  5. within a locale, with the key = lower-cased text keeping only letters and digits:
     a key found under two intents is dropped everywhere in that locale (its label is ambiguous);
     a training utterance whose key an earlier training utterance of its intent has is dropped;
     a test utterance whose key is in that locale's training set or earlier in its test set is dropped.
"""
import csv
import io
import os
import re
import sys
import unicodedata

LOCALES = ["en-us", "de-de", "es-es", "fr-fr", "it-it"]
LU = "generators/app/templates/sample-assistant/deployment/resources/LU/{}/general.lu"
MIN_UTTERANCES = 10
MARKUP = re.compile(r"\{([A-Za-z][A-Za-z0-9_]*)=([^{}]*)\}")


def fail(msg):
    sys.exit("make_assistant_intents.py: " + msg)


def read_lu(path):
    """(intent names in file order, {intent: [utterance, ...]}) from one .lu file."""
    with open(path, "rb") as f:
        text = f.read().decode("utf-8")
    intents, utterances, current = [], {}, None
    for line in text.replace("\r\n", "\n").split("\n"):
        if line.startswith(">"):
            current = None if "Intent definitions" not in line else current
            continue
        if line.startswith("## "):
            current = line[3:].strip()
            intents.append(current)
            utterances[current] = []
        elif line.startswith("- ") and current is not None:
            utterances[current].append(line[2:])
    return intents, utterances


def clean(u):
    out = MARKUP.sub(lambda m: m.group(2), u)
    if "{" in out or "}" in out:
        fail("markup left in %r" % u)
    out = " ".join(out.split())
    if not out:
        fail("empty utterance after cleaning: %r" % u)
    if unicodedata.normalize("NFC", out) != out:
        fail("not NFC: %r" % out)
    return out


def key(text):
    return "".join(c for c in text.lower() if unicodedata.category(c)[0] in "LN")


def write_csv(path, rows):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(["text", "label"])
    for r in rows:
        w.writerow(r)
    with open(path, "wb") as f:
        f.write(buf.getvalue().encode("utf-8"))


def main():
    if len(sys.argv) != 3:
        fail("usage: make_assistant_intents.py PACKAGE_DIR OUT_DIR")
    pkg, out = sys.argv[1], sys.argv[2]
    parsed = {}
    for loc in LOCALES:
        intents, utts = read_lu(os.path.join(pkg, LU.format(loc)))
        parsed[loc] = (intents, {k: [clean(u) for u in v] for k, v in utts.items()})
    ref_intents, ref = parsed["en-us"]
    for loc in LOCALES:
        intents, utts = parsed[loc]
        if intents != ref_intents or any(len(utts[i]) != len(ref[i]) for i in intents):
            fail(loc + ": intents or utterance counts differ from en-us")
    print("source: %d intents, %d utterances per locale, same counts per intent in every locale"
          % (len(ref_intents), sum(len(v) for v in ref.values())))
    kept = [i for i in ref_intents if len(ref[i]) >= MIN_UTTERANCES]
    print("dropped (fewer than %d utterances): %s" % (MIN_UTTERANCES,
          ", ".join("%s (%d)" % (i, len(ref[i])) for i in ref_intents if i not in kept)))
    print("kept %d intents: %s" % (len(kept), ", ".join(kept)))
    for loc in LOCALES:
        utts = parsed[loc][1]
        owners = {}
        for i in kept:
            for u in utts[i]:
                owners.setdefault(key(u), set()).add(i)
        ambiguous = {k for k, s in owners.items() if len(s) > 1}
        train, test, seen_train, seen_test = [], [], {}, set()
        dropped = {"ambiguous": 0, "train repeat": 0, "test repeat": 0}
        for i in kept:
            seen_train[i] = set()
            for p, u in enumerate(utts[i]):
                if p % 4 == 3:
                    continue
                k = key(u)
                if k in ambiguous:
                    dropped["ambiguous"] += 1
                elif k in seen_train[i]:
                    dropped["train repeat"] += 1
                else:
                    seen_train[i].add(k)
                    train.append((u, i))
        all_train = set().union(*seen_train.values())
        for i in kept:
            for p, u in enumerate(utts[i]):
                if p % 4 != 3:
                    continue
                k = key(u)
                if k in ambiguous:
                    dropped["ambiguous"] += 1
                elif k in all_train or k in seen_test:
                    dropped["test repeat"] += 1
                else:
                    seen_test.add(k)
                    test.append((u, i))
        d = os.path.join(out, loc)
        os.makedirs(d, exist_ok=True)
        write_csv(os.path.join(d, "train.csv"), train)
        write_csv(os.path.join(d, "test.csv"), test)
        print("%s: train %d, test %d; dropped %s" % (loc, len(train), len(test),
              ", ".join("%s %d" % kv for kv in dropped.items())))
        print("  train per intent: " + " ".join("%s=%d" % (i, sum(1 for r in train if r[1] == i)) for i in kept))
        print("  test per intent:  " + " ".join("%s=%d" % (i, sum(1 for r in test if r[1] == i)) for i in kept))


if __name__ == "__main__":
    main()
