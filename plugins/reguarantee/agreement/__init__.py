"""Programmes (业务品种) and cooperation agreements (合作协议): risk-sharing split, fee rules, caps and
eligibility rules."""
