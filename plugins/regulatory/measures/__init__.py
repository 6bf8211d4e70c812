"""The measures area of the ``regulatory`` plugin: the business plugins' figures and exposures gathered for a date
(through core/ports/regulatory.py, memoised per session), the period semantics of report rows, and the
``regulatoryFigures`` query (docs/regulatory/figures.md)."""
