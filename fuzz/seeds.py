#!/usr/bin/env python3
"""Writes the seed corpora of fuzz/corpus/<target>/ from the repository's
fixtures: example configs, plugin configs and README examples, test event
files, IRC lines from the IRC tests, the demo's feed files, and packed
batches encoded here by the layout of plugins/sdk/src/packed.rs.

Run from anywhere: `python3 fuzz/seeds.py [DIR]` writes DIR/<target>/
(default: fuzz/corpus). Files are named by the SHA-1 of their content, as
libFuzzer names what it adds, so running it again adds nothing twice.

The committed fuzz/corpus/ is this script's output minimised with
`cargo +nightly fuzz cmin -s none <target>` (README.md, "Corpora"): write
the seeds to a scratch directory, minimise each target's there, and copy
the result over fuzz/corpus/<target>/.
"""

import hashlib
import json
import re
import struct
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else ROOT / "fuzz" / "corpus"
# Keep each corpus small: committed, and read at every start.
MAX_SEEDS = 120
MAX_SEED_BYTES = 64 * 1024


def write(target, seeds):
    out = CORPUS / target
    out.mkdir(parents=True, exist_ok=True)
    n = 0
    seen = set()
    for seed in seeds:
        if isinstance(seed, str):
            seed = seed.encode()
        if not seed or len(seed) > MAX_SEED_BYTES or seed in seen:
            continue
        seen.add(seed)
        (out / hashlib.sha1(seed).hexdigest()).write_bytes(seed)
        n += 1
        if n >= MAX_SEEDS:
            break
    print(f"{target}: {n} seeds", file=sys.stderr)


def read(path):
    return (ROOT / path).read_text(encoding="utf-8")


def toml_blocks(markdown):
    return re.findall(r"```toml\n(.*?)```", markdown, re.S)


def raw_strings(rust):
    """The contents of r"…", r#"…"# and r##"…"## literals."""
    out = []
    for hashes in ("##", "#", ""):
        out += re.findall(r'(?<![\w"])r' + hashes + r'"(.*?)"' + hashes, rust, re.S)
    return out


def rust_files(*dirs):
    for d in dirs:
        yield from sorted((ROOT / d).rglob("*.rs"))


def try_toml(text):
    try:
        return tomllib.loads(text)
    except Exception:
        return None


def try_json(text):
    try:
        return json.loads(text)
    except Exception:
        return None


# ---------------------------------------------------------------- configs

PLUGINS = ["automod", "faq", "giveaway", "sentiment", "poll", "schedule", "watch"]


def plugin_configs_in(table, found):
    """`config` tables of `[plugins.X]` entries, by builtin plugin name."""
    for entry in (table.get("plugins") or {}).values():
        if not isinstance(entry, dict):
            continue
        component = str(entry.get("component", ""))
        name = component.removeprefix("builtin:")
        if name in found and isinstance(entry.get("config"), dict):
            found[name].append(entry["config"])


def configs():
    found = {p: [{}] for p in PLUGINS}
    tomls = [Path("examples/demo/vigie.toml")]
    docs = [Path("README.md"), *sorted(Path(ROOT / "docs").glob("*.md"))]
    for p in PLUGINS:
        docs.append(Path(f"plugins/{p}/README.md"))
    for path in tomls:
        plugin_configs_in(try_toml(read(path)) or {}, found)
    for path in docs:
        path = ROOT / path
        if not path.exists():
            continue
        plugin = path.parent.name if path.parent.parent.name == "plugins" else None
        for block in toml_blocks(path.read_text(encoding="utf-8")):
            table = try_toml(block)
            if table is None:
                continue
            plugin_configs_in(table, found)
            # A plugin's README shows its config keys alone.
            if plugin in found and "plugins" not in table:
                found[plugin].append(table)
    # Whole config files (`config_file = …`).
    for path, plugin in [
        ("plugins/faq/acme.toml", "faq"),
        ("plugins/sentiment/acme.toml", "sentiment"),
        ("examples/demo/faq.toml", "faq"),
        ("examples/demo/sentiment.toml", "sentiment"),
    ]:
        table = try_toml(read(path))
        if table is not None:
            found[plugin].append(table)
    for path in sorted(ROOT.glob("plugins/faq/tests/day_one*/*/faq.toml")):
        table = try_toml(path.read_text(encoding="utf-8"))
        if table is not None:
            found["faq"].append(table)
    # JSON configs the plugins' own tests give `configure`.
    for p in PLUGINS:
        for f in rust_files(f"plugins/{p}/src", f"plugins/{p}/tests"):
            for s in raw_strings(f.read_text(encoding="utf-8")):
                value = try_json(s)
                if isinstance(value, dict):
                    found[p].append(value)
    for p, tables in found.items():
        write(f"config_{p}", [json.dumps(t, ensure_ascii=False) for t in tables])


# ----------------------------------------------------------- vigie.toml

def vigie_tomls():
    seeds = [read("examples/demo/vigie.toml")]
    docs = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    docs += sorted(ROOT.glob("plugins/*/README.md"))
    for path in docs:
        for block in toml_blocks(path.read_text(encoding="utf-8")):
            if try_toml(block) is not None:
                seeds.append(block)
    for f in rust_files("host/src/config", "tests/all"):
        for s in raw_strings(f.read_text(encoding="utf-8")):
            if re.search(r"^\s*(\[plugins|\[\[communities|\[\[connectors|\[runtime|data_dir)", s, re.M):
                seeds.append(s)
    write("vigie_toml", seeds)


# ----------------------------------------------------------- event lines

def event_lines():
    lines = []
    for path in [
        "examples/demo/events.jsonl",
        "examples/keyword-filter/tests/basic.events.jsonl",
        "examples/python-keyword-filter/events.jsonl",
    ]:
        lines += [l for l in read(path).splitlines() if l.strip()]
    for f in rust_files("tests/all"):
        for s in raw_strings(f.read_text(encoding="utf-8")):
            for l in s.splitlines():
                if '"timestamp"' in l and '"kind"' in l:
                    lines.append(l.strip())
    write("event_line", lines)
    return lines


# ---------------------------------------------------------------- webhook

def webhook(lines):
    events = [l for l in lines if '"community":"acme"' in l.replace(" ", "")][:6]
    seeds = []
    for e in events:
        acme = e
        seeds.append(b"\x00" + acme.encode())
    if events:
        seeds.append(b"\x00" + ("\n".join(events) + "\n").encode())
        seeds.append(b"\x00" + ("[" + ",".join(events) + "]").encode())
        seeds.append(b"\x01sha256=00ff\n" + events[0].encode())
        seeds.append(b"\x01 sha256=" + b"ab" * 32 + b"\n" + events[0].encode())
    write("webhook", seeds)


# ---------------------------------------------------------------- IRC

def irc():
    rust = read("host/src/connector/irc.rs") + read("tests/all/irc.rs")
    lines = []
    for s in re.findall(r'"((?:[^"\\]|\\.)*)"', rust):
        try:
            s = s.encode().decode("unicode_escape").encode("latin-1").decode("utf-8")
        except Exception:
            continue
        s = s.rstrip("\r\n")
        # Format strings and messages of the code are not lines.
        if "{" in s or "`" in s:
            continue
        if re.match(r"^(@\S+ )?(:\S+ )?([A-Z]+|\d{3})( |$)", s) and len(s) > 6:
            lines.append(s)
    session = "\r\n".join([
        ":srv 001 vigie :Welcome",
        ":srv 005 vigie PREFIX=(qaohv)~&@%+ CHANTYPES=#& CHANMODES=b,k,l,imnt :are supported",
        ":vigie!u@h JOIN #c",
        ":srv 353 vigie = #c :~owner &admin @op %half +voice plain",
        "@time=2026-11-22T10:00:00.123Z;msgid=m1;display-name=Alice\\sB :alice!a@h PRIVMSG #c :hello there",
        "@+draft/reply=m1;mod=1 :op!o@h PRIVMSG #c :\x01ACTION waves\x01",
        ":op!o@h MODE #c +o-v alice voice",
        ":plain!p@h PRIVMSG vigie :a direct message",
        ":alice!a@h NICK alicia",
        ":alicia!a@h PART #c :bye",
        ":half!h@h QUIT :gone",
        ":op!o@h KICK #c plain :rude",
    ]) + "\r\n"
    write("irc_line", [session] + lines)


# ---------------------------------------------------------------- Matrix

def matrix():
    def room(events, state=()):
        return {"state": {"events": list(state)}, "timeline": {"events": events, "limited": False}}
    power = {"type": "m.room.power_levels", "state_key": "", "sender": "@admin:example.org",
             "content": {"users": {"@admin:example.org": 100, "@mod:example.org": 50},
                         "users_default": 0, "events": {"m.room.message": 0}}}
    msg = {"type": "m.room.message", "event_id": "$e1", "sender": "@alice:example.org",
           "origin_server_ts": 1795255200000, "content": {"msgtype": "m.text", "body": "Bonjour !"}}
    reply = {"type": "m.room.message", "event_id": "$e2", "sender": "@mod:example.org",
             "origin_server_ts": 1795255201000,
             "content": {"msgtype": "m.text", "body": "> quote\n\nanswer",
                         "m.relates_to": {"m.in_reply_to": {"event_id": "$e1"}}}}
    edit = {"type": "m.room.message", "event_id": "$e3", "sender": "@alice:example.org",
            "origin_server_ts": 1795255202000,
            "content": {"body": "* fixed", "m.new_content": {"body": "fixed"},
                        "m.relates_to": {"rel_type": "m.replace", "event_id": "$e1"}}}
    reaction = {"type": "m.reaction", "event_id": "$e4", "sender": "@bob:example.org",
                "origin_server_ts": 1795255203000,
                "content": {"m.relates_to": {"rel_type": "m.annotation", "event_id": "$e1", "key": "🎉"}}}
    redaction = {"type": "m.room.redaction", "event_id": "$e5", "sender": "@mod:example.org",
                 "origin_server_ts": 1795255204000, "redacts": "$e1", "content": {}}
    join = {"type": "m.room.member", "event_id": "$e6", "sender": "@new:example.org",
            "state_key": "@new:example.org", "origin_server_ts": 1795255205000,
            "content": {"membership": "join"}}
    leave = dict(join, event_id="$e7", content={"membership": "leave"})
    own = dict(msg, event_id="$e8", sender="@vigie:example.org")
    seeds = [
        {"next_batch": "s1", "rooms": {"join": {"!r:example.org": room(
            [msg, reply, edit, reaction, redaction, join, leave, own], [power])}}},
        {"next_batch": "s2", "rooms": {"join": {"!a:example.org": room([msg]),
                                                 "!b:example.org": room([power, reply])}}},
        {"next_batch": "s3", "rooms": {"join": {"!r:example.org": {
            "timeline": {"events": [msg], "limited": True, "prev_batch": "p1"}}}}},
        {"next_batch": "s4"},
        {"rooms": {}},
    ]
    write("matrix_sync", [json.dumps(s, ensure_ascii=False) for s in seeds])


# ---------------------------------------------------------------- feeds

def feeds():
    seeds = []
    for name in ["feed-blog.atom", "feed-forum.xml", "feed-news.json"]:
        seeds.append(b"\x00" + (ROOT / "examples/demo" / name).read_bytes())
    files = list(rust_files("host/src/connector/feed")) + [ROOT / "tests/all/feed.rs"]
    for f in files:
        for s in raw_strings(f.read_text(encoding="utf-8")):
            if "<rss" in s or "<feed" in s or "jsonfeed" in s:
                seeds.append(b"\x00" + s.encode())
            elif "<html" in s or "<body" in s or "<article" in s:
                seeds.append(b"\x01" + s.encode())
    seeds.append(b"\x01<html><head><title>Avis</title></head><body><article><p>Super</p></article>"
                 b"<div class=review><p>Bof &amp; bof</p><br><p>ok</p></div></body></html>")
    write("feed", seeds)


# ---------------------------------------------------------------- draws

def draws():
    lists = [
        "u-alice\nu-bruno\t3\nu-chloe\n",
        "u-bruno   3\r\nu-alice\r\n\r\n",
        "```\nu-alice\nu-bruno 2\n```\n",
        "a\nb\tx\n",
        "a\t0",
        "a\t2\textra",
        "zoé\t007\n  b \n\n",
        "",
    ]
    for s in raw_strings(read("plugins/giveaway-draw/src/tests.rs")):
        if "\t" in s or "\n" in s:
            lists.append(s)
    write("verify_draw", [bytes([n]) + l.encode() for n, l in zip([1, 2, 3, 0, 1, 5, 2, 1] * 20, lists)])


def tallies():
    lists = [
        "#vigie-poll v1 poll=3 options=4 multi=2\n1f0c5e\t2\n7a9b31\t1,3\n",
        "#vigie-poll v1 poll=1 options=2 multi=1\n",
        "```\r\n#vigie-poll  v1 poll=e options=2 multi=1\r\nb 2\r\na\t 1\r\n```",
        "ok\t1\n#vigie-poll v1 poll=3 options=4 multi=2\n",
        "#vigie-poll v1 poll=x options=100 multi=100\nid\t1,2,3,99,100\n",
    ]
    for s in raw_strings(read("plugins/poll-tally/src/tests.rs")):
        if "#vigie-poll" in s:
            lists.append(s)
    write("poll_tally", lists)


# ---------------------------------------------------------------- packed

def packed():
    def s(text):
        b = text.encode()
        return struct.pack("<I", len(b)) + b

    def opt(text):
        return b"\x00" if text is None else b"\x01" + s(text)

    def event(i, kind=0, text="hello", roles=("member",), age=365, staff=False, labels=(),
              earlier=(), reply_to=None, reaction=None, target=None):
        out = s(f"e-{i}") + bytes([kind]) + s("test") + s("acme") + s("general")
        out += s(f"u-{i}") + s(f"User {i}") + struct.pack("<I", len(roles))
        out += b"".join(s(r) for r in roles)
        out += b"\x00" if age is None else b"\x01" + struct.pack("<I", age)
        out += bytes([int(staff)]) + s(text) + opt(reply_to) + opt(reaction) + opt(target)
        out += struct.pack("<q", 1763805600000 + i) + struct.pack("<I", len(labels))
        for key, value, note, plugin in labels:
            out += s(key) + struct.pack("<d", value) + opt(note) + s(plugin)
        out += struct.pack("<I", len(earlier)) + bytes(earlier)
        return out

    def batch(events):
        return b"VP\x01" + struct.pack("<I", len(events)) + b"".join(events)

    seeds = [
        batch([]),
        batch([event(1)]),
        batch([event(1), event(2, text="Qu'est-ce que c'est ? 😊"), event(3, kind=9)]),
        batch([event(4, kind=3, reaction="🎉", target="e-1", age=None, staff=True, roles=())]),
        batch([event(5, labels=[("sentiment", -0.25, "négatif", "sentiment"),
                                ("spam", 1.0, None, "automod")], earlier=list(range(12)),
                     reply_to="e-0")]),
        batch([event(i, kind=i % 10) for i in range(8)]),
    ]
    write("packed", seeds)


if __name__ == "__main__":
    configs()
    vigie_tomls()
    webhook(event_lines())
    irc()
    matrix()
    feeds()
    draws()
    tallies()
    packed()
