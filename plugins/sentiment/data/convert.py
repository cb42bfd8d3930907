#!/usr/bin/env python3
"""Regenerates the compact lexicons of this folder from the upstream files.

Not run by the build: the outputs are committed and embedded with
`include_str!`. Run it by hand after an upstream update:

    cd /tmp && pip download --no-deps vaderSentiment==3.3.2 textblob-fr==0.2.0
    unzip -o vaderSentiment-3.3.2-*.whl -d vader
    unzip -o textblob_fr-0.2.0-*.whl -d tbfr
    python3 convert.py /tmp/vader/vaderSentiment /tmp/tbfr/textblob_fr

Outputs (UTF-8, one entry a line, `#` starts a comment):
- vader_lexicon.tsv      word<TAB>mean valence, from vader_lexicon.txt
                         (later duplicates win, as in vaderSentiment's dict)
- emoji_vader.tsv        emoji<TAB>valence<TAB>description, for the
                         single-code-point emoji of emoji_utf8_lexicon.txt
                         whose description words carry VADER valence (their sum)
- fr_sentiment.tsv       folded form<TAB>valence, from fr-sentiment.xml:
                         polarity x 3.5 (VADER's scale), forms folded like
                         vigie-text (lower case, accents removed), duplicates
                         averaged; degree adverbs (intensity != 1) and
                         |polarity| < 0.1 left out (the rules handle adverbs)
"""
import sys
import unicodedata
import xml.etree.ElementTree as ET
from collections import defaultdict

FR_SCALE = 3.5


def fold(s):
    s = s.lower().replace("\u2019", "'")
    return "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))


def main(vader_dir, tbfr_dir):
    lex = {}
    with open(f"{vader_dir}/vader_lexicon.txt", encoding="utf-8") as f:
        for line in f.read().rstrip("\n").split("\n"):
            line = line.strip()
            if not line:
                continue
            word, measure = line.split("\t")[0:2]
            lex[word] = float(measure)
    with open("vader_lexicon.tsv", "w", encoding="utf-8") as out:
        out.write("# VADER lexicon 3.3.2 (MIT, C.J. Hutto): word<TAB>mean valence. See LICENSE-vader.txt\n")
        for word, v in lex.items():
            out.write(f"{word}\t{v:g}\n")

    with open(f"{vader_dir}/emoji_utf8_lexicon.txt", encoding="utf-8") as f, open(
        "emoji_vader.tsv", "w", encoding="utf-8"
    ) as out:
        out.write("# VADER emoji_utf8_lexicon.txt (MIT, C.J. Hutto; CLDR names): emoji<TAB>valence<TAB>description\n")
        out.write("# valence = sum of the VADER valences of the description's words\n")
        for line in f.read().rstrip("\n").split("\n"):
            emoji, desc = line.strip("\r\n").split("\t")[0:2]
            if len(emoji) != 1:
                continue
            v = sum(lex.get(w, 0.0) for w in desc.lower().split())
            if v != 0:
                out.write(f"{emoji}\t{v:g}\t{desc}\n")

    acc = defaultdict(list)
    root = ET.parse(f"{tbfr_dir}/fr-sentiment.xml").getroot()
    for w in root.iter("word"):
        form, pos = w.get("form"), w.get("pos")
        pol, intensity = float(w.get("polarity")), float(w.get("intensity"))
        if not form or form.endswith("'") or pos == "RB" and intensity != 1.0:
            continue
        acc[fold(form)].append(pol)
    with open("fr_sentiment.tsv", "w", encoding="utf-8") as out:
        out.write("# textblob-fr fr-sentiment.xml (PDDL; De Smedt, Daelemans): folded form<TAB>valence (polarity x 3.5)\n")
        for form in sorted(acc):
            pol = sum(acc[form]) / len(acc[form])
            if abs(pol) < 0.1:
                continue
            out.write(f"{form}\t{pol * FR_SCALE:.2f}\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
