"""Pure-Python CFDI 4.0 engine. Never imports odoo (see DESIGN.md)."""

__version__ = "18.0.1.0.0"
