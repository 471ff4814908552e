"""training.features, training.phrases and training.fast on a tiny hand-made taxonomy and toy corpora."""
from __future__ import annotations

import uuid

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from training.document import parse_ad
from training.fast import (
    char_wb_ngrams,
    field_docs,
    key_tokens,
    logistic_proba,
    registry_ids,
    registry_size,
    tfidf_transform,
    word_tokens,
)
from training.features import Field, SeedProfileFeatures, check_ads
from training.phrases import PhraseMatcher
from training.text import match_key

TINY_TAXONOMY = {
    "taxonomy_version": "0.0.1-test",
    "roles": [
        {
            "id": "social_media_manager",
            "aliases": {"de": ["Social-Media-Redakteur"], "en": ["Social Media Manager"]},
            "keywords": {"de": ["Instagram Beiträge planen"], "en": ["schedule posts"]},
            "seed_evidence": [{"seed": "900", "quote": "Plant Beiträge für Instagram und TikTok und beantwortet Kommentare."}],
        },
        {
            "id": "online_marketing_manager",
            "aliases": {"de": ["Online-Marketing-Manager"], "en": ["SEO Manager", "PR"]},
            "keywords": {"de": ["Suchmaschinenoptimierung"], "en": ["Google Ads", "conversion rate"]},
            "seed_evidence": [{"seed": "901", "quote": "Optimiert Kampagnen in Google Ads und die Suchmaschinenoptimierung."}],
        },
        {
            "id": "content_manager",
            "aliases": {"de": ["Online-Redakteur"], "en": ["Content Manager"]},
            "keywords": {"de": ["Blogartikel schreiben"], "en": ["editorial calendar"]},
            "seed_evidence": [{"seed": "902", "quote": "Schreibt Blogartikel und Newsletter für die Website."}],
        },
        {"id": "other", "aliases": {"de": [], "en": []}, "keywords": {"de": [], "en": []}, "seed_evidence": []},
    ],
    "skills": [
        {"id": "social_media_platforms", "phrases": {"de": ["instagram", "tiktok"], "en": ["instagram"]}},
        {"id": "seo_sea", "phrases": {"de": ["suchmaschinenoptimierung"], "en": ["seo", "google ads"]}},
    ],
}
ROLES = ["social_media_manager", "online_marketing_manager", "content_manager"]

SOCIAL_AD = (
    "Social Media Manager (m/w/d)\nDeine Aufgaben\n- Du planst Beiträge für Instagram und TikTok.\n"
    "- Du beantwortest Kommentare."
)
SEO_AD = (
    "SEO Manager (m/w/d)\nDeine Aufgaben\n- Du optimierst Kampagnen in Google Ads.\n"
    "- Du verantwortest die Suchmaschinenoptimierung."
)
CONTENT_AD = "Du schreibst Blogartikel und Newsletter für unsere Website.\nDu pflegst den Redaktionsplan."
TRAIN_ADS = [SOCIAL_AD, SEO_AD, CONTENT_AD]


@pytest.fixture(scope="module")
def ads():
    return [parse_ad(text) for text in TRAIN_ADS]


@pytest.fixture(scope="module")
def seed_features(ads):
    return SeedProfileFeatures(taxonomy=TINY_TAXONOMY).fit(ads)


def _feature(seed_features, ads, name):
    names = list(seed_features.get_feature_names_out())
    return seed_features.transform(ads)[:, names.index(name)]


# --------------------------------------------------------------------------------------------
# SeedProfileFeatures


def test_seed_features_shape_matches_feature_names(seed_features, ads):
    X = seed_features.transform(ads)
    names = seed_features.get_feature_names_out()
    assert X.shape == (len(ads), len(names))
    assert len(names) == seed_features.n_features_out_ == 5 * len(ROLES) + 2
    assert len(set(names)) == len(names)
    assert seed_features.role_ids_ == ROLES  # `other` has no profile
    assert np.isfinite(X).all()


@pytest.mark.parametrize(("ad_index", "role"), [(0, "social_media_manager"), (1, "online_marketing_manager"),
                                                (2, "content_manager")])
def test_ad_is_most_similar_to_its_own_role(seed_features, ads, ad_index, role):
    sims = {r: _feature(seed_features, ads, f"sim_job_{r}")[ad_index] for r in ROLES}
    assert max(sims, key=sims.get) == role
    assert sims[role] > 0


def test_social_ad_more_similar_to_social_than_seo(seed_features, ads):
    assert (_feature(seed_features, ads, "sim_job_social_media_manager")[0]
            > _feature(seed_features, ads, "sim_job_online_marketing_manager")[0])
    assert (_feature(seed_features, ads, "sim_title_social_media_manager")[0]
            > _feature(seed_features, ads, "sim_title_online_marketing_manager")[0])


def test_alias_in_title_flag(seed_features, ads):
    assert list(_feature(seed_features, ads, "alias_title_social_media_manager")) == [1.0, 0.0, 0.0]
    assert list(_feature(seed_features, ads, "alias_title_online_marketing_manager")) == [0.0, 1.0, 0.0]
    assert list(_feature(seed_features, ads, "alias_title_content_manager")) == [0.0, 0.0, 0.0]


def test_alias_title_flag_from_given_title_with_gender_marker(seed_features):
    ad = parse_ad("Du schreibst Texte.", title="Online-Redakteur*in (w/m/d)")
    assert _feature(seed_features, [ad], "alias_title_content_manager")[0] == 1.0


def test_whole_word_alias_does_not_fire_inside_a_word(seed_features):
    # "PR" is an alias of online_marketing_manager in the tiny taxonomy; "Praktikum" must not count.
    ad = parse_ad("Praktikum Produktion\nDu hilfst in der Produktion.")
    assert _feature(seed_features, [ad], "alias_title_online_marketing_manager")[0] == 0.0
    ad = parse_ad("PR Referent\nDu schreibst Pressemitteilungen.")
    assert _feature(seed_features, [ad], "alias_title_online_marketing_manager")[0] == 1.0


def test_skill_phrase_counts(seed_features, ads):
    platforms = _feature(seed_features, ads, "skill_social_media_platforms")
    seo = _feature(seed_features, ads, "skill_seo_sea")
    assert platforms[0] == pytest.approx(np.log1p(2))  # instagram, tiktok
    assert seo[1] == pytest.approx(np.log1p(2))  # google ads, suchmaschinenoptimierung
    assert platforms[1] == seo[0] == platforms[2] == seo[2] == 0


def test_transform_before_fit_raises(ads):
    with pytest.raises(NotFittedError, match="SeedProfileFeatures"):
        SeedProfileFeatures(taxonomy=TINY_TAXONOMY).transform(ads)


@pytest.mark.parametrize("method", ["fit", "transform"])
def test_bare_string_raises(seed_features, method):
    with pytest.raises(ValueError, match="Iterable over parsed ads expected, str object received"):
        getattr(seed_features, method)(SOCIAL_AD)


def test_single_ad_instead_of_list_raises(seed_features, ads):
    with pytest.raises(ValueError, match="Iterable over parsed ads expected, Ad object received"):
        seed_features.transform(ads[0])
    with pytest.raises(ValueError, match="Iterable over parsed ads expected"):
        check_ads("text")


def test_fit_without_taxonomy_raises(ads):
    with pytest.raises(ValueError, match="needs the taxonomy document"):
        SeedProfileFeatures().fit(ads)


def test_seed_features_clone_keeps_params_only(seed_features):
    twin = clone(seed_features)
    assert twin.get_params()["taxonomy"] == TINY_TAXONOMY
    assert not hasattr(twin, "profiles_")


def test_field_selects_an_attribute(ads):
    field = Field("title_key").fit(ads)
    assert field.transform(ads) == ["social media manager", "seo manager", ""]
    with pytest.raises(NotFittedError):
        Field("title_key").transform(ads)


# --------------------------------------------------------------------------------------------
# PhraseMatcher

PREFIX_MATCHES = [
    ({"platforms": ["Instagram"]}, "wir lieben den instagram kanal", [("platforms", "instagram")]),
    ({"platforms": ["instagram"]}, "instagramkanal betreuen", [("platforms", "instagram")]),  # word prefix
    ({"platforms": ["instagram"]}, "meininstagram", []),  # not at a word start
    ({"blog": ["Blog-Artikel"]}, "du schreibst blog artikel", [("blog", "blog artikel")]),
    ({"a": ["social media"], "b": ["social media manager"]}, "social media manager", [("b", "social media manager")]),
    ({"a": ["seo"], "b": ["SEO"]}, "seo und sea", [("a", "seo"), ("b", "seo")]),
    ({"a": []}, "irgendein text", []),
]


@pytest.mark.parametrize(("phrases", "key_text", "expected"), PREFIX_MATCHES)
def test_phrase_matcher_prefix(phrases, key_text, expected):
    assert PhraseMatcher(phrases).find(key_text) == expected


WHOLE_WORD = [
    ({"pr": ["PR"]}, "praktikum im marketing", []),
    ({"pr": ["PR"]}, "pr und kommunikation", [("pr", "pr")]),
    ({"smm": ["Social Media Manager"]}, "social media managerin gesucht", []),
    ({"smm": ["Social Media Manager:in"]}, "senior social media manager", [("smm", "social media manager")]),
]


@pytest.mark.parametrize(("phrases", "key_text", "expected"), WHOLE_WORD)
def test_phrase_matcher_whole_word(phrases, key_text, expected):
    assert PhraseMatcher(phrases, whole_word=True).find(key_text) == expected


@pytest.mark.parametrize("whole_word", [False, True], ids=["prefix", "whole-word"])
@settings(max_examples=200, deadline=None)
@given(keys=st.lists(st.lists(st.sampled_from(["social", "media", "manager", "pr", "praktikum", "seo", "x", "blog",
                                               "artikel", "instagram"]), max_size=6).map(" ".join), max_size=6))
def test_phrase_matcher_find_each_equals_find_per_key(whole_word, keys):
    # No match may run from one key into the next, as "social" + "media manager" would in the joined text.
    matcher = PhraseMatcher({"a": ["social media", "PR", "seo"], "b": ["social media manager", "blog artikel"],
                             "c": ["media", "Instagram"]}, whole_word=whole_word)
    assert matcher.find_each(keys) == [matcher.find(key) for key in keys]


def test_phrase_matcher_counts():
    matcher = PhraseMatcher({"platforms": ["instagram", "tiktok"], "seo": ["seo"]})
    assert matcher.counts("instagram und tiktok und instagram seo") == {"platforms": 3, "seo": 1}
    assert matcher.counts("") == {}


# --------------------------------------------------------------------------------------------
# training.fast equals scikit-learn

TOY_DOCS = [
    "social media manager instagram posts planen",
    "seo manager google ads kampagnen",
    "",
    "content manager blog blog blog newsletter",
    "instagram instagram tiktok",
]
NEW_DOCS = ["instagram blog", "", "gänzlich unbekannte wörter", "blog blog seo seo seo", "social media manager"]


@pytest.mark.parametrize("sublinear_tf", [True, False])
@pytest.mark.parametrize("ngram_range", [(1, 1), (1, 2)])
def test_tfidf_transform_equals_vectorizer_transform(sublinear_tf, ngram_range):
    vectorizer = TfidfVectorizer(sublinear_tf=sublinear_tf, ngram_range=ngram_range).fit(TOY_DOCS)
    for docs in (TOY_DOCS, NEW_DOCS, [""], ["blog"]):
        ours = tfidf_transform(vectorizer, docs)
        theirs = vectorizer.transform(docs)
        assert ours.shape == theirs.shape
        np.testing.assert_allclose(ours.toarray(), theirs.toarray(), rtol=1e-12, atol=1e-15)
    assert tfidf_transform(vectorizer, []).shape == (0, len(vectorizer.vocabulary_))


@pytest.mark.parametrize("copies", [1, 500], ids=["one-ad-path", "large-batch-path"])
def test_tfidf_transform_equals_vectorizer_transform_for_small_and_large_inputs(copies):
    # Inputs below training.fast._SMALL n-grams take numpy's sort, larger ones pandas' hash and a sparse matrix.
    vectorizer = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2)).fit(TOY_DOCS)
    docs = [f"{doc} {i % 7}x seo" for i in range(copies) for doc in NEW_DOCS + TOY_DOCS]
    np.testing.assert_allclose(tfidf_transform(vectorizer, docs).toarray(), vectorizer.transform(docs).toarray(),
                               rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("ngram_range", [(1, 1), (1, 2)])
def test_tfidf_transform_of_token_lists_equals_the_texts(ngram_range):
    vectorizer = TfidfVectorizer(sublinear_tf=True, ngram_range=ngram_range).fit(TOY_DOCS)
    docs = [*NEW_DOCS, "Ünïcode STRASSE a b", "instagram_tiktok seo-seo"]
    np.testing.assert_array_equal(tfidf_transform(vectorizer, [word_tokens(d) for d in docs]).toarray(),
                                  tfidf_transform(vectorizer, docs).toarray())
    assert word_tokens("Social-Media a_b x") == vectorizer.build_analyzer()("Social-Media a_b x")[:3]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aZß İı_-/#@ 1\t\u0307\u00a0éΣσςꭰᏸ.:*") + ["ﬅ", "ǅ"]), max_size=40))
def test_key_tokens_are_the_word_tokens_of_a_match_key(text):
    key = match_key(text)
    assert key_tokens(key) == word_tokens(key)


@pytest.mark.parametrize(
    "vectorizer",
    [TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 4)), TfidfVectorizer(lowercase=False),
     TfidfVectorizer(token_pattern=r"\S+")],
    ids=["char", "cased", "own-pattern"],
)
def test_token_lists_only_for_default_word_vectorizers(vectorizer):
    vectorizer.fit(TOY_DOCS)
    with pytest.raises(ValueError, match="token lists"):
        tfidf_transform(vectorizer, [["instagram"]])


def test_parsed_ads_give_the_tokens_of_their_keys():
    ad = parse_ad("Über uns\nWir sind Instagram-Fans.\n\nDeine Aufgaben\n- Social-Media-Kanäle betreuen\n"
                  "- Content für TikTok planen\n\nWir bieten\n- Jobrad", "Social Media Manager:in (m/w/d)")
    vectorizer = TfidfVectorizer(ngram_range=(1, 2)).fit(TOY_DOCS)
    for field in ("title_key", "body_key", "job_key"):
        assert ad.words(field) == word_tokens(getattr(ad, field))
    assert "jobrad" in ad.words("body_key") and "jobrad" not in ad.words("job_key")
    docs = field_docs(vectorizer, [ad], "job_key")
    np.testing.assert_array_equal(docs.ids, registry_ids(ad.words("job_key")))
    assert docs.lengths.tolist() == [len(ad.words("job_key"))]
    picked = [1, 3]
    np.testing.assert_array_equal(np.concatenate(ad.sentence_word_ids(picked)),
                                  registry_ids([w for words in ad.sentence_words(picked) for w in words]))
    char = TfidfVectorizer(analyzer="char_wb").fit(TOY_DOCS)
    assert field_docs(char, [ad], "job_key") == [ad.job_key]


def test_word_ids_of_parsed_ads_are_looked_up_again_when_a_vectorizer_brings_new_words():
    # A word no vectorizer of this test session has seen, so it is not registered when the ad's ids are first taken.
    novel = f"neuwort{uuid.uuid4().hex}"
    ads = [parse_ad(f"Deine Aufgaben\n- {novel} und Social Media\n- a b c SEO 3 Jahre\n\nWir bieten\n- Jobrad",
                    "Social Media Manager:in (m/w/d)"),
           parse_ad(f"Wir sind ein Team. Du machst {novel} für Instagram und TikTok.", None)]
    before = ads[0].word_ids("body_key")  # taken before the vectorizer exists: the novel word is in no table
    assert registry_ids([novel])[0] == -1 and len(before) == len(ads[0].words("body_key"))
    size = registry_size()
    vectorizer = TfidfVectorizer(ngram_range=(1, 2)).fit([ad.body_key for ad in ads])
    for field in ("title_key", "body_key", "job_key"):
        np.testing.assert_allclose(tfidf_transform(vectorizer, field_docs(vectorizer, ads, field)).toarray(),
                                   vectorizer.transform([getattr(ad, field) for ad in ads]).toarray(),
                                   rtol=1e-12, atol=1e-15)
    assert registry_size() > size
    assert registry_ids([novel])[0] in ads[0].word_ids("body_key")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list("abcÄß中 \t\n\u00a0\u2028-") + ["xy", "social "]), max_size=20).map("".join),
       st.sampled_from([(1, 1), (2, 4), (3, 5)]))
def test_char_wb_ngrams_equal_scikit_learns(text, ngram_range):
    analyzer = TfidfVectorizer(analyzer="char_wb", ngram_range=ngram_range, lowercase=False).build_analyzer()
    assert char_wb_ngrams(text, *ngram_range) == analyzer(text)


def test_tfidf_transform_char_ngrams():
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 4), sublinear_tf=True).fit(TOY_DOCS)
    np.testing.assert_allclose(tfidf_transform(vectorizer, NEW_DOCS).toarray(),
                               vectorizer.transform(NEW_DOCS).toarray(), rtol=1e-12, atol=1e-15)


X_TOY = np.array([[0.0, 1.0, 2.0], [1.0, 0.5, 0.0], [2.0, 0.0, 1.0], [0.0, 2.0, 0.5], [1.5, 1.5, 0.0],
                  [0.2, 0.1, 2.5]])


@pytest.mark.parametrize(
    "y",
    [np.array([0, 1, 2, 0, 1, 2]), np.array(["a", "b", "a", "b", "b", "a"])],
    ids=["multiclass", "binary"],
)
def test_logistic_proba_equals_predict_proba(y):
    model = LogisticRegression(C=2.0, max_iter=1000).fit(X_TOY, y)
    for X in (X_TOY, sparse.csr_matrix(X_TOY), X_TOY[:1]):
        np.testing.assert_allclose(logistic_proba(model, X), model.predict_proba(X), rtol=1e-10, atol=1e-12)


def test_word_ids_fall_back_to_the_words_text_when_vocabulary_hashes_collide(monkeypatch):
    from training import document

    texts = ["Deine Aufgaben\n- Social Media für Instagram\n- a b 3 Jahre Erfahrung", "Wir bieten Jobrad und Obst."]
    vectorizer = TfidfVectorizer(ngram_range=(1, 2)).fit(TOY_DOCS + texts)
    hashed = field_docs(vectorizer, [parse_ad(t, "Social Media Manager") for t in texts], "job_key")
    size, _ = document.registry_hash_index()
    monkeypatch.setattr(document, "registry_hash_index", lambda: (size, None))
    by_text = field_docs(vectorizer, [parse_ad(t, "Social Media Manager") for t in texts], "job_key")
    np.testing.assert_array_equal(by_text.ids, hashed.ids)
    np.testing.assert_array_equal(by_text.lengths, hashed.lengths)
    assert (hashed.ids >= 0).any()
