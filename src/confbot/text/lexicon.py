"""Word lists shared by retrieval, cross-lingual expansion and the answer check."""

from __future__ import annotations

import re

#: Chinese function words left out of BM25 terms.
ZH_STOPWORDS = frozenset(
    "一 一下 上 下 与 个 中 为 之 也 了 于 什么 他 以 们 你 其 几 及 吗 吧 呢 和 哪个 哪些 哪里 啊 在 多少 她 如何 它 对 将 就 并 怎么 我 是 是否 有 由 的 等 而 "
    "请问 这 那 都".split()
)

#: English function words: never key terms, never the edge of a dictionary phrase.
EN_STOPWORDS = frozenset(
    "a about an and any are as at be been being by can could did do does for from had has have he her his "
    "how i in is it its many may me might much my no not of on or our please she should some tell that "
    "the their them there these they this those to was we were what when where which who whom whose why "
    "will with would yes you your".split()
)

#: Chinese words that shape a question but are not what it is about.
ZH_QUESTION_WORDS = frozenset(
    "一下 一共 个 为什么 为何 主要 之前 什么 什么时候 今年 介绍 会 何地 何时 共 其 具体 具体地 几 几个 几家 几届 分别 分别是 可以 吗 呀 告诉 呢 哪个 哪些 哪位 哪儿 哪几 "
    "哪几个 哪几项 哪家 哪里 啊 多久 多大 多少 多少个 多少家 多少钱 多长 如何 它 将 已经 怎么 怎么样 怎样 总共 情况 想 我 打算 方面 时候 是不是 是否 曾经 有 有何 有没有 本届 "
    "此前 现在 目前 相关 知道 能 被 要 让 该 请 请问 谁 过 还 这个 那 那个 都 "
    "那届 这届 哪届 哪天 哪一天 哪几天 几号 几月 几点 最后 最终 最终是 还是 时间 日期 当时 那时 当天 那天 大概 大约 "
    "一共有 总共有 到底 究竟 是不是 呢 吧 哪一年 哪年 哪一届 "
    # the year or edition referred back to (jieba splits 那一届 into 那 + 一届), how a thing is worded, where the press material lists it
    "那年 这年 当年 那一年 这一年 那一届 这一届 一届 该届 此届 表述 说法 叫法 写的 写着 列出 列的 一览 一览表 表格 表中 表里 "
    # where the asker read it and how sure they are: not what the passage says (根据概览表, 只有, 实际)
    "根据 依据 据 按照 历届 概览 概览表 概况 概况表 当中 之中 只有 东西 实际 实际上".split()
)

#: nouns that name the kind of answer after 哪个/哪些/什么 ("哪个国家", "什么时间"): what is asked, not a term
ZH_KIND_NOUNS = frozenset("国家 城市 场馆 地点 地方 时间 日期 日子 单位 机构 部门 人 人物 领导 领导人 嘉宾".split())

#: English nouns that name the kind of answer ("on what date", "at what time", "which country"): what is asked, not a term
EN_KIND_NOUNS = frozenset("date dates time place name".split())

#: English words that shape a question but are not what it is about (besides EN_STOPWORDS).
EN_QUESTION_WORDS = EN_STOPWORDS | frozenset(
    "already also big expect expected kind large long old sort still year year's yet "
    # where the press material lists it: "according to the overview table"
    "according per table overview listed "
    # light verbs and hedges whose dictionary senses are noise ("took part": 吞服, 吸食...)
    "take took taken takes part say said says make made get got come came give gave formally exactly "
    "approximately roughly around altogether overall "
    # what a figure is called in a question ("the number of …"): 多少, not a word to find
    "number numbers amount figure figures".split()
)

#: nouns for people, whose count a figure of people answers (累计入场3万余人 answers 多少观众; "6,000 visits"
#: answers 多少观展人次): a general-domain list, not any corpus's vocabulary
PERSON_NOUNS = frozenset(
    "观众 观展 嘉宾 代表 人员 人士 人物 客商 采购商 专业观众 记者 专家 学者 参会者 与会者 来宾 访客 游客 市民 人次 人数 "
    "visitors visits visitor people persons participants attendees attendance delegates guests representatives".split()
)
#: what a figure of people is counted in
PERSON_UNITS = (
    "人",
    "人次",
    "名",
    "位",
    "visitors",
    "visits",
    "people",
    "participants",
    "attendees",
    "delegates",
    "guests",
    "representatives",
)

#: words saying a count is of what comes from abroad ("foreign guests", 境外企业): a general-domain list; "中外",
#: "境内外" and "国内外" name both sides and say no such thing
FOREIGN_WORDS = (
    "foreign",
    "overseas",
    "international",
    "abroad",
    "境外",
    "海外",
    "外国",
    "国外",
    "国际",
    "外资",
    "外籍",
    "外宾",
    "外商",
)

#: the commonest Chinese surnames in pinyin: "Li Hua" is a person's name though both words are English glosses
CN_SURNAMES = frozenset(
    "wang li zhang liu chen yang huang zhao wu zhou xu sun ma zhu hu guo he gao lin luo zheng liang xie song tang "
    "han feng deng cao peng zeng xiao tian dong pan yuan cai jiang yu du ye cheng wei su lu ding ren shen yao jin fu "
    "zhong tan dai xia qiu fang hou zou xiong meng qin bai yan duan lei long shi tao gu mao hao gong shao wan qian "
    "yin kong chang".split()
)
#: what ends the name of an institution, an event, a venue or a place ("Xinghe Robot Fair"): a capitalised
#: phrase holding one names no person
NAMED_THING_WORDS = frozenset(
    "Conference Convention Congress Expo Exposition Fair Summit Forum Festival Exhibition Games Show Week Day "
    "Center Centre Hall Park Plaza Square Pavilion Hotel Stadium Arena Museum Building Zone District Province City "
    "County Region Ministry Commission Council Association Administration Government Organization Organisation "
    "Group Company Corporation Bank University Institute Academy Secretariat Bureau Office Committee Federation "
    "Union Alliance Chamber Agency Authority Department Initiative Declaration Report Award Cup Programme Program".split()
)

#: a figure given as a forecast or plan, not as counted (预计, 有望突破, "is expected to"): general-domain words
FORECAST = re.compile(
    r"预计|预期|有望|拟|计划|目标|将(?:达|超|有|突破|吸引|迎来|签约)"
    r"|\b(?:expect(?:s|ed|ing)?|will|would|forecasts?|projected|anticipated|set to|aims? to|plans? to|planned)\b",
    re.I,
)
#: a question asking for the final, counted figure ("最终有多少…", "in the end", "by the close")
FINAL_QUESTION = re.compile(
    r"最终|最後|最后|閉幕時|闭幕时|闭幕后|閉幕後|实际|實際|\bfinal(?:ly)?\b|in the end|ended up|at the close|by the close",
    re.I,
)

#: a question that points at a table ("一览表里…", "per the schedule table"): table rows are what it asks for
TABLE_QUESTION = re.compile(
    r"一览|一覽|表格|表中|表里|表裡|表裏|(?:日程|议程|議程|概览|概覽|概况|概況|汇总|匯總|统计|統計|对照|對照|数据|數據)表"
    r"|\btables?\b|\bschedule\b|\boverview\b",
    re.I,
)
