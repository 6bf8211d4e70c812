"""GraphQL of the period-end area, thin over its services: ``financeExportSettings``; mutations
``financeVoucherExport`` (the posted vouchers of a period as a 用友 / 金蝶 import file, base64),
``financeExportSettingsUpdate`` and ``financeReservesBook`` (the year-end reserves on demand)."""

from __future__ import annotations

import base64
from decimal import Decimal

import strawberry

from surety.graphql.auth import actor
from surety.graphql.errors import UserError, run_mutation
from surety.plugins.finance.periodend import files, jobs
from surety.plugins.finance.periodend.models import FinanceSettings

_FORMATS = "，".join(f"{k}（{v[0]}）" for k, v in files.FORMATS.items())


@strawberry.type(description="凭证导出文件：内容为 base64。")
class FinanceExportFile:
    filename: str = strawberry.field(description="文件名")
    content_type: str = strawberry.field(description="文件类型（MIME）")
    size: int = strawberry.field(description="文件大小（字节）")
    sha256: str = strawberry.field(description="文件内容的 SHA-256")
    voucher_count: int = strawberry.field(description="导出的凭证张数（只含已记账凭证）")
    content_base64: str = strawberry.field(description="文件内容（base64）")

    @classmethod
    def of(cls, f: files.ExportFile) -> FinanceExportFile:
        return cls(filename=f.filename, content_type=f.content_type, size=len(f.data), sha256=f.sha256,
                   voucher_count=f.vouchers, content_base64=base64.b64encode(f.data).decode("ascii"))


@strawberry.type(description="凭证导出设置。")
class FinanceExportSettings:
    text_encoding: str = strawberry.field(description=f"文本格式的字符编码：{'，'.join(files.ENCODINGS)}")
    cloud_account_book: str = strawberry.field(description="金蝶云星空账簿编码")
    cloud_organisation: str = strawberry.field(description="金蝶云星空核算组织编码")
    cloud_currency: str = strawberry.field(description="金蝶云星空币别编码（PRE001 为人民币）")

    @classmethod
    def of(cls, row: FinanceSettings) -> FinanceExportSettings:
        return cls(**{f: getattr(row, f) for f in files.SETTING_FIELDS})


@strawberry.input(description="修改凭证导出设置：只改给出的项。")
class FinanceExportSettingsInput:
    text_encoding: str | None = strawberry.field(default=None, description="文本格式的字符编码")
    cloud_account_book: str | None = strawberry.field(default=None, description="金蝶云星空账簿编码")
    cloud_organisation: str | None = strawberry.field(default=None, description="金蝶云星空核算组织编码")
    cloud_currency: str | None = strawberry.field(default=None, description="金蝶云星空币别编码")


@strawberry.type(description="凭证导出的结果。")
class FinanceVoucherExportPayload:
    file: FinanceExportFile | None = strawberry.field(default=None, description="导出文件（出错时为空）")
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="修改导出设置的结果。")
class FinanceExportSettingsPayload:
    settings: FinanceExportSettings | None = strawberry.field(default=None, description="设置（出错时为空）")
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="一项期末计提的结果。")
class FinancePeriodEndResult:
    kind: str = strawberry.field(description="unearned_reserve（未到期责任准备金）或 "
                                             "compensation_reserve（担保赔偿准备金）")
    period: str = strawberry.field(description="年度")
    outcome: str = strawberry.field(description="booked（已生成凭证），nothing（无需计提），done（此前已计提），"
                                                "closed（期间已结账），no_chart（科目表无担保科目），"
                                                "no_balance（无在保余额来源）")
    amount: Decimal = strawberry.field(description="计提金额（元；负数为冲回）")
    voucher_number: str | None = strawberry.field(description="凭证号")
    basis: list[str] = strawberry.field(description="计算依据")


@strawberry.type(description="计提年末准备金的结果。")
class FinanceReservesPayload:
    results: list[FinancePeriodEndResult] = strawberry.field(default_factory=list, description="各项计提")
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class FinancePeriodEndQuery:
    @strawberry.field(description="凭证导出设置（需 finance:voucher:read）。")
    def finance_export_settings(self, info: strawberry.Info) -> FinanceExportSettings:
        return FinanceExportSettings.of(files.read_settings(info.context.session, actor(info)))


@strawberry.type
class FinancePeriodEndMutation:
    @strawberry.mutation(description=f"导出一个会计期间的已记账凭证（需 finance:voucher:read），格式：{_FORMATS}。")
    def finance_voucher_export(self, info: strawberry.Info, period: str,
                               format: str) -> FinanceVoucherExportPayload:
        return run_mutation(info, FinanceVoucherExportPayload, lambda: FinanceVoucherExportPayload(
            file=FinanceExportFile.of(files.export_period(info.context.session, actor(info), period, format))))

    @strawberry.mutation(description="修改凭证导出设置（需 finance:chart:manage）。")
    def finance_export_settings_update(self, info: strawberry.Info,
                                       input: FinanceExportSettingsInput) -> FinanceExportSettingsPayload:
        data = {f: getattr(input, f) for f in files.SETTING_FIELDS if getattr(input, f) is not None}
        return run_mutation(info, FinanceExportSettingsPayload, lambda: FinanceExportSettingsPayload(
            settings=FinanceExportSettings.of(files.update_settings(info.context.session, actor(info), data))))

    @strawberry.mutation(description="计提年末准备金（需 finance:period:close）：未到期责任准备金与担保赔偿准备金，"
                                     "每年各一次（日终批处理在年末自动执行）。")
    def finance_reserves_book(self, info: strawberry.Info, year: int) -> FinanceReservesPayload:
        def book() -> FinanceReservesPayload:
            found = jobs.year_end_reserves(info.context.session, actor(info), year)
            return FinanceReservesPayload(results=[FinancePeriodEndResult(
                kind=r.kind, period=r.period, outcome=r.outcome, amount=r.amount, voucher_number=r.voucher_number,
                basis=list(r.basis)) for r in found])

        return run_mutation(info, FinanceReservesPayload, book)


QUERIES: tuple = (FinancePeriodEndQuery,)
MUTATIONS: tuple = (FinancePeriodEndMutation,)
TYPES: tuple = ()
