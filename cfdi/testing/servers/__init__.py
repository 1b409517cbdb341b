"""Local HTTP servers the PAC tests talk to over 127.0.0.1 (real sockets, real HTTP)."""
