// The finance pages' texts (vue-i18n, under the key `finance`).
export const zhCN = {
  menu: { vouchers: '凭证', trialBalance: '科目余额表' },
  statuses: { draft: '未审核', reviewed: '已审核', posted: '已记账' },
  vouchers: { title: '凭证', number: '凭证号', word: '凭证字', period: '期间', date: '日期', summary: '摘要',
    total: '金额（元）', source: '来源', manual: '手工凭证' },
  voucher: { title: '凭证 {number}', review: '审核', post: '记账', account: '科目', debit: '借方', credit: '贷方',
    department: '部门', totals: '合计：借方 {debit}，贷方 {credit}', reviewed: '已审核', posted: '已记账' },
  trialBalance: { title: '科目余额表', unposted: '含未记账凭证', balanced: '借贷平衡', unbalanced: '借贷不平衡',
    code: '科目代码', name: '科目名称', total: '合计', openingDebit: '期初借方', openingCredit: '期初贷方',
    debit: '本期借方', credit: '本期贷方', closingDebit: '期末借方', closingCredit: '期末贷方' },
}

export const en: typeof zhCN = {
  menu: { vouchers: 'Vouchers', trialBalance: 'Trial balance' },
  statuses: { draft: 'Not reviewed', reviewed: 'Reviewed', posted: 'Posted' },
  vouchers: { title: 'Vouchers', number: 'Number', word: 'Word', period: 'Period', date: 'Date', summary: 'Summary',
    total: 'Amount (yuan)', source: 'Source', manual: 'Manual' },
  voucher: { title: 'Voucher {number}', review: 'Review', post: 'Post', account: 'Account', debit: 'Debit',
    credit: 'Credit', department: 'Department', totals: 'Totals: debit {debit}, credit {credit}',
    reviewed: 'Reviewed', posted: 'Posted' },
  trialBalance: { title: 'Trial balance', unposted: 'Include unposted', balanced: 'Balanced',
    unbalanced: 'Not balanced', code: 'Code', name: 'Account', total: 'Total', openingDebit: 'Opening debit',
    openingCredit: 'Opening credit', debit: 'Period debit', credit: 'Period credit', closingDebit: 'Closing debit',
    closingCredit: 'Closing credit' },
}
