"""The HTTP front end answers on its own port."""
import json
import urllib.error
import urllib.request


def test_health(server):
    with urllib.request.urlopen(f"http://127.0.0.1:{server.http_port}/api/health", timeout=10) as r:
        assert r.status == 200
        assert json.loads(r.read()) == {"status": "OK"}


def test_unknown_endpoint_is_404(server):
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{server.http_port}/nope", timeout=10)
        raise AssertionError("expected 404")
    except urllib.error.HTTPError as e:
        assert e.code == 404
        assert json.loads(e.read())["status"] == "FAILED"
