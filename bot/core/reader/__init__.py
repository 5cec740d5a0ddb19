"""The plain-words reader: what a platform engineer's sentence says about the planned cluster.

    read_words("we have 2k nodes across 30 retail stores, no BGP but a leased line", kb)

Deterministic and offline. The words it knows are data (knowledge/vocabulary.yaml); this
package is the grammar that decides what they mean where they stand:

1. the message is split into sentences and clauses (at , ; . ? ! brackets, dashes, "but", "if",
   and at "and" where a new statement starts; a bare list continues its clause: "no NLB, ALB
   or CLB");
2. each clause is normalised (case, quotes, domain typos, number words, 2k and 1.5k);
3. phrases of each question are found in it, and their polarity comes from the clause: negation
   before them (no, don't, without, neither …) or after them (isn't required), a hedge (maybe,
   not sure) or a question sets nothing and is reported, a bare "no"/"yes" clause answers the
   clause before it ("BGP? no", "express connect - yes");
4. numbers count nodes only before a count noun, sites before a site noun ("700 shops, one
   each"), pods per node and the per-node mask where a node is named; CIDRs take the role of the
   nearest cue (pod, service, VPC/host …); a Kubernetes version is read where words name it
   ("Kubernetes 1.30", "we'll run 1.32", "a 1.30 cluster"), never next to another thing's
   version or a unit ("containerd 1.7", "1.25 Gbps"), and a bound ("1.28 or later") is asked back;
5. across clauses, a key said two ways sets nothing (unless a correction says "actually"), lists
   add what is affirmed and drop what is negated, and counts take the largest (or the sum of
   "48 … + 16 …").

What it could not settle is returned as `unsure` with the user's words, so the answer can ask.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.reader.said import Found, Reading, Unsure, UnsureWhy

if TYPE_CHECKING:
    from bot.core.knowledge import Knowledge

__all__ = ["Found", "Reading", "Unsure", "UnsureWhy", "read_words"]


def read_words(text: str, kb: Knowledge) -> Reading:
    """What `text` says about the planned cluster. The reader is loaded with the first words it
    reads: key=value pairs alone need none of it (a CLI start, bench/cli_start.py)."""
    if not any(ch.isalnum() for ch in text):
        return Reading(found=[], unsure=[])
    from bot.core.reader.message import read_words as read

    return read(text, kb)
