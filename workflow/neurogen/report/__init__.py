"""Report helpers: HTML pages of result tables, and a record of the device a job ran on."""

from typing import TYPE_CHECKING

from neurogen import lazy_exports

if TYPE_CHECKING:  # for static tools; at run time __getattr__ imports on first use (PEP 562)
    from .tables import read_table, table_html

__getattr__, __dir__ = lazy_exports(__name__, {"tables": ["read_table", "table_html"]})
__all__ = ["read_table", "table_html"]
