"""The shipped table of administrative divisions (govie/resources/divisions.tsv) and its lookups."""

from __future__ import annotations

from collections import Counter

import pytest

from govie.metadata import Division, load_divisions


@pytest.fixture(scope="module")
def table():
    return load_divisions()


def test_table_covers_every_province_and_prefecture_level_unit(table):
    levels = Counter(d.level for d in table.divisions.values())
    assert levels["province"] == 34
    assert levels["prefecture"] == 333  # 293 cities, 7 地区, 30 autonomous prefectures, 3 盟 (2024)
    prefectures = [d.name for d in table.divisions.values() if d.level == "prefecture"]
    assert sum(n.endswith("自治州") for n in prefectures) == 30
    assert sum(n.endswith("盟") for n in prefectures) == 3
    assert sum(n.endswith("地区") for n in prefectures) == 7
    names = list(table.divisions)
    assert sum(n.endswith("自治县") for n in names) == 117 and sum(n.endswith("自治旗") for n in names) == 3


def test_every_parent_is_in_the_table(table):
    for d in table.divisions.values():
        if d.level == "province":
            assert d.parent == ""
        else:
            assert table.divisions[d.parent].level in ("province", "prefecture"), d


@pytest.mark.parametrize(("written", "kind", "full"), [
    ("黔东南州", None, "黔东南苗族侗族自治州"), ("黔东南", None, "黔东南苗族侗族自治州"),
    ("锡林郭勒", None, "锡林郭勒盟"), ("锡盟", None, "锡林郭勒盟"), ("延边州", None, "延边朝鲜族自治州"),
    ("恩施州", None, "恩施土家族苗族自治州"), ("大兴安岭", None, "大兴安岭地区"), ("三亚", None, "三亚市"),
    ("内蒙古", None, "内蒙古自治区"), ("吉林", None, "吉林省"), ("吉林", "市", "吉林市"),
    ("海南", None, "海南省"), ("海南州", None, "海南藏族自治州"), ("高阳县", None, "高阳县"), ("潜江", None, "潜江市"),
])
def test_resolve_short_forms_to_full_official_names(table, written, kind, full):
    assert table.resolve(written, kind).name == full


def test_resolve_unknown_name(table):
    assert table.resolve("瓜沥镇") is None and table.resolve("") is None


def test_kind_of_a_division():
    assert Division("黔东南苗族侗族自治州", "prefecture", "贵州省").kind == "州"
    assert Division("大兴安岭地区", "prefecture", "黑龙江省").kind == "区"
    assert Division("鄂伦春自治旗", "county", "呼伦贝尔市").kind == "旗"


def test_mentions_take_the_longest_form_and_skip_words(table):
    scores = table.mentions("大兴安岭地区林业……兴安盟……社会长治久安……黔东南州、黔东南")
    assert scores["大兴安岭地区"] == 3 and scores["兴安盟"] == 3
    assert "长治市" not in scores
    assert scores["黔东南苗族侗族自治州"] == 4  # 黔东南州 (3) + 黔东南 (1)


def test_county_mentions_vote_for_their_prefecture(table):
    assert table.mentions("锡林浩特市、二连浩特市")["锡林郭勒盟"] == 2


def test_malformed_table_names_file_and_line(tmp_path):
    path = tmp_path / "bad.tsv"
    path.write_text("# header\n北京市\tprovince\t\t\n保定市\tcity\t河北省\t\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.tsv:3: expected"):
        load_divisions(path)
