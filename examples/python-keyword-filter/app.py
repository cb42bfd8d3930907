"""A Vigie plugin written in Python: delete messages that contain a listed
keyword (config `keywords`) and warn their author privately (config
`warning`). The same behaviour as the Rust example `examples/keyword-filter`.

The logic is plain Python (`configure`, `decide`), tested natively by
`test_app.py`. The class `WitWorld` at the bottom is the thin binding to the
Vigie contract (`wit/`); it exists only inside the component built by
componentize-py (see `build.sh`), where the `wit_world` bindings are
generated.
"""

import json
import re
from dataclasses import dataclass

NAME = "python-keyword-filter"
VERSION = "0.1.0"
DEFAULT_KEYWORDS = ["spam", "arnaque", "scam"]
DEFAULT_WARNING = "Message removed / message supprimé: « {word} » is not allowed here."


# --- The logic: plain Python, no WebAssembly ---------------------------------


@dataclass
class Config:
    keywords: list
    warning: str


@dataclass
class Delete:
    message_id: str
    reason: str


@dataclass
class DirectMessage:
    user_id: str
    text: str
    reason: str


def configure(config_json: str) -> Config:
    """Parse the plugin's config (JSON). Raise ValueError with a clear message."""
    try:
        raw = json.loads(config_json or "{}")
    except json.JSONDecodeError as e:
        raise ValueError(f"{NAME} config: not JSON: {e}") from None
    if not isinstance(raw, dict):
        raise ValueError(f"{NAME} config: expected a table, got {type(raw).__name__}")
    unknown = sorted(set(raw) - {"keywords", "warning"})
    if unknown:
        raise ValueError(f"{NAME} config: unknown field `{unknown[0]}`, expected `keywords` or `warning`")
    keywords = raw.get("keywords", DEFAULT_KEYWORDS)
    if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
        raise ValueError(f"{NAME} config: `keywords` must be a list of strings")
    warning = raw.get("warning", DEFAULT_WARNING)
    if not isinstance(warning, str):
        raise ValueError(f"{NAME} config: `warning` must be a string")
    return Config([k.lower() for k in keywords], warning)


def find_keyword(keywords: list, text: str):
    """The first keyword that is a whole word of `text` (case-insensitive), or None."""
    words = set(re.split(r"[\W_]+", text.lower()))
    return next((k for k in keywords if k in words), None)


def decide(config: Config, event_id: str, author_id: str, text: str) -> list:
    """What to do about a message: delete it and warn its author, or nothing."""
    word = find_keyword(config.keywords, text)
    if word is None:
        return []
    reason = f"keyword « {word} »"
    return [
        Delete(event_id, reason),
        DirectMessage(author_id, config.warning.replace("{word}", word), reason),
    ]


# --- The binding to the Vigie contract (only inside the component) -----------

try:
    import wit_world
    from componentize_py_types import Err, Ok
    from wit_world.imports import batch, types
except ImportError:  # natively (tests): there are no bindings
    wit_world = None

if wit_world is not None:
    _config = None

    def _to_wit(action):
        if isinstance(action, Delete):
            return types.Action_Delete(types.DeleteAction(action.message_id, action.reason))
        return types.Action_DirectMessage(
            types.DirectMessageAction(action.user_id, action.text, action.reason)
        )

    class WitWorld(wit_world.WitWorld):
        def describe(self) -> types.Description:
            return types.Description(
                name=NAME,
                version=VERSION,
                summary="Deletes listed words (Python example)",
                events=[types.EventKind.MESSAGE, types.EventKind.EDIT],
                actions=[types.ActionKind.DELETE, types.ActionKind.DIRECT_MESSAGE],
            )

        def configure(self, config: str) -> None:
            global _config
            try:
                _config = configure(config)
            except ValueError as e:
                raise Err(str(e))

        def handle(self, event: types.Event) -> list:
            global _config
            try:
                if _config is None:  # an instance the host did not configure
                    _config = configure("{}")
                found = decide(_config, event.id, event.author.id, event.text)
            except Exception as e:  # an error loses only this event's result
                raise Err(f"{type(e).__name__}: {e}")
            return [_to_wit(a) for a in found]

        def handle_batch(self, events: list) -> list:
            results = []
            for index, event in enumerate(events):
                batch.enter_event(index)  # clock and random follow this event
                try:
                    results.append(Ok(self.handle(event)))
                except Err as e:
                    results.append(e)
            return results

        def tick(self, now: int) -> list:
            return []
