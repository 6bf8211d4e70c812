"""The cross-tenant filing channel (机构通道, docs/reguarantee/channel.md): a guarantee-company tenant files its
projects with a re-guarantor tenant of the same deployment through an explicit, audited channel."""
