"""Report helpers: HTML pages of result tables, and a record of the device a job ran on."""

from .tables import table_html

__all__ = ["table_html"]
