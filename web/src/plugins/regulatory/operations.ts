// The regulatory pages' GraphQL operations (typed by graphql-codegen from the SDL).
import { graphql } from '@/gql'

export const RegMeasures = graphql(`
  query RegMeasures($asOf: Date, $unit: AmountUnit!) {
    regulatoryMeasures(asOf: $asOf, unit: $unit) {
      asOf amountUnit netAssets equityInGuaranteeCompanies netAssetBase totalAssets compensationReceivable breaches
      liabilityBalance { total gross bankShare reguaranteed nonFinancingTotal
        lines { rule businessType businessTypeLabel customerType threshold minRating balance weight weighted count }
        nonFinancing { key label amount } }
      leverage { ...RegLimitFields }
      concentration { singleParty { ...RegLimitFields } relatedGroup { ...RegLimitFields }
        top { customerId name amount memberIds } }
      assetRatios { base classI { ...RegLimitFields } classIAndII { ...RegLimitFields } classIII { ...RegLimitFields } }
      indicators { compensationRate cumulativeLossRate reserveCoverage compensationBalance }
      microloan { loanBalance nonPerforming nplRatio provisionBalance provisionCoverage provisionRatio }
    }
  }
  fragment RegLimitFields on RegulatoryLimit { key label value limit kind passes headroom numerator base }
`)

export const RegForms = graphql(`
  query RegForms { regulatoryForms { id code version name cadence current } }
`)

export const RegFormVersions = graphql(`
  query RegFormVersions($code: String!) { regulatoryFormVersions(code: $code) { id code version name columns } }
`)

export const RegReports = graphql(`
  query RegReports($first: Int, $after: String, $filter: RegulatoryReportFilterInput) {
    regulatoryReports(first: $first, after: $after, filter: $filter) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { node { id formCode formVersion period periodLabel asOf version status statusLabel dueDate filledAt
        reviewedAt lockedAt } }
    }
  }
`)

export const RegDueDates = graphql(`
  query RegDueDates { regulatoryReportDueDates { formCode formName period periodLabel dueDate reportStatus overdue } }
`)

export const RegReport = graphql(`
  query RegReport($id: ID!) {
    node(id: $id) {
      ... on RegulatoryReport {
        id formCode formVersion period periodLabel asOf version status statusLabel dueDate filledAt reviewedAt lockedAt
        lines { code label unit values }
      }
    }
  }
`)


export const RegReportFill = graphql(`
  mutation RegReportFill($input: RegulatoryReportFillInput!) {
    regulatoryReportFill(input: $input) { report { id status statusLabel period } errors { code message field } }
  }
`)

export const RegReportReview = graphql(`
  mutation RegReportReview($id: ID!) {
    regulatoryReportReview(id: $id) { report { id status statusLabel } errors { code message field } }
  }
`)

export const RegReportLock = graphql(`
  mutation RegReportLock($id: ID!) {
    regulatoryReportLock(id: $id) { report { id status statusLabel } errors { code message field } }
  }
`)

export const RegReportCorrect = graphql(`
  mutation RegReportCorrect($id: ID!) {
    regulatoryReportCorrect(id: $id) { report { id status statusLabel } errors { code message field } }
  }
`)

export const RegReportExport = graphql(`
  mutation RegReportExport($id: ID!) {
    regulatoryReportExport(id: $id) { file { filename contentType size contentBase64 } errors { code message field } }
  }
`)
