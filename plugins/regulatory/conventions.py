"""The words and default rules every area of the regulatory plugin shares (below every area): the liability balance's
weights and thresholds, the leverage, concentration and asset-ratio limits, each a tenant setting whose default is
the regulation (《融资担保责任余额计量办法》2018 and its 2019 supplement; 《融资担保公司资产比例管理办法》2018;
《融资担保公司监督管理条例》2017; DOMAIN.md "Regulatory measures")."""

from __future__ import annotations

from decimal import Decimal

#: Liability-balance weights, in the order they are tried: ``(business_type, customer_type or None, threshold key
#: or None, rating rule or None) -> weight``. As stored in the settings: a list of dicts, values as text.
#: - loan guarantee of a small/micro enterprise whose single-customer balance <= the small/micro threshold: 75 %
#: - loan guarantee of a farmer whose balance <= the farmer threshold: 75 %
#: - housing purchase: 30 %; other loans: 100 %
#: - bond, issuer rated AA or better: 80 %; other bonds: 100 %
#: - funds, trusts, asset-management plans and ABS: 100 %; other financing: 100 %
DEFAULT_WEIGHTS = (
    {"business_type": "loan", "customer_type": "small_micro", "threshold": "small_micro", "weight": "0.75"},
    {"business_type": "loan", "customer_type": "farmer", "threshold": "farmer", "weight": "0.75"},
    {"business_type": "housing", "weight": "0.30"},
    {"business_type": "loan", "weight": "1"},
    {"business_type": "bond", "min_rating": "AA", "weight": "0.80"},
    {"business_type": "bond", "weight": "1"},
    {"business_type": "fund_trust", "weight": "1"},
    {"business_type": "other_financing", "weight": "1"},
)
#: Single-customer thresholds (yuan, inclusive) of the weights above, tested on the customer's aggregated balance.
DEFAULT_THRESHOLDS = {"small_micro": Decimal("5000000.00"), "farmer": Decimal("2000000.00")}
#: Whether the thresholds are tested on the customer's own-share balance (after the bank's share) or the gross one.
THRESHOLD_BASES = {"gross": "按在保余额（未扣银行分担）", "own": "按扣除银行分担后的余额"}
DEFAULT_THRESHOLD_BASIS = "gross"
#: Bond ratings from best: a rating at or above ``min_rating`` in this order qualifies.
RATINGS = ("AAA", "AA+", "AA", "AA-", "A+", "A", "A-", "BBB+", "BBB", "BBB-", "BB", "B", "CCC", "CC", "C")

#: Leverage caps (liability balance / (net assets - equity in other guarantee companies)).
DEFAULT_LEVERAGE_CAP = Decimal("10")
DEFAULT_LEVERAGE_CAP_SMALL_MICRO = Decimal("15")
#: Concentration: one party / with its related parties, of the same net assets.
DEFAULT_SINGLE_PARTY_LIMIT = Decimal("0.10")
DEFAULT_RELATED_GROUP_LIMIT = Decimal("0.15")
#: Asset ratios on total assets less compensation receivable: class I at least, I+II at least, III at most.
DEFAULT_CLASS_I_MIN = Decimal("0.20")
DEFAULT_CLASS_I_II_MIN = Decimal("0.70")
DEFAULT_CLASS_III_MAX = Decimal("0.30")
