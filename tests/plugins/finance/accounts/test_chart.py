"""Chart of accounts: the templates' data, installing (and switching before the first voucher), adding,
renaming and deactivating accounts with their level, parent and dimensions."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from surety.core.errors import Conflict, PermissionDenied, ValidationFailed
from surety.plugins.finance.accounts import services
from surety.plugins.finance.accounts.models import FinanceAccount
from surety.plugins.finance.accounts.templates import TEMPLATES, level_of, parent_of
from surety.plugins.finance.rules import services as rules
from surety.plugins.finance.rules.models import FinanceVoucherRule
from surety.plugins.finance.vouchers.services import create_voucher


def _names(template_key: str) -> dict[str, str]:
    return {a.code: a.name for a in TEMPLATES[template_key].accounts}


def test_the_templates_carry_the_codes_of_domain_md():
    cas, legacy, loan = _names("guarantee_cas"), _names("guarantee_legacy"), _names("microloan")
    assert (cas["1002"], cas["1031"], cas["2002"], cas["2601"], cas["2602"], cas["6031"]) == \
        ("银行存款", "存出保证金", "存入保证金", "未到期责任准备金", "担保赔偿准备金", "担保费收入")
    assert cas["1221"].endswith("（应收代偿款）") and cas["6701"] == "资产减值损失"
    assert (legacy["1231"], legacy["2141"], legacy["4101"], legacy["4105"]) == \
        ("应收代偿款", "存入担保保证金", "担保费收入", "追偿收入")
    assert legacy["2192"].startswith("未到期责任准备") and legacy["2193"].startswith("担保赔偿准备")
    assert (loan["1303"], loan["1132"], loan["1304"], loan["6011"], loan["6021"]) == \
        ("贷款", "应收利息", "贷款损失准备", "利息收入", "手续费及佣金收入")
    for template in TEMPLATES.values():
        codes = [a.code for a in template.accounts]
        assert len(codes) == len(set(codes)) and all(level_of(c) == 1 for c in codes), template.key


def test_level_and_parent_follow_the_code():
    assert (level_of("1002"), level_of("100201"), level_of("10020101"), level_of("10021")) == (1, 2, 3, 0)
    assert (parent_of("1002"), parent_of("100201"), parent_of("10020101")) == (None, "1002", "100201")


def test_provisioning_installs_the_default_chart_and_rules(fw):
    with fw.acting("fin") as (s, a):
        assert services.installed_template(s) == "guarantee_cas"
        codes = [x.code for x in services.list_accounts(s, a)]
        assert codes == sorted(_names("guarantee_cas"))
        bank = services.get_account(s, "1002")
        assert (bank.direction, bank.category, bank.level, bank.parent_code) == ("debit", "asset", 1, None)
        assert services.get_account(s, "2002").dimension_list == ("project",)
        assert "GuaranteeFeeReceived" in {r.event_type for r in rules.list_rules(s, a)}


def test_a_tenant_switches_template_until_its_first_voucher(fw):
    with fw.acting("fin") as (s, a):
        rules.install_chart(s, a, "microloan")
        assert services.installed_template(s) == "microloan"
        assert services.get_account(s, "1303").name == "贷款"
        assert s.scalar(select(FinanceAccount).where(FinanceAccount.code == "2602")) is None
        assert {r.event_type for r in s.scalars(select(FinanceVoucherRule))} >= {"MicroloanRepaid",
                                                                                 "MicroloanDisbursed"}
        assert not {r.event_type for r in s.scalars(select(FinanceVoucherRule))} & {"GuaranteeFeeReceived"}
        create_voucher(s, a, voucher_date=dt.date(2026, 12, 1), word="记", summary="开户",
                       lines=[{"account": "1002", "debit": "10"}, {"account": "4001", "credit": "10"}])
        with pytest.raises(Conflict) as err:
            rules.install_chart(s, a, "guarantee_cas")
        assert err.value.field == "template_key"
        with pytest.raises(ValidationFailed):
            services.install_accounts(s, a, "nonsense")


def test_accounts_are_added_renamed_and_deactivated(fw):
    with fw.acting("fin") as (s, a):
        sub = services.add_account(s, a, {"code": "100201", "name": "工商银行"})
        assert (sub.level, sub.parent_code, sub.direction, sub.category) == (2, "1002", "debit", "asset")
        fee = services.add_account(s, a, {"code": "603101", "name": "融资担保费", "dimensions": ["customer"]})
        assert fee.dimension_list == ("customer",) and fee.direction == "credit"
        with pytest.raises(ValidationFailed) as err:
            services.add_account(s, a, {"code": "99990101", "name": "孤儿"})
        assert err.value.field == "code" and "999901" in str(err.value)
        with pytest.raises(ValidationFailed):
            services.add_account(s, a, {"code": "12345", "name": "五位"})
        with pytest.raises(Conflict):
            services.add_account(s, a, {"code": "100201", "name": "重复"})
        with pytest.raises(ValidationFailed) as err:
            services.add_account(s, a, {"code": "1999", "name": "无方向"})
        assert err.value.field == "direction"
        renamed = services.update_account(s, a, "100201", {"name": "工行基本户", "active": False,
                                                            "dimensions": ["bank"]})
        assert (renamed.name, renamed.active, renamed.dimensions) == ("工行基本户", False, "bank")
        assert "100201" not in {x.code for x in services.list_accounts(s, a)}
        assert "100201" in {x.code for x in services.list_accounts(s, a, include_inactive=True)}
        with pytest.raises(ValidationFailed):
            services.update_account(s, a, "100201", {"code": "2"})


def test_the_chart_is_managed_only_with_the_permission(fw):
    with fw.acting("viewer") as (s, a):
        with pytest.raises(PermissionDenied):
            services.add_account(s, a, {"code": "100201", "name": "工商银行"})
        with pytest.raises(PermissionDenied):
            services.list_accounts(s, a)
