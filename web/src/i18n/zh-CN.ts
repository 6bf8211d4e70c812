// Chinese (the default). Every key here exists in en.ts too (the type of en.ts is this object's).
export default {
  app: { title: '担保业务管理平台', language: '语言', logout: '退出登录', tenant: '租户', notEnabled: '本租户未启用此功能' },
  menu: {
    inbox: '我的待办', customers: '客户', projects: '担保项目', dashboard: '经营看板', workflows: '流程定义', meetings: '审保会',
  },
  login: {
    title: '登录', tenant: '租户代码', username: '用户名', password: '密码', submit: '登录',
    required: '请填写{field}',
  },
  common: {
    search: '搜索', reset: '重置', save: '保存', cancel: '取消', create: '新建', edit: '编辑', back: '返回',
    loading: '加载中…', empty: '暂无数据', total: '共 {n} 条', actions: '操作', yes: '是', no: '否',
    saved: '已保存', open: '打开', download: '下载', status: '状态', amount: '金额', date: '日期',
    more: '加载更多', none: '无',
  },
  inbox: {
    todo: '待办', done: '已办', overdue: '逾期', title: '事项', step: '环节', due: '到期日', created: '收到时间',
    completed: '办理时间', decision: '结论', open: '办理', subject: '业务对象', approve: '同意', return: '退回',
    vote: '投票', comment: '意见', commentRequired: '退回时请填写意见', files: '附件', addFile: '添加附件',
    approved: '已同意', returned: '已退回', voted: '已投票', timeline: '流程记录', openSubject: '查看业务',
    voteApprove: '同意', voteReject: '反对', voteConditions: '附条件同意', voteRecuse: '回避',
    convene: '该事项需在“审保会”页面开会，之后由委员在待办中投票',
  },
  customers: {
    title: '客户', name: '名称', kind: '类型', individual: '个人', corporate: '企业', idNumber: '证件号码',
    creditCode: '统一社会信用代码', phone: '手机号码', address: '地址', industry: '行业', region: '地区',
    size: '规模', tags: '标签', lists: '名单', bankName: '开户行', bankAccount: '银行账号',
    legalRepName: '法定代表人', registeredCapital: '注册资本', occupation: '职业', annualIncome: '年收入',
    searchPlaceholder: '名称包含…', createTitle: '新建客户', editTitle: '编辑客户', history: '变更历史',
    blacklist: '黑名单', blacklisted: '黑名单', addBlacklist: '申请列入黑名单', reason: '原因', source: '来源',
    version: '版本', changedBy: '变更人', changedAt: '变更时间', field: '字段', before: '变更前', after: '变更后',
    created: '客户已创建', requested: '已提交申请', updatedAt: '更新时间', detail: '客户详情', graph: '关联关系图',
    graphTruncated: '关联方较多，图中只显示了一部分',
  },
  projects: {
    title: '担保项目', projectNo: '项目编号', customer: '客户', product: '产品', bank: '合作银行', status: '状态',
    amount: '担保金额', term: '期限（月）', currentStep: '当前环节', purpose: '用途', created: '创建时间',
    filterStatus: '状态筛选', filterNo: '项目编号', timeline: '审批进程', counterGuarantees: '反担保措施',
    fees: '费用', documents: '文件资料', ledger: '台账', kind: '方式', description: '说明', valuation: '评估价值',
    discountRate: '抵押率', covered: '覆盖金额', owner: '提供人', feeType: '费用类型', dueDate: '应收日',
    received: '已收', outstanding: '未收', totalDue: '应收合计', totalReceived: '已收合计', entryKind: '业务类型',
    entryDate: '记账日', stage: '确认状态', inForceBalance: '在保余额', effectiveDate: '生效日', expiryDate: '到期日',
    filename: '文件名', size: '大小', uploadedBy: '上传人', uploadedAt: '上传时间', noProcess: '该项目没有审批流程',
    detail: '项目详情', figures: '台账汇总', upload: '上传文件', uploaded: '文件已上传',
    statuses: {
      draft: '草稿', in_approval: '审批中', approved: '已批准', rejected: '已否决', withdrawn: '已撤回',
      contracted: '已签约', effective: '已生效', released: '已解保', cancelled: '已取消',
    },
  },
  application: {
    title: '新建担保申请', amount: '担保金额（元）', loanCategory: '贷款类别', save: '保存草稿', submit: '提交审批',
    submitted: '已提交审批', create: '新建申请',
  },
  meetings: {
    title: '审保会', open: '开会', opened: '会议已开始，委员可在待办中投票', openedAt: '开会时间', chair: '主持人',
    members: '委员', votes: '同意 / 反对', result: '结果',
  },
  dashboard: {
    title: '经营看板', period: '统计期间', inForceCount: '在保笔数', inForceBalance: '在保余额（元）',
    netBalance: '本公司在保余额（元）', newCount: '新增笔数', newAmount: '新增担保额（元）',
    released: '解除担保额（元）', compensation: '代偿金额（元）', compensationRate: '代偿率',
    recoveryRate: '追偿回收率', byIndustry: '按行业在保余额', byKind: '按客户类型在保余额', byBank: '按银行在保余额',
    people: '人员待办', openTasks: '待办', overdueTasks: '逾期', asOf: '截至',
  },
  workflows: {
    title: '流程定义', key: '流程代码', version: '版本', name: '名称', subjectType: '业务对象', status: '状态',
    graph: '流程图', readOnly: '只读查看（拖拽编辑为后续功能）', steps: '环节',
  },
}
