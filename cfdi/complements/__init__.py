"""CFDI complements beyond Pagos and implocal: Comercio Exterior 2.0, Carta Porte 3.1,
and the customer addenda appended after stamping (``addenda``).

``registry`` is what the rest of the engine (XML, cadena, rules, amounts, sandbox)
asks of them; each complement keeps its model and amounts in one module and its
rules in another (``*_rules``).
"""
