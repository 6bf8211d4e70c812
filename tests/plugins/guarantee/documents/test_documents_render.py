"""Every generated document rendered to text and checked against the project (issue 14 item 6): the guarantee,
entrustment and counter-guarantee contracts (mortgage, pledge, a personal guarantee), the letter PDF of a financing
and of a non-financing guarantee, the review report, the approval form and the minutes: amounts in figures and in
words, one guarantee period, collateral with labels (no raw keys), no doubled punctuation, the guarantor's legal
name, address, representative and seal."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from docx import Document
from pypdf import PdfReader
from sqlalchemy import select

from surety.core.attachments import service as attachments
from surety.core.errors import PermissionDenied, ValidationFailed
from surety.core.workflow import actions, engine
from surety.core.workflow.definitions import publish, save_draft
from surety.core.workflow.models import WorkflowTask
from surety.plugins.guarantee.compensation import claims
from surety.plugins.guarantee.documents import contracts, meetings, minutes, reports
from surety.plugins.guarantee.origination.applications import update_settings
from surety.plugins.guarantee.portal import letter
from surety.plugins.guarantee.project import conditions
from surety.plugins.guarantee.project.conditions import GuaranteeApprovalCondition
from surety.plugins.guarantee.project.models import GuaranteeCounterGuarantee, GuaranteeProject
from surety.plugins.guarantee.risk.models import GuaranteeDueDiligenceReport
from surety.plugins.guarantee.settings import GuaranteeSettings, legal_particulars
from surety.plugins.guarantee.templates import wording
from surety.plugins.guarantee.templates.numerals import amount_in_words
from surety.plugins.guarantee.testing import committee_definition, make_bank, make_effective, make_product, make_project

LEGAL = dict(legal_name="华鑫融资担保股份有限公司", legal_address="北京市西城区金融大街 8 号",
             legal_representative="赵国强", seal_text="华鑫融资担保股份有限公司合同专用章")
COMMITTEE = committee_definition("guarantee.committee_render")
MEMBERS = ("mem1", "mem2", "mem3", "mem4", "mem5")
SPOUSE = "追加借款人配偶连带责任保证"
AUDIT = "补充提供近三年审计报告"
AMOUNT = Decimal("6000000.00")
#: Raw keys: an English word followed by a Chinese colon (``certificate_no：…``).
RAW_KEY = re.compile(r"[A-Za-z_]{3,}：")
PERIOD = wording.period_text(financing=True)


def docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def pdf_text(data: bytes) -> str:
    return "".join("".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages)


def clean(text: str, tenant_name: str) -> None:
    """What no document may show: raw keys, doubled or dangling punctuation, unfilled placeholders, the tenant's
    display name instead of its legal name."""
    assert not RAW_KEY.search(text), RAW_KEY.search(text)
    for bad in ("，，", "，。", "；；", "、、", "：，", "{{", "{%", "None"):
        assert bad not in text, bad
    assert tenant_name not in text


def set_legal(gw) -> None:
    with gw.acting("admin") as (s, a):
        update_settings(s, a, **LEGAL)


def _vote(gw, member, project, choice, comment=None):
    with gw.acting(member) as (s, a):
        task = s.scalar(select(WorkflowTask).where(
            WorkflowTask.instance_id == project.workflow_instance_id, WorkflowTask.assignee_id == a.id_uuid,
            WorkflowTask.kind == "vote", WorkflowTask.status == "open"))
        actions.act(s, a, task.id, "vote", vote=choice, comment=comment)


@pytest.fixture
def approved(gw):
    """A financing project the committee approved with two conditions, with a mortgage (collateral including a key
    the system does not know), a pledge, a guarantee by a person (no description, no valuation) and a credit
    counter-guarantee, a due-diligence report and a proposed fee; and the meeting's id."""
    set_legal(gw)
    with gw.acting("admin") as (s, a):
        publish(s, a, COMMITTEE["key"], save_draft(s, a, COMMITTEE).version)
    with gw.acting("mgr") as (s, a):
        bank, _ = make_bank(s, name="华夏银行")
        product = make_product(s, name="流动资金贷款担保")
        project = make_project(s, a, gw.customers["corp"], bank=bank, product=product, amount=AMOUNT,
                               term_months=12, status="in_approval",
                               proposed_fee_rate=Decimal("0.015"), proposed_fee=Decimal("90000.00"),
                               risk_degree=Decimal("0.35"), risk_amount=Decimal("2100000.00"))
        project.purpose = "采购原材料"
        project.workflow_instance_id = engine.start(s, a, definition_key=COMMITTEE["key"],
                                                    subject_type="guarantee:project", subject_id=str(project.id)).id
        for cg in (
            GuaranteeCounterGuarantee(project_id=project.id, kind="mortgage", description="厂房一处，",
                                      owner_name="华夏建材有限公司",
                                      collateral={"address": "北京市朝阳区工业园 6 号", "certificate_no": "京(2023)0012345",
                                                  "area": "3200平方米", "lot_code": "X-1", "备注": "已办抵押登记"},
                                      valuation=Decimal("5200000.00"), valuation_date=dt.date(2025, 6, 1),
                                      discount_rate=Decimal("0.7")),
            GuaranteeCounterGuarantee(project_id=project.id, kind="pledge", description="应收账款质押",
                                      owner_name="华夏建材有限公司",
                                      collateral={"pledged_item": "对国有企业的应收账款", "certificate_no": "ZD-2025-0088"},
                                      valuation=Decimal("3000000.00"), valuation_date=dt.date(2025, 6, 1),
                                      discount_rate=Decimal("0.6")),
            GuaranteeCounterGuarantee(project_id=project.id, kind="third_party", description="", owner_name="王五",
                                      collateral={}),
            GuaranteeCounterGuarantee(project_id=project.id, kind="credit", description="信用"),
        ):
            s.add(cg)
            s.flush()
        s.add(GuaranteeDueDiligenceReport(project_id=project.id, status="submitted",
                                          business_overview="企业经营正常，主营业务收入稳定。",
                                          repayment_source="经营性现金流。", conclusion="建议同意担保。"))
    with gw.acting("legal") as (s, a):
        meeting = meetings.schedule_meeting(
            s, a, meeting_date=engine.business_today(), chair_id=gw.actors["mem1"].id_uuid,
            member_ids=[gw.actors[m].id_uuid for m in MEMBERS], project_ids=[project.id])
        meetings.open_meeting(s, a, meeting.id)
    for m in ("mem1", "mem2"):
        _vote(gw, m, project, "approve")
    _vote(gw, "mem3", project, "approve_with_conditions", SPOUSE)
    _vote(gw, "mem4", project, "approve_with_conditions", AUDIT)
    _vote(gw, "mem5", project, "approve", "同意")
    return project, meeting.id


def _settle_conditions(gw, project) -> None:
    with gw.session() as s:
        rows = {r.text: r.id for r in s.scalars(select(GuaranteeApprovalCondition).where(
            GuaranteeApprovalCondition.project_id == project.id))}
    with gw.acting("mgr") as (s, a):
        evidence = attachments.upload(s, a, "guarantee:project", str(project.id), "配偶保证合同.txt",
                                      "配偶已签署保证合同".encode()).id
        conditions.meet_condition(s, a, rows[SPOUSE], attachment_ids=[evidence], note="配偶已签署保证合同")
    with gw.acting("admin") as (s, a):
        conditions.waive_condition(s, a, rows[AUDIT], reason="已提供近两年审计报告，风险可控")


def test_the_contracts_say_what_the_project_is(gw, approved):
    project, _ = approved
    with gw.acting("legal") as (s, a):
        made = contracts.generate_contracts(s, a, project.id, today=dt.date(2026, 3, 5))
        texts = {c.contract_no.rsplit("-", 1)[1]: docx_text(attachments.download(s, a, c.attachment_id)[1])
                 for c in made}
    assert set(texts) == {"BZ", "WT", "FD1", "FD2", "FD3"}  # no contract for the credit one
    for text in texts.values():
        clean(text, gw.tenant.name)
        assert LEGAL["legal_name"] in text and f"（印章：{LEGAL['seal_text']}）" in text
        assert f"法定代表人：{LEGAL['legal_representative']}" in text and f"住所：{LEGAL['legal_address']}" in text
        assert "6,000,000.00" in text and "陆佰万元整" in text
    guarantee, entrustment = texts["BZ"], texts["WT"]
    assert "债权人（银行）：华夏银行" in guarantee and "债务人华夏建材有限公司" in guarantee
    assert f"保证期间：{PERIOD}。" in guarantee and "两年" not in guarantee
    assert "保证范围：主合同项下的本金、利息、罚息，以上述担保金额为限。" in guarantee
    assert "借款期限为12个月，借款用途：采购原材料。担保产品：流动资金贷款担保。" in guarantee
    assert f"批复条件：{SPOUSE}；{AUDIT}。" in guarantee
    assert "即600.00万元" in entrustment and f"保证期间：{PERIOD}" in entrustment
    assert ("（1）抵押：华夏建材有限公司，厂房一处，权证编号：京(2023)0012345，坐落：北京市朝阳区工业园 6 号，"
            "面积：3200平方米，备注：已办抵押登记，评估价值人民币伍佰贰拾万元整（¥5,200,000.00），抵（质）押率70.00%。"
            ) in entrustment
    assert "（3）保证：保证人王五，承担连带保证责任。（4）信用：信用。" in entrustment
    mortgage, pledge, person = texts["FD1"], texts["FD2"], texts["FD3"]
    assert "反担保合同（抵押）" in mortgage and "反担保人：华夏建材有限公司" in mortgage
    assert "权证编号：京(2023)0012345，坐落：北京市朝阳区工业园 6 号，面积：3200平方米，备注：已办抵押登记" in mortgage
    assert "lot_code" not in mortgage and "X-1" not in mortgage  # an unknown English key is left out
    assert "评估价值人民币伍佰贰拾万元整（小写：¥5,200,000.00），评估日期2025年6月1日，抵（质）押率70.00%。" in mortgage
    assert "质押物：对国有企业的应收账款，权证编号：ZD-2025-0088" in pledge and "抵（质）押率60.00%" in pledge
    # A guarantee by a person: worded as a guarantee, with no valuation or pledge rate.
    assert "反担保合同（保证）" in person and "反担保保证人：王五" in person
    assert "反担保保证人王五向担保人提供保证反担保" in person and "承担连带保证责任" in person
    assert f"保证期间：{wording.counter_period_text()}。" in person
    for absent in ("评估价值", "抵（质）押率", "¥0", "100.00%", "王五，"):
        assert absent not in person, absent


def test_the_letter_of_a_financing_guarantee(gw):
    set_legal(gw)
    start, end = dt.date(2025, 3, 1), engine.business_today() + dt.timedelta(days=200)
    with gw.acting("fin") as (s, a):
        project = make_effective(s, a, gw.customers["corp"], loan="2800000.00", start=start, end=end)
        pdf = letter.guarantee_letter(s, a, project.id).data
        bank = s.scalar(select(GuaranteeProject).where(GuaranteeProject.id == project.id)).bank_id
    assert b"/FontFile2" in pdf and b"STSong" not in pdf
    text = pdf_text(pdf)
    clean(text, gw.tenant.name)
    for expected in (
        "担保函", f"编号：{project.project_no}", "鉴于华夏建材有限公司（以下简称“债务人”）", "编号为JK-1的借款合同",
        f"借款期限自2025年3月1日至{wording.cn_date(end)}", f"{LEGAL['legal_name']}（以下简称“本公司”）",
        "人民币2,800,000.00元（大写：人民币贰佰捌拾万元整）", "保证范围：借款合同项下的本金、利息、罚息，以上述担保金额为限。",
        f"保证期间：{PERIOD}。", f"担保人：{LEGAL['legal_name']}（印章：{LEGAL['seal_text']}）",
        f"法定代表人：{LEGAL['legal_representative']}", "出具日期：2025年3月1日",
    ):
        assert "".join(expected.split()) in text, expected
    assert amount_in_words(Decimal("2800000.00")) == "贰佰捌拾万元整" and bank is not None


def _non_financing(gw, status: str, **extra) -> GuaranteeProject:
    with gw.acting("mgr") as (s, a):
        product = make_product(s, kind="performance", name="履约保函")
        return make_project(s, a, gw.customers["corp"], product=product, amount="1500000.00", status=status,
                            beneficiary_name="某市城市建设投资有限公司",
                            underlying_contract="《某市道路改造工程施工合同》（编号SG-2026-018）", **extra)


def test_the_letter_of_a_non_financing_guarantee(gw):
    set_legal(gw)
    effective, expiry = dt.date(2026, 1, 10), dt.date(2027, 1, 9)
    project = _non_financing(gw, "effective", effective_date=effective, expiry_date=expiry,
                             loan_amount=Decimal("1500000.00"), in_force_balance=Decimal("1500000.00"))
    with gw.acting("mgr") as (s, a):
        pdf = letter.guarantee_letter(s, a, project.id).data
    assert b"/FontFile2" in pdf
    text = pdf_text(pdf)
    clean(text, gw.tenant.name)
    for absent in ("借款", "贵行", "银行"):
        assert absent not in text, absent
    for expected in (
        "保函", "致：某市城市建设投资有限公司（受益人）", "鉴于华夏建材有限公司（以下简称“申请人”）",
        "《某市道路改造工程施工合同》（编号SG-2026-018）", "人民币1,500,000.00元（大写：人民币壹佰伍拾万元整）",
        "保证范围：申请人在上述合同项下应向受益人承担的本金，以上述担保金额为限。",
        "保函有效期：自2026年1月10日起至2027年1月9日止，保函有效期至2027年1月9日。",
        "索赔条件：受益人应在保函有效期内以书面形式向本公司提出索赔", f"担保人：{LEGAL['legal_name']}",
        "出具日期：2026年1月10日",
    ):
        assert "".join(expected.split()) in text, expected


def test_the_contracts_of_a_non_financing_guarantee(gw):
    set_legal(gw)
    project = _non_financing(gw, "approved", expiry_date=dt.date(2027, 1, 9))
    with gw.acting("legal") as (s, a):
        made = contracts.generate_contracts(s, a, project.id, today=dt.date(2026, 1, 5))
        texts = [docx_text(attachments.download(s, a, c.attachment_id)[1]) for c in made]
    guarantee, entrustment = texts
    for text in texts:
        clean(text, gw.tenant.name)
        for absent in ("借款", "贵行", "银行"):
            assert absent not in text, absent
        assert "壹佰伍拾万元整" in text and "1,500,000.00" in text
    assert "受益人：某市城市建设投资有限公司" in guarantee
    assert "就申请人在《某市道路改造工程施工合同》（编号SG-2026-018）项下的义务向受益人出具保函" in guarantee
    assert "保函有效期至2027年1月9日" in guarantee
    assert "保证期间：自保函生效之日起至2027年1月9日（保函有效期届满之日）止。" in guarantee
    assert "保证范围：申请人在上述合同项下应向受益人承担的本金，以上述担保金额为限。" in guarantee
    assert "委托人（保函申请人）：华夏建材有限公司" in entrustment and "反担保措施如下：无。" in entrustment


def test_the_review_report_and_the_approval_form(gw, approved):
    project, _ = approved
    _settle_conditions(gw, project)
    with gw.acting("risk") as (s, a):
        _, report = reports.generate_report(s, a, project.id, "review_report", today=dt.date(2026, 3, 5))
        stored, form = reports.generate_report(s, a, project.id, "approval_form", today=dt.date(2026, 3, 5))
        assert stored.filename == f"{project.project_no} 担保项目审批表.docx"
    for text in (docx_text(report), docx_text(form)):
        clean(text, gw.tenant.name)
        for expected in (
            f"项目编号：{project.project_no}", "申请人（客户）：华夏建材有限公司（企业）", "担保产品：流动资金贷款担保（融资担保）",
            "担保金额：人民币6,000,000.00元（600.00万元，大写：陆佰万元整）", "担保期限：12个月",
            "合作银行：华夏银行；借款用途：采购原材料", f"保证期间：{PERIOD}", "拟收担保费：年费率1.50%，计人民币90,000.00元",
            "信用评级：未评级；风险度：35.00%；风险金额：人民币2,100,000.00元；风险分类：正常",
            "（3）保证：保证人王五，承担连带保证责任。", "尽调结论：建议同意担保。",
            "有条件通过（同意5票，不同意0票，回避0票）", SPOUSE, "已落实（", "配偶已签署保证合同",
            "已豁免（", "已提供近两年审计报告，风险可控", "共2项：已落实1项，已豁免1项", LEGAL["legal_name"],
            "Mem3\n有条件同意\n" + SPOUSE,
        ):
            assert expected in text, expected
    assert "反担保物评估价值合计人民币8,200,000.00元，折算后可覆盖人民币5,440,000.00元。" in docx_text(report)
    assert "经营情况\n企业经营正常，主营业务收入稳定。" in docx_text(report)
    assert "审批结果：已批准（" in docx_text(form)


def test_review_documents_are_checked(gw, approved):
    project, _ = approved
    with gw.acting("risk") as (s, a), pytest.raises(ValidationFailed) as wrong:
        reports.generate_report(s, a, project.id, "contract")
    assert wrong.value.field == "kind"
    with gw.acting("mgr") as (s, a):
        draft = make_project(s, a, gw.customers["corp"])
        draft.project_no = None
    with gw.acting("mgr") as (s, a), pytest.raises(reports.Conflict):
        reports.generate_report(s, a, draft.id, "review_report")
    # A tenant replaces the template like a contract template.
    with gw.acting("legal") as (s, a):
        doc = Document()
        doc.add_paragraph("{{ project_no }}|{{ amount_wan }}|{{ conditions_summary }}|{{ proposed_fee_text }}")
        out = io.BytesIO()
        doc.save(out)
        contracts.upload_template(s, a, "review_report", out.getvalue(), "评审报告.docx")
    with gw.acting("risk") as (s, a):
        _, data = reports.generate_report(s, a, project.id, "review_report")
    assert docx_text(data).splitlines()[0] == (f"{project.project_no}|600.00|共2项：未落实2项|"
                                               "年费率1.50%，计人民币90,000.00元")


def test_the_minutes_show_each_conditions_outcome(gw, approved):
    project, meeting_id = approved
    _settle_conditions(gw, project)
    with gw.acting("legal") as (s, a):
        _, data = minutes.export_minutes(s, a, meeting_id)
    text = docx_text(data)
    assert "附加条件：\n（1）" + SPOUSE + "——已落实（" in text and "）：配偶已签署保证合同" in text
    assert "（2）" + AUDIT + "——已豁免（" in text and "）：已提供近两年审计报告，风险可控" in text
    assert "6,000,000.00元（陆佰万元整）" in text


def test_legal_particulars_are_settings(gw):
    with gw.session() as s:
        assert legal_particulars(s).name == gw.tenant.name  # nothing set: the tenant's name
    set_legal(gw)
    with gw.acting("admin") as (s, a):
        assert legal_particulars(s) == type(legal_particulars(s))(
            name=LEGAL["legal_name"], address=LEGAL["legal_address"], representative=LEGAL["legal_representative"],
            seal_text=LEGAL["seal_text"])
        update_settings(s, a, legal_address="")  # '' clears, None keeps
        row = s.scalar(select(GuaranteeSettings))
        assert (row.legal_address, row.legal_name) == ("", LEGAL["legal_name"])
        with pytest.raises(ValidationFailed) as long:
            update_settings(s, a, seal_text="章" * 101)
        assert long.value.field == "seal_text"
    with gw.acting("mgr") as (s, a), pytest.raises(PermissionDenied):
        update_settings(s, a, legal_name="某某")


@pytest.mark.parametrize("kind, chosen, words", [
    ("loan", None, "本金、利息、罚息"), ("performance", None, "本金"), ("loan", ["penalty", "principal"], "本金、罚息"),
])
def test_the_documents_scope_is_the_claims_scope(gw, kind, chosen, words):
    """contracts.covered_scope (the documents area sits below compensation) says what compensation/claims.py does."""
    with gw.acting("mgr") as (s, a):
        project = make_project(s, a, gw.customers["corp"], product=make_product(s, kind=kind),
                               covered_components=chosen)
        assert contracts.covered_scope(s, project) == words
        assert claims.scope_text(claims.covered_components(s, project)) == words
