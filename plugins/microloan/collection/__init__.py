"""Collection (催收): staged collection cases and actions, the manual class override and the write-off through
approval, and recovery after a write-off (docs/microloan/collection.md)."""
