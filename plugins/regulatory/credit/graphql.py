"""GraphQL of the credit area: the mutation ``regulatoryCreditFile`` (the period's credit-reporting file, base64;
audited, so a mutation), thin over credit/file.py."""

from __future__ import annotations

import strawberry

from surety.graphql.auth import actor
from surety.graphql.errors import UserError, run_mutation
from surety.plugins.regulatory.credit import file as credit
from surety.plugins.regulatory.forms.graphql import RegulatoryFile


@strawberry.type(description="征信报送文件的结果。")
class RegulatoryCreditFilePayload:
    file: RegulatoryFile | None = strawberry.field(default=None, description="文件（出错时为空）")
    records: int = strawberry.field(default=0, description="事件记录数（不含文件头）")
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class RegulatoryCreditMutation:
    @strawberry.mutation(description="生成某报告期的征信报送文件（二代征信担保账户事件的概要格式，CSV，base64；"
                                     "需 regulatory:credit:export；留痕）。period 如 2026M11 或 2026Q3。")
    def regulatory_credit_file(self, info: strawberry.Info, period: str) -> RegulatoryCreditFilePayload:
        def run():
            f = credit.credit_file(info.context.session, actor(info), period)
            return RegulatoryCreditFilePayload(file=RegulatoryFile.of(f.filename, f.content_type, f.data),
                                               records=f.records)
        return run_mutation(info, RegulatoryCreditFilePayload, run)


QUERIES: tuple = ()
MUTATIONS: tuple = (RegulatoryCreditMutation,)
TYPES: tuple = ()
