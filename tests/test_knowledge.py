"""knowledge/*.yaml: complete against the seed, cross-referenced, and loud when broken."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.core.knowledge import KnowledgeError, load_knowledge

SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "000_15dc630ce7657022.txt"


def _norm(text: str) -> str:
    return " ".join(text.split()).rstrip(".")


def seed_rows() -> list[list[str]]:
    rows = []
    for line in SEED.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        # The header row reads "| Terway Edge | Flannel VXLAN | |": its third cell is empty.
        if len(cells) == 3 and cells[2] and not set(cells[0]) <= set("-"):
            rows.append(cells)
    return rows


@pytest.mark.skipif(not SEED.exists(), reason="shared/seed is not beside this checkout")
def test_every_seed_row_is_encoded_with_both_values(kb):
    rows = seed_rows()
    assert len(rows) == 8
    by_label = {r.label: r for r in kb.rows}
    for label, terway, flannel in rows:
        row = by_label[label]
        assert _norm(row.values["terway-edge"]) == _norm(terway)
        assert _norm(row.values["flannel"]) == _norm(flannel)
        assert row.sources == ["S1"]


def test_every_row_is_used_by_a_rule_warning_or_checklist_item(kb):
    used = set()
    for entry in [*kb.rules, *kb.warnings, *kb.checklist]:
        used.update(entry.rows)
    assert {r.id for r in kb.rows} <= used


def test_every_fact_has_a_source(kb):
    for entry in [*kb.rules, *kb.warnings, *kb.checklist, *kb.rows, *kb.plugins]:
        assert entry.sources, entry
    # Policy numbers are marked as such, never passed off as documented.
    for rule in kb.rules:
        if "policy" in rule.sources:
            assert "policy" in rule.text


def test_required_checklist_ids(kb):
    ids = {i.id for i in kb.checklist}
    assert {
        "l3-connectivity",
        "leased-line",
        "bgp-vswitch",
        "vxlan-port",
        "cidr-overlap",
        "cidr-capacity",
    } <= ids
    vxlan = next(i for i in kb.checklist if i.id == "vxlan-port")
    assert "8472" in vxlan.requires
    assert all(i.verify for i in kb.checklist)


def test_version_is_a_short_content_hash(knowledge_copy, kb):
    same = load_knowledge(knowledge_copy)
    assert same.version == kb.version
    assert re.fullmatch(r"[0-9a-f]{12}", kb.version)
    rules = knowledge_copy / "rules.yaml"
    rules.write_text(rules.read_text().replace("weight: 3", "weight: 4", 1))
    assert load_knowledge(knowledge_copy).version != kb.version


def _break(directory: Path, name: str, edit) -> str:
    path = directory / name
    data = yaml.safe_load(path.read_text())
    edit(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(directory)
    return str(caught.value)


def test_a_broken_field_names_file_entry_and_field(knowledge_copy):
    def drop_weight(data):
        data["rules"][6]["weight"] = "heavy"

    message = _break(knowledge_copy, "rules.yaml", drop_weight)
    assert "rules.yaml" in message
    assert "rules[6] (id 'ens-favours-terway')" in message
    assert "field 'weight'" in message


def test_an_unknown_key_in_a_condition_is_named(knowledge_copy):
    def typo(data):
        data["rules"][0]["when"] = {"key": "pod-ip-acess", "is": True}

    message = _break(knowledge_copy, "rules.yaml", typo)
    assert "entry 'pod-ip-access-needs-underlay'" in message
    assert "field 'when'" in message
    assert "unknown key 'pod-ip-acess'" in message


def test_an_unknown_source_is_named(knowledge_copy):
    def bad_source(data):
        data["items"][1]["sources"] = ["S99"]

    message = _break(knowledge_copy, "checklist.yaml", bad_source)
    assert "checklist.yaml: entry 'vxlan-port': field 'sources': unknown source 'S99'" in message


def test_a_malformed_condition_is_named(knowledge_copy):
    def two_tests(data):
        data["items"][0]["met_when"] = {"key": "l3", "is": True, "gte": 3}

    message = _break(knowledge_copy, "checklist.yaml", two_tests)
    assert "items[0] (id 'l3-connectivity')" in message
    assert "met_when" in message


def test_a_missing_plugin_value_is_named(knowledge_copy):
    def drop(data):
        del data["rows"][3]["values"]["flannel"]

    message = _break(knowledge_copy, "plugins.yaml", drop)
    assert "rows[3] (id 'network-performance')" in message
    assert "flannel" in message


def test_invalid_yaml_is_named(knowledge_copy):
    (knowledge_copy / "questions.yaml").write_text("questions: [unclosed")
    with pytest.raises(KnowledgeError, match=r"questions\.yaml: not valid YAML"):
        load_knowledge(knowledge_copy)


def test_knowledge_check_command(cli, knowledge_copy):
    ok = cli("knowledge", "check", "--dir", str(knowledge_copy))
    assert ok.exit_code == 0
    assert "is valid" in ok.stdout
    rules = yaml.safe_load((knowledge_copy / "rules.yaml").read_text())
    rules["rules"] = []
    (knowledge_copy / "rules.yaml").write_text(yaml.safe_dump(rules))
    bad = cli("knowledge", "check", "--dir", str(knowledge_copy))
    assert bad.exit_code == 1
    assert "tie-break" in bad.stderr


def test_a_broken_vocabulary_phrase_is_named(knowledge_copy):
    def bad_regex(data):
        data["questions"]["bgp"]["yes"].append("bgp(")

    message = _break(knowledge_copy, "vocabulary.yaml", bad_regex)
    assert "vocabulary.yaml" in message
    assert "entry questions: field 'bgp.yes'" in message
    assert "'bgp(' is not a valid regular expression" in message


def test_a_vocabulary_value_that_is_no_choice_is_named(knowledge_copy):
    def unknown_value(data):
        data["questions"]["location"]["values"]["moon"] = ["lunar base"]

    message = _break(knowledge_copy, "vocabulary.yaml", unknown_value)
    assert "vocabulary.yaml: entry 'location': field 'values.moon'" in message


def test_a_vocabulary_phrase_in_capitals_is_named(knowledge_copy):
    def capitals(data):
        data["questions"]["leased-line"]["yes"].append("Express Connect")

    message = _break(knowledge_copy, "vocabulary.yaml", capitals)
    assert (
        "entry 'leased-line': field 'phrases': 'Express Connect': write phrases in lower case"
        in message
    )


def test_version_words_for_a_question_that_takes_no_version_are_named(knowledge_copy):
    def misplaced(data):
        data["versions"]["nodes"] = data["versions"]["k8s-version"]

    message = _break(knowledge_copy, "vocabulary.yaml", misplaced)
    assert "vocabulary.yaml: entry 'nodes': field 'versions': not a version question" in message


def test_a_broken_version_cue_is_named(knowledge_copy):
    def bad_regex(data):
        data["versions"]["k8s-version"]["before"].append("k8s(")

    message = _break(knowledge_copy, "vocabulary.yaml", bad_regex)
    assert "field 'k8s-version.before'" in message
    assert "'k8s(' is not a valid regular expression" in message


def test_a_version_cue_in_capitals_is_named(knowledge_copy):
    def capitals(data):
        data["versions"]["k8s-version"]["after"].append("Cluster")

    message = _break(knowledge_copy, "vocabulary.yaml", capitals)
    assert "'Cluster': write phrases in lower case" in message
