"""The plan: the answers about a planned cluster, as a pydantic model built from questions.yaml.

The questionnaire is the single list of questions, so the model is generated from it: adding a
question to knowledge/questions.yaml adds a field here, a key to the grammar and an input to the
modal. Values are parsed by `parse_value`, shared by the text grammar, the modal and what-ifs, so
every surface accepts and rejects exactly the same things with the same message.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from bot.core.knowledge import Knowledge, Question


class PlanBase(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    def values(self) -> dict[str, Any]:
        """Answers by question key (`pod-cidr`), unanswered ones as None."""
        return {
            info.alias or name: getattr(self, name)
            for name, info in type(self).model_fields.items()
        }

    def answered(self) -> dict[str, Any]:
        return {k: v for k, v in self.values().items() if v is not None}

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)

    def changed(self, changes: dict[str, Any]) -> PlanBase:
        """A copy with some answers replaced (None clears an answer): for what-ifs."""
        merged = {**self.answered(), **changes}
        return type(self).model_validate({k: v for k, v in merged.items() if v is not None})


def _field_type(q: Question) -> Any:
    if q.type == "int":
        return Annotated[int | None, Field(ge=q.min, le=q.max)]
    if q.type == "bool":
        return bool | None
    if q.type == "cidr":
        return ipaddress.IPv4Network | None
    if q.type == "version":
        return Annotated[str | None, Field(pattern=STORED_VERSION)]
    values = tuple(c.value for c in q.choices if c.value != q.none_value)
    literal = Literal[values]  # type: ignore[valid-type]
    if q.type == "choice":
        return literal | None
    # An empty list is an answer ("none of these") only where the question offers one.
    return Annotated[list[literal], Field(min_length=0 if q.none_value else 1)] | None


_MODELS: dict[str, type[PlanBase]] = {}  # by knowledge version: same questions, same model


def plan_model(kb: Knowledge) -> type[PlanBase]:
    model = _MODELS.get(kb.version)
    if model is None:
        fields: dict[str, Any] = {
            q.field_name: (_field_type(q), Field(default=None, alias=q.key)) for q in kb.questions
        }
        model = _MODELS[kb.version] = create_model("Plan", __base__=PlanBase, **fields)
    return model


def plan_from_json(kb: Knowledge, data: dict[str, Any]) -> PlanBase:
    """A plan as stored in the decision log or sent back by a button."""
    return plan_model(kb).model_validate(data)


class InvalidValue(ValueError):
    """A value a question does not accept; `accepted` is the text for the error message."""

    def __init__(self, question: Question, given: str, accepted: str, reason: str = ""):
        super().__init__(f"{question.key}: {given!r}")
        self.question = question
        self.given = given
        self.accepted = accepted
        self.reason = reason


def _whole_number(text: str) -> int | None:
    """`2000`, `2,000`, `2_000`, `~2000`, `2k`, `1.5k`: the numbers people type for a count."""
    text = text.replace(",", "").replace("_", "").strip().lstrip("~").lower()
    scale = 1
    if text.endswith("k"):
        text, scale = text[:-1], 1000
    if not text.isascii() or not text.replace(".", "", 1).isdigit():
        return None
    value = float(text) * scale if "." in text else int(text) * scale
    return int(value) if value == int(value) else None


# A Kubernetes version as people write it: 1.30, v1.30, 1.30.2, v1.30.1-aliyun.1 (ACK's builds).
# Only the minor version is kept: what a plan is checked against, and what ACK upgrades by.
VERSION = re.compile(r"v?(\d{1,4})\.(\d{1,4})(?:\.\d{1,4})?(?:[-+][0-9a-z][0-9a-z.+-]*)?", re.I)
# Kubernetes has had major version 1 only; minors up to 99 leave decades of room.
KUBERNETES_MAJOR = 1
MAX_MINOR = 99
STORED_VERSION = r"^1\.(0|[1-9][0-9]?)$"  # as a plan stores it: "1.30"


def _minor_version(text: str) -> str | None:
    """ "1.30", "v1.30", "1.30.2", "1.30.1-aliyun.1" → "1.30"; None for anything else."""
    m = VERSION.fullmatch(text.strip())
    if m is None:
        return None
    major, minor = int(m.group(1)), int(m.group(2))
    if major != KUBERNETES_MAJOR or minor > MAX_MINOR:
        return None
    return f"{major}.{minor}"


def _choice(q: Question, word: str) -> str | None:
    """The choice `word` names: its value or an alias, or one typo away from one of five
    letters or more ("simplicty")."""
    word = word.strip().lower()
    names = {name.lower(): c.value for c in q.choices for name in (c.value, *c.aliases)}
    if word in names:
        return names[word]
    if len(word) >= 5:
        from rapidfuzz import process  # only for a value not found as written
        from rapidfuzz.distance import OSA

        near = process.extractOne(
            word, [n for n in names if len(n) >= 5], scorer=OSA.distance, score_cutoff=1
        )
        if near:
            return names[near[0]]
    return None


def parse_value(kb: Knowledge, q: Question, raw: str | list[str] | int | bool | None) -> Any:
    """One answer from text (or a form value) to its typed value; raises InvalidValue."""
    accepted = q.accepted()
    given = (
        raw
        if isinstance(raw, str)
        else ",".join(map(str, raw))
        if isinstance(raw, list)
        else str(raw)
    )
    if q.type == "int":
        number = _whole_number(str(raw))
        if number is None:
            raise InvalidValue(q, given, accepted)
        if (q.min is not None and number < q.min) or (q.max is not None and number > q.max):
            raise InvalidValue(q, given, accepted)
        return number
    if q.type == "bool":
        if isinstance(raw, bool):
            return raw
        word = str(raw).strip().lower()
        if word in kb.yes_words:
            return True
        if word in kb.no_words:
            return False
        raise InvalidValue(q, given, accepted)
    if q.type == "cidr":
        text = str(raw).strip()
        try:
            network = ipaddress.ip_network(text, strict=False)
        except ValueError:
            raise InvalidValue(q, given, accepted) from None
        if network.version != 4:
            raise InvalidValue(q, given, accepted)
        if str(network) != text:
            # 10.0.0.1/16 is a host address, not a network: say which network was meant.
            raise InvalidValue(q, given, accepted, reason=f"host-bits:{network}")
        return network
    if q.type == "version":
        # Only text: a number (YAML's 1.30 is the float 1.3) cannot tell 1.3 from 1.30.
        version = _minor_version(raw) if isinstance(raw, str) else None
        if version is None:
            raise InvalidValue(q, given, accepted)
        return version
    words = raw if isinstance(raw, list) else str(raw).replace(" ", ",").split(",")
    values: list[str] = []
    for word in (w for w in words if str(w).strip()):
        value = _choice(q, str(word))
        if value is None:
            raise InvalidValue(q, str(word), accepted)
        if value not in values:
            values.append(value)
    if not values:
        raise InvalidValue(q, given, accepted)
    if q.type == "choice":
        if len(values) != 1:
            raise InvalidValue(q, given, accepted)
        return values[0]
    return [v for v in values if v != q.none_value]
