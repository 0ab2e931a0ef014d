"""What kind of answer a question asks for, and whether a passage holds one: one named detector per kind.

Each kind is a pair: a question pattern (Chinese and English) and a detector run on the passage.
The detectors are general (any venue, organisation, date form), never a list of one conference's
names. ``谁`` accepts a person or an organisation; a count must come with the noun counted when
the question names one (``多少名观众`` is not answered by ``170家企业``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Collection, Mapping, Sequence

from confbot.text.cjk import CJK_RANGES, has_cjk, to_simplified
from confbot.text.events import CN_NUMERALS, editions, parts_named, several_events
from confbot.text.lexicon import (
    CN_SURNAMES,
    EN_STOPWORDS,
    FOREIGN_WORDS,
    NAMED_THING_WORDS,
    ZH_KIND_NOUNS,
    ZH_QUESTION_WORDS,
    ZH_STOPWORDS,
)

LATIN_RE = re.compile(r"[A-Za-z]{2,}")
_H = f"[{CJK_RANGES}]"
_CN_NUM = CN_NUMERALS


def question_language(question: str) -> str:
    """``zh``, ``zh-Hant`` or ``en`` (English when it has Latin words and no Chinese)."""
    if has_cjk(question):
        return "zh-Hant" if to_simplified(question) != question else "zh"
    return "en" if LATIN_RE.search(question) else "zh"


# ---------------------------------------------------------------- detectors (passage -> bool)
_DATE = re.compile(
    rf"\d{{1,2}}\s*月\s*\d{{1,2}}\s*[日号]|[{_CN_NUM}]{{1,3}}月[{_CN_NUM}]{{1,3}}[日号]|\d{{1,2}}日(?:至|到|-|—)|(?:截至|截止|于|到|自)\s*\d{{1,2}}日"
    r"|(?:19|20)\d{2}[-/.年]\s*\d{1,2}(?:[-/.月]\s*\d{1,2})?|[〇零一二三四五六七八九]{4}年"
    r"|星期[一二三四五六日天]|周[一二三四五六日末]|[上下]旬|月底|月初|年底|年初"
    r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(?:\d{1,2}\b|(?:of\s+)?(?:19|20)\d{2}\b)|\b\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul"
    r"|aug|sep|oct|nov|dec)[a-z]*\b|\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
    re.I,
)
_TIME = re.compile(
    r"\d{1,2}[:：]\d{2}|[上下]午|晚上|早上|中午|凌晨|\d{1,2}\s*[点时]|\b\d{1,2}\s*(?:am|pm|a\.m\.|p\.m\.)"
    r"|\b(?:morning|afternoon|evening|noon|midnight|o'clock)\b",
    re.I,
)
_VENUE = (r"会展中心|会议中心|博览中心|展览中心|国际中心|体育中心|体育馆|体育场|展览馆|博物馆|剧院|剧场|礼堂|会堂|大厦|大楼|广场|酒店|宾馆|饭店"
          r"|园区|产业园|科技园|[园馆厅室]|号馆|展厅|会议室|报告厅|机场|车站|火车站|高铁站|码头|服务台|中心")  # fmt: skip
_PLACE = re.compile(
    rf"{_H}{{1,8}}(?:省|市|区|县|镇|州|自治区|特别行政区)|在{_H}{{2,12}}(?:举行|举办|召开|开幕|落幕|闭幕|启幕)"
    rf"|(?:举办地|举办城市|举办地点|地点|城市|主会场|会场)[:：]\s*(?!未|不详|待定){_H}{{2,}}"  # a cell: 举办地：星河月湖
    rf"|{_H}{{1,10}}(?:{_VENUE})|\b(?:in|at)\s+(?:the\s+)?[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)*"
)
_ADDRESS = re.compile(
    rf"\d+\s*号(?!馆)|{_H}{{1,8}}(?:路|街|大道|巷|胡同)\d*|\b\d+\s+\w+\s+(?:road|street|avenue|rd|st)\b",
    re.I,
)
#: an English venue: a capitalised name ending in a venue noun ("Binjiang International Convention Center"; not "Takes
#: Center Stage", where the noun is a modifier) or a numbered hall or room ("hall 5")
_VENUE_EN = (
    r"\b(?:[A-Z][\w'&-]*\s+(?:(?:and|of|for|the)\s+)?){1,7}(?:Hall|Room|Centre|Center|Building|Pavilion|Hotel|Resort"
    r"|Stadium|Arena|Park|Plaza|Square|Palace|Theatre|Theater|Museum|Gymnasium)s?\b(?!\s+[A-Z][a-z])"
    r"|\b(?:[Hh]all|[Rr]oom|[Pp]avilion)\s+(?:No\.\s*)?[A-Z]?\d+\b"
)
_VENUE_RE = re.compile(rf"{_H}{{0,10}}(?:{_VENUE})|{_VENUE_EN}")
_ORG = re.compile(
    rf"{_H}{{1,16}}(?:部|委|局|厅|署|办|办公室|委员会|政府|协会|学会|联合会|商会|中心|集团|公司|银行|大学|学院|研究院|研究所"
    rf"|组织|基金会|秘书处|联盟|平台|机构|企业|管委会)|\b(?:[A-Z][\w&-]+\s+){{0,5}}(?:Ministry|Commission|Council|Association"
    r"|Administration|Government|Organization|Organisation|Center|Centre|Group|Company|University|Secretariat|Bureau|Office)\b"
    r"|\b[A-Z]{2,8}\b"
)
_TITLES = (r"主任|副主任|书记|局长|厅长|部长|司长|处长|秘书长|院士|市长|省长|州长|主席|总裁|董事长|总经理|教授|发言人|负责人"
           r"|总统|总理|首相|大使|会长|理事长|院长|校长|行长|委员长|委员|代表|专家|博士|主持人|大臣|次长|参赞|领事|董事|首席执行官"
           r"|司令员|司令|政委|参谋长|总设计师|馆长|所长|社长|总编辑"
           rf"|{_H}{{0,3}}学家|企业家|艺术家|作家|工程师|研究员|创始人|总监")  # fmt: skip
#: what a named person does right after the name (局长王明介绍, 主任李华通报说): a title and a name before one of these
_SAYS = r"在|出席|致辞|表示|介绍|主持|说|指出|强调|发言|通报|宣布|透露|称|认为|提出|回答|解读|发布|宣读|一行|会见|参加|参观|答|以|通过|向"
_SAYS += r"|受访|接受|谈到|坦言|解释|呼吁|建议"  # ... or another verb of speaking (大使王明受访时表示)
_SAYS += r"|已经|曾经|也|还|将|亲自|随后|当天|今天"  # ... or an adverb before the verb (院长王明已经参加过)
_SAYS += r"|的(?:指导|带领|领导|主持|见证|陪同)"  # ... or whose guidance or lead it was (在语言学家王明的指导下)
_SAYS += rf"|(?:和|与|及|、){_H}{{0,6}}?(?:{_TITLES}|成员)"  # ... or another title after it (副部长王明和党组成员李华)
#: what follows a title but starts no name (部长在会上, 副主席主持揭幕): a verb of speaking or presiding
_NOT_NAME = r"在|主持|出席|致辞|表示|介绍|发言|宣布|指出|强调|会见|参加|参观|等|和|及|与|们|也|还|已|曾|将|亲自"
_PERSON = re.compile(
    rf"(?:{_TITLES})(?:助理)?(?!{_NOT_NAME}){_H}{{2,3}}(?!{_H}{{2}})|{_H}{{2,3}}(?<!副)(?:{_TITLES})(?![{CJK_RANGES}])|由{_H}{{2,4}}主持|(?:{_TITLES})(?:助理)?(?!{_NOT_NAME}){_H}{{2,3}}(?={_SAYS})|{_H}{{1,6}}·{_H}{{1,8}}"
    r"|\b(?:Mr|Ms|Mrs|Dr|Prof|President|Premier|Minister|Vice|Secretary|Director|Chairman|Ambassador)\.?\s+[A-Z][a-z]+"
)
#: two or three capitalised words: an English name, when :func:`english_name` takes it for a person's
_EN_NAME_SEQ = re.compile(r"\b[A-Z][a-z]+(?:-[A-Za-z][a-z]+)?(?:\s+[A-Z][a-z]+(?:-[A-Za-z][a-z]+)?){1,2}\b")


def english_name(text: str) -> bool:
    """Whether ``text`` names a person in English: two or three capitalised words, none of them (nor the word
    after them) naming an institution, event, venue or place (:data:`NAMED_THING_WORDS`: "Xinghe Robot
    Fair"), opening with a Chinese surname ("Wang Xinghe") or holding a word that is no ordinary English
    (:func:`confbot.retrieve.crosslingual.common_english_words`: "Jorvik Tallbeck", not "Binjiang Continental")."""
    from confbot.retrieve.crosslingual import common_english_words

    common = common_english_words()
    for m in _EN_NAME_SEQ.finditer(text):
        words = m.group().split()
        after = text[m.end() :].split()[:1]
        if any(w.split("-")[0] in NAMED_THING_WORDS for w in [*words, *after]):
            continue
        if words[0].lower() in CN_SURNAMES or not common or any(w.split("-")[0].lower() not in common for w in words):
            return True
    return False


_PRICE = re.compile(
    r"\d+(?:\.\d+)?\s*(?:元|块|美元|欧元|港元|yuan|rmb|usd|dollars?)|[¥￥$€]\s*\d|免费|free of charge|\bfree\b", re.I
)
_URL = re.compile(r"https?://|www\.|\.(?:com|cn|org|net|gov)\b|二维码|公众号|小程序|官网|app\b|@\w", re.I)
#: a figure; not an ordinal (第二届 is no count)
_NUMBER = re.compile(
    rf"\d[\d,.]*|(?<![第{_CN_NUM}])[{_CN_NUM}]+(?:个|家|届|场|项|名|位|人|次|万|亿|余|多|份|所|座|条|件|种|批)"
)


#: a day named by the event's own course (闭幕当天, 开幕首日, the closing day): a date for what happened on it
_COURSE_MOMENTS = "开幕|闭幕|开展|开馆|撤展|布展"
_EVENT_DAY = re.compile(
    rf"({_COURSE_MOMENTS})(?:当天|当日|首日|次日|前一天|后一天)|\b(opening|closing|final) day\b", re.I
)

#: a question about a moment of the course itself (when it opens or closes): no day counted from another answers it
_EVENT_DAY_WORD = re.compile(rf"{_COURSE_MOMENTS}|\b(?:opening|closing|opens|opened|closes|closed)\b", re.I)


def has_date(text: str) -> bool:
    """A calendar date, a weekday or a part of a month, in Arabic or Chinese numerals, Chinese or English."""
    return bool(_DATE.search(text))


def has_time(text: str) -> bool:
    """A time of day: 14:30, 下午, 9点, 3 pm."""
    return bool(_TIME.search(text))


#: a country as where something is, not as part of a name (冰岛星河协会 is no place): after 在/于/赴/到, "in"
_IN_COUNTRY = re.compile(r"(?:在|于|赴|到|\bin\s+(?:the\s+)?)$")


def has_place(text: str) -> bool:
    """A city, district or province, any venue or facility, "在…举行", or a country named as where (在马来西亚,
    "in Malaysia")."""
    if _PLACE.search(text):
        return True
    simple = to_simplified(text)
    return any(_IN_COUNTRY.search(simple[: m.start()]) for m in _countries().finditer(simple))


#: common Chinese names of countries that pycountry's zh_CN translations lack (they give 沙特阿拉伯, 印度尼西亚)
_ZH_SHORT_NAMES = {"沙特": "SA", "印尼": "ID", "阿拉伯联合酋长国": "AE", "玻利维亚": "BO"}
#: common English names that pycountry lacks (it gives Russian Federation, Türkiye, Brunei Darussalam), and the
#: usual abbreviations, upper case only
_EN_SHORT_NAMES = {"Russia": "RU", "Turkey": "TR", "Brunei": "BN", "Ivory Coast": "CI", "Burma": "MM"}
_EN_SHORT_NAMES |= {"Macedonia": "MK", "Britain": "GB", "Macau": "MO", "USA": "US", "UK": "GB", "US": "US"}


@functools.lru_cache(maxsize=1)
def country_names() -> dict[str, str]:
    """Country name -> ISO 3166 alpha-2 code, in simplified Chinese and English (``pycountry`` and its zh_CN
    translations): 马来西亚 and Malaysia -> MY."""
    import gettext

    import pycountry

    zh = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"], fallback=True)
    names: dict[str, str] = {}
    for c in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            en = getattr(c, attr, None)
            if en:
                for name in (en.split(",")[0], zh.gettext(en)):
                    if len(name) >= (2 if has_cjk(name) else 4):
                        names.setdefault(name, c.alpha_2)
    for name, code in (_ZH_SHORT_NAMES | _EN_SHORT_NAMES).items():
        names.setdefault(name, code)
    return names


@functools.lru_cache(maxsize=2)
def _countries(adjectives: bool = False) -> re.Pattern[str]:
    names = country_names()
    zh_names = sorted((n for n in names if has_cjk(n)), key=len, reverse=True)
    en_names = sorted((n for n in names if not has_cjk(n)), key=len, reverse=True)
    # with ``adjectives``, an English name also as its adjective where that adds a regular suffix: Vietnamese,
    # Pakistani, Indian
    suffix = "(?:ese|i|ian|an|n)?" if adjectives else ""
    return re.compile(
        "|".join([*map(re.escape, zh_names), rf"\b(?P<en>{'|'.join(map(re.escape, en_names))}){suffix}\b"])
    )


def countries_in(text: str, adjectives: bool = False) -> set[str]:
    """The ISO codes of the countries ``text`` names (China and 中国 are one: CN); with ``adjectives``, also by
    their English adjective (Vietnamese: VN), as a passage names a country whose guest it quotes."""
    names = country_names()
    return {names[m.group("en") or m.group()] for m in _countries(adjectives).finditer(to_simplified(text))}


#: an event's name joining places by a dash, whose countries name the event, not a subject asked about: China-Xinghe
#: Expo, 冰岛—星河博览会 (title-case words or CJK runs on both sides, ending in an event noun)
_JOINED_EVENT = re.compile(
    r"(?:\b[A-Z][\w'’]*\s*[-–—]\s*)+(?:(?:[A-Z][\w'’]*|and|of|for|the)\s+){0,5}?"
    r"(?:Expo|Fair|Forum|Summit|Conference|Congress|Convention|Exhibition|Festival|Dialogue)\b"
    r"|[\u4e00-\u9fff]{2,8}[—–\-－][\u4e00-\u9fff]{1,8}?(?:博览会|交易会|展览会|论坛|峰会|大会)"
)


def asked_countries(question: str) -> set[str]:
    """:func:`countries_in` for a question, leaving out the countries only named inside an event's name that joins
    places by a dash ("the 5th China-Xinghe Expo": the question is about the expo, not about China), and adding a
    country named by its adjective in what an English question counts ("how many Indian firms")."""
    bare = _JOINED_EVENT.sub(" ", to_simplified(question))
    counted = _COUNTED_EN.search(bare)  # "how many Icelandic firms": a count of that country's firms
    return countries_in(bare) | (countries_in(counted.group(1), adjectives=True) if counted else set())


def has_country(text: str) -> bool:
    """A country's name (ISO 3166, in Chinese or English): 马来西亚, Malaysia."""
    return bool(_countries().search(to_simplified(text)))


_QUOTED = re.compile(r"“[^”]{2,}”|\"[^\"]{3,}\"|「[^」]{2,}」|《[^》]{2,}》|‘[^’]{2,}’")
_PHONE = re.compile(
    r"(?<!\d)(?:\(?0\d{2,3}\)?[-—－\s]?\d{7,8}|1[3-9]\d{9}|400[-\s]?\d{3}[-\s]?\d{4})(?!\d)|\+\d{1,3}[\s-]?\d{2,}"
    r"|(?:电话|热线|tel|phone)\s*[:：]?\s*\d",
    re.I,
)
_HALL = re.compile(r"[0-9A-Z一二三四五六七八九十]+(?:\.\d)?\s*号?\s*(?:馆|展馆|展厅|厅)|\bhall\s*[0-9A-Z]+\b", re.I)
_AREA = re.compile(r"平方米|平米|平方公里|公顷|㎡|\bm2\b|m²|square (?:met|kilomet)|\bsq\.?\s?m\b|hectares?", re.I)
_AMOUNT = re.compile(
    r"\d\s*(?:万|亿)?\s*(?:元|美元|欧元|港元|人民币)|[$¥￥€]\s*\d|\b(?:yuan|rmb|usd|dollars?|euros?)\b", re.I
)


def has_quoted(text: str) -> bool:
    """A quoted name or phrase (“…”, "…", 「…」, 《…》): how a theme or slogan is given."""
    return bool(_QUOTED.search(text))


_THEME_WORD = re.compile(r"主题|主旨|口号|标语|为题|theme|slogan|motto", re.I)


def has_theme(text: str) -> bool:
    """A theme given as such: a theme word (主题, 口号, theme, slogan...) and a quoted phrase, or a table cell
    "主题：…" (also under a longer header, "主题或口号：…", when the cell holds words, not a figure). A quoted report
    title alone is no theme."""
    if not _THEME_WORD.search(text):
        return False
    if has_quoted(text) or re.search(r"(?:主题|theme)\s*[:：]\s*\S", text, re.I):
        return True
    # under a longer header ("主题或关键数字："): a cell holding words, not a figure ("成交55亿美元")
    cells = re.findall(r"(?:主题|theme)[^:：｜|。，,]{1,8}[:：]\s*([^｜|]+)", text, re.I)
    return any(
        not re.search(r"\d(?:[\d.,]*)\s*(?:%|万|亿|千|百|个|家|名|人|项|件|平方|billion|million)", c) for c in cells
    )


def has_name(text: str) -> bool:
    """A name given: a quoted one (“…”, 《…》), a person's, or, in Chinese text, a Latin-letter one (a product's
    "X1"); in English text, two capitalised words after the first word. A sentence that only mentions the thing
    ("大会期间将发布团体标准") names nothing."""
    if has_quoted(text) or has_person(text):
        return True
    if has_cjk(text):
        return bool(re.search(r"[A-Za-z][A-Za-z0-9.+\-]*", text))
    return bool(re.search(r"(?<=\s)[A-Z][\w'-]*\s+[A-Z][\w'-]*", text))


def has_phone(text: str) -> bool:
    """A telephone number: 010-12345678, a mobile number, a 400 line, +86 …, "电话：…"."""
    return bool(_PHONE.search(text))


def has_hall(text: str) -> bool:
    """A numbered hall or room: 8号馆, A3展厅, Hall 5."""
    return bool(_HALL.search(text))


def has_area(text: str) -> bool:
    """An area: square metres, hectares, 平方米."""
    return bool(_AREA.search(text))


def has_amount(text: str) -> bool:
    """A sum of money: 487亿元, 3 billion yuan, $20."""
    return bool(_AMOUNT.search(text))


def has_address(text: str) -> bool:
    """A street address or a numbered building."""
    return bool(_ADDRESS.search(text))


def has_venue(text: str) -> bool:
    """A named venue or facility: a hall, a room, a centre, a service desk."""
    return bool(_VENUE_RE.search(text))


#: an English event's name: capitalised words ending in an event noun ("Xinghe Robot Fair")
_EVENT_NAME_EN = re.compile(
    r"\b((?:[A-Z][\w'&-]*\s+(?:(?:of|for|and|the|on|in)\s+)?){1,8}"
    r"(?:Conference|Expo|Exposition|Fair|Summit|Forum|Convention|Congress|Festival|Exhibition|Games|Show))\b"
)


def event_acronyms(text: str) -> set[str]:
    """The acronyms of the events ``text`` names: the initials of an English event's name ("Xinghe Robot
    Fair" -> XRF, "Binjiang International Trade Expo" -> BITE), whether or not the text spells them out."""
    out = set()
    for m in _EVENT_NAME_EN.finditer(text):
        words = [w for w in m.group(1).split() if w[:1].isupper()]
        words = words[1:] if words[:1] == ["The"] else words
        out.add("".join(w[0] for w in words))
    return out


def has_organisation(text: str) -> bool:
    """A ministry, bureau, association, company, university, secretariat… (or an acronym in English, but not
    the acronym of an event the text names: "the Xinghe Robot Fair (XRF)" names no organiser)."""
    events = event_acronyms(text) if re.search(r"\b[A-Z]{2,8}\b", text) else set()
    return any(m.group() not in events for m in _ORG.finditer(text))


def has_person(text: str) -> bool:
    """A named person: a title next to a 2–3 character name (before what the person does, 通报说, 认为...), "由…主持",
    a transliterated foreign name (X·Y), a title before a capitalised word, or an English name (:func:`english_name`)."""
    return bool(_PERSON.search(text)) or english_name(text)


def is_title(word: str) -> bool:
    """Whether a Chinese word is a person's title (主席, 秘书长, also compounds: 市委书记, 常务副市长): what a person
    is, not what a person did."""
    return bool(re.fullmatch(rf"(?:{_H}?委|常务|执行|名誉|首席)?副?(?:{_TITLES})", word))


def has_person_or_org(text: str) -> bool:
    """``谁`` asks for either: a person or an organisation."""
    return has_person(text) or has_organisation(text)


def has_price(text: str) -> bool:
    """An amount of money or "free"."""
    return bool(_PRICE.search(text))


def has_url(text: str) -> bool:
    """A web address, a QR code, an official account or mini-program: a route to register or read more."""
    return bool(_URL.search(text))


def has_edition(text: str) -> bool:
    """An edition named: 第十二届, 届次：第三届, the 12th, the third summit, 首届; or a table's edition cell whatever
    it holds (届次：2024星河博览会)."""
    return bool(editions(text)) or bool(re.search(r"届次[:：]\s*\S", to_simplified(text)))


#: several items named together: 甲、乙, "A, B and C", "Alpha and Beta" (capitalised names joined)
_LIST = re.compile(
    r"[^、，。；\s]{1,20}、[^、，。；\s]{1,20}|(?:\b[A-Za-z][A-Za-z-]*(?:\s+[A-Za-z][A-Za-z-]*){0,4},\s+){2,}[A-Za-z]"
    r"|\b[A-Z][\w-]*(?:\s+[A-Z][\w-]*)*,?\s+and\s+(?:the\s+)?[A-Z]"
)
#: a question asking for several things (哪些领域, 哪几个展区, "which fields", "what organisations were…")
_LIST_Q = re.compile(
    r"哪些|哪几|哪两|哪三|哪四|哪五|\bwhich\s+(?:[a-z-]+\s+){0,2}[a-z-]{3,}s\b|\bwhat\s+(?:[a-z-]+\s+){0,2}[a-z-]{3,}s\s+(?:were|are|did|do|will)\b",
    re.I,
)


def has_list(text: str) -> bool:
    """Several items named together: 论坛、展览、赛事; "forums, exhibitions, contests"; "Xinghe Group and Yuehu Bank"."""
    return bool(_LIST.search(text))


def has_number(text: str) -> bool:
    """A figure in Arabic or Chinese numerals."""
    return bool(_NUMBER.search(text))


# ---------------------------------------------------------------- question patterns
#: what 国家 qualifies when it means "national", not "country" (哪个国家部门主办: a ministry, no country)
_STATE_NOUN = r"部门|部委|机关|机构|级|单位|层面|标准|战略|实验室|重点|中心|项目|平台|队"
#: (kind, question pattern, detector) in order of specificity
KINDS: list[tuple[str, re.Pattern[str], Callable[[str], bool]]] = [
    ("price", re.compile(r"多少钱|价格|票价|售价|定价|零售价|费用|收费|门票|注册费|报名费|参会费|会费|免费吗|\bprices?\b|\bcosts?\b|\bfees?\b|\btickets?\b|how much does|how much is", re.I), has_price),
    ("url", re.compile(r"网址|网站|链接|官网|二维码|报名(?:方式|渠道|入口|网址|链接)|(?:怎么|如何|在哪)(?:报名|注册|预约)|website|\burl\b|\blinks?\b"
                       r"|how (?:do|can) (?:i|we) (?:register|sign up|book)|where (?:do|can) (?:i|we) (?:register|sign up)", re.I), has_url),
    ("address", re.compile(r"地址|街道|门牌|哪条路|哪条街|什么路|住宿|停车|地铁|公交|\baddress(?:es)?\b|\bstreet|which road|\bparking|\bmetro\b|\bsubway|\bbus(?:es)?\b(?!\s+(?:makers?|manufacturers?|producers?|compan(?:y|ies)|brands?|firms?|industry))", re.I), has_address),
    ("phone", re.compile(r"电话|热线|联系方式|手机号|\bphone|hotline", re.I), has_phone),
    ("theme", re.compile(r"主题(?:是|为|叫|口号|词)|什么主题|哪个主题|口号|标语|\btheme\b(?!\s+(?!(?:of|is|was|did|does|do|for|this|that|will|and|in|at|they|it)\b)[a-z])|\bslogan|\bmotto", re.I), has_theme),
    ("name", re.compile(r"叫什么(?:名字|名称)?|名称是什么|名字是什么|什么名字|\bwhat (?:is|was|were|are) (?:the )?names? of\b|\bwhat (?:is|was|were) (?:it|they|\w+) called\b", re.I), has_name),
    ("hall", re.compile(r"几号馆|哪号馆|几号厅|哪个展馆|which hall", re.I), has_hall),
    ("area", re.compile(r"面积|多少平方米|多少平米|(?:exhibition|floor|total|display|exhibit|net|gross|show|covered)\s+areas?\b"
                        r"|how (?:large|big)\b.{0,60}\bareas?\b|\bareas?\b.{0,40}\bhow (?:large|big)\b|square met|floor space", re.I), has_area),
    ("amount", re.compile(r"金额|总额|总投资|[\u4e00-\u9fff](?<![份名配限])额|营收|\brevenues?\b|花了多少|花费多少|耗资多少|出资多少|total investment|how much (?:investment|money)"
     r"|how much\b.{0,40}\b(?:spend|spent|pay|paid|invest|raise|raised|earn|earned)\b|\bworth\b|\bvalue\b"
     r"|\bturnover\b|\b(?:trade|trading|transaction|sales|deal) volumes?\b|\b(?:deal|deals|export|import|trade|sales|investment|signing)\s+(?:figure|total)s?\b", re.I), has_amount),
    ("venue", re.compile(r"哪个馆|哪个厅|哪个场馆|哪些场馆|哪个会议室|哪个展厅|服务台|哪家酒店|哪个酒店|which hall|which room|which building|which hotel|(?<![\w-])venues?\b(?!-)", re.I), has_venue),
    ("date", re.compile(r"什么时候|何时|哪天|几号(?!馆|厅)|哪一天|哪几天|日期|几月|哪年|明天|后天|今天|昨天|下周|本周|这周|周末|开幕吗|闭幕吗"
                        r"|\bwhen\b|what date|which dates?\b|which day|what day|tomorrow|today|this weekend|next week", re.I), has_date),
    ("time", re.compile(r"几点|什么时间开始|时段|what time|which time", re.I), has_time),
    ("person_or_org", re.compile(r"谁|哪位|哪些人|哪[两三几]?家|哪[两三几]?个单位|哪些单位|主办方|承办方|\bwho\b|\bwhom\b", re.I), has_person_or_org),
    ("person", re.compile(rf"(?:嘉宾|演讲者|主讲人?|领导人?|官员|{_TITLES})\S{{0,4}}(?:是谁|有谁|是哪(?![个一]?(?:省|市|城市|区|县|国|家|个?单位|里|儿|座))|有哪些)|哪位|主旨演讲嘉宾|(?:{_TITLES})的?(?:叫什么|名字)"
                          r"|keynote speaker|\bspeakers?\b|which (?:[A-Za-z-]+\s+){0,2}(?:official|leader|premier|president|minister|guest|head of state|ambassador|mayor|governor)s?\b", re.I), has_person),
    ("number", re.compile(r"多少|(?<!哪)几(?:个|家|届|场|项|名|位|份|件|种|批|所|座|条|款|部|轮|天(?![后前内以]))|多大|多长|多高|比重|占比|规模|排第几|第几"
                          r"|how many|how much|how large|how big|how long|number of|percentage|share|what rank", re.I), has_number),
    ("country", re.compile(rf"哪(?:个|些|一个)?{_H}{{0,4}}国家(?!{_STATE_NOUN})|哪国|哪一国|which countr|what countr", re.I), has_country),
    ("edition_name", re.compile(r"哪一?届|哪几届|which (?:edition|session)s?\b", re.I), has_edition),
    ("place", re.compile(r"哪里|哪儿|在哪(?![些个几一类种])|何地|哪座城市|哪(?:个|两个|几个|些|一个)?(?:省|市|城市|区|县|地方|会场|展馆)|地点|场馆|\bwhere\b|which city|\blocation|(?<![\w-])venues?\b(?!-)", re.I), has_place),
]  # fmt: skip
_DETECTORS = {k: d for k, _, d in KINDS}
_DETECTORS["list"] = has_list
#: a ranking a counted noun is on (世界500强企业): not the noun itself (500强及…: a list of kinds, left alone)
_RANKING = re.compile(r"(?:世界|全球|中国|亚洲)?\d+强(?![及和与、])")
#: the words after "how many", up to six (commas between them allowed: "military, government and trade delegations"):
#: the counted noun is the first plural among them, else the first
_COUNTED_EN = re.compile(r"\bhow many\s+((?:[a-z0-9][\w-]*,?\s*){1,6})", re.I)
_PLURAL = re.compile(r"[a-z]{2,}(?<!s)s$|people$", re.I)


def _count_words(question: str) -> list[str]:
    """The lower-cased words after "how many" (:data:`_COUNTED_EN`), commas dropped ("military, government and trade
    delegations"); [] when the question has no "how many"."""
    en = _COUNTED_EN.search(question)
    return en.group(1).lower().replace(",", " ").split() if en else []


_EN_QUALIFIERS = {"more", "new", "foreign", "overseas", "international", "domestic", "other"}
#: the measure words a count is given in (多少家, 有几个)
COUNT_UNITS = "个|家|名|位|场|项|届|次|人次|人|天|座|条|件|份|种|批|所|款|部|轮|周年|支|艘|架|辆|台|枚|篇|套"
#: measure words that name the kind of thing counted (支: teams, 艘: ships, 架: aircraft), unlike 个 or 家
SPECIFIC_UNITS = frozenset("支艘架辆台枚篇套")
#: a year the question is about: "2023年", "in 2023", "the 2022 conference", "FAIR 2021", or opening an event's
#: name ("2025星河博览会"), not a figure ("2024名观众", "截至2023" is a year only with 年)
_YEAR_Q = re.compile(
    r"((?:19|20)\d{2})\s*年|(?<![\d\u4e00-\u9fff.])((?:19|20)\d{2})"
    rf"(?![\d.%]|\s*(?:{COUNT_UNITS}|万|亿|元|多|余|平方|米))",
    re.I,
)
#: a count question naming its noun before 有多少/有几 ("外资项目有几个？"): the noun is the phrase before 有
_COUNTED_BEFORE = re.compile(  # not 天: 有几天 asks how long
    rf"({_H}{{2,12}})(?:一共|总共|共)?有(?:多少|几)({COUNT_UNITS.replace('|天', '')})?[？?]?$"
)
#: a quantity named by its noun and 量/数量/次数 ("下载量是多少"): the noun must stand by the figure
_MEASURED = re.compile(rf"({_H}{{2,8}}?)(?:量|数量|次数)(?:是|为|有|达到?|一共|共|总共|大概|大约|约)*(?:多少|几)")
_PEOPLE_TOTAL = re.compile(r"(?:人数|人次)(?:是|为|有|达到?|一共|共|总共)*(?:多少|几)")
_COUNTED = re.compile(rf"(?:多少|(?<![哪第])几(?!号|天[后前内以]))({COUNT_UNITS})?({_H}{{2,8}})?")


#: words pointing back at the previous answer before a follow-up's noun (那展品有多少件), not part of it
_DEMONSTRATIVES = frozenset(("那", "那么", "那些", "那个", "这", "这些", "这个", "其中"))


#: a question asking for a share (占多少, 比例, "what percentage of"): its answer is a percentage, whatever it is a share of
_SHARE_Q = re.compile(
    r"占(?:了|到|据)?(?:多少|几成|百分之几|多大比例)|所占比[例重]|占比|比例是多少|几成|百分之多少"
    r"|what (?:share|percentage|proportion|fraction)|\bpercentage of\b",
    re.I,
)


#: a place named as what a count or size is about ("the main venue" in "how many visits did the main venue record",
#: 主场馆 in 主场馆面积多少): no place is asked for unless another word asks for one
_PLACE_AS_SUBJECT = re.compile(
    r"(?<![\w-])(?<!what is the )(?<!what was the )(?<!what were the )venues?\b(?!-)|(?<!哪个)(?<!哪些)(?<!哪)场馆",
    re.I,
)

#: what attending costs (a ticket, a fee): "多少钱" asks for a price only with one of these
_COST_TO_ATTEND = re.compile(r"价格|票价|费用|收费|门票|票|注册费|报名费|参会费|会费|免费|price|cost|fee|ticket", re.I)


_KIND_ASKS = {kind: ask for kind, ask, _ in KINDS}


def expected_kinds(question: str) -> list[str]:
    """The kinds of answer a question asks for (most specific first); ``year`` when it names a year."""
    q = to_simplified(question)
    kinds = [kind for kind, ask, _ in KINDS if ask.search(q)]
    if "price" in kinds or "date" in kinds or "time" in kinds:  # "how much does a ticket cost": the price
        kinds = [k for k in kinds if k != "number"]
    if "date" in kinds:  # "报名截止日期是哪天": a date, not a route to register
        kinds = [k for k in kinds if k != "url"]
    if _SHARE_Q.search(q):  # 按展示面积算，境外企业占多少: a share, not the area (or the amount) it is a share of
        kinds = [k for k in kinds if k not in ("area", "amount")]
    if {"area", "amount", "phone"} & set(kinds):  # square metres, yuan, a phone number: not any figure
        kinds = [k for k in kinds if k != "number"]
    if "price" in kinds and not _COST_TO_ATTEND.search(q):  # 意向成交一共多少钱: a sum, not what a ticket costs
        kinds = ["amount" if k == "price" else k for k in kinds]
    if "price" in kinds:
        kinds = [k for k in kinds if k != "amount"]
    kinds = list(dict.fromkeys(kinds))
    if {"number", "area"} & set(kinds) and _PLACE_AS_SUBJECT.search(q):
        rest = _PLACE_AS_SUBJECT.sub(" ", q)
        kinds = [k for k in kinds if k not in ("venue", "place") or _KIND_ASKS[k].search(rest)]
    if "hall" in kinds:
        kinds = [k for k in kinds if k not in ("venue", "place")]
    if "address" in kinds or "venue" in kinds:
        kinds = [k for k in kinds if k != "place"]
    if "person_or_org" in kinds and _COUNTRY_AS_WHO.search(q):  # "who is the guest country": a country
        kinds = ["country" if k == "person_or_org" else k for k in kinds if k != "person"]
    if "person_or_org" in kinds and "person" in kinds:
        kinds = [k for k in kinds if k != "person_or_org"]
    if {"person", "person_or_org", "theme"} & set(kinds):  # 院长叫什么名字, 主题叫什么: a person, a theme is the name
        kinds = [k for k in kinds if k != "name"]
    if not kinds and _LIST_Q.search(q):  # 涉及哪些领域: several things, of no other kind (a preference, not a check)
        kinds.append("list")
    if question_years(q):
        kinds.append("year")
    if editions(q):
        kinds.append("edition")
    if parts_named(q):
        kinds.append("part")
    return kinds


#: a country asked for with "who" (谁, who): "Who is the guest country of honour?", "主宾国是谁？"
_COUNTRY_AS_WHO = re.compile(
    r"\bwho\b.{0,40}\bcountr(?:y|ies)\b|\bcountr(?:y|ies)\b.{0,40}\bwho\b|国(?:家)?(?:是|为)谁", re.I
)


def question_years(question: str) -> set[str]:
    """The years a question is about."""
    return {a or b for a, b in _YEAR_Q.findall(question)}


#: an edition's two ceremonies: the words a question asks about one by (its full name) and the words a passage
#: names it by (the full name, or 开幕/闭幕 and open/close alone)
_CEREMONY_ASKED = {
    "closing": re.compile(r"闭幕式|閉幕式|closing ceremony", re.I),
    "opening": re.compile(r"开幕式|開幕式|opening ceremony", re.I),
}
_CEREMONY_NAMED = {
    "closing": re.compile(
        r"闭幕|閉幕|落幕|落下帷幕|结束|結束|\bclos(?:e|ed|es|ing)\b|\bend(?:s|ed)?\b|\buntil\b|\bconclud(?:e|ed|es)\b"
        r"|\bwrap(?:s|ped)? up\b",
        re.I,
    ),
    "opening": re.compile(
        r"开幕|開幕|揭幕|启幕|啟幕|拉开帷幕|拉開帷幕|\bopen(?:ed|s|ing)?\b|\bkick(?:s|ed)? off\b", re.I
    ),
}


def ceremony_asked(question: str) -> str:
    """The ceremony a question asks about by its name (闭幕式由谁主持 -> ``closing``, "the opening ceremony" ->
    ``opening``), or "" when it names neither or both."""
    return _the_one_named(_CEREMONY_ASKED, question)


def _the_one_named(patterns: Mapping[str, re.Pattern[str]], question: str) -> str:
    """The key of the one pattern of ``patterns`` that ``question`` matches, or "" for none or several."""
    named = [c for c, pattern in patterns.items() if pattern.search(question)]
    return named[0] if len(named) == 1 else ""


def moment_asked(question: str) -> str:
    """The moment of an edition a date question asks about (哪天闭幕 -> ``closing``, "when did it open" ->
    ``opening``), by the words a passage names either by (:data:`_CEREMONY_NAMED`), or "" for neither or both: a
    sentence dating the opening does not date the closing."""
    return _the_one_named(_CEREMONY_NAMED, question)


def names_other_ceremony(asked: str, texts: Sequence[str]) -> bool:
    """Whether the first of ``texts`` (the best sentence) names the other ceremony than ``asked`` and none of
    them names the asked one: 开幕式由…主持 says nothing of who presided over the closing ceremony."""
    other = "opening" if asked == "closing" else "closing"
    return bool(
        texts and _CEREMONY_NAMED[other].search(texts[0]) and not any(_CEREMONY_NAMED[asked].search(t) for t in texts)
    )


#: English count nouns and the Chinese measure word that names them (general grammar, not any corpus's words): a
#: figure in it counts the noun in Chinese text whatever word the passage uses (12架 for "how many aircraft", 会期三天
#: for "how many days"), as :data:`SPECIFIC_UNITS` do for Chinese questions
EN_COUNT_UNITS = dict(
    pair.split(":")
    for pair in (
        "aircraft:架 airplanes:架 planes:架 jets:架 helicopters:架 drones:架 vehicles:辆 cars:辆 buses:辆 trucks:辆 "
        "ships:艘 vessels:艘 boats:艘 days:天 papers:篇 articles:篇 teams:支 editions:届 routes:条"
    ).split()
)


def counted_unit(question: str) -> str:
    """The measure word a count question asks in when it names the kind of thing counted: in Chinese one of
    :data:`SPECIFIC_UNITS` (多少支队伍 -> 支, a figure in 支 counts teams however the passage names them), in English
    the one :data:`EN_COUNT_UNITS` gives the noun after "how many" ("how many aircraft" -> 架); "" otherwise."""
    if not has_cjk(question):
        return next((EN_COUNT_UNITS[w] for w in _count_words(question) if w in EN_COUNT_UNITS), "")
    m = _COUNTED.search(to_simplified(question))  # the measure word of the count counted_noun reads
    return m.group(1) if m and m.group(1) in SPECIFIC_UNITS else ""


#: one-character prefixes that make a noun a part or rank of the thing (分论坛, 子项目, 副会长, 主会场): jieba splits them
#: off, and the bare noun would count the whole (两份报告 of 论坛 is no count of its sub-forums)
BOUND_PREFIXES = frozenset("分子副主")


def counted_noun(question: str) -> str:
    """The noun a count question names (``多少名观众`` -> ``观众``; ``多少位A的B`` -> ``B``; ``境外企业有多少家`` ->
    ``境外企业``, the whole phrase before 有, whose first word must then stand by the figure; ``多少人``, "how many
    people" -> ``人``: people of any kind; ``多少人次`` -> ``人次``: visits), or ""."""
    simple = _RANKING.sub("", to_simplified(question))  # 多少家世界500强企业: companies (on that ranking)
    if "人次" in simple and re.search(r"多少|几", simple):  # 多少人次, 人次是多少: visits, a figure in 人次
        return "人次"
    if _PEOPLE_TOTAL.search(simple):  # 参会总人数是多少: a figure of people
        return "人"
    from confbot.retrieve.bm25 import jieba_tokenizer

    measure = _MEASURED.search(simple)
    if measure and len(noun := jieba_tokenizer().lcut(measure.group(1))[-1]) >= 2:
        return noun  # 应用下载量是多少: downloads (下载), not any figure
    before = _COUNTED_BEFORE.search(simple)
    if before and before.group(2) not in ("人", "人次"):  # 境外企业有多少家: the phrase before 有 (the whole compound)
        phrase = re.sub(
            r"(?:一共|总共|共|还|都|总计|累计|大概|大约|大致|约|最终|最后|实际|实际上|到底|究竟|目前|如今|现在|最新|已经|已)+$",
            "",
            re.split(r"[的中里内之，,、]", before.group(1))[-1],
        )
        first = jieba_tokenizer().lcut(phrase)[:1]
        if first and first[0] in _DEMONSTRATIVES:  # 那展品有多少件 (a follow-up): 展品
            phrase = phrase[len(first[0]) :]
        if 2 <= len(phrase) <= 8 and phrase not in ZH_STOPWORDS and phrase not in ZH_QUESTION_WORDS:
            return phrase
    m = _COUNTED.search(simple)
    if not m:
        words = [w for w in _count_words(question) if w not in _EN_QUALIFIERS and len(w) >= 3]
        head = next((w for w in words if _PLURAL.search(w)), words[0] if words else "")
        if head and (
            also := re.search(rf"\b{re.escape(head)}\s+and\s+(?:[a-z-]+\s+)?([a-z]{{3,}}s)\b", question.lower())
        ):
            return f"{head}|{also.group(1)}"  # "dignitaries and guests": a count of either answers
        return "人" if head == "people" else head  # how many people: any count of people, as 多少人
    if m.group(1) in ("人", "人次"):  # 多少人来参加, 入场了多少人: people, whatever the verb after
        return "人"
    if not m.group(2):
        return ""
    rest = simple[m.start(2) :]
    after = re.match(rf"{_H}{{2,8}}", rest.split("的", 1)[1]) if rest[0] in "与和同跟对向从" and "的" in rest else None
    if after:  # 多少个与A、B等国的合作项目: what follows 的
        phrase = after.group()
    else:  # 多少位企业界的领袖人物: the head after 的; 多少家企业的多少件产品: the first count's noun, before the next 多少
        parts = [p for p in m.group(2).split("的") if p]
        phrase = next((p for p in reversed(parts) if not re.search(r"多少|几", p)), "")
    phrase = _without_leading_qualifiers(phrase)
    tokens = jieba_tokenizer().lcut(phrase)
    if len(tokens) > 1 and tokens[0] in BOUND_PREFIXES and has_cjk(tokens[1]):  # 多少个分论坛: sub-forums, not forums
        tokens[:2] = [tokens[0] + tokens[1]]
    if len(tokens) > 1 and tokens[1] in ("了", "过", "着") and len(tokens[0]) >= 4:  # 多少家媒体报道了…: 媒体
        tokens[:1] = [w for w in jieba_tokenizer().lcut_for_search(tokens[0]) if w != tokens[0]][:1] or tokens[:1]
    words = [w for w in tokens if len(w) >= 2 and w not in ZH_QUESTION_WORDS]
    if len(words) > 1 and words[0] in country_names():  # 多少家冰岛企业: companies (of that country)
        words = words[1:]
    elif len(tokens) > 2 and tokens[:2] == words[:2] and _nouns(tokens[:2]):
        # 多少家俄方企业参展: companies of that side, not any figure of 俄方 (its hall's area); with a word after them
        # only, jieba tagging some verbs as nouns when they end the question (几所大学参赛: 参赛 n)
        return words[0] + words[1]
    if words and _verb_without_noun(phrase):  # 多少台来自中国: a verb, and no noun after it names what is counted
        return ""
    return words[0] if words else ""


def _verb_without_noun(phrase: str) -> bool:
    """Whether ``phrase`` (what follows a count's measure word) opens with a verb that no common noun follows
    (来自中国: the measure word alone says what is counted; 参展企业: 企业)."""
    from confbot.retrieve.bm25 import jieba_posseg

    tags = [p.flag for p in jieba_posseg().lcut(phrase) if p.word.strip()]
    return bool(tags) and tags[0] == "v" and not any(f in ("n", "nz", "vn") for f in tags[1:])


#: jieba's tags of words that qualify a counted noun without being it: adverbs (正式), conjunctions (不是),
#: prepositions, abbreviations (两院), distinguishing words (国家级) and words of place or side (国内外, 中外: both
#: sides, no narrowing; 境外 still narrows through :func:`counted_modifier`)
_QUALIFIER_TAGS = frozenset(("ad", "d", "c", "p", "j", "b", "s", "f"))


def _without_leading_qualifiers(phrase: str) -> str:
    """``phrase`` without the words tagged :data:`_QUALIFIER_TAGS` before its first noun (多少个正式合同项目 ->
    合同项目, 多少位两院院士 -> 院士); unchanged when no noun follows them."""
    from confbot.retrieve.bm25 import jieba_posseg

    tags = [(p.word, p.flag) for p in jieba_posseg().lcut(phrase)]
    lead = 0
    while lead < len(tags) and tags[lead][1] in _QUALIFIER_TAGS:
        lead += 1
    if lead and any(f.startswith("n") for _, f in tags[lead:]):
        return phrase[sum(len(w) for w, _ in tags[:lead]) :]
    return phrase


def _nouns(words: Sequence[str]) -> bool:
    """Whether jieba tags every one of ``words`` (read together) a common noun: 俄方 企业, not 企业 参展."""
    from confbot.retrieve.bm25 import jieba_posseg

    tags = [(p.word, p.flag) for p in jieba_posseg().lcut("".join(words))]
    return [w for w, _ in tags] == list(words) and all(f in ("n", "nz") for _, f in tags)  # not 上台 (ns), 五百强 (nr)


#: how a count's noun took part, standing before it in a question (线上参展的企业) and by the figure in an answer
_CHANNEL_WORDS = ("线上", "线下", "网上", "云上")


def counted_modifier(question: str, noun: str | None = None) -> str:
    """In an English count question, the word just before the counted noun when it narrows it ("how many humanoid
    robots" -> ``humanoid``, "online buyers" -> ``online``, "overseas buyers" -> ``foreign``: any word of
    :data:`FOREIGN_WORDS`); in a Chinese one, a ranking (多少家世界500强企业 ->
    500强), a country right before the noun (多少家冰岛企业 -> 冰岛), ``foreign`` for a foreign word shortly before
    it (境外参展的企业) or how it took part (线上参展的企业 -> 线上); "" for another qualifier such as "new"
    (:data:`_EN_QUALIFIERS`, translated too many ways to judge) or a noun standing alone. ``noun``: the question's
    :func:`counted_noun` when the caller has it already."""
    if has_cjk(question):  # 多少家冰岛企业: the country must stand by the figure too; 多少家500强企业: the ranking
        simple = to_simplified(question)
        noun = counted_noun(question) if noun is None else noun
        if noun and (ranking := re.search(r"\d+强", simple)):
            return ranking.group()
        near = (m.group() for m in _countries().finditer(simple) if noun and simple[m.end() :].startswith(noun))
        if country := next(near, ""):
            return country
        before = simple[max(0, simple.find(noun) - 8) : simple.find(noun)] if noun and noun in simple else ""
        if any(w in before for w in FOREIGN_WORDS if not w.isascii()):  # 境外参展的企业: foreign ones
            return "foreign"
        return next((w for w in _CHANNEL_WORDS if w in before), "")  # 线上参展的企业: online ones
    words = _count_words(question)
    at = next((i for i, w in enumerate(words) if _PLURAL.search(w) and w not in _EN_QUALIFIERS and len(w) >= 3), None)
    if not at:
        return ""
    before = words[at - 1]
    if at >= 2 and words[at - 2] in ("and", "or"):  # "military, government and trade delegations": one of a list
        return ""
    if before.isascii() and before in FOREIGN_WORDS:  # foreign, overseas, international: one sense, judged as one
        return "foreign"
    ok = before.isalpha() and len(before) >= 3 and before not in _EN_QUALIFIERS and before not in EN_STOPWORDS
    return before if ok else ""


#: what a Chinese question names as the thing it asks for: 吉祥物是什么, 售价是多少, 标准叫什么, 哪份白皮书, 哪支队伍
_ASKED_IS = re.compile(rf"({_H}{{2,8}}?)(?:是|叫|为)(?:什么|多少|哪些|哪个|哪一个)(?:名字|名称)?[？?]?$")
_ASKED_WHICH = re.compile(rf"哪一?(?:份|支|款|部|本|首|种|条|所|位|家|座|件)({_H}{{2,6}})")
#: nouns a question asks for that any answer paraphrases (特点, 情况, 意义) or a kind of answer judges (主题, 面积, 日期)
_GENERIC_ASKED = frozenset(
    "主题 名字 名称 情况 内容 特点 亮点 特色 意义 作用 目的 原因 方式 形式 规模 数量 总数 数字 数据 结果 成果 变化 区别 关系 "
    "身份 职务 职位 头衔 定位 时间 日期 地点 地址 面积 人数 人次 东西 事情 措施 举措 做法 重点 目标 安排 亮相 表现 水平 "
    "部分 方面 领域 类型 种类 比例 占比 比重 幅度 增速 排名 标准 主旨 主办方 承办方 官员 领导 嘉宾 人物 企业 单位 机构 "
    "地方 城市 国家 省份 项目 题目 口号 举例 奖项 公司".split()
)


def asked_thing(question: str) -> str:
    """The noun a Chinese question names as what it asks for, when an answer must name it too: the last word before
    是什么/是多少/叫什么 (吉祥物是什么 -> 吉祥物, 零售价是多少 -> 零售价), or the first after 哪份/哪支/哪位...
    (哪份白皮书 -> 白皮书, 哪位建筑师 -> 建筑师); "" for an English question, for a noun of
    :data:`_GENERIC_ASKED` (特点, 主题: answers paraphrase them, or a kind judges them) and where none is named."""
    simple = to_simplified(question).strip()
    if not has_cjk(simple):
        return ""
    from confbot.retrieve.bm25 import jieba_posseg

    m = _ASKED_WHICH.search(simple) or _ASKED_IS.search(simple)
    pairs = [(p.word, p.flag) for p in jieba_posseg().lcut(m.group(1))] if m else []
    # a common noun (not a place's, a person's or an institution's name), the head: the last one (哪位建筑师设计的 ->
    # 建筑师)
    nouns = [w for w, f in pairs if f in ("n", "nz", "nr") and len(w) >= 2]  # jieba tags 吉祥物 nr
    word = nouns[-1] if nouns else ""
    generic = word in _GENERIC_ASKED | ZH_KIND_NOUNS | ZH_QUESTION_WORDS | ZH_STOPWORDS or is_title(word)
    return "" if generic or word.endswith(("额", "价格", "费")) else word  # amounts and prices: kinds judge them


#: words between 谁/哪位 and the role a person question asks about (由谁主持, 哪位中国领导人做的主旨演讲)
_ROLE_SKIP = frozenset("是 由 做 作 来 给 为 在 将 会 要 进行 担任 出来 派 发来 送来 发出 寄来".split())
#: verbs of saying or judging: what follows them is what was said (哪位院士判断…会成长为…), which answers paraphrase,
#: so a question asking who said something names no role the passages must repeat
_SAYING = frozenset("表示 认为 判断 指出 预计 预测 称 说 强调 坦言 直言".split())
#: verbs whose object is itself an event's verb (谁宣布开幕): the declaring is the role, not the opening, which any
#: sentence about the opening ceremony names
_DECLARING = frozenset("宣布 宣告".split())
_EN_ROLE_SKIP = frozenset(
    "did does do was were is are will has have had the a an delivered delivers deliver gave give gives made make "
    "makes".split()
)


#: verbs reporting what somebody said ("who announced the figure"): answers word it as "said", "according to",
#: "explained", so the verb is no role the passages must repeat (as :data:`_SAYING` in Chinese)
_EN_SAYING = frozenset(
    "announced announces said says stated states noted notes told tells explained explains revealed reveals "
    "disclosed discloses reported reports mentioned mentions".split()
)


#: "who was the chief designer of …", "who is the organizing committee's executive secretary-general": the role noun
#: phrase after a copula and an article, up to a preposition or the end
_EN_ROLE_NOUN = re.compile(
    r"\bwho\s+(?:is|was|are|were|will be)\s+(?:the|a|an)\s+((?:(?!(?:of|at|for|in|on|from|with|who|that)\b)[\w'-]+\s*){1,4})"
    r"(?:\b(?:of|at|for|in|on|from|with|who|that)\b|\b[a-z]+ed\b|[?.,]|$)",  # ... or a participle: "…chair quoted"
    re.I,
)


#: "主宾国是哪个国家", "担任主题国的是哪国": the standing a country question asks about
_COUNTRY_STANDING = re.compile(
    rf"({_H}{{1,5}}国)(?:的)?(?:是|为|有)?哪(?:个|些|一个)?{_H}{{0,4}}国|哪(?:个|些|一个)?国家?(?:担任|作为|成为|是)了?({_H}{{1,4}}国)"
)


def country_standing(question: str) -> str:
    """What a country question asks the country to be (主宾国 in "第三届的主宾国是哪个国家？"), or ""; a sentence
    naming a country without that standing does not answer it."""
    m = _COUNTRY_STANDING.search(to_simplified(question))
    if not m:
        return ""
    word = re.sub(r"^(?:担任|作为|成为|是)", "", re.split(r"[的是为]", m.group(1) or m.group(2))[-1])
    return word if len(word) >= 3 else ""


def role_of(question: str) -> str:
    """What a person question asks the person *did*: the last verb after 谁/哪位 (主持 in "由谁主持", 致辞 in
    "谁代表主办方致辞", 演讲 in "谁做的主旨演讲"); in English the first word after "who" that is not an auxiliary
    or a light verb ("presided", "chairs", "keynote"); "" when it names none. A sentence naming somebody without
    the role ("…出席开幕式") does not say who presided. Words before 谁 ("介绍筹备情况的副部长是谁") describe whom
    the question means, and answers paraphrase them: they are not a role, but for a title right before 是谁
    ("市长是谁": the passages must call somebody that)."""
    q = to_simplified(question)
    if not has_cjk(q):
        noun = _EN_ROLE_NOUN.search(q)
        if noun:  # "who was the chief designer of …": the phrase's head, designer
            return noun.group(1).split()[-1].lower()
        m = re.search(r"\bwho(?:m)?\s+((?:[\w-]+\s+){0,3})", q, re.I)
        words = [
            w for w in (m.group(1).lower().split() if m else []) if w not in _EN_ROLE_SKIP and not w.endswith("ly")
        ]
        if words and words[0] in _EN_SAYING:  # who announced the figure: whoever gave it, in any words
            return ""
        return words[0] if words else ""
    from confbot.retrieve.bm25 import jieba_posseg

    pairs = [(p.word, p.flag) for p in jieba_posseg().lcut(q) if p.word.strip()]
    at = next((i for i, (w, _) in enumerate(pairs) if w in ("谁", "哪位")), None)
    if at is None:
        return ""

    def verbs(span: list[tuple[str, str]]) -> list[str]:
        return [w for w, f in span if f.startswith("v") and w not in _ROLE_SKIP and len(w) >= 2]

    after = verbs(pairs[at + 1 :])
    if after and after[0] in _SAYING and len(after) > 1:  # 谁判断市场会成长为…: who said it, not who grew
        return ""
    if after:
        return next((w for w in after[:-1] if w in _DECLARING), after[-1])
    before = [w for w, _ in pairs[:at] if w not in ("是", "为", "又")][-1:]
    return before[0] if before and is_title(before[0]) else ""  # 市长是谁: the title itself, said of somebody


def kind_present(kind: str, text: str, question: str = "", not_answers: Collection[str] = ()) -> bool:
    """Whether ``text`` holds an answer of ``kind`` (for ``year``: every year the question names; for ``part``: the
    phase or day the question names; for ``country``:
    a country other than those the question names and the ISO codes in ``not_answers``)."""
    if kind == "year":
        return all(y in text for y in question_years(question))
    if kind == "edition":  # the edition asked about, when the text names any edition at all
        named, asked = editions(text), editions(question)
        # editions of two events asked (a forum's 3rd at a fair's 14th): one of them named will do
        return not named or asked <= named or (bool(asked & named) and several_events(question))
    if kind == "part":  # the phase or day asked about, named (a figure of the whole fair is not phase 2's)
        return parts_named(question) <= parts_named(text)
    if kind == "country":  # "Which country …, at the China–X Expo?": not China
        return bool(countries_in(text) - countries_in(question) - set(not_answers))
    if kind == "date" and not has_date(text) and (day := _EVENT_DAY.search(text)):
        # 闭幕当天 answers "哪一天对公众开放", not "哪天闭幕" (the day named by the very event asked about), nor
        # "哪天开幕" (a day counted from one moment of the course is no date of another)
        return not _EVENT_DAY_WORD.search(question) and (day.group(1) or day.group(2)).lower() not in question.lower()
    detect = _DETECTORS.get(kind)
    return True if detect is None else detect(text)


#: the suffix of an administrative name, dropped to compare names: 浙江省 and 浙江, 杭州市 and 杭州
_DIVISION_SUFFIX = re.compile(r"(?:特别行政区|自治区|自治州|自治县|新区|省|市|区|县|州|镇)$")


def place_stem(name: str) -> str:
    """``name`` without its administrative suffix (:data:`_DIVISION_SUFFIX`), when two characters or more are left."""
    stem = _DIVISION_SUFFIX.sub("", name)
    return stem if len(stem) >= 2 else name


def asked_places(question: str) -> set[str]:
    """The places below a country that a Chinese question names (重庆, 浙江省, 海淀区), by their stems
    (:func:`place_stem`): jieba's words found in CC-CEDICT's place names
    (:func:`~confbot.retrieve.crosslingual.place_names`), whole or without their suffix. An English question names
    none here."""
    from confbot.retrieve.bm25 import jieba_tokenizer
    from confbot.retrieve.crosslingual import place_names

    q = to_simplified(question)
    if not has_cjk(q):
        return set()
    places = place_names()
    words = jieba_tokenizer().lcut(_JOINED_EVENT.sub(" ", q))
    return {place_stem(w) for w in words if len(w) >= 2 and (w in places or place_stem(w) in places)}
