"""Exports of posted vouchers to 用友 U8 and 金蝶 import formats, and their parsers (docs/finance/exports.md)."""
