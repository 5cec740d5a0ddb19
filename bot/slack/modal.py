"""The questionnaire modal, built from kb.questions (the list that drives the grammar), and the
reading of its submission with the same `parse_value` as the grammar.

Layout and wording are in templates/slack/modal.json.j2; here: which element each question
type gets, the pre-filled values, and private_metadata (JSON: where the card goes).

Slack shows `response_action: errors` messages as plain text under their input, so the errors
here are worded for that (templates/messages.yaml, `modal-…`): no markup, and each names the
question by its label, as the person filling in the modal sees it.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from bot.core import cidr
from bot.core.knowledge import Knowledge, Question
from bot.core.plan import InvalidValue, PlanBase, parse_value, plan_model
from bot.render.environment import render_json
from bot.render.messages import say
from bot.slack import ids
from bot.slack.render import cut, fit_view

MAX_METADATA = 3000  # Slack's limit for private_metadata
MAX_ERROR = 500
MAX_GIVEN = 60  # of what was typed, quoted in an error: the label and what to type come first


def element_kind(q: Question) -> str:
    if q.type == "int":
        return "number_input"
    if q.type in ("cidr", "version"):
        return "plain_text_input"
    if q.type == "multi":
        return "checkboxes"
    if q.widget in ("static_select", "radio_buttons"):
        return q.widget
    return "radio_buttons" if q.type == "bool" else "static_select"


def _options(q: Question) -> list[dict[str, str]]:
    if q.type == "bool":
        return [
            {"value": "yes", "label": say("answer-yes")},
            {"value": "no", "label": say("answer-no")},
        ]
    return [{"value": c.value, "label": c.label} for c in q.choices]


def _initial(q: Question, value: Any) -> Any:
    if value is None:
        return None
    if q.type == "bool":
        return "yes" if value else "no"
    if q.type == "multi":
        chosen = [str(v) for v in value]
        return chosen or ([q.none_value] if q.none_value else None)
    return str(value)


def question_inputs(kb: Knowledge, values: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """One entry per question for the template: basic questions first, advanced ones last."""
    values = values or {}
    ordered = sorted(kb.questions, key=lambda q: q.advanced)  # stable: file order otherwise
    inputs = []
    seen_advanced = False
    for q in ordered:
        inputs.append(
            {
                "key": q.key,
                "block_id": ids.question_block_id(q.key),
                "action_id": ids.QUESTION_ACTION,
                "kind": element_kind(q),
                "type": q.type,
                "label": q.label,
                "help": q.help,
                "options": _options(q) if q.type in ("bool", "choice", "multi") else [],
                "min": q.min,
                "max": q.max,
                "initial": _initial(q, values.get(q.key)),
                "advanced": q.advanced,
                "first_advanced": q.advanced and not seen_advanced,
            }
        )
        seen_advanced = seen_advanced or q.advanced
    return inputs


def build_modal(
    kb: Knowledge,
    *,
    metadata: dict[str, Any],
    plan: PlanBase | None = None,
) -> dict[str, Any]:
    """The modal view, pre-filled with `plan`; `metadata` goes to private_metadata as JSON
    (channel, response_url, parent decision id, dm)."""
    destination = say("modal-destination-dm" if metadata.get("dm") else "modal-destination-channel")
    view = render_json(
        "slack/modal.json.j2",
        callback_id=ids.PLAN_MODAL,
        questions=question_inputs(kb, plan.values() if plan is not None else None),
        destination=destination,
    )
    text = json.dumps(metadata, separators=(",", ":"))
    if len(text) > MAX_METADATA:  # a very long response_url: drop it, keep where to post
        text = json.dumps({k: v for k, v in metadata.items() if k != "response_url"})
    view["private_metadata"] = text
    return fit_view(view)


def metadata_of(view: dict[str, Any]) -> dict[str, Any]:
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _raw(state: dict[str, Any] | None) -> str | list[str] | None:
    """The value an element holds in view.state.values, as text (or a list for checkboxes)."""
    if not state:
        return None
    kind = state.get("type")
    if kind == "checkboxes":
        chosen = [o.get("value", "") for o in state.get("selected_options") or []]
        return chosen or None
    if kind in ("static_select", "radio_buttons"):
        option = state.get("selected_option")
        return option.get("value") if option else None
    value = state.get("value")
    if value is None or str(value).strip() == "":
        return None
    return str(value)


def read_submission(
    kb: Knowledge, state_values: dict[str, Any]
) -> tuple[PlanBase | None, dict[str, str]]:
    """The plan from a view_submission's state, or the errors by block_id (Slack shows each
    under its input): invalid values, and overlapping CIDRs on the later of the two inputs."""
    answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for q in kb.questions:
        block_id = ids.question_block_id(q.key)
        raw = _raw((state_values.get(block_id) or {}).get(ids.QUESTION_ACTION))
        if raw is None:
            continue
        try:
            answers[q.key] = parse_value(kb, q, raw)
        except InvalidValue as exc:
            errors[block_id] = cut(_invalid(exc), MAX_ERROR)
    finding = cidr.overlaps({k: answers.get(k) for k in cidr.CIDR_KEYS})
    if finding.status == "unmet":
        for clash in finding.params["clashes"]:
            later = ids.question_block_id(clash["b"])
            text = say(
                "modal-cidr-overlaps",
                label=kb.question(clash["b"]).label,
                other=kb.question(clash["a"]).label,
                **clash,
            )
            errors.setdefault(later, cut(text, MAX_ERROR))
    if errors:
        return None, errors
    try:
        return plan_model(kb).model_validate(answers), {}
    except ValidationError as exc:  # a value the model rejects that parse_value let through
        return None, _rejected(kb, exc)


def _invalid(exc: InvalidValue) -> str:
    """An answer its question does not take, in plain text naming the question."""
    given = cut(" ".join(exc.given.split()), MAX_GIVEN)
    if exc.reason.startswith("host-bits:"):
        network = exc.reason.split(":", 1)[1]
        return say("modal-host-bits", label=exc.question.label, given=given, network=network)
    return say("modal-invalid-value", label=exc.question.label, given=given, accepted=exc.accepted)


def _rejected(kb: Knowledge, exc: ValidationError) -> dict[str, str]:
    """The plan model's errors by the block of the question each names (else the first)."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        key = str(error["loc"][0]) if error["loc"] else ""
        q = kb.questions_by_key.get(key) or kb.questions[0]
        text = say("modal-invalid-answer", label=q.label, error=error["msg"])
        errors.setdefault(ids.question_block_id(q.key), cut(text, MAX_ERROR))
    return errors
