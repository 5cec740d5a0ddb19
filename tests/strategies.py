"""Hypothesis strategies shared by the tests: any answers the questionnaire allows."""

from __future__ import annotations

import ipaddress

from hypothesis import strategies as st


@st.composite
def answers(draw, kb):
    """A dict of answers by question key, each valid for its question (CIDRs normalised)."""
    data = {}
    for q in kb.questions:
        if not draw(st.booleans()):
            continue
        if q.type == "int":
            data[q.key] = draw(st.integers(q.min, q.max))
        elif q.type == "bool":
            data[q.key] = draw(st.booleans())
        elif q.type == "choice":
            data[q.key] = draw(st.sampled_from(q.choice_values()))
        elif q.type == "version":
            data[q.key] = f"1.{draw(st.integers(0, 99))}"
        elif q.type == "multi":
            values = [v for v in q.choice_values() if v != q.none_value]
            least = 0 if q.none_value else 1
            data[q.key] = draw(
                st.lists(st.sampled_from(values), unique=True, min_size=least, max_size=3)
            )
        else:
            prefix = draw(st.integers(8, 28))
            network = f"10.{draw(st.integers(0, 255))}.0.0/{prefix}"
            data[q.key] = str(ipaddress.ip_network(network, strict=False))
    return data
