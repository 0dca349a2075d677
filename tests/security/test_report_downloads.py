"""Every download a validation report page offers answers, with the server as ``scripts/run``
starts it: default settings, so the store path is relative (``.cityref/store``) and resolved
against the server's working folder, never against the package (issue 13: Flask's
``send_file`` once looked for the jobs under ``app/.cityref/…`` and every download was a 500).
"""

from __future__ import annotations

import json
import re

from tests.conftest import REAL_DATA
from tests.security.conftest import STORE, LiveServer

AED = REAL_DATA / "yaizu-222127" / "222127_aed.csv"


def test_every_download_of_the_report_page_answers(live_server: LiveServer) -> None:
    assert not STORE.is_absolute()  # the default, as scripts/run leaves it
    upload = live_server.request(
        "POST", "/api/validate?profile=ods-aed", AED.read_bytes(), {"Content-Type": "text/csv"}
    )
    assert upload.status == 200, upload.body[:300]
    job = json.loads(upload.body)["job"]
    for lang in ("ja", "en"):
        page = live_server.request("GET", f"/validate/{job}?lang={lang}")
        assert page.status == 200
        links = re.findall(rf'href="(/api/jobs/{job}/[^"]+)"', page.body.decode("utf-8"))
        assert len(links) >= 6, links  # json, text, csv, html, turtle, jsonld
        for link in links:
            download = live_server.request("GET", link)
            assert download.status == 200, (link, download.body[:300])
            assert download.body.strip(), link
            assert "attachment" in download.headers["content-disposition"], link
