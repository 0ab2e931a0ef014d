"""Retrieved passages -> an :class:`Answer` with verified citations, or an honest refusal.

Every backend's answer goes through the same checks:

* :func:`verify_citations` keeps a citation only if its quote really is in the cited chunk
  (exactly ``normalized_source[start:end]``), repairs offsets that drifted, drops markers that
  point at nothing (``[7]`` of 5 contexts) and renumbers the rest;
* :func:`assess` decides whether the selected sentences contain what the question asks for:
  its key terms (across languages) and the kind of answer it expects (a number, date, price,
  person, place, URL). Retrieval scores alone cannot decide this.
"""

from __future__ import annotations

import re

from confbot.text.normalize import has_cjk, to_simplified

LATIN_RE = re.compile(r"[A-Za-z]{2,}")


def question_language(question: str) -> str:
    """``zh``, ``zh-Hant`` or ``en`` (English when it has Latin words and no Chinese)."""
    if has_cjk(question):
        return "zh-Hant" if to_simplified(question) != question else "zh"
    return "en" if LATIN_RE.search(question) else "zh"


# (answer kind, question pattern, evidence pattern the selected sentences must contain)
_KINDS: list[tuple[str, re.Pattern[str], re.Pattern[str]]] = [
    ("price",
     re.compile(r"多少钱|价格|票价|费用|收费|门票|免费|price|cost|fee|ticket|how much does", re.I),
     re.compile(r"\d+(\.\d+)?\s*(元|块|美元|yuan|rmb)|[¥￥$]\s*\d|免费|票价|收费", re.I)),
    ("url",
     re.compile(r"网址|网站|链接|官网|报名|注册方式|二维码|website|url|link|web ?site|register|registration|sign up|online", re.I),
     re.compile(r"https?://|www\.|\.(com|cn|org|net)\b|二维码|公众号|小程序", re.I)),
    ("address",
     re.compile(r"地址|街道|场馆|会场|展馆|哪个馆|门牌|酒店|宾馆|住宿|停车|地铁|公交|address|venue|street|which hall|"
                r"which building|hotel|accommodation|parking|metro|subway|\bbus\b", re.I),
     re.compile(r"\d+号|[^\s，。]{1,8}(路|街|大道|号馆|会展中心|国际博览中心|体育中心|酒店|宾馆)")),
    ("year",  # a year the question is about ("2023年", "in 2023"), not one inside a name ("2024中国…大会")
     re.compile(r"(19|20)\d{2}\s*年|\b(in|of|for|since|during) (19|20)\d{2}\b", re.I),
     re.compile(r"(19|20)\d{2}")),
    ("date",
     re.compile(r"什么时候|何时|哪天|几号|哪一天|日期|时间|when|what date|which day", re.I),
     re.compile(r"\d{1,2}月\d{1,2}日|\d{1,2}日|\d{4}年\d{1,2}月|星期|周[一二三四五六日]|上午|下午")),
    ("person",
     re.compile(r"谁|哪位|哪些人|嘉宾|演讲者|主讲|官员|负责人|\bwho\b|\bwhom\b|speaker|keynote|guest|official", re.I),
     re.compile(r"(主任|书记|局长|厅长|秘书长|处长|院士|部长|市长|省长|主席|总裁|董事长|总经理|教授|发言人)"
                r"[\u4e00-\u9fff]{2,3}(?=[，、。,；;]|主持|表示|介绍|出席|说|指出|强调|致辞|发言)")),
    ("number",
     re.compile(r"多少|几个|几家|几届|几场|几项|多大|比重|占比|规模|how many|how much|how large|how big|number of|percentage|share", re.I),
     re.compile(r"\d|[一二三四五六七八九十百千万亿两]+(个|家|届|场|项|大|方面|万|亿)")),
    ("place",
     re.compile(r"哪里|哪儿|在哪|何地|哪个城市|哪座城市|地点|where|which city|location", re.I),
     re.compile(r"[\u4e00-\u9fff]{1,6}(省|市|区|县)|武汉|湖北|北京|上海|广州|深圳|在[\u4e00-\u9fff]{2,10}(举行|举办|召开)|"
                r"[\u4e00-\u9fff]{2,8}(会展中心|会议中心|博览中心|展览中心|体育中心|展览馆|会堂)")),
]  # fmt: skip


def expected_kinds(question: str) -> list[str]:
    """The kinds of answer a question asks for (most specific first)."""
    q = to_simplified(question)
    kinds = [kind for kind, ask, _ in _KINDS if ask.search(q)]
    if "price" in kinds or "date" in kinds:  # "how much does a ticket cost": the price, not a count
        kinds = [k for k in kinds if k != "number"]
    if "address" in kinds:
        kinds = [k for k in kinds if k != "place"]
    return kinds


def kind_present(kind: str, text: str, question: str = "") -> bool:
    for k, _ask, evidence in _KINDS:
        if k != kind:
            continue
        if kind == "year":  # every year the question is about must be in the evidence
            years = set(re.findall(r"((?:19|20)\d{2})\s*年", question))
            years |= set(re.findall(r"\b(?:in|of|for|since|during) ((?:19|20)\d{2})\b", question, re.I))
            return all(y in text for y in years)
        return bool(evidence.search(text))
    return True
