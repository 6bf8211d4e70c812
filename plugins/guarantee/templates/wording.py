"""Wording every generated document shares (contracts, the letter, the review report and approval form): the one
guarantee period (保证期间), the collateral details with their zh-CN labels, joining parts without doubled or
trailing punctuation, dates and amounts as documents write them (docs/guarantee/documents.md, "Wording")."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from surety.core.db.types import to_money

#: The guarantee period of a financing guarantee, in years after the end of the main debt's term. One figure for
#: the guarantee contract and the letter. DOMAIN.md names no period; three years is what the letter has said since
#: it was written and what the common bank contract forms state (an agreed period; without one the Civil Code,
#: art. 692, gives six months).
GUARANTEE_PERIOD_YEARS = 3
_YEARS_IN_WORDS = {1: "一", 2: "两", 3: "三", 4: "四", 5: "五"}

#: Collateral detail key -> its label on documents, in the order documents print them (risk/counter_guarantees.py
#: COLLATERAL names the keys each kind may carry).
COLLATERAL_LABELS = {
    "pledged_item": "质押物", "item": "留置物", "certificate_no": "权证编号", "address": "坐落",
    "property_type": "房产类型", "area": "面积", "quantity": "数量", "location": "存放地点", "amount": "定金金额",
    "account_note": "账户说明", "relation": "与债务人关系",
}
#: Keys holding money (printed as 人民币1,000.00元).
MONEY_KEYS = ("amount",)
_CJK = re.compile(r"[\u3400-\u9fff]")
#: Punctuation a part may not begin or end with once joined (Chinese and ASCII separators).
_EDGE = "，,、；;：:。 \u3000"


def cn_date(value: dt.date | None) -> str:
    """``2026年3月1日`` (empty for None)."""
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def figures(value: Decimal | int | str) -> str:
    """``1,234,567.89``."""
    return f"{to_money(value):,.2f}"


def wan(value: Decimal | int | str) -> str:
    """The amount in 万元 with two places: ``1000000`` -> ``100.00``."""
    return f"{to_money(Decimal(to_money(value)) / 10000):,.2f}"


def percent(rate: Decimal | int | str) -> str:
    """``0.7`` -> ``70.00%``."""
    return f"{(Decimal(rate) * 100).quantize(Decimal('0.01'))}%"


def join(parts: Iterable[Any], sep: str = "，") -> str:
    """The non-empty parts joined with ``sep``: each part is stripped of blanks and of separators at its ends, empty
    ones are left out, so nothing doubles (``王五，，``) or trails (``王五，``)."""
    out = []
    for part in parts:
        text = "" if part is None else str(part).strip().strip(_EDGE)
        if text:
            out.append(text)
    return sep.join(out)


def period_text(*, financing: bool, expiry: dt.date | None = None) -> str:
    """The guarantee period as the contract and the letter state it. Financing: :data:`GUARANTEE_PERIOD_YEARS` years
    from the end of the main debt's term. Non-financing (a 保函): until the letter's expiry date."""
    if financing:
        years = _YEARS_IN_WORDS.get(GUARANTEE_PERIOD_YEARS, str(GUARANTEE_PERIOD_YEARS))
        return f"自主合同约定的债务履行期限届满之日起{years}年"
    if expiry is not None:
        return f"自保函生效之日起至{cn_date(expiry)}（保函有效期届满之日）止"
    return "自保函生效之日起至保函有效期届满之日止"


def counter_period_text() -> str:
    """The guarantee period of a counter-guarantee by a third party (反担保保证): the same number of years, from the
    day the guarantor pays (代偿) and so acquires its claim."""
    years = _YEARS_IN_WORDS.get(GUARANTEE_PERIOD_YEARS, str(GUARANTEE_PERIOD_YEARS))
    return f"自担保人代偿之日起{years}年"


def collateral_text(details: Mapping[str, Any] | None) -> str:
    """The collateral details as ``权证编号：…；坐落：…``: the known keys (:data:`COLLATERAL_LABELS`) with their labels
    in that order, then keys that are already Chinese words (a template or an import may carry them), as they are,
    sorted; other keys (an English key the system does not know) are left out rather than printed raw. Empty values
    are left out."""
    details = dict(details or {})
    out = []
    for key, label in COLLATERAL_LABELS.items():
        value = details.get(key)
        if value in (None, ""):
            continue
        out.append(f"{label}：{money_words(value) if key in MONEY_KEYS else value}")
    for key in sorted(k for k in details if k not in COLLATERAL_LABELS and _CJK.search(str(k))):
        value = details[key]
        if value not in (None, ""):
            out.append(f"{key}：{value}")
    return join(out, "；")


def money_words(value: Any) -> str:
    """``人民币1,000.00元``."""
    try:
        return f"人民币{figures(value)}元"
    except Exception:  # not a number: print it as given
        return str(value)
