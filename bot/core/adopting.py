"""What adopting a decision takes: a cluster's name and, if given, a review-by date.

    read_adopt("12 edge-prod review-by=2027-01-31", today) → Adopt(decision_id=12, …)

Pure: the Slack command, the Adopt modal and the CLI check what people typed here, and every
refusal is a code with its numbers (templates/messages.yaml words it).
"""

from __future__ import annotations

import datetime as dt
import re

from pydantic import BaseModel

# ACK names a cluster with 1 to 63 letters, digits, hyphens or underscores (letters in any
# script), starting with a letter or digit; dots are allowed here too ("edge.prod").
CLUSTER_NAME = re.compile(r"[^\W_][\w.-]{0,62}")
REVIEW_BY = re.compile(r"review[-_ ]?by\s*[=:]\s*(\S+)", re.IGNORECASE)


class Adopt(BaseModel):
    decision_id: int
    cluster: str | None = None  # None: not given yet (the modal asks for it)
    review_by: dt.date | None = None  # None: before the cluster is created


class AdoptProblem(BaseModel):
    code: str
    params: dict[str, str] = {}


def cluster_name(text: str) -> str | AdoptProblem:
    name = text.strip()
    if not CLUSTER_NAME.fullmatch(name):
        return AdoptProblem(code="adopt-bad-cluster", params={"given": name[:80]})
    return name


def review_date(text: str, today: dt.date) -> dt.date | AdoptProblem | None:
    """An ISO date, today or later; empty is None (before the cluster is created)."""
    given = text.strip()
    if not given:
        return None
    try:
        day = dt.date.fromisoformat(given)
    except ValueError:
        return AdoptProblem(code="adopt-bad-review-by", params={"given": given[:40]})
    if day < today:
        return AdoptProblem(code="adopt-review-by-past", params={"given": given})
    return day


def read_adopt(text: str, today: dt.date) -> Adopt | AdoptProblem:
    """`<id> [cluster] [review-by=YYYY-MM-DD]`, as `/netplugin adopt` takes it."""
    review: dt.date | None = None
    found = REVIEW_BY.search(text)
    if found:
        got = review_date(found.group(1), today)
        if isinstance(got, AdoptProblem):
            return got
        review = got
        text = text[: found.start()] + text[found.end() :]
    words = text.split()
    if not words or not words[0].lstrip("#").isdigit() or len(words[0]) > 12:
        return AdoptProblem(code="adopt-usage", params={"given": text.strip()[:80]})
    if len(words) > 2:
        return AdoptProblem(code="adopt-usage", params={"given": text.strip()[:80]})
    cluster: str | None = None
    if len(words) == 2:
        got_name = cluster_name(words[1])
        if isinstance(got_name, AdoptProblem):
            return got_name
        cluster = got_name
    return Adopt(decision_id=int(words[0].lstrip("#")), cluster=cluster, review_by=review)
