// Every GraphQL operation of the console. graphql-codegen (codegen.ts) types each one from the SDL into src/gql/;
// `vue-tsc --noEmit` checks the pages against those types.
import { graphql } from '@/gql'

export const Login = graphql(`
  mutation Login($tenant: String!, $username: String!, $password: String!) {
    login(tenant: $tenant, username: $username, password: $password) {
      accessToken refreshToken expiresIn errors { code message field retryAfter }
    }
  }
`)

export const TokenRefresh = graphql(`
  mutation TokenRefresh($refreshToken: String!) {
    tokenRefresh(refreshToken: $refreshToken) { accessToken refreshToken expiresIn errors { code message } }
  }
`)

export const Logout = graphql(`
  mutation Logout($refreshToken: String!) { logout(refreshToken: $refreshToken) { ok errors { code message } } }
`)

export const Me = graphql(`
  query Me {
    me { user { id username displayName } tenant { slug name status enabledPlugins } roles permissions }
  }
`)

export const MyTasks = graphql(`
  query MyTasks($first: Int) {
    myTasks(first: $first) { totalCount edges { node { id stepKey kind title status dueDate createdAt completedAt
      decision comment instance { id title subjectType subjectId definitionKey status currentStep } } } }
  }
`)

export const CompletedTasks = graphql(`
  query CompletedTasks($first: Int) {
    completedTasks(first: $first) { totalCount edges { node { id stepKey kind title status dueDate createdAt
      completedAt decision comment instance { id title subjectType subjectId definitionKey status currentStep } } } }
  }
`)

export const OverdueTasks = graphql(`
  query OverdueTasks($first: Int) {
    overdueTasks(first: $first) { totalCount edges { node { id stepKey kind title status dueDate createdAt
      completedAt decision comment instance { id title subjectType subjectId definitionKey status currentStep } } } }
  }
`)

export const WorkflowInstanceDetail = graphql(`
  query WorkflowInstanceDetail($id: ID!) {
    workflowInstance(id: $id) {
      id title status currentStep subjectType subjectId definitionKey definitionVersion startedAt endedAt
      timeline { seq action stepKey actorType actorId comment occurredAt }
      graph { current nodes { key name kind state } edges { source target on when taken } }
    }
  }
`)

export const TaskApprove = graphql(`
  mutation TaskApprove($input: WorkflowTaskActionInput!) {
    workflowTaskApprove(input: $input) { instance { id status currentStep } errors { code message field } }
  }
`)

export const TaskReturn = graphql(`
  mutation TaskReturn($input: WorkflowTaskActionInput!) {
    workflowTaskReturn(input: $input) { instance { id status currentStep } errors { code message field } }
  }
`)

export const CommitteeVote = graphql(`
  mutation CommitteeVote($input: WorkflowTaskActionInput!) {
    workflowCommitteeVote(input: $input) { instance { id status currentStep } errors { code message field } }
  }
`)

export const Customers = graphql(`
  query Customers($first: Int, $after: String, $filter: CustomerFilterInput) {
    customers(first: $first, after: $after, filter: $filter) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { node { id kind name idNumber phone industry region tags lists updatedAt } }
    }
  }
`)

export const CustomerDetail = graphql(`
  query CustomerDetail($id: ID!) {
    customer(id: $id) {
      id kind name idNumber phone address bankName bankAccount occupation annualIncome totalAssets legalRepName
      registeredCapital industry region size tags version lists createdAt updatedAt
    }
    customerHistory(id: $id) { version action changedBy changedAt changes { field before after } }
    customerListEntries(customerId: $id) { id listType reason source status requestedBy decidedBy createdAt }
  }
`)

export const CustomerCreate = graphql(`
  mutation CustomerCreate($input: CustomerCreateInput!) {
    customerCreate(input: $input) { customer { id name } errors { code message field } }
  }
`)

export const CustomerUpdate = graphql(`
  mutation CustomerUpdate($input: CustomerUpdateInput!) {
    customerUpdate(input: $input) { customer { id name version } errors { code message field } }
  }
`)

export const CustomerBlacklistAdd = graphql(`
  mutation CustomerBlacklistAdd($input: CustomerBlacklistAddInput!) {
    customerBlacklistAdd(input: $input) { entry { id status } errors { code message field } }
  }
`)

export const Projects = graphql(`
  query Projects($first: Int, $after: String, $filter: GuaranteeProjectFilterInput) {
    guaranteeProjects(first: $first, after: $after, filter: $filter) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { node { id projectNo status statusLabel amount termMonths createdAt
        customer { id name } product { name } bank { name }
        currentTask { stepKey stepName dueDate } } }
    }
  }
`)

export const ProjectDetail = graphql(`
  query ProjectDetail($id: ID!) {
    guaranteeProject(id: $id) {
      id projectNo status statusLabel amount termMonths purpose loanCategoryLabel inForceBalance effectiveDate
      expiryDate proposedFeeRate createdAt submittedAt workflowInstanceId customerKind
      customer { id name } product { name kindLabel } bank { name }
      currentTask { stepKey stepName dueDate }
      counterGuarantees { id kindLabel description valuation discountRate coveredAmount ownerName }
    }
    guaranteeFeePlan(projectId: $id) {
      guaranteeFeeTotal reviewFee marginAmount totalDue totalReceived outstanding
      schedule { id feeType seq dueDate amount received outstanding }
    }
    guaranteeProjectLedger(projectId: $id) {
      entries { id kind detail amount entryDate stage }
      figures { guaranteeFee reviewFee marginHeld loanAmount inForceBalance repaid released compensated recovered }
    }
  }
`)

export const Attachments = graphql(`
  query Attachments($entityType: String!, $entityId: String!) {
    attachments(entityType: $entityType, entityId: $entityId) {
      id filename contentType size uploadedByName createdAt downloadUrl
    }
  }
`)

export const Dashboard = graphql(`
  query Dashboard($dateFrom: Date!, $dateTo: Date!) {
    guaranteeDashboard(dateFrom: $dateFrom, dateTo: $dateTo) {
      asOf
      inForce { count balance netBalance }
      newBusiness { count loanAmount }
      releases { guaranteeReleased }
      compensation { count paidAmount rate }
      recovery { recovered rate }
      breakdowns { industry { label inForceBalance newAmount } customerKind { label inForceBalance }
        bank { label inForceBalance } }
      people { name openTasks overdueTasks inForceBalance }
    }
  }
`)

export const WorkflowDefinitions = graphql(`
  query WorkflowDefinitions { workflowDefinitions { id key version name subjectType status document } }
`)

export const Meetings = graphql(`
  query Meetings($status: String, $first: Int) {
    guaranteeMeetings(status: $status, first: $first) {
      edges { node { id title meetingDate place status openedAt chairName members { userId name }
        agenda { projectId projectNo customerName amount status result approvals rejections } } }
    }
  }
`)

export const MeetingOpen = graphql(`
  mutation MeetingOpen($meetingId: ID!) {
    guaranteeMeetingOpen(meetingId: $meetingId) { meeting { id status openedAt } errors { code message field } }
  }
`)

export const ApplicationChoices = graphql(`
  query ApplicationChoices {
    guaranteeProducts { id code name kindLabel requiresCounterGuarantee }
    guaranteeBanks(activeOnly: true) { id name }
    codeLists(keys: ["guarantee.loan_category", "guarantee.counter_guarantee_kind"]) {
      key items { code labelZh labelEn }
    }
  }
`)

export const CustomerOptions = graphql(`
  query CustomerOptions($nameContains: String) {
    customers(first: 20, filter: { nameContains: $nameContains }) { edges { node { id name kind } } }
  }
`)

export const ApplicationCreate = graphql(`
  mutation ApplicationCreate($input: GuaranteeApplicationCreateInput!) {
    guaranteeApplicationCreate(input: $input) { project { id } errors { code message field } }
  }
`)

export const CounterGuaranteeAdd = graphql(`
  mutation CounterGuaranteeAdd($input: GuaranteeCounterGuaranteeAddInput!) {
    guaranteeCounterGuaranteeAdd(input: $input) { counterGuarantee { id } errors { code message field } }
  }
`)

export const ApplicationSubmit = graphql(`
  mutation ApplicationSubmit($id: ID!) {
    guaranteeApplicationSubmit(id: $id) {
      project { id status statusLabel projectNo currentTask { stepName } } errors { code message field }
    }
  }
`)

export const CustomerGraph = graphql(`
  query CustomerGraph($id: ID!, $depth: Int!) {
    customerGraph(id: $id, depth: $depth) {
      rootId truncated
      nodes { depth customer { id name kind } }
      edges { id fromId toId relationType }
      groups { kind label memberCount memberIds }
    }
  }
`)

export const WorkChoices = graphql(`
  query WorkChoices($projectId: ID!, $customerKind: String) {
    guaranteeScorecardTemplates(customerKind: $customerKind) {
      id name active indicators { key name kind maxPoints }
    }
    guaranteeRating(projectId: $projectId) { id }
    guaranteeDueDiligenceReport(projectId: $projectId) { status }
    guaranteeContracts(projectId: $projectId) { id contractType contractNo status signedOn }
  }
`)

export const RatingScore = graphql(`
  mutation RatingScore($input: GuaranteeRatingScoreInput!) {
    guaranteeRatingScore(input: $input) { rating { id } errors { code message field } }
  }
`)

export const ReportSave = graphql(`
  mutation ReportSave($input: GuaranteeDueDiligenceReportSaveInput!) {
    guaranteeDueDiligenceReportSave(input: $input) { report { status } errors { code message field } }
  }
`)

export const ReportSubmit = graphql(`
  mutation ReportSubmit($projectId: ID!) {
    guaranteeDueDiligenceReportSubmit(projectId: $projectId) { report { status } errors { code message field } }
  }
`)

export const FeePlanSet = graphql(`
  mutation FeePlanSet($input: GuaranteeFeePlanSetInput!) {
    guaranteeFeePlanSet(input: $input) { plan { totalDue } errors { code message field } }
  }
`)

export const FeeReceive = graphql(`
  mutation FeeReceive($input: GuaranteeFeeReceiveInput!) {
    guaranteeFeeReceive(input: $input) { receipt { id } errors { code message field } }
  }
`)

export const ContractsGenerate = graphql(`
  mutation ContractsGenerate($projectId: ID!) {
    guaranteeContractsGenerate(projectId: $projectId) { contracts { id } errors { code message field } }
  }
`)

export const ContractSigned = graphql(`
  mutation ContractSigned($input: GuaranteeContractMarkSignedInput!) {
    guaranteeContractMarkSigned(input: $input) { contract { id status } errors { code message field } }
  }
`)

export const LoanConfirm = graphql(`
  mutation LoanConfirm($input: GuaranteeLoanConfirmInput!) {
    guaranteeLoanConfirm(input: $input) { errors { code message field } }
  }
`)
