// The microloan pages' GraphQL operations (typed by graphql-codegen from the SDL).
import { graphql } from '@/gql'

export const MlLoans = graphql(`
  query MlLoans($first: Int, $after: String, $filter: MicroloanLoanFilterInput) {
    microloanLoans(first: $first, after: $after, filter: $filter) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { node { id loanNo kind kindLabel amount termMonths status statusLabel customerName disbursedOn
        maturityDate principalBalance accruedInterest penaltyBalance daysPastDue riskClass riskClassLabel
        product { name } currentTask { stepName } } }
    }
  }
`)

export const MlLoan = graphql(`
  query MlLoan($id: ID!) {
    node(id: $id) {
      ... on MicroloanLoan {
        id loanNo kind kindLabel online purpose amount termMonths status statusLabel contractNo contractSignedOn
        disbursedOn firstDueDate maturityDate upfrontFee principalBalance accruedInterest penaltyBalance costsBalance
        heldAmount daysPastDue riskClass riskClassLabel provision customerName product { name code }
        currentTask { stepName }
        schedule { period dueDate principal interest fee penalty paid outstanding settledOn }
      }
    }
  }
`)

export const MlRepayments = graphql(`
  query MlRepayments($loanId: ID!) {
    microloanRepayments(loanId: $loanId) { id kindLabel statusLabel receivedOn amount principal interest fees penalty
      costs channel reference }
  }
`)

export const MlDashboard = graphql(`
  query MlDashboard($asOf: Date, $unit: AmountUnit!) {
    microloanDashboard(asOf: $asOf, unit: $unit) {
      asOf amountUnit activeLoans balance overdueLoans overdueBalance overdueRate nplBalance nplRatio provision
      provisionCoverage writtenOff recoveredAfterWriteOff
      disbursedThisMonth { count amount } disbursedThisYear { count amount }
      classes { riskClass label count balance provision }
      stages { stage fromDays count balance }
      managers { name activeLoans balance overdueLoans overdueBalance }
      collection { openCases actionsThisMonth recoveredThisYear }
    }
  }
`)
