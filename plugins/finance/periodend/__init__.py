"""Period-end work of the finance plugin: the guarantee-fee schedules and their monthly amortisation, the year-end
reserve vouchers, and voucher export files with the tenant's export settings (docs/finance/periodend.md)."""
