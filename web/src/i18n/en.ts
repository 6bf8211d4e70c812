import type zh from './zh-CN'

// English: the same keys as zh-CN.ts (checked by the type below).
const en: typeof zh = {
  app: { title: 'Guarantee Business Console', language: 'Language', logout: 'Sign out', tenant: 'Tenant',
    notEnabled: 'This feature is not enabled for your tenant' },
  menu: { inbox: 'My inbox', customers: 'Customers', projects: 'Projects', dashboard: 'Dashboard',
    workflows: 'Workflows', meetings: 'Committee' },
  login: {
    title: 'Sign in', tenant: 'Tenant', username: 'Username', password: 'Password', submit: 'Sign in',
    required: 'Enter the {field}',
  },
  common: {
    search: 'Search', reset: 'Reset', save: 'Save', cancel: 'Cancel', create: 'New', edit: 'Edit', back: 'Back',
    loading: 'Loading…', empty: 'Nothing here', total: '{n} in all', actions: 'Actions', yes: 'Yes', no: 'No',
    saved: 'Saved', open: 'Open', download: 'Download', status: 'Status', amount: 'Amount', date: 'Date',
    more: 'Load more', none: 'None',
  },
  inbox: {
    todo: 'To do', done: 'Done', overdue: 'Overdue', title: 'Task', step: 'Step', due: 'Due', created: 'Received',
    completed: 'Completed', decision: 'Decision', open: 'Open', subject: 'Subject', approve: 'Approve',
    return: 'Return', vote: 'Vote', comment: 'Comment', commentRequired: 'Give a comment when returning',
    files: 'Files', addFile: 'Add a file', approved: 'Approved', returned: 'Returned', voted: 'Vote cast',
    timeline: 'History', openSubject: 'Open the subject', voteApprove: 'Approve', voteReject: 'Reject',
    voteConditions: 'Approve with conditions', voteRecuse: 'Recuse',
    convene: 'Open the meeting on the Committee page; the members then vote',
  },
  customers: {
    title: 'Customers', name: 'Name', kind: 'Kind', individual: 'Individual', corporate: 'Corporate',
    idNumber: 'ID number', creditCode: 'Unified social credit code', phone: 'Mobile', address: 'Address',
    industry: 'Industry', region: 'Region', size: 'Size', tags: 'Tags', lists: 'Lists', bankName: 'Bank',
    bankAccount: 'Bank account', legalRepName: 'Legal representative', registeredCapital: 'Registered capital',
    occupation: 'Occupation', annualIncome: 'Annual income', searchPlaceholder: 'Name contains…',
    createTitle: 'New customer', editTitle: 'Edit customer', history: 'History', blacklist: 'Blacklist',
    blacklisted: 'Blacklisted', addBlacklist: 'Request blacklisting', reason: 'Reason', source: 'Source',
    version: 'Version', changedBy: 'Changed by', changedAt: 'Changed at', field: 'Field', before: 'Before',
    after: 'After', created: 'Customer created', requested: 'Request sent', updatedAt: 'Updated',
    detail: 'Customer', graph: 'Related parties', graphTruncated: 'Many related parties: the picture shows some of them',
  },
  projects: {
    title: 'Guarantee projects', projectNo: 'Project no.', customer: 'Customer', product: 'Product', bank: 'Bank',
    status: 'Status', amount: 'Amount', term: 'Term (months)', currentStep: 'Current step', purpose: 'Purpose',
    created: 'Created', filterStatus: 'Status', filterNo: 'Project no.', timeline: 'Approval',
    counterGuarantees: 'Counter-guarantees', fees: 'Fees', documents: 'Documents', ledger: 'Ledger', kind: 'Kind',
    description: 'Description', valuation: 'Valuation', discountRate: 'Discount rate', covered: 'Covered',
    owner: 'Provided by', feeType: 'Fee', dueDate: 'Due', received: 'Received', outstanding: 'Outstanding',
    totalDue: 'Total due', totalReceived: 'Total received', entryKind: 'Entry', entryDate: 'Date', stage: 'Stage',
    inForceBalance: 'In-force balance', effectiveDate: 'Effective', expiryDate: 'Expires', filename: 'File',
    size: 'Size', uploadedBy: 'Uploaded by', uploadedAt: 'Uploaded', noProcess: 'No approval process',
    detail: 'Project', figures: 'Ledger figures', upload: 'Upload files', uploaded: 'Uploaded',
    statuses: {
      draft: 'Draft', in_approval: 'In approval', approved: 'Approved', rejected: 'Rejected', withdrawn: 'Withdrawn',
      contracted: 'Contracted', effective: 'Effective', released: 'Released', cancelled: 'Cancelled',
    },
  },
  application: {
    title: 'New guarantee application', amount: 'Amount (yuan)', loanCategory: 'Loan category',
    save: 'Save the draft', submit: 'Submit for approval', submitted: 'Submitted for approval',
    create: 'New application',
  },
  meetings: {
    title: 'Review committee meetings', open: 'Open the meeting',
    opened: 'The meeting is open: members vote from their inbox', openedAt: 'Opened', chair: 'Chair',
    members: 'Members', votes: 'For / against', result: 'Result',
  },
  dashboard: {
    title: 'Dashboard', period: 'Period', inForceCount: 'In force', inForceBalance: 'In-force balance (yuan)',
    netBalance: 'Own in-force balance (yuan)', newCount: 'New projects', newAmount: 'New guarantees (yuan)',
    released: 'Released (yuan)', compensation: 'Compensation paid (yuan)', compensationRate: 'Compensation rate',
    recoveryRate: 'Recovery rate', byIndustry: 'In-force balance by industry', byKind: 'By customer kind',
    byBank: 'By bank', people: 'People', openTasks: 'Open tasks', overdueTasks: 'Overdue', asOf: 'As of',
  },
  workflows: {
    title: 'Workflow definitions', key: 'Key', version: 'Version', name: 'Name', subjectType: 'Subject',
    status: 'Status', graph: 'Process graph', readOnly: 'Read-only (drag-and-drop editing comes later)',
    steps: 'Steps',
  },
}
export default en
