// The re-guarantee pages' GraphQL operations (typed by graphql-codegen from the SDL like src/api/operations.ts).
import { graphql } from '@/gql'

export const RgPartners = graphql(`
  query RgPartners($first: Int, $after: String, $filter: ReguaranteePartnerFilterInput) {
    reguaranteePartners(first: $first, after: $after, filter: $filter) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { node { id name kind kindLabel region status statusLabel analysisScore admittedOn
        currentTask { stepName } } }
    }
  }
`)

export const RgPartner = graphql(`
  query RgPartner($id: ID!) {
    node(id: $id) {
      ... on ReguaranteePartner {
        id name kind kindLabel creditCode region registeredCapital status statusLabel statusReason analysisScore
        admittedOn contactName contactPhone
        analysisLines { key label weight score }
        evaluations { period score remarks evaluatedOn }
        currentTask { stepName dueDate }
      }
    }
  }
`)

export const RgPartnerAgreements = graphql(`
  query RgPartnerAgreements($first: Int, $after: String, $filter: ReguaranteeAgreementFilterInput) {
    reguaranteeAgreements(first: $first, after: $after, filter: $filter) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { node { id agreementNo lineAmount validFrom validTo baseFeeRate householdCap status statusLabel
        split { original reguarantor nationalFund bank }
        partner { id name } programme { id name } } }
    }
  }
`)

export const RgLineUsage = graphql(`
  query RgLineUsage($ids: [ID!]!) { reguaranteeLineUsage(agreementIds: $ids) { agreementId line used available } }
`)

export const RgFilings = graphql(`
  query RgFilings($first: Int, $after: String, $filter: ReguaranteeFilingFilterInput) {
    reguaranteeFilings(first: $first, after: $after, filter: $filter) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { node { id filingNo projectRef loanContractNo customerName customerKindLabel bankName guaranteeAmount
        shareReguarantor feeAmount startDate endDate status statusLabel rejectReasons releasedOn
        partner { id name } agreement { id agreementNo } batch { batchNo } } }
    }
  }
`)

export const RgFilingConfirm = graphql(`
  mutation RgFilingConfirm($id: ID!) {
    reguaranteeFilingConfirm(id: $id) { filing { id status statusLabel } errors { code message field } }
  }
`)

export const RgFilingReject = graphql(`
  mutation RgFilingReject($id: ID!, $reasons: [String!]!) {
    reguaranteeFilingReject(id: $id, reasons: $reasons) {
      filing { id status statusLabel rejectReasons } errors { code message field }
    }
  }
`)

export const RgFilingRelease = graphql(`
  mutation RgFilingRelease($id: ID!, $kind: String!, $on: Date!) {
    reguaranteeFilingRelease(id: $id, kind: $kind, on: $on) {
      filing { id status statusLabel releasedOn } errors { code message field }
    }
  }
`)

export const RgFilingTemplate = graphql(`
  query RgFilingTemplate { reguaranteeFilingTemplate { fileName contentBase64 } }
`)

export const RgFilingImport = graphql(`
  mutation RgFilingImport($agreementId: ID!, $content: String!, $fileName: String!, $dryRun: Boolean!) {
    reguaranteeFilingImport(agreementId: $agreementId, contentBase64: $content, fileName: $fileName,
                            dryRun: $dryRun) {
      report { ok dryRun written rowCount refusedCount totalAmount batch { id batchNo }
        rows { row projectRef filingNo reasons warnings columns } }
      errors { code message field }
    }
  }
`)

export const RgWarnings = graphql(`
  query RgWarnings($first: Int, $after: String, $filter: ReguaranteeWarningFilterInput) {
    reguaranteeWarnings(first: $first, after: $after, filter: $filter) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { node { id asOf indicator indicatorLabel value threshold level levelLabel status statusLabel message
        closedOn createdAt partner { id name } } }
    }
  }
`)

export const RgWarningClose = graphql(`
  mutation RgWarningClose($input: ReguaranteeWarningCloseInput!) {
    reguaranteeWarningClose(input: $input) { warning { id status statusLabel message } errors { code message field } }
  }
`)

export const RgStatistics = graphql(`
  query RgStatistics($input: ReguaranteeStatisticsInput!) {
    reguaranteeStatistics(input: $input) {
      dimension dateFrom asOf amountUnit
      rows { key label filedCount filedAmount balanceCount balance reguarantorBalance riskShareRatio avgLoanRate
        released compensated compensationRate recovered }
      total { label filedCount filedAmount balanceCount balance reguarantorBalance riskShareRatio avgLoanRate
        released compensated compensationRate recovered }
    }
  }
`)

export const RgStatisticsExport = graphql(`
  mutation RgStatisticsExport($input: ReguaranteeStatisticsInput!) {
    reguaranteeStatisticsExport(input: $input) {
      file { filename contentType size rows contentBase64 } errors { code message field }
    }
  }
`)
