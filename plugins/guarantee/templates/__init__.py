"""Contract templates of the ``guarantee`` plugin: the placeholders each contract type may use, checking and filling
a tenant's .docx template (docxtpl, sandboxed Jinja), the default templates built in code, and amounts in Chinese
capital numerals (docs/guarantee/documents.md)."""
