"""Core workflow engine: process definitions, instances, tasks, committee votes, timeouts (docs/workflow.md)."""
