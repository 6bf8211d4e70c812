// The finance pages' GraphQL operations (typed by graphql-codegen from the SDL).
import { graphql } from '@/gql'

export const FinVouchers = graphql(`
  query FinVouchers($period: String, $status: String, $word: String, $first: Int, $after: String) {
    financeVouchers(period: $period, status: $status, word: $word, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { node { id number word period voucherDate summary status total sourceEventType reversalOf reversedBy } }
    }
  }
`)

export const FinVoucher = graphql(`
  query FinVoucher($id: ID!) {
    node(id: $id) {
      ... on FinanceVoucher {
        id number word period voucherDate summary status total makerId reviewerId posterId sourceEventType reversalOf
        reversedBy lines { lineNo accountCode summary debit credit customerId projectId bankId department }
      }
    }
  }
`)

export const FinAccounts = graphql(`
  query FinAccounts { financeAccounts(includeInactive: true) { code name level } }
`)

export const FinVoucherReview = graphql(`
  mutation FinVoucherReview($id: ID!) {
    financeVoucherReview(voucherId: $id) { voucher { id status } errors { code message field } }
  }
`)

export const FinVoucherPost = graphql(`
  mutation FinVoucherPost($id: ID!) {
    financeVoucherPost(voucherId: $id) { voucher { id status } errors { code message field } }
  }
`)

export const FinTrialBalance = graphql(`
  query FinTrialBalance($period: String!, $includeUnposted: Boolean!) {
    financeTrialBalance(period: $period, includeUnposted: $includeUnposted) {
      period balanced
      rows { code name level openingDebit openingCredit debit credit closingDebit closingCredit }
      totals { code name level openingDebit openingCredit debit credit closingDebit closingCredit }
    }
  }
`)
