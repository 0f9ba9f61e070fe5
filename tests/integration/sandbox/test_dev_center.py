"""The sandbox's Custom Apps pages: a developer account creates the app Helm's guide describes."""

from __future__ import annotations

import re

import requests


def test_a_developer_creates_an_app_with_permissions_oauth_urls_and_a_public_key(
    sandbox, sandbox_server
):
    base = sandbox_server.url
    created = requests.post(f"{base}/dev/custom-apps", data={"name": "Helm"}, allow_redirects=False)
    assert created.status_code == 303
    app_id = created.headers["Location"].rsplit("/", 1)[1]
    app = requests.get(f"{base}/_sandbox/apps/{app_id}").json()
    assert app["authFlow"] == "legacy" and app["permissions"] == ["SCOPE.DC.MANAGE-YOUR-APP"]

    requests.post(
        f"{base}/dev/custom-apps/{app_id}/permissions",
        data={"permission": ["SCOPE.DC-ECOM-MEGA.READ-ECOM", "SCOPE.NOT-OFFERED"]},
    )
    requests.post(
        f"{base}/dev/custom-apps/{app_id}/oauth",
        data={"appUrl": "https://oms.example/a", "redirectUrl": "https://oms.example/r",
              "webhookUrl": "https://oms.example/hooks/wix/x"},
    )  # fmt: skip
    app = requests.get(f"{base}/_sandbox/apps/{app_id}").json()
    assert app["permissions"] == ["SCOPE.DC-ECOM-MEGA.READ-ECOM"]  # unticked ones go
    assert (app["appUrl"], app["redirectUrl"]) == ("https://oms.example/a", "https://oms.example/r")
    page = requests.get(f"{base}/dev/custom-apps/{app_id}").text
    assert app["appSecret"] in page and "BEGIN PUBLIC KEY" in page
    assert re.search(r'value="SCOPE.DC-ECOM-MEGA.READ-ECOM" checked', page)


def test_bad_inputs_are_refused(sandbox, sandbox_server):
    base = sandbox_server.url
    assert requests.post(f"{base}/dev/custom-apps", data={"name": " "}).status_code == 422
    assert requests.get(f"{base}/dev/custom-apps/nope").status_code == 404
    created = requests.post(f"{base}/dev/custom-apps", data={"name": "Helm"}, allow_redirects=False)
    app_id = created.headers["Location"].rsplit("/", 1)[1]
    bad = requests.post(f"{base}/dev/custom-apps/{app_id}/oauth", data={"appUrl": "javascript:1"})
    assert bad.status_code == 400
