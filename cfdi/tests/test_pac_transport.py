"""PacSession: the environment's proxy settings still apply, read once per address."""

from cfdi.pac.finkok import FinkokConnector
from cfdi.pac.sw import SwConnector
from cfdi.pac.transport import PacSession


def settings(session, url):
    return session.merge_environment_settings(url, {}, None, None, None)


def test_proxy_variables_apply_and_no_proxy_is_honoured(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.corp:3128")
    monkeypatch.setenv("NO_PROXY", "intranet.corp")
    session = PacSession()
    assert (
        settings(session, "https://facturacion.finkok.com/servicios/soap/stamp")["proxies"].get(
            "https"
        )
        == "http://proxy.corp:3128"
    )
    assert "https" not in settings(session, "https://intranet.corp/pac")["proxies"]


def test_read_once_per_address(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.corp:3128")
    session = PacSession()
    first = settings(session, "https://services.sw.com.mx/v4/cfdi33/stamp/v4")
    first["proxies"].clear()  # a caller changing its copy changes nothing kept
    monkeypatch.setenv("HTTPS_PROXY", "http://other.corp:8080")
    again = settings(session, "https://services.sw.com.mx/cfdi33/cancel")
    assert again["proxies"].get("https") == "http://proxy.corp:3128"
    assert (
        settings(session, "https://api.test.sw.com.mx/x")["proxies"].get("https")
        == "http://other.corp:8080"
    )
    assert (
        settings(PacSession(), "https://services.sw.com.mx/x")["proxies"].get("https")
        == "http://other.corp:8080"
    )


def test_without_trust_env_nothing_is_read(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.corp:3128")
    session = PacSession()
    session.trust_env = False
    assert "https" not in settings(session, "https://facturacion.finkok.com/x")["proxies"]


def test_both_connectors_use_it():
    finkok = FinkokConnector("user", "secret", url="http://127.0.0.1:9/servicios/soap/")
    assert isinstance(finkok._transport.session, PacSession)
    sw = SwConnector(username="user", password="secret", url="http://127.0.0.1:9")
    assert isinstance(sw._session, PacSession)
