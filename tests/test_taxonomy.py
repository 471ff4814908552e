"""training.taxonomy: the committed taxonomy loads, matches the spec and its seeds; broken copies are refused."""
from __future__ import annotations

import copy
import json
import re

import pytest

from training.config import REPO_ROOT, SEEDS_DIR, TAXONOMY_FILE
from training.taxonomy import (
    OTHER,
    SPEC_ROLE_IDS,
    SPEC_SENIORITY_IDS,
    SPEC_SKILL_IDS,
    Taxonomy,
    TaxonomyError,
    load_taxonomy,
)
from training.text import match_key

SPEC_FILE = REPO_ROOT.parent / "shared" / "spec" / "taxonomy.md"
SHARED_SEEDS = REPO_ROOT.parent / "shared" / "seeds"
ESCO_PREFIX = "http://data.europa.eu/esco/occupation/"
#: Section headings of the spec and the taxonomy section whose ids their table lists.
SPEC_SECTIONS = {"Role types": "roles", "Seniority": "seniority", "Skill tags": "skills"}


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return load_taxonomy()


@pytest.fixture(scope="module")
def raw() -> dict:
    return json.loads(TAXONOMY_FILE.read_text(encoding="utf-8"))


def _spec_ids() -> dict[str, list[str]]:
    """Ids in the first column of each table of the spec, by taxonomy section."""
    text = SPEC_FILE.read_text(encoding="utf-8")
    out: dict[str, list[str]] = {}
    for block in text.split("\n## ")[1:]:
        heading = block.split("\n", 1)[0]
        section = next((s for h, s in SPEC_SECTIONS.items() if heading.startswith(h)), None)
        if section:
            out[section] = re.findall(r"(?m)^\|\s*`([a-z0-9_]+)`\s*\|", block)
    return out


# --------------------------------------------------------------------------------------------
# The committed taxonomy


def test_load_taxonomy_loads_the_committed_file(taxonomy):
    assert isinstance(taxonomy, Taxonomy)
    assert re.fullmatch(r"\d+\.\d+\.\d+", taxonomy.version)
    assert taxonomy.raw["taxonomy_version"] == taxonomy.version
    assert OTHER in taxonomy.role_ids
    assert OTHER not in taxonomy.communication_role_ids
    assert taxonomy.role("social_media_manager")["id"] == "social_media_manager"
    assert taxonomy.skill("seo_sea")["id"] == "seo_sea"
    assert taxonomy.seniority("lead")["id"] == "lead"


@pytest.mark.parametrize(
    ("attribute", "spec_ids"),
    [("role_ids", SPEC_ROLE_IDS), ("seniority_ids", SPEC_SENIORITY_IDS), ("skill_ids", SPEC_SKILL_IDS)],
)
def test_every_spec_id_present_once(taxonomy, attribute, spec_ids):
    ids = getattr(taxonomy, attribute)
    assert sorted(ids) == sorted(spec_ids)
    assert len(ids) == len(set(ids))


@pytest.mark.skipif(not SPEC_FILE.exists(), reason=f"spec not found at {SPEC_FILE}")
@pytest.mark.parametrize(
    ("section", "spec_tuple"),
    [("roles", SPEC_ROLE_IDS), ("seniority", SPEC_SENIORITY_IDS), ("skills", SPEC_SKILL_IDS)],
)
def test_spec_tuples_and_taxonomy_match_the_spec_document(taxonomy, section, spec_tuple):
    from_doc = _spec_ids()[section]
    assert from_doc, f"no ids parsed for {section} from {SPEC_FILE}"
    assert list(spec_tuple) == from_doc
    assert sorted(e["id"] for e in taxonomy.raw[section]) == sorted(from_doc)


def _seed_evidence(raw: dict) -> list[tuple[str, str, str]]:
    return [
        (entry["id"], ev["seed"], ev["quote"])
        for section in ("roles", "skills")
        for entry in raw[section]
        for ev in entry.get("seed_evidence", [])
    ]


def test_every_seed_quote_is_verbatim_in_its_seed_file(raw):
    evidence = _seed_evidence(raw)
    assert len(evidence) >= len(SPEC_ROLE_IDS)
    seeds = {prefix: (SEEDS_DIR / name).read_text(encoding="utf-8") for prefix, name in raw["seeds"].items()}
    missing = [(entry, seed, quote[:60]) for entry, seed, quote in evidence if quote not in seeds[seed]]
    assert missing == []


@pytest.mark.skipif(not SHARED_SEEDS.is_dir(), reason=f"shared seeds not found at {SHARED_SEEDS}")
def test_project_seeds_are_unchanged_copies_of_the_shared_seeds(raw):
    for name in raw["seeds"].values():
        assert (SEEDS_DIR / name).read_bytes() == (SHARED_SEEDS / name).read_bytes(), name


def test_every_communication_role_has_standard_codes(taxonomy):
    for role_id in taxonomy.communication_role_ids:
        codes = taxonomy.role(role_id)["codes"]
        assert re.fullmatch(r"\d{4}", str(codes["isco08"]["code"])), role_id
        assert re.fullmatch(r"\d{5}", str(codes["kldb2010"]["code"])), role_id
        assert codes["esco"]["uri"].startswith(ESCO_PREFIX), role_id
        assert all(code["source"] for code in codes.values()), role_id
    assert not taxonomy.role(OTHER).get("codes")


def test_aliases_are_unique_across_roles(taxonomy):
    keys = [match_key(a) for r in taxonomy.raw["roles"] for lang in r["aliases"].values() for a in lang]
    assert len(keys) == len(set(keys))
    assert all(keys)


def test_names_in_german_and_english(taxonomy):
    for section in ("roles", "seniority", "skills"):
        for entry in taxonomy.raw[section]:
            assert set(entry["name"]) == {"de", "en"}, entry["id"]
            assert all(entry["name"].values()), entry["id"]


# --------------------------------------------------------------------------------------------
# Broken copies are refused with a message naming the entry


def _role(raw: dict, role_id: str) -> dict:
    return next(r for r in raw["roles"] if r["id"] == role_id)


def _unknown_top_key(raw):
    raw["colour"] = "blue"


def _unknown_role_key(raw):
    _role(raw, "content_manager")["salary"] = 50_000


def _duplicate_role_id(raw):
    raw["roles"].append(copy.deepcopy(_role(raw, "community_manager")))


def _duplicate_alias(raw):
    alias = _role(raw, "social_media_manager")["aliases"]["en"][0]
    _role(raw, "content_manager")["aliases"]["en"].append(alias)


def _alias_differs_only_in_spelling(raw):
    alias = _role(raw, "social_media_manager")["aliases"]["en"][0]
    _role(raw, "community_manager")["aliases"]["de"].append(alias.upper().replace(" ", "-") + ":in (m/w/d)")


def _quote_not_in_seed(raw):
    _role(raw, "social_media_manager")["seed_evidence"][0]["quote"] += " (ergänzt)"


def _unknown_seed(raw):
    _role(raw, "social_media_manager")["seed_evidence"][0]["seed"] = "999"


def _missing_spec_skill(raw):
    raw["skills"] = [s for s in raw["skills"] if s["id"] != "english_language"]


def _id_not_in_spec(raw):
    _role(raw, "content_manager")["id"] = "tiktok_wizard"


def _bad_isco_code(raw):
    _role(raw, "online_marketing_manager")["codes"]["isco08"]["code"] = "243"


def _bad_kldb_code(raw):
    _role(raw, "online_marketing_manager")["codes"]["kldb2010"]["code"] = "9220"


def _no_esco_uri(raw):
    _role(raw, "online_marketing_manager")["codes"]["esco"]["uri"] = "https://example.org/occupation/1"


def _codes_on_other(raw):
    _role(raw, OTHER)["codes"] = copy.deepcopy(_role(raw, "content_manager")["codes"])


def _name_without_english(raw):
    del _role(raw, "video_content_creator")["name"]["en"]


def _duplicate_skill_phrase(raw):
    skill = next(s for s in raw["skills"] if s["id"] == "seo_sea")
    skill["phrases"]["de"].append(skill["phrases"]["de"][0].upper())


def _missing_top_key(raw):
    del raw["seniority"]


BROKEN = [
    (_unknown_top_key, r"taxonomy: unknown key\(s\) \['colour'\]"),
    (_unknown_role_key, r"roles\[\d+\] \('content_manager'\): unknown key\(s\) \['salary'\]"),
    (_duplicate_role_id, r"roles entry 'community_manager': duplicate id"),
    (_duplicate_alias, r"roles entry 'content_manager': duplicate alias .*already an alias of 'social_media_manager'"),
    (_alias_differs_only_in_spelling,
     r"roles entry 'community_manager': duplicate alias .*already an alias of 'social_media_manager'"),
    (_quote_not_in_seed, r"roles entry 'social_media_manager' seed_evidence\[0\]: quote not found verbatim in seed 00"),
    (_unknown_seed, r"roles entry 'social_media_manager' seed_evidence\[0\]: unknown seed '999'"),
    (_missing_spec_skill, r"'skills' lacks spec id\(s\): english_language"),
    (_id_not_in_spec, r"roles entry 'tiktok_wizard': id not in the spec"),
    (_bad_isco_code, r"roles entry 'online_marketing_manager': isco08 code must be a 4-digit"),
    (_bad_kldb_code, r"roles entry 'online_marketing_manager': kldb2010 code must have 5 digits"),
    (_no_esco_uri, r"roles entry 'online_marketing_manager': esco needs an ESCO occupation uri"),
    (_codes_on_other, r"roles entry 'other': 'other' has no standard codes"),
    (_name_without_english, r"roles entry 'video_content_creator': 'name' needs non-empty 'de' and 'en'"),
    (_duplicate_skill_phrase, r"skill 'seo_sea': duplicate phrase .* in 'de'"),
    (_missing_top_key, r"taxonomy: missing key\(s\) \['seniority'\]"),
]


@pytest.mark.parametrize(("breakage", "message"), BROKEN, ids=[b.__name__.strip("_") for b, _ in BROKEN])
def test_broken_copy_is_refused_naming_the_entry(raw, tmp_path, breakage, message):
    broken = copy.deepcopy(raw)
    breakage(broken)
    path = tmp_path / "taxonomy.json"
    path.write_text(json.dumps(broken, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(TaxonomyError, match=message):
        load_taxonomy(path, seeds_dir=SEEDS_DIR)


def test_unmodified_copy_loads(raw, tmp_path):
    path = tmp_path / "taxonomy.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    assert load_taxonomy(path, seeds_dir=SEEDS_DIR).role_ids == list(SPEC_ROLE_IDS)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"taxonomy_version": "1.0.0", "roles": [', "not valid JSON"),
        ("", "not valid JSON"),
        ('["roles"]', "expected a JSON object at the top, got list"),
    ],
)
def test_unreadable_file_is_refused(tmp_path, content, message):
    path = tmp_path / "taxonomy.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(TaxonomyError, match=message):
        load_taxonomy(path, seeds_dir=SEEDS_DIR)


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(TaxonomyError, match="taxonomy file not found"):
        load_taxonomy(tmp_path / "nope.json", seeds_dir=SEEDS_DIR)


def test_missing_seed_file_is_refused(raw, tmp_path):
    path = tmp_path / "taxonomy.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    empty_seeds = tmp_path / "seeds"
    empty_seeds.mkdir()
    with pytest.raises(TaxonomyError, match=r"seed 000: file .*000_\w+\.txt not found"):
        load_taxonomy(path, seeds_dir=empty_seeds)
    assert load_taxonomy(path, seeds_dir=empty_seeds, check_seeds=False).version == raw["taxonomy_version"]


def test_changed_seed_file_is_refused(raw, tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for prefix, name in raw["seeds"].items():
        text = (SEEDS_DIR / name).read_text(encoding="utf-8")
        if prefix == "003":
            quote = next(q for _, seed, q in _seed_evidence(raw) if seed == "003")
            text = text.replace(quote, quote.upper())
        (seeds / name).write_text(text, encoding="utf-8")
    with pytest.raises(TaxonomyError, match="quote not found verbatim in seed 003"):
        load_taxonomy(TAXONOMY_FILE, seeds_dir=seeds)


def test_load_taxonomy_accepts_str_paths(raw):
    assert load_taxonomy(str(TAXONOMY_FILE), seeds_dir=str(SEEDS_DIR)).version == raw["taxonomy_version"]
